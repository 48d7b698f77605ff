import { useState } from 'react';
import { Alert, Anchor, Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertCircle, IconCircleCheck } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../api/portal-client';
import { showApiError } from '../../api/errors';
import { useSetPasswordWithToken } from '../api/portal-session';
import { PublicPage } from '../components/public-page';
import {
  passwordRulesText,
  validateConfirmation,
  validateNewPassword,
} from '../components/password-rules';
import { usePortalTitle } from '../use-portal-title';

const copy = {
  set: { title: 'Set your password', button: 'Set password' },
  reset: { title: 'Choose a new password', button: 'Reset password' },
} as const;

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * /portal/set-password (the Welcome email's link) and /portal/reset-password (the reset
 * email's link): the token comes from the link, the password from the contact.
 */
export function SetPasswordPage({ kind }: { kind: 'set' | 'reset' }) {
  const words = copy[kind];
  usePortalTitle(words.title);
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const setPassword = useSetPasswordWithToken(kind);
  const [tokenError, setTokenError] = useState<string | null>(
    token ? null : 'This link is incomplete. Open the link from the email again.',
  );
  const [doneFor, setDoneFor] = useState<string | null>(null);

  const form = useForm({
    mode: 'controlled',
    initialValues: { password: '', passwordConfirmation: '' },
    validate: {
      password: validateNewPassword,
      passwordConfirmation: (value, values) => validateConfirmation(value, values.password),
    },
  });

  const submit = form.onSubmit((values) =>
    setPassword.mutate(
      { token, ...values },
      {
        onSuccess: ({ email }) => setDoneFor(email),
        onError: (error) => {
          const tokenField =
            error instanceof ApiError ? error.fields.find((f) => f.field === 'token') : undefined;
          if (tokenField) setTokenError(`${capitalize(tokenField.message)}.`);
          else showApiError(error, form, 'Password not set');
        },
      },
    ),
  );

  if (doneFor !== null) {
    return (
      <PublicPage title={words.title}>
        <Alert color="green" icon={<IconCircleCheck size={18} />} role="status">
          Your password is set. Sign in with {doneFor}.
        </Alert>
        <Button component={Link} to={`/portal/sign-in?email=${encodeURIComponent(doneFor)}`}>
          Sign in
        </Button>
      </PublicPage>
    );
  }

  if (tokenError !== null) {
    return (
      <PublicPage title={words.title}>
        <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
          {tokenError}
        </Alert>
        <Text size="sm">
          Ask for a new link:{' '}
          <Anchor component={Link} to="/portal/forgot-password">
            Forgot your password?
          </Anchor>
        </Text>
      </PublicPage>
    );
  }

  return (
    <PublicPage title={words.title}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <PasswordInput
            label="New password"
            description={passwordRulesText}
            autoComplete="new-password"
            required
            autoFocus
            {...form.getInputProps('password')}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            required
            {...form.getInputProps('passwordConfirmation')}
          />
          <Button type="submit" loading={setPassword.isPending} fullWidth>
            {words.button}
          </Button>
        </Stack>
      </form>
    </PublicPage>
  );
}
