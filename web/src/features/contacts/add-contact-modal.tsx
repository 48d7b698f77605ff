import { Button, Checkbox, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { notifySuccess, showApiError } from '../../api/errors';
import { fromProfileChoice, useProfileOptions } from '../access-profiles/access-profiles-api';
import type { Organization } from '../organizations/organizations-api';
import { useCreateContact } from './contacts-api';

interface AddContactModalProps {
  opened: boolean;
  onClose: () => void;
  organization: Organization;
}

export function AddContactModal(props: AddContactModalProps) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={`Add Contact to ${props.organization.name}`}
    >
      {props.opened && <AddContactForm {...props} />}
    </Modal>
  );
}

function AddContactForm({ onClose, organization }: AddContactModalProps) {
  const profileOptions = useProfileOptions();
  const createContact = useCreateContact(organization.id);
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      name: '',
      email: '',
      phone: '',
      accessProfileId: '',
      isDefaultNotification: false,
    },
    validate: {
      name: isNotEmpty('Name is required'),
      email: isEmail('Enter a valid email address'),
      // No default: what a new contact may see in the portal is a choice, not an accident.
      accessProfileId: isNotEmpty('Choose a profile, or Revoke Access'),
    },
  });

  const submit = form.onSubmit((values) =>
    createContact.mutate(
      { ...values, accessProfileId: fromProfileChoice(values.accessProfileId) },
      {
        onSuccess: ({ contact }) => {
          notifySuccess(`${contact.name} added to ${organization.name}`);
          onClose();
        },
        onError: (error) => showApiError(error, form, 'Contact not added'),
      },
    ),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
        <TextInput label="Email Address" type="email" required {...form.getInputProps('email')} />
        <TextInput label="Phone" type="tel" {...form.getInputProps('phone')} />
        <Select
          label="Profile"
          placeholder="Choose a profile"
          description="What the contact can see and do in the portal"
          data={profileOptions.options}
          required
          allowDeselect={false}
          {...form.getInputProps('accessProfileId')}
        />
        <Checkbox
          label="Default notification contact"
          description="Gets billing email for this organization by default"
          {...form.getInputProps('isDefaultNotification', { type: 'checkbox' })}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={createContact.isPending}>
            Add Contact
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
