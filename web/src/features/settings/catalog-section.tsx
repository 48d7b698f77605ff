import { useState, type ReactNode } from 'react';
import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import {
  IconArchive,
  IconArchiveOff,
  IconArrowDown,
  IconArrowUp,
  IconPencil,
  IconPlus,
} from '@tabler/icons-react';
import type { UseQueryResult } from '@tanstack/react-query';
import { DataTable, type DataTableColumn } from 'mantine-datatable';
import type { z } from 'zod';
import { notifyError, notifySuccess, showApiError } from '../../api/errors';
import type {
  serviceCategoryChangesRequest,
  taxRateChangesRequest,
} from '../../../../src/shared/contract/catalog';
import { PageError, PageLoader } from '../../components/page-state';

/** "7.25": up to 100, at most 4 decimals, as the server accepts. */
const ratePattern = /^\d{1,3}(\.\d{1,4})?$/;

/** What a catalog list (service categories, tax rates) shows of each row. */
interface CatalogRow {
  id: string;
  name: string;
  archivedAt: string | null;
}

/** What the Add and Rename dialogs hold: a rate only when a tax rate is added. */
export interface CatalogValues {
  name: string;
  ratePercent: string;
}

/**
 * A rename or an archive/restore of one row, as the PATCH routes take it (the fields both
 * the service category and the tax rate bodies share).
 */
export type CatalogChanges = { id: string } & Pick<
  z.input<typeof serviceCategoryChangesRequest> & z.input<typeof taxRateChangesRequest>,
  'name' | 'archived'
>;

interface CatalogSectionProps<Row extends CatalogRow> {
  canEdit: boolean;
  /** The heading's id, which labels the section ("service-categories-heading"). */
  headingId: string;
  /** "Service Categories". */
  title: string;
  /** Lower case plural for loading, empty and error texts ("service categories"). */
  pluralName: string;
  /** "Add Category": the button and the dialog's title. */
  addLabel: string;
  description: ReactNode;
  /** The list as loaded (archived rows included). */
  rows: UseQueryResult<Row[]>;
  /** Columns between Name and Status (a tax rate's Rate). */
  extraColumns?: DataTableColumn<Row>[];
  /** Tax rates are added with a rate; a rename changes the name only. */
  addWithRate: boolean;
  /** The refusal toast's title when an archive or restore fails ("Tax rate not changed"). */
  notChangedTitle: string;
  /** Adds a row; resolves to the success message ("Hardware added"). */
  create: (values: CatalogValues) => Promise<string>;
  /** Renames, archives or restores a row. */
  update: (changes: CatalogChanges) => Promise<unknown>;
  /** An update is on its way: archive buttons wait for it. */
  updating: boolean;
  /**
   * A list kept in an order of its own (ticket types) offers Move up / Move down: moves a row
   * to `position` (1 = first) of the list as shown. Absent: no such buttons.
   */
  move?: (row: Row, position: number) => Promise<unknown>;
}

/**
 * One section of Configuration > Billing that lists a catalog (service categories or tax
 * rates) with Add, Rename and Archive/Restore: both lists behave the same and differ only in
 * their words and in the rate a tax rate carries.
 */
export function CatalogSection<Row extends CatalogRow>(props: CatalogSectionProps<Row>) {
  const { canEdit, rows, pluralName, update } = props;
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<Row | null>(null);
  const capitalised = pluralName.charAt(0).toUpperCase() + pluralName.slice(1);

  const moveTo = async (row: Row, position: number) => {
    try {
      await props.move?.(row, position);
      notifySuccess(`${row.name} moved ${position === 1 ? 'to the top' : `to place ${position}`}`);
    } catch (error) {
      notifyError(error, props.notChangedTitle);
    }
  };

  const toggleArchived = async (row: Row) => {
    const archived = row.archivedAt === null;
    try {
      await update({ id: row.id, archived });
      notifySuccess(`${row.name} ${archived ? 'archived' : 'restored'}`);
    } catch (error) {
      notifyError(error, props.notChangedTitle);
    }
  };

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby={props.headingId}>
      <Group justify="space-between" mb="md">
        <Title order={2} size="h4" id={props.headingId}>
          {props.title}
        </Title>
        <Button
          leftSection={<IconPlus size={16} />}
          onClick={() => setAdding(true)}
          disabled={!canEdit}
        >
          {props.addLabel}
        </Button>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {props.description}
      </Text>
      {rows.isPending ? (
        <PageLoader label={`Loading ${pluralName}…`} />
      ) : rows.isError ? (
        <PageError
          error={rows.error}
          title={`Could not load the ${pluralName}`}
          onRetry={() => void rows.refetch()}
        />
      ) : (
        <DataTable<Row>
          withTableBorder
          borderRadius="md"
          striped
          minHeight={rows.data.length === 0 ? 150 : undefined}
          noRecordsText={`No ${pluralName} yet`}
          records={rows.data}
          aria-label={capitalised}
          columns={[
            { accessor: 'name', title: 'Name' },
            ...(props.extraColumns ?? []),
            {
              accessor: 'archivedAt',
              title: 'Status',
              width: 120,
              render: (row) => <StatusBadge archivedAt={row.archivedAt} />,
            },
            {
              accessor: 'actions',
              title: 'Actions',
              width: props.move ? 170 : 100,
              textAlign: 'right',
              render: (row, index) => (
                <RowActions
                  name={row.name}
                  move={
                    props.move && {
                      first: index === 0,
                      last: index === rows.data.length - 1,
                      up: () => void moveTo(row, index),
                      down: () => void moveTo(row, index + 2),
                    }
                  }
                  archived={row.archivedAt !== null}
                  canEdit={canEdit}
                  busy={props.updating}
                  onRename={() => setRenaming(row)}
                  onToggleArchived={() => void toggleArchived(row)}
                />
              ),
            },
          ]}
        />
      )}
      <CatalogFormModal
        opened={adding}
        onClose={() => setAdding(false)}
        title={props.addLabel}
        submitLabel={props.addLabel}
        withRate={props.addWithRate}
        onSubmit={async (values) => notifySuccess(await props.create(values))}
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
          await update({ id: renaming.id, name });
          notifySuccess(`${renaming.name} renamed to ${name}`);
        }}
      />
    </Paper>
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

function RowActions({
  name,
  archived,
  canEdit,
  busy,
  move,
  onRename,
  onToggleArchived,
}: {
  name: string;
  archived: boolean;
  canEdit: boolean;
  busy: boolean;
  move?: { first: boolean; last: boolean; up: () => void; down: () => void } | undefined;
  onRename: () => void;
  onToggleArchived: () => void;
}) {
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      {move && (
        <>
          <Tooltip label="Move up">
            <ActionIcon
              variant="subtle"
              onClick={move.up}
              disabled={!canEdit || busy || move.first}
              aria-label={`Move ${name} up`}
            >
              <IconArrowUp size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Move down">
            <ActionIcon
              variant="subtle"
              onClick={move.down}
              disabled={!canEdit || busy || move.last}
              aria-label={`Move ${name} down`}
            >
              <IconArrowDown size={16} />
            </ActionIcon>
          </Tooltip>
        </>
      )}
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

interface CatalogFormModalProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  submitLabel: string;
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
