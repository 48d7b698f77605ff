import { Button, Checkbox, Group, Modal, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { showApiError } from '../../api/errors';
import {
  permissionLabels,
  type AccessProfileInput,
  type PortalPermission,
} from './access-profiles-api';

interface ProfileFormModalProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  submitLabel: string;
  permissions: PortalPermission[];
  initialValues?: AccessProfileInput;
  onSubmit: (values: AccessProfileInput) => Promise<unknown>;
}

/** Name and permissions of a client access profile, for "New Profile" and "Edit". */
export function ProfileFormModal(props: ProfileFormModalProps) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} size="lg">
      {props.opened && <ProfileForm {...props} />}
    </Modal>
  );
}

function ProfileForm({
  onClose,
  submitLabel,
  permissions,
  initialValues,
  onSubmit,
}: ProfileFormModalProps) {
  const form = useForm<AccessProfileInput>({
    mode: 'controlled',
    initialValues: initialValues ?? { name: '', permissions: [] },
    validate: { name: isNotEmpty('Name is required') },
  });

  const submit = form.onSubmit(async (values) => {
    try {
      await onSubmit(values);
      onClose();
    } catch (error) {
      showApiError(error, form);
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
        <Checkbox.Group
          label="Permissions"
          description="What contacts with this profile can see and do in the portal"
          {...form.getInputProps('permissions')}
        >
          <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
            {permissions.map((permission) => (
              <Checkbox key={permission} value={permission} label={permissionLabels[permission]} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={form.submitting}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
