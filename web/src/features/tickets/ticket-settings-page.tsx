import {
  Badge,
  Group,
  List,
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
import {
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

/** The ticket types clients choose from, in their order; an archived one says so. */
function TicketTypesSection() {
  const types = useTicketTypes();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="ticket-types-heading">
      <Title order={2} size="h4" id="ticket-types-heading" mb="xs">
        Ticket Types
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Clients choose one for each ticket. Archived types stay on the tickets that have them but
        cannot be chosen for new ones.
      </Text>
      {types.isPending ? (
        <PageLoader label="Loading ticket types…" />
      ) : types.isError ? (
        <PageError
          error={types.error}
          title="Could not load the ticket types"
          onRetry={() => void types.refetch()}
        />
      ) : (
        <List aria-label="Ticket types">
          {types.data.map((type) => (
            <List.Item key={type.id}>
              {type.name}
              {type.archivedAt && (
                <Badge ml="xs" variant="light" color="gray">
                  Archived
                </Badge>
              )}
            </List.Item>
          ))}
        </List>
      )}
    </Paper>
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
      <TicketTypesSection />
    </Stack>
  );
}
