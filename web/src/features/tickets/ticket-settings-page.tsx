import {
  Group,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { ticketKnownTypes } from '../../../../src/shared/contract/tickets';
import { notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import { CatalogSection } from '../settings/catalog-section';
import {
  useChangeTicketType,
  useCreateTicketType,
  useSaveTicketSettings,
  useTicketSettings,
  useTicketTypes,
  type TicketSettings,
} from './tickets-api';

const megabyte = 1024 * 1024;

interface Values {
  notifyEmail: string;
  /**
   * The largest file in megabytes as typed (the server keeps bytes); named as the server's
   * field, so its refusal ("must be at most 25 MB") lands beside this box.
   */
  maxFileBytes: number | string;
  maxFiles: number | string;
  allowedTypes: string;
}

const valuesOf = (saved: TicketSettings): Values => ({
  notifyEmail: saved.notifyEmail,
  maxFileBytes: Math.round((saved.maxFileBytes / megabyte) * 100) / 100,
  maxFiles: saved.maxFiles,
  allowedTypes: saved.allowedTypes,
});

function TicketSettingsForm({ saved, canEdit }: { saved: TicketSettings; canEdit: boolean }) {
  const save = useSaveTicketSettings();
  const form = useForm<Values>({ mode: 'controlled', initialValues: valuesOf(saved) });
  const submit = form.onSubmit((values) =>
    save.mutate(
      {
        notifyEmail: values.notifyEmail.trim(),
        maxFileBytes: Math.round(Number(values.maxFileBytes) * megabyte),
        maxFiles: Number(values.maxFiles),
        allowedTypes: values.allowedTypes,
      },
      {
        onSuccess: ({ tickets }) => {
          const next = valuesOf(tickets);
          form.setInitialValues(next);
          form.setValues(next);
          form.resetDirty(next);
          notifySuccess('Service ticket settings saved');
        },
        onError: (error) => showApiError(error, form, 'Settings not saved'),
      },
    ),
  );
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Tell staff of new tickets at"
          description="An address (a shared inbox) told of each new ticket and of information clients add; the assignee is told too. Empty: only the assignee."
          type="email"
          readOnly={!canEdit}
          maw={480}
          {...form.getInputProps('notifyEmail')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} maw={720}>
          <NumberInput
            label="Largest file (MB)"
            description="Each attachment, at most 25 MB"
            min={0.01}
            max={25}
            decimalScale={2}
            allowNegative={false}
            readOnly={!canEdit}
            {...form.getInputProps('maxFileBytes')}
          />
          <NumberInput
            label="Files per post"
            description="With a new ticket, a reply or additional information"
            min={1}
            max={20}
            allowDecimal={false}
            allowNegative={false}
            readOnly={!canEdit}
            {...form.getInputProps('maxFiles')}
          />
        </SimpleGrid>
        <TextInput
          label="Accepted file types"
          description={`Extensions, separated by commas, from: ${ticketKnownTypes.join(', ')}`}
          readOnly={!canEdit}
          {...form.getInputProps('allowedTypes')}
        />
        <Group justify="flex-end">
          <UndoSaveButtons
            canEdit={canEdit}
            dirty={form.isDirty()}
            saving={save.isPending}
            onUndo={form.reset}
            saveLabel="Save Service Tickets"
          />
        </Group>
      </Stack>
    </form>
  );
}

/**
 * The ticket types clients choose from, in their order: Add, Rename, Move up/down and
 * Archive/Restore, as Configuration > Billing manages service categories.
 */
function TicketTypesSection({ canEdit }: { canEdit: boolean }) {
  const create = useCreateTicketType();
  const change = useChangeTicketType();
  return (
    <CatalogSection
      canEdit={canEdit}
      headingId="ticket-types-heading"
      title="Ticket Types"
      pluralName="ticket types"
      addLabel="Add Ticket Type"
      description="Clients choose one for each ticket, in this order. Archived types stay on the tickets that have them but cannot be chosen for new ones."
      rows={useTicketTypes()}
      addWithRate={false}
      notChangedTitle="Ticket type not changed"
      create={async ({ name }) => {
        await create.mutateAsync({ name });
        return `${name} added`;
      }}
      update={change.mutateAsync}
      updating={change.isPending}
      move={(row, position) => change.mutateAsync({ id: row.id, position })}
    />
  );
}

/**
 * Configuration > Service Tickets: where staff are told of new tickets, the attachment
 * limits clients and staff post under, and the ticket types clients choose from.
 */
export function TicketSettingsPage() {
  usePageTitle('Service Tickets');
  const canEdit = useCan('manage_settings');
  const settings = useTicketSettings();
  return (
    <Stack gap="lg">
      <div>
        <Text size="sm" c="dimmed">
          Configuration
        </Text>
        <Title order={1}>Service Tickets</Title>
      </div>
      {!canEdit && (
        <ReadOnlyNote>Read only: your role cannot change the service ticket settings</ReadOnlyNote>
      )}
      <Paper withBorder p="lg" component="section" aria-labelledby="ticket-settings-heading">
        <Title order={2} size="h4" id="ticket-settings-heading" mb="xs">
          Notices and attachments
        </Title>
        {settings.isPending ? (
          <PageLoader label="Loading service ticket settings…" />
        ) : settings.isError ? (
          <PageError
            error={settings.error}
            title="Could not load the service ticket settings"
            onRetry={() => void settings.refetch()}
          />
        ) : (
          <TicketSettingsForm saved={settings.data} canEdit={canEdit} />
        )}
      </Paper>
      <TicketTypesSection canEdit={canEdit} />
    </Stack>
  );
}
