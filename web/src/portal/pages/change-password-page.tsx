import { Alert, Button, Fieldset, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { useNavigate, useSearchParams } from 'react-router';
import { notifySuccess, showApiError } from '../../api/errors';
import { safePortalNext, useChangePassword, usePortalSession } from '../api/portal-session';
import {
  passwordRulesText,
  validateConfirmation,
  validateNewPassword,
} from '../components/password-rules';
import { usePortalTitle } from '../use-portal-title';

const emptyValues = { currentPassword: '', newPassword: '', newPasswordConfirmation: '' };

export function ChangePasswordPage() {
  usePortalTitle('Change Password');
  const session = usePortalSession().data;
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const changePassword = useChangePassword();
  const viewer = session?.viewer ?? null;
  const mustChange = Boolean(session?.contact?.mustChangePassword) && !viewer;

  const form = useForm({
    mode: 'controlled',
    initialValues: emptyValues,
    validate: {
      currentPassword: isNotEmpty('Enter your current password'),
      newPassword: validateNewPassword,
      newPasswordConfirmation: (value, values) => validateConfirmation(value, values.newPassword),
    },
  });

  const submit = form.onSubmit((values) =>
    changePassword.mutate(values, {
      onSuccess: () => {
        form.setValues(emptyValues);
        form.resetDirty(emptyValues);
        notifySuccess('Password changed. Other sessions were signed out.');
        // The temporary password is gone: on to where the contact was going.
        if (mustChange) navigate(safePortalNext(params.get('next')), { replace: true });
      },
      onError: (error) => showApiError(error, form, 'Password not changed'),
    }),
  );

  return (
    <Stack gap="sm" maw={480}>
      <Title order={1}>Change Password</Title>
      {mustChange && (
        <Alert color="yellow" icon={<IconAlertTriangle size={18} />} role="status">
          Choose a new password to continue
        </Alert>
      )}
      {viewer && (
        <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
          Read only: staff viewing the portal cannot change the contact&apos;s password.
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        Your username stays your full email address
        {session?.contact ? `: ${session.contact.email}` : ''}.
      </Text>
      <form onSubmit={submit} noValidate>
        <Fieldset variant="unstyled" disabled={Boolean(viewer)}>
          <Stack>
            <PasswordInput
              label="Current password"
              description={mustChange ? 'The temporary password you signed in with' : undefined}
              autoComplete="current-password"
              required
              {...form.getInputProps('currentPassword')}
            />
            <PasswordInput
              label="New password"
              description={passwordRulesText}
              autoComplete="new-password"
              required
              {...form.getInputProps('newPassword')}
            />
            <PasswordInput
              label="Confirm new password"
              autoComplete="new-password"
              required
              {...form.getInputProps('newPasswordConfirmation')}
            />
            <Group>
              <Button type="submit" loading={changePassword.isPending} disabled={Boolean(viewer)}>
                Change password
              </Button>
            </Group>
          </Stack>
        </Fieldset>
      </form>
    </Stack>
  );
}
