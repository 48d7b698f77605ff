import { useEffect, useRef } from 'react';
import {
  Button,
  Center,
  Code,
  CopyButton,
  Group,
  Image,
  Stack,
  Text,
  TextInput,
  type TextInputProps,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import {
  normalizeTotpCode,
  totpCodePattern,
  useConfirmTotpEnrollment,
  useStartTotpEnrollment,
} from './totp-api';

/** The six-digit field: a numeric keyboard on phones, and the code offered by password managers. */
export function TotpCodeInput(props: TextInputProps) {
  return (
    <TextInput
      label="Authentication code"
      description="The 6-digit code your authenticator app shows"
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={7}
      required
      {...props}
    />
  );
}

export function validateTotpCode(value: string): string | null {
  return totpCodePattern.test(normalizeTotpCode(value))
    ? null
    : 'Enter the 6-digit code from your authenticator app';
}

/**
 * Setting up TOTP: asks the server for a new secret when shown, then shows it as a QR code and
 * as text, and turns TOTP on with a code from it.
 */
export function TotpEnrollmentPanel({ onConfirmed }: { onConfirmed: () => void }) {
  const start = useStartTotpEnrollment();
  const { mutate: startEnrollment } = start;
  // Once per panel, even when React runs effects twice in development: a second secret would
  // replace the first on the server.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    startEnrollment();
  }, [startEnrollment]);

  if (start.isError) {
    return (
      <PageError
        error={start.error}
        title="Could not start setting up two-factor sign-in"
        onRetry={() => startEnrollment()}
      />
    );
  }
  if (!start.data) return <PageLoader label="Preparing your QR code…" />;

  const { qrDataUrl, secret } = start.data;
  return (
    <Stack>
      <Text size="sm">
        Scan this QR code with your authenticator app (such as Google Authenticator, Microsoft
        Authenticator, 1Password or Authy).
      </Text>
      <Center>
        <Image src={qrDataUrl} alt="QR code for your authenticator app" w={200} h={200} />
      </Center>
      <Stack gap={4}>
        <Text size="sm">Cannot scan it? Enter this key in the app instead:</Text>
        <Code block fz="sm" style={{ wordBreak: 'break-all' }} data-testid="totp-secret">
          {secret}
        </Code>
        <Group>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="compact-xs" variant="subtle" onClick={copy}>
                {copied ? 'Copied' : 'Copy key'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
      <ConfirmForm onConfirmed={onConfirmed} />
    </Stack>
  );
}

function ConfirmForm({ onConfirmed }: { onConfirmed: () => void }) {
  const confirm = useConfirmTotpEnrollment();
  const form = useForm({
    mode: 'controlled',
    initialValues: { code: '' },
    validate: { code: validateTotpCode },
  });
  const submit = form.onSubmit(({ code }) =>
    confirm.mutate(normalizeTotpCode(code), {
      onSuccess: onConfirmed,
      onError: (error) => showApiError(error, form, 'Two-factor sign-in not turned on'),
    }),
  );
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TotpCodeInput {...form.getInputProps('code')} />
        <Button type="submit" loading={confirm.isPending}>
          Turn on two-factor sign-in
        </Button>
      </Stack>
    </form>
  );
}
