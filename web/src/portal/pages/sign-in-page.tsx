import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/portal-client';
import { errorMessage } from '../../api/errors';
import {
  safePortalNext,
  usePortalBranding,
  usePortalSession,
  usePortalSignIn,
  type PortalSignInInput,
} from '../api/portal-session';
import { PublicPage } from '../components/public-page';
import { usePortalTitle } from '../use-portal-title';

export function PortalSignInPage() {
  usePortalTitle('Sign in');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const session = usePortalSession();
  const { mspName } = usePortalBranding();
  const signIn = usePortalSignIn();
  const next = safePortalNext(params.get('next'));

  const form = useForm<PortalSignInInput>({
    mode: 'controlled',
    // Set-password success links here with the address, so only the password is left to type.
    initialValues: { email: params.get('email') ?? '', password: '' },
    validate: {
      email: isEmail('Enter your full email address'),
      password: isNotEmpty('Enter your password'),
    },
  });

  if (session.data?.contact) return <Navigate to={next} replace />;

  const submit = form.onSubmit((values) =>
    signIn.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onSuccess: () => navigate(next, { replace: true }),
        onError: (error) => {
          if (error instanceof ApiError && error.fields.length > 0) {
            form.setErrors(Object.fromEntries(error.fields.map((f) => [f.field, f.message])));
          }
        },
      },
    ),
  );

  // A wrong password and too many attempts are not about one field: say them above the form.
  const formError =
    signIn.error && !(signIn.error instanceof ApiError && signIn.error.fields.length > 0)
      ? errorMessage(signIn.error)
      : null;

  return (
    <PublicPage title={`Sign in to ${mspName}`}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {formError && (
            <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
              {formError}
            </Alert>
          )}
          <TextInput
            label="Email"
            description="Your username is your full email address"
            type="email"
            autoComplete="username"
            required
            autoFocus={!form.getValues().email}
            {...form.getInputProps('email')}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            autoFocus={Boolean(form.getValues().email)}
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={signIn.isPending} fullWidth>
            Sign in
          </Button>
          <Anchor component={Link} to="/portal/forgot-password" size="sm" ta="center">
            Forgot your password?
          </Anchor>
        </Stack>
      </form>
    </PublicPage>
  );
}
