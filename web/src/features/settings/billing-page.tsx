import { useState } from 'react';
import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { IconArchive, IconArchiveOff, IconPencil, IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { notifyError, notifySuccess, showApiError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { UndoSaveButtons } from '../../components/undo-save-buttons';
import { ReadOnlyNote } from '../../components/read-only-note';
import { usePageTitle } from '../../lib/use-page-title';
import { dateFormats, formatDate, type DateFormat } from '../../../../src/shared/dates';
import { useCan } from '../auth/session';
import {
  useServiceCategories,
  useTaxRates,
  type ServiceCategory,
  type TaxRate,
} from '../invoices/invoices-api';
import {
  useBusinessDates,
  useCreateServiceCategory,
  useCreateTaxRate,
  useInvoiceReminders,
  useSaveBusinessDates,
  useSaveInvoiceReminders,
  useUpdateServiceCategory,
  useUpdateTaxRate,
  type BusinessDates,
  type InvoiceReminders,
} from './billing-api';

/** "7.25": up to 100, at most 4 decimals, as the server accepts. */
const ratePattern = /^\d{1,3}(\.\d{1,4})?$/;

/**
 * Configuration > Billing: business dates (time zone and date format), service categories,
 * tax rates and invoice due notices.
 */
export function BillingPage() {
  usePageTitle('Billing');
  const canEdit = useCan('manage_settings');

  return (
    <Stack gap="lg">
      <div>
        <Text size="sm" c="dimmed">
          Configuration
        </Text>
        <Title order={1}>Billing</Title>
      </div>
      {!canEdit && (
        <ReadOnlyNote>Read only: your role cannot change the billing settings</ReadOnlyNote>
      )}
      <BusinessDatesSection canEdit={canEdit} />
      <ServiceCategoriesSection canEdit={canEdit} />
      <TaxRatesSection canEdit={canEdit} />
      <InvoiceRemindersSection canEdit={canEdit} />
    </Stack>
  );
}

function StatusBadge({ archivedAt }: { archivedAt: string | null }) {
  return archivedAt ? (
    <Badge color="gray" variant="light">
      Archived
    </Badge>
  ) : (
    <Badge color="green" variant="light">
      Active
    </Badge>
  );
}

function SectionHeader({
  id,
  title,
  addLabel,
  onAdd,
  canEdit,
}: {
  id: string;
  title: string;
  addLabel: string;
  onAdd: () => void;
  canEdit: boolean;
}) {
  return (
    <Group justify="space-between" mb="md">
      <Title order={2} size="h4" id={id}>
        {title}
      </Title>
      <Button leftSection={<IconPlus size={16} />} onClick={onAdd} disabled={!canEdit}>
        {addLabel}
      </Button>
    </Group>
  );
}

function RowActions({
  name,
  archived,
  canEdit,
  busy,
  onRename,
  onToggleArchived,
}: {
  name: string;
  archived: boolean;
  canEdit: boolean;
  busy: boolean;
  onRename: () => void;
  onToggleArchived: () => void;
}) {
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      <Tooltip label="Rename">
        <ActionIcon
          variant="subtle"
          onClick={onRename}
          disabled={!canEdit}
          aria-label={`Rename ${name}`}
        >
          <IconPencil size={16} />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={archived ? 'Restore' : 'Archive'}>
        <ActionIcon
          variant="subtle"
          color={archived ? undefined : 'red'}
          onClick={onToggleArchived}
          disabled={!canEdit || busy}
          aria-label={`${archived ? 'Restore' : 'Archive'} ${name}`}
        >
          {archived ? <IconArchiveOff size={16} /> : <IconArchive size={16} />}
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

function ServiceCategoriesSection({ canEdit }: { canEdit: boolean }) {
  const categories = useServiceCategories();
  const createCategory = useCreateServiceCategory();
  const updateCategory = useUpdateServiceCategory();
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<ServiceCategory | null>(null);

  const toggleArchived = (category: ServiceCategory) => {
    const archived = category.archivedAt === null;
    updateCategory.mutate(
      { id: category.id, archived },
      {
        onSuccess: () => notifySuccess(`${category.name} ${archived ? 'archived' : 'restored'}`),
        onError: (error) => notifyError(error, 'Service category not changed'),
      },
    );
  };

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="service-categories-heading">
      <SectionHeader
        id="service-categories-heading"
        title="Service Categories"
        addLabel="Add Category"
        onAdd={() => setAdding(true)}
        canEdit={canEdit}
      />
      <Text size="sm" c="dimmed" mb="md">
        Every invoice has one. Archived categories stay on the invoices that use them but cannot be
        chosen for new ones.
      </Text>
      {categories.isPending ? (
        <PageLoader label="Loading service categories…" />
      ) : categories.isError ? (
        <PageError
          error={categories.error}
          title="Could not load the service categories"
          onRetry={() => void categories.refetch()}
        />
      ) : (
        <DataTable<ServiceCategory>
          withTableBorder
          borderRadius="md"
          striped
          minHeight={categories.data.length === 0 ? 150 : undefined}
          noRecordsText="No service categories yet"
          records={categories.data}
          aria-label="Service categories"
          columns={[
            { accessor: 'name', title: 'Name' },
            {
              accessor: 'archivedAt',
              title: 'Status',
              width: 120,
              render: (row) => <StatusBadge archivedAt={row.archivedAt} />,
            },
            {
              accessor: 'actions',
              title: 'Actions',
              width: 100,
              textAlign: 'right',
              render: (row) => (
                <RowActions
                  name={row.name}
                  archived={row.archivedAt !== null}
                  canEdit={canEdit}
                  busy={updateCategory.isPending}
                  onRename={() => setRenaming(row)}
                  onToggleArchived={() => toggleArchived(row)}
                />
              ),
            },
          ]}
        />
      )}
      <CatalogFormModal
        opened={adding}
        onClose={() => setAdding(false)}
        title="Add Category"
        submitLabel="Add Category"
        withRate={false}
        onSubmit={async ({ name }) => {
          await createCategory.mutateAsync({ name });
          notifySuccess(`${name} added`);
        }}
      />
      <CatalogFormModal
        opened={renaming !== null}
        onClose={() => setRenaming(null)}
        title={`Rename ${renaming?.name ?? ''}`}
        submitLabel="Save Name"
        withRate={false}
        initialName={renaming?.name}
        onSubmit={async ({ name }) => {
          if (!renaming) return;
          await updateCategory.mutateAsync({ id: renaming.id, name });
          notifySuccess(`${renaming.name} renamed to ${name}`);
        }}
      />
    </Paper>
  );
}

function TaxRatesSection({ canEdit }: { canEdit: boolean }) {
  const taxRates = useTaxRates();
  const createTaxRate = useCreateTaxRate();
  const updateTaxRate = useUpdateTaxRate();
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<TaxRate | null>(null);

  const toggleArchived = (taxRate: TaxRate) => {
    const archived = taxRate.archivedAt === null;
    updateTaxRate.mutate(
      { id: taxRate.id, archived },
      {
        onSuccess: () => notifySuccess(`${taxRate.name} ${archived ? 'archived' : 'restored'}`),
        onError: (error) => notifyError(error, 'Tax rate not changed'),
      },
    );
  };

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="tax-rates-heading">
      <SectionHeader
        id="tax-rates-heading"
        title="Tax Rates"
        addLabel="Add Tax Rate"
        onAdd={() => setAdding(true)}
        canEdit={canEdit}
      />
      <Text size="sm" c="dimmed" mb="md">
        Applied to the taxable lines of an invoice. Invoices keep the rate they were made with.
      </Text>
      {taxRates.isPending ? (
        <PageLoader label="Loading tax rates…" />
      ) : taxRates.isError ? (
        <PageError
          error={taxRates.error}
          title="Could not load the tax rates"
          onRetry={() => void taxRates.refetch()}
        />
      ) : (
        <DataTable<TaxRate>
          withTableBorder
          borderRadius="md"
          striped
          minHeight={taxRates.data.length === 0 ? 150 : undefined}
          noRecordsText="No tax rates yet"
          records={taxRates.data}
          aria-label="Tax rates"
          columns={[
            { accessor: 'name', title: 'Name' },
            {
              accessor: 'ratePercent',
              title: 'Rate',
              width: 120,
              textAlign: 'right',
              render: (row) => `${row.ratePercent}%`,
            },
            {
              accessor: 'archivedAt',
              title: 'Status',
              width: 120,
              render: (row) => <StatusBadge archivedAt={row.archivedAt} />,
            },
            {
              accessor: 'actions',
              title: 'Actions',
              width: 100,
              textAlign: 'right',
              render: (row) => (
                <RowActions
                  name={row.name}
                  archived={row.archivedAt !== null}
                  canEdit={canEdit}
                  busy={updateTaxRate.isPending}
                  onRename={() => setRenaming(row)}
                  onToggleArchived={() => toggleArchived(row)}
                />
              ),
            },
          ]}
        />
      )}
      <CatalogFormModal
        opened={adding}
        onClose={() => setAdding(false)}
        title="Add Tax Rate"
        submitLabel="Add Tax Rate"
        withRate
        onSubmit={async ({ name, ratePercent }) => {
          await createTaxRate.mutateAsync({ name, ratePercent });
          notifySuccess(`${name} (${ratePercent}%) added`);
        }}
      />
      <CatalogFormModal
        opened={renaming !== null}
        onClose={() => setRenaming(null)}
        title={`Rename ${renaming?.name ?? ''}`}
        submitLabel="Save Name"
        withRate={false}
        initialName={renaming?.name}
        onSubmit={async ({ name }) => {
          if (!renaming) return;
          await updateTaxRate.mutateAsync({ id: renaming.id, name });
          notifySuccess(`${renaming.name} renamed to ${name}`);
        }}
      />
    </Paper>
  );
}

interface CatalogValues {
  name: string;
  ratePercent: string;
}

interface CatalogFormModalProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  submitLabel: string;
  /** Tax rates are added with a rate; a rename changes the name only. */
  withRate: boolean;
  initialName?: string;
  onSubmit: (values: CatalogValues) => Promise<unknown>;
}

