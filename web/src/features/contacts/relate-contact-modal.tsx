import { useState } from 'react';
import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { notifySuccess, showApiError } from '../../api/errors';
import { fromProfileChoice, useProfileOptions } from '../access-profiles/access-profiles-api';
import type { Organization } from '../organizations/organizations-api';
import { useContactSearch, useRelateContact, type ContactSearchResult } from './contacts-api';

interface RelateContactModalProps {
  opened: boolean;
  onClose: () => void;
  organization: Organization;
}

export function RelateContactModal(props: RelateContactModalProps) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={`Relate Existing Contact to ${props.organization.name}`}
    >
      {props.opened && <RelateContactForm {...props} />}
    </Modal>
  );
}

/** A contact the search found; one already related to this organization is shown, not offered. */
type ContactSummary = ContactSearchResult;

const optionLabel = (c: ContactSummary) => `${c.name} (${c.email})`;

function RelateContactForm({ onClose, organization }: RelateContactModalProps) {
  const profileOptions = useProfileOptions();
  const relateContact = useRelateContact(organization.id);

  const [searchValue, setSearchValue] = useState('');
  const [selected, setSelected] = useState<ContactSummary | null>(null);
  const [debounced] = useDebouncedValue(searchValue.trim(), 300);
  // After a pick the search box shows the picked label; that is not a new search.
  const query = selected && searchValue === optionLabel(selected) ? '' : debounced;
  const results = useContactSearch(query, organization.id);
  const found = results.data ?? [];
  const options = [...(selected ? [selected] : []), ...found.filter((c) => c.id !== selected?.id)];

  const form = useForm({
    mode: 'controlled',
    initialValues: { contactId: '', accessProfileId: '' },
    validate: {
      contactId: isNotEmpty('Choose a contact'),
      accessProfileId: isNotEmpty('Choose a profile, or Revoke Access'),
    },
  });

  const submit = form.onSubmit((values) =>
    relateContact.mutate(
      { contactId: values.contactId, accessProfileId: fromProfileChoice(values.accessProfileId) },
      {
        onSuccess: ({ contact }) => {
          notifySuccess(`${contact.name} related to ${organization.name}`);
          onClose();
        },
        onError: (error) => showApiError(error, form, 'Contact not related'),
      },
    ),
  );

  const contactInput = form.getInputProps('contactId');

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          A contact is one person with one email address. Relate them here to give them access to
          this organization too.
        </Text>
        <Select
          label="Contact"
          placeholder="Type a name or email address"
          required
          data-autofocus
          searchable
          // The server searches; showing its answer as-is.
          filter={({ options: all }) => all}
          searchValue={searchValue}
          onSearchChange={setSearchValue}
          data={options.map((c) => ({
            value: c.id,
            label: optionLabel(c),
            disabled: c.isRelated,
          }))}
          nothingFoundMessage={
            query === '' ? 'Type to search' : results.isFetching ? 'Searching…' : 'No contact found'
          }
          value={form.getValues().contactId || null}
          error={contactInput.error}
          onChange={(value) => {
            form.setFieldValue('contactId', value ?? '');
            setSelected(options.find((c) => c.id === value) ?? null);
          }}
        />
        <Select
          label="Profile"
          placeholder="Choose a profile"
          data={profileOptions.options}
          required
          allowDeselect={false}
          {...form.getInputProps('accessProfileId')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={relateContact.isPending}>
            Relate
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
