import type { ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { errorMessage, notifyError } from '../../api/errors';
import { usePageTitle } from '../../lib/use-page-title';
import { safeNextPath, useSession } from './session';
import { normalizeTotpCode, useVerifyTotp } from './totp-api';
import { TotpCodeInput, TotpEnrollmentPanel, validateTotpCode } from './totp-enrollment';
import { useSignIn, useSignOut, type SignInInput } from './use-sign-in';

/**
 * Sign in: the password, then (when the answer says so) the TOTP code, or setting TOTP up when
 * the settings require it. The step comes from the session, so a reload lands on the same step.
 */
export function SignInPage() {
  usePageTitle('Sign in');
  const [params] = useSearchParams();
  const session = useSession();
  const next = safeNextPath(params.get('next'));

  if (session.data?.user) return <Navigate to={next} replace />;

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        {session.data?.totpRequired ? (
          <TotpCodeStep />
        ) : session.data?.totpEnrollmentRequired ? (
          <TotpEnrollmentStep />
        ) : (
          <PasswordStep next={next} />
        )}
      </Paper>
    </Center>
  );
}

function StepTitle({ children }: { children: ReactNode }) {
  return (
    <div>
      <Title order={2} size="h4" c="dimmed" fw={600}>
        Portico
      </Title>
      <Title order={1} size="h2">
        {children}
      </Title>
    </div>
  );
}

/** Wrong password and rate limits are not about one field: say them above the form. */
function FormError({ error }: { error: unknown }) {
  if (!error || (error instanceof ApiError && error.fields.length > 0)) return null;
  return (
    <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
      {errorMessage(error)}
    </Alert>
  );
}

function PasswordStep({ next }: { next: string }) {
  const navigate = useNavigate();
  const signIn = useSignIn();
  const form = useForm<SignInInput>({
    mode: 'controlled',
    initialValues: { email: '', password: '' },
    validate: {
      email: isEmail('Enter your email address'),
      password: isNotEmpty('Enter your password'),
    },
  });

  const submit = form.onSubmit((values) =>
    signIn.mutate(values, {
      // With a second step due, the refreshed session shows it instead.
      onSuccess: (answer) => {
        if ('user' in answer) navigate(next, { replace: true });
      },
      onError: (error) => {
        if (error instanceof ApiError && error.fields.length > 0) {
          form.setErrors(Object.fromEntries(error.fields.map((f) => [f.field, f.message])));
        }
      },
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <StepTitle>Sign in</StepTitle>
        <FormError error={signIn.error} />
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          data-autofocus
          {...form.getInputProps('email')}
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          {...form.getInputProps('password')}
        />
        <Button type="submit" loading={signIn.isPending} fullWidth>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

/** Back to the password step, ending the half-done session. */
function StartOver() {
  const signOut = useSignOut();
  return (
    <Anchor
      component="button"
      type="button"
      size="sm"
      onClick={() =>
        signOut.mutate(undefined, { onError: (error) => notifyError(error, 'Could not sign out') })
      }
    >
      Sign in as someone else
    </Anchor>
  );
}

function TotpCodeStep() {
  const verify = useVerifyTotp();
  const form = useForm({
    mode: 'controlled',
    initialValues: { code: '' },
    validate: { code: validateTotpCode },
  });
  const submit = form.onSubmit(({ code }) =>
    verify.mutate(normalizeTotpCode(code), {
      onSuccess: () => form.reset(),
      onError: (error) => {
        if (error instanceof ApiError && error.fields.length > 0) {
          form.setErrors(Object.fromEntries(error.fields.map((f) => [f.field, f.message])));
        }
        form.setFieldValue('code', '');
      },
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <StepTitle>Two-factor sign-in</StepTitle>
        <Text size="sm">Open your authenticator app and enter the code it shows for Portico.</Text>
        <FormError error={verify.error} />
        <TotpCodeInput data-autofocus {...form.getInputProps('code')} />
        <Button type="submit" loading={verify.isPending} fullWidth>
          Verify
        </Button>
        <StartOver />
      </Stack>
    </form>
  );
}

function TotpEnrollmentStep() {
  return (
    <Stack>
      <StepTitle>Set up two-factor sign-in</StepTitle>
      <Text size="sm">
        Your organization requires two-factor sign-in for all staff. Set it up now to finish signing
        in; from then on you sign in with your password and a code from the app.
      </Text>
      {/* Confirming completes the sign-in: the refreshed session moves the page on. */}
      <TotpEnrollmentPanel onConfirmed={() => undefined} />
      <StartOver />
    </Stack>
  );
}