/** Name (and for a new tax rate, its rate) of a service category or tax rate. */
function CatalogFormModal(props: CatalogFormModalProps) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title}>
      {props.opened && <CatalogForm {...props} />}
    </Modal>
  );
}

function CatalogForm({
  onClose,
  submitLabel,
  withRate,
  initialName,
  onSubmit,
}: CatalogFormModalProps) {
  const form = useForm<CatalogValues>({
    mode: 'controlled',
    initialValues: { name: initialName ?? '', ratePercent: '' },
    transformValues: (values) => ({
      name: values.name.trim(),
      ratePercent: values.ratePercent.trim(),
    }),
    validate: {
      name: isNotEmpty('Name is required'),
      ratePercent: (value) => {
        if (!withRate) return null;
        const text = value.trim();
        if (text === '') return 'Rate is required';
        return ratePattern.test(text) && Number(text) <= 100
          ? null
          : 'Must be a percentage from 0 to 100, like 7.25';
      },
    },
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
        <TextInput
          label="Name"
          required
          maxLength={100}
          data-autofocus
          {...form.getInputProps('name')}
        />
        {withRate && (
          <TextInput
            label="Rate (%)"
            description="A percentage such as 7.25"
            required
            inputMode="decimal"
            rightSection={<Text size="sm">%</Text>}
            {...form.getInputProps('ratePercent')}
          />
        )}
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

function InvoiceRemindersSection({ canEdit }: { canEdit: boolean }) {
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

function BusinessDatesSection({ canEdit }: { canEdit: boolean }) {
  const businessDates = useBusinessDates();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="business-dates-heading">
      <Title order={2} size="h4" id="business-dates-heading" mb="xs">
        Dates
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        The time zone decides what &quot;today&quot; is for due dates, overdue days, aging and
        notices. The date format is how every date is written: in the console, the client portal,
        emails, invoices and statements.
      </Text>
      {businessDates.isPending ? (
        <PageLoader label="Loading dates…" />
      ) : businessDates.isError ? (
        <PageError
          error={businessDates.error}
          title="Could not load the date settings"
          onRetry={() => void businessDates.refetch()}
        />
      ) : (
        <BusinessDatesForm saved={businessDates.data} canEdit={canEdit} />
      )}
    </Paper>
  );
}

/** Every IANA zone the browser knows, and the saved one even if this browser does not. */
function timeZoneOptions(saved: string): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes(saved) ? zones : [saved, ...zones];
}

type BusinessDatesValues = Pick<BusinessDates, 'timeZone' | 'dateFormat'>;

function BusinessDatesForm({ saved, canEdit }: { saved: BusinessDates; canEdit: boolean }) {
  const save = useSaveBusinessDates();
  const [zones] = useState(() => timeZoneOptions(saved.timeZone));
  // Initialised once from the saved settings: a refetch must not overwrite a choice being made.
  const form = useForm<BusinessDatesValues>({
    mode: 'controlled',
    initialValues: { timeZone: saved.timeZone, dateFormat: saved.dateFormat },
    validate: {
      timeZone: isNotEmpty('Choose a time zone'),
      dateFormat: isNotEmpty('Choose a date format'),
    },
  });
  const dirty = form.isDirty();

  const submit = form.onSubmit((values) =>
    save.mutate(values, {
      onSuccess: ({ businessDates }) => {
        const next = { timeZone: businessDates.timeZone, dateFormat: businessDates.dateFormat };
        form.setInitialValues(next);
        form.setValues(next);
        form.resetDirty(next);
        notifySuccess('Date settings saved');
      },
      onError: (error) => showApiError(error, form, 'Date settings not saved'),
    }),
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} maw={720}>
          <Select
            label="Time zone"
            description={`Today there is ${formatDate(saved.today, form.getValues().dateFormat)}`}
            data={zones}
            searchable
            allowDeselect={false}
            readOnly={!canEdit}
            {...form.getInputProps('timeZone')}
          />
          <Select
            label="Date format"
            description="Used on every screen, email and document"
            data={dateFormats.map((format: DateFormat) => ({
              value: format,
              label: `${format} (${formatDate(saved.today, format)})`,
            }))}
            allowDeselect={false}
            readOnly={!canEdit}
            {...form.getInputProps('dateFormat')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <UndoSaveButtons
            canEdit={canEdit}
            dirty={dirty}
            saving={save.isPending}
            onUndo={form.reset}
            saveLabel="Save Dates"
          />
        </Group>
      </Stack>
    </form>
  );
}
