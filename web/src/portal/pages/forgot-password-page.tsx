import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { isEmail, useForm } from '@mantine/form';
import { IconAlertCircle, IconMailCheck } from '@tabler/icons-react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import { useRequestPasswordReset } from '../api/portal-session';
import { PublicPage } from '../components/public-page';
import { usePortalTitle } from '../use-portal-title';

export function ForgotPasswordPage() {
  usePortalTitle('Forgot your password?');
  const requestReset = useRequestPasswordReset();
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '' },
    validate: { email: isEmail('Enter your full email address') },
  });

  const submit = form.onSubmit((values) => requestReset.mutate(values.email.trim()));

  return (
    <PublicPage title="Forgot your password?">
      {requestReset.isSuccess ? (
        <Stack>
          {/* The same words whether or not the address has an account: nothing to learn here. */}
          <Alert color="green" icon={<IconMailCheck size={18} />} role="status">
            If that address has a portal account, a reset link is on its way.
          </Alert>
          <Anchor component={Link} to="/portal/sign-in" size="sm">
            Back to sign in
          </Anchor>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm" c="dimmed">
              Enter the email address you sign in with. We will send a link to choose a new
              password.
            </Text>
            {requestReset.isError && (
              <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
                {errorMessage(requestReset.error)}
              </Alert>
            )}
            <TextInput
              label="Email"
              description="Your username is your full email address"
              type="email"
              autoComplete="username"
              required
              autoFocus
              {...form.getInputProps('email')}
            />
            <Button type="submit" loading={requestReset.isPending} fullWidth>
              Send reset link
            </Button>
            <Anchor component={Link} to="/portal/sign-in" size="sm" ta="center">
              Back to sign in
            </Anchor>
          </Stack>
        </form>
      )}
    </PublicPage>
  );
}
