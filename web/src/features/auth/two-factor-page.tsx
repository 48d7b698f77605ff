import { useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconShieldCheck, IconShieldOff } from '@tabler/icons-react';
import { notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { usePageTitle } from '../../lib/use-page-title';
import { normalizeTotpCode, useDisableTotp, useTotpStatus, type TotpStatus } from './totp-api';
import { TotpCodeInput, TotpEnrollmentPanel, validateTotpCode } from './totp-enrollment';

/** My Account > Two-factor sign-in: set up or turn off TOTP for oneself. */
export function TwoFactorPage() {
  usePageTitle('Two-factor sign-in');
  const status = useTotpStatus();

  return (
    <Stack maw={720}>
      <div>
        <Text size="sm" c="dimmed">
          My Account
        </Text>
        <Title order={1}>Two-factor sign-in</Title>
      </div>
      <Text c="dimmed">
        With two-factor sign-in, signing in takes your password and a 6-digit code from an
        authenticator app on your phone, so a stolen password alone is not enough.
      </Text>
      {status.isPending ? (
        <PageLoader label="Loading…" />
      ) : status.isError ? (
        <PageError
          error={status.error}
          title="Could not load your two-factor sign-in"
          onRetry={() => void status.refetch()}
        />
      ) : status.data.enabled ? (
        <TotpOn status={status.data} />
      ) : (
        <TotpOff status={status.data} />
      )}
    </Stack>
  );
}

function TotpOff({ status }: { status: TotpStatus }) {
  const [settingUp, setSettingUp] = useState(false);
  return (
    <Paper withBorder p="lg">
      <Stack>
        <Group gap="xs">
          <IconShieldOff size={20} />
          <Text fw={500}>Two-factor sign-in is</Text>
          <Badge color="gray">Off</Badge>
        </Group>
        {status.required && (
          <Alert color="yellow" variant="light">
            Two-factor sign-in is required for all staff: set it up now, or you will be asked to at
            your next sign-in.
          </Alert>
        )}
        {settingUp ? (
          <>
            <TotpEnrollmentPanel
              onConfirmed={() => {
                setSettingUp(false);
                notifySuccess('Two-factor sign-in is on');
              }}
            />
            <Group>
              <Button variant="default" onClick={() => setSettingUp(false)}>
                Cancel
              </Button>
            </Group>
          </>
        ) : (
          <Group>
            <Button leftSection={<IconShieldCheck size={16} />} onClick={() => setSettingUp(true)}>
              Set up two-factor sign-in
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

function TotpOn({ status }: { status: TotpStatus }) {
  return (
    <Paper withBorder p="lg">
      <Stack>
        <Group gap="xs">
          <IconShieldCheck size={20} />
          <Text fw={500}>Two-factor sign-in is</Text>
          <Badge color="green" variant="light">
            On
          </Badge>
          <Text size="sm" c="dimmed">
            since {formatDateTime(status.enabledAt)}
          </Text>
        </Group>
        {status.required ? (
          <Alert color="gray" variant="light">
            Two-factor sign-in is required for all staff, so it cannot be turned off. Lost your
            phone? A Master Admin can reset it from Staff Users.
          </Alert>
        ) : (
          <TurnOffForm />
        )}
      </Stack>
    </Paper>
  );
}

function TurnOffForm() {
  const disable = useDisableTotp();
  const [withPassword, setWithPassword] = useState(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: { code: '', password: '' },
    validate: {
      code: (value) => (withPassword ? null : validateTotpCode(value)),
      password: (value) => (withPassword && value === '' ? 'Enter your password' : null),
    },
  });
  const submit = form.onSubmit(({ code, password }) =>
    disable.mutate(withPassword ? { password } : { code: normalizeTotpCode(code) }, {
      onSuccess: () => notifySuccess('Two-factor sign-in is off'),
      onError: (error) => showApiError(error, form, 'Two-factor sign-in not turned off'),
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">
          To turn it off, confirm it is you with a code from your app
          {withPassword ? ' or your password' : ''}.
        </Text>
        {withPassword ? (
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
          />
        ) : (
          <TotpCodeInput {...form.getInputProps('code')} />
        )}
        <Group>
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              form.clearErrors();
              setWithPassword((value) => !value);
            }}
          >
            {withPassword ? 'Use a code from the app instead' : 'Use your password instead'}
          </Anchor>
        </Group>
        <Group>
          <Button type="submit" color="red" variant="light" loading={disable.isPending}>
            Turn off two-factor sign-in
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
