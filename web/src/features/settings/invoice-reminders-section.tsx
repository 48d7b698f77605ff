import { Group, NumberInput, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import { useInvoiceReminders, useSaveInvoiceReminders, type InvoiceReminders } from './billing-api';

/** Configuration > Billing > Invoice Due Notices: when due and past-due notices go out. */
export function InvoiceRemindersSection({ canEdit }: { canEdit: boolean }) {
  const reminders = useInvoiceReminders();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="invoice-reminders-heading">
      <Title order={2} size="h4" id="invoice-reminders-heading" mb="xs">
        Invoice Due Notices
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Emails to each organization&apos;s default notification emails before an invoice falls due
        and while it stays past due.
      </Text>
      {reminders.isPending ? (
        <PageLoader label="Loading invoice due notices…" />
      ) : reminders.isError ? (
        <PageError
          error={reminders.error}
          title="Could not load the invoice due notices"
          onRetry={() => void reminders.refetch()}
        />
      ) : (
        <InvoiceRemindersForm saved={reminders.data} canEdit={canEdit} />
      )}
    </Paper>
  );
}

/** What the number inputs hold: empty while cleared. */
type ReminderValues = Record<keyof InvoiceReminders, number | string>;

const reminderDays = (value: number | string) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 365
    ? null
    : 'Must be a whole number of days from 0 to 365';

function InvoiceRemindersForm({ saved, canEdit }: { saved: InvoiceReminders; canEdit: boolean }) {
  const save = useSaveInvoiceReminders();
  // Initialised once from the saved settings: a refetch must not overwrite what is being typed.
  const form = useForm<ReminderValues, InvoiceReminders>({
    mode: 'controlled',
    initialValues: saved,
    transformValues: (values) => ({
      dueReminderDaysBefore: Number(values.dueReminderDaysBefore),
      pastDueReminderEveryDays: Number(values.pastDueReminderEveryDays),
    }),
    validate: {
      dueReminderDaysBefore: reminderDays,
      pastDueReminderEveryDays: reminderDays,
    },
  });
  const dirty = form.isDirty();

  const submit = form.onSubmit((values) =>
    save.mutate(values, {
      onSuccess: ({ invoiceReminders }) => {
        form.setInitialValues(invoiceReminders);
        form.setValues(invoiceReminders);
        form.resetDirty(invoiceReminders);
        notifySuccess('Invoice due notices saved');
      },
      onError: (error) => showApiError(error, form, 'Invoice due notices not saved'),
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} maw={720}>
          <NumberInput
            label="Days before due date"
            description="A notice this many days before an invoice is due; 0 = none"
            min={0}
            max={365}
            allowDecimal={false}
            allowNegative={false}
            readOnly={!canEdit}
            {...form.getInputProps('dueReminderDaysBefore')}
          />
          <NumberInput
            label="Then every N days past due"
            description="Repeats while the invoice stays unpaid; 0 = none"
            min={0}
            max={365}
            allowDecimal={false}
            allowNegative={false}
            readOnly={!canEdit}
            {...form.getInputProps('pastDueReminderEveryDays')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <UndoSaveButtons
            canEdit={canEdit}
            dirty={dirty}
            saving={save.isPending}
            onUndo={form.reset}
            saveLabel="Save Notices"
          />
        </Group>
      </Stack>
    </form>
  );
}
