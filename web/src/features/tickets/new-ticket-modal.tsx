import { useState, type ReactNode } from 'react';
import { Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { ticketLimits, type TicketPriority } from '../../../../src/shared/contract/tickets';
import { ApiError } from '../../api/client';
import { notifySuccess, showApiError } from '../../api/errors';
import { AttachmentPicker } from '../../components/attachment-picker';
import { TicketClassificationFields } from '../../components/ticket-fields';
import { useOrganizationContacts } from '../contacts/contacts-api';
import { OrganizationSelect } from '../invoices/organization-select';
import {
  ticketPath,
  useAttachmentLimits,
  useCreateStaffTicket,
  useTicketTypes,
} from './tickets-api';

/** The server's refusal of the files (`attachments`, or one file of them), as a sentence. */
function attachmentsError(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.fields.find((f) => f.field.startsWith('attachments'));
  return field ? `Attachments: ${field.message}` : null;
}

interface Values {
  organizationId: string;
  contactId: string;
  summary: string;
  description: string;
  priority: TicketPriority;
  typeId: string;
  contactPhone: string;
}

/** The contact a ticket is opened for: the organization's contacts, searched by the server. */
function ContactSelect({
  organizationId,
  ...input
}: {
  organizationId: string;
  value: string;
  onChange: (value: string) => void;
  error?: ReactNode;
}) {
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(null);
  const [debounced] = useDebouncedValue(search.trim(), 250);
  // Once a contact is chosen the box shows its name; that is not a new search.
  const q = chosen && search === chosen.label ? '' : debounced;
  const contacts = useOrganizationContacts(organizationId, 'name', q);
  const options = (contacts.data?.pages ?? [])
    .flatMap((page) => page.contacts)
    .map((contact) => ({
      value: contact.id,
      label: contact.email ? `${contact.name} (${contact.email})` : contact.name,
    }));
  if (chosen && !options.some((option) => option.value === chosen.value)) options.unshift(chosen);
  return (
    <Select
      label="For contact"
      description="Optional: the contact is emailed as if they had opened it, and sees it in the portal"
      placeholder="No contact (a staff ticket)"
      data={options}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      nothingFoundMessage={contacts.isFetching ? 'Loading…' : 'No contact matches'}
      value={input.value === '' ? null : input.value}
      onChange={(value, option) => {
        setChosen(value ? option : null);
        input.onChange(value ?? '');
      }}
      error={input.error}
    />
  );
}

function NewTicketForm({
  organizationId,
  onClose,
}: {
  organizationId: string | undefined;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const types = useTicketTypes();
  const limits = useAttachmentLimits();
  const create = useCreateStaffTicket();
  const [files, setFiles] = useState<File[]>([]);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: {
      organizationId: organizationId ?? '',
      contactId: '',
      summary: '',
      description: '',
      priority: 'medium',
      typeId: '',
      contactPhone: '',
    },
    validate: {
      organizationId: (value) => (value === '' ? 'Choose an organization' : null),
      summary: (value) => (value.trim() === '' ? 'Summary must not be empty' : null),
      description: (value) => (value.trim() === '' ? 'Description is required' : null),
      typeId: (value) => (value === '' ? 'Choose a type' : null),
    },
  });
  const typeOptions = (types.data ?? [])
    .filter((type) => type.archivedAt === null)
    .map((type) => ({ value: type.id, label: type.name }));

  const submit = form.onSubmit((values) =>
    create.mutate(
      {
        fields: {
          organizationId: values.organizationId,
          contactId: values.contactId === '' ? undefined : values.contactId,
          summary: values.summary,
          description: values.description,
          priority: values.priority,
          typeId: values.typeId,
          contactPhone: values.contactPhone === '' ? undefined : values.contactPhone,
        },
        files,
      },
      {
        onSuccess: (answer) => {
          notifySuccess(answer.message);
          onClose();
          void navigate(ticketPath(answer.ticket.id));
        },
        onError: (error) => {
          if (!attachmentsError(error)) showApiError(error, form, 'Ticket not created');
        },
      },
    ),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {organizationId === undefined && (
          <OrganizationSelect
            label="Organization"
            required
            value={form.values.organizationId === '' ? null : form.values.organizationId}
            onChange={(value) => {
              form.setFieldValue('organizationId', value ?? '');
              form.setFieldValue('contactId', '');
            }}
            error={form.errors.organizationId}
          />
        )}
        {form.values.organizationId ? (
          <ContactSelect
            key={form.values.organizationId}
            organizationId={form.values.organizationId}
            value={form.values.contactId}
            onChange={(value) => form.setFieldValue('contactId', value)}
            error={form.errors.contactId}
          />
        ) : (
          <Select
            label="For contact"
            placeholder="Choose the organization first"
            data={[]}
            disabled
          />
        )}
        <TextInput
          label="Summary"
          required
          maxLength={ticketLimits.summary}
          data-autofocus
          {...form.getInputProps('summary')}
        />
        <Textarea
          label="Description"
          required
          autosize
          minRows={5}
          maxRows={14}
          maxLength={ticketLimits.description}
          {...form.getInputProps('description')}
        />
        <TicketClassificationFields inputProps={form.getInputProps} typeOptions={typeOptions} />
        <AttachmentPicker
          files={files}
          onChange={setFiles}
          limits={limits}
          error={attachmentsError(create.error)}
          disabled={create.isPending}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create ticket
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * "New ticket" for staff (Master Admin, Billing): a ticket opened for a client, with the
 * portal form's fields, an optional contact of the organization and files; then its page.
 * `organizationId` fixes the organization (its page's Tickets tab); without it, one is chosen.
 */
export function NewTicketButton({ organizationId }: { organizationId?: string }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button leftSection={<IconPlus size={16} />} onClick={() => setOpened(true)}>
        New ticket
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="New ticket" size="lg">
        {opened && (
          <NewTicketForm organizationId={organizationId} onClose={() => setOpened(false)} />
        )}
      </Modal>
    </>
  );
}
