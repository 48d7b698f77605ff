import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifySuccess, showApiError } from '../../api/errors';
import { useSetTemporaryPassword } from './contacts-api';

const minLength = 12;

interface TemporaryPasswordModalProps {
  opened: boolean;
  onClose: () => void;
  contact: { id: string; name: string; email: string };
}

/** Staff set a password the contact must replace at first sign-in. */
export function TemporaryPasswordModal(props: TemporaryPasswordModalProps) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      // Not "Temporary password": the field alone answers to that label.
      title={`Temporary sign-in password — ${props.contact.name}`}
    >
      {props.opened && <TemporaryPasswordForm {...props} />}
    </Modal>
  );
}

function TemporaryPasswordForm({ onClose, contact }: TemporaryPasswordModalProps) {
  const setPassword = useSetTemporaryPassword(contact.id);
  const form = useForm({
    mode: 'controlled',
    initialValues: { password: '' },
    validate: {
      password: (value) =>
        value.length >= minLength ? null : `Use at least ${minLength} characters`,
    },
  });

  const submit = form.onSubmit((values) =>
    setPassword.mutate(values.password, {
      onSuccess: () => {
        notifySuccess(`Temporary password set: ${contact.name} must change it at first sign-in`);
        onClose();
      },
      onError: (error) => showApiError(error, form, 'Temporary password not set'),
    }),
  );

  return (
    <form
      // React bubbles events through portals: without this, submitting here would also
      // submit the contact card's form that the modal is opened from.
      onSubmit={(event) => {
        event.stopPropagation();
        submit(event);
      }}
      noValidate
    >
      <Stack>
        <Text size="sm">
          Give it to {contact.name} yourself. Their username is their full email address,{' '}
          {contact.email}. At the first sign-in the portal asks them to choose a new password.
        </Text>
        <PasswordInput
          label="Temporary password"
          description={`At least ${minLength} characters.`}
          autoComplete="new-password"
          required
          data-autofocus
          {...form.getInputProps('password')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={setPassword.isPending}>
            Set password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
