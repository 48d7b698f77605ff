import { Button, Group, Modal, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { showApiError } from '../../api/errors';
import type { AddressFields } from './organizations-api';

const emptyAddress: AddressFields = {
  name: '',
  addressLine1: '',
  addressLine2: '',
  city: '',
  region: '',
  postalCode: '',
  country: 'US',
};

interface OrganizationFormModalProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  submitLabel: string;
  initialValues?: AddressFields;
  /** Resolves when saved; rejects with the API error, which is shown on the form. */
  onSubmit: (values: AddressFields) => Promise<unknown>;
}

/** The name-and-address form, for "New Organization" and "Edit". */
export function OrganizationFormModal(props: OrganizationFormModalProps) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} size="lg">
      {/* Mounted only while open, so every opening starts from the current values. */}
      {props.opened && <OrganizationForm {...props} />}
    </Modal>
  );
}

function OrganizationForm({
  onClose,
  submitLabel,
  initialValues,
  onSubmit,
}: OrganizationFormModalProps) {
  const form = useForm<AddressFields>({
    mode: 'controlled',
    initialValues: initialValues ?? emptyAddress,
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
        <TextInput label="Address line 1" {...form.getInputProps('addressLine1')} />
        <TextInput label="Address line 2" {...form.getInputProps('addressLine2')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="City" {...form.getInputProps('city')} />
          <TextInput label="State/Region" {...form.getInputProps('region')} />
          <TextInput label="Postal code" {...form.getInputProps('postalCode')} />
          <TextInput label="Country" {...form.getInputProps('country')} />
        </SimpleGrid>
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
