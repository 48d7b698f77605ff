import { Button, Group, Modal, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { hasLength, isEmail, isNotEmpty, useForm } from '@mantine/form';
import { notifySuccess, showApiError } from '../../api/errors';
import { staffRoles } from '../../../../src/shared/contract/staff';
import { roleLabels } from '../auth/session';
import { minimumPasswordLength, useCreateStaffUser, type NewStaffUser } from './staff-users-api';

export const roleOptions = staffRoles.map((role) => ({
  value: role,
  label: roleLabels[role],
}));

export function NewStaffUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New Staff User">
      {opened && <NewStaffUserForm onClose={onClose} />}
    </Modal>
  );
}

function NewStaffUserForm({ onClose }: { onClose: () => void }) {
  const createStaffUser = useCreateStaffUser();
  const form = useForm<NewStaffUser>({
    mode: 'controlled',
    initialValues: { name: '', email: '', role: 'billing', password: '' },
    validate: {
      name: isNotEmpty('Name is required'),
      email: isEmail('Enter a valid email address'),
      password: hasLength(
        { min: minimumPasswordLength },
        `Use at least ${minimumPasswordLength} characters`,
      ),
    },
  });

  const submit = form.onSubmit((values) =>
    createStaffUser.mutate(values, {
      onSuccess: ({ staffUser }) => {
        notifySuccess(`${staffUser.name} can now sign in`);
        onClose();
      },
      onError: (error) => showApiError(error, form, 'Staff user not created'),
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
        <TextInput label="Email" type="email" required {...form.getInputProps('email')} />
        <Select
          label="Role"
          data={roleOptions}
          allowDeselect={false}
          required
          {...form.getInputProps('role')}
        />
        <PasswordInput
          label="Password"
          description={`At least ${minimumPasswordLength} characters. Share it safely; they can change it later.`}
          autoComplete="new-password"
          required
          {...form.getInputProps('password')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={createStaffUser.isPending}>
            Create Staff User
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
