import { useState } from 'react';
import { Anchor, Button, Checkbox, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconChevronLeft, IconChevronRight, IconSearch } from '@tabler/icons-react';
import { DataTable, type DataTableColumn } from 'mantine-datatable';
import { Link } from 'react-router';
import { DateField } from '../../components/date-field';
import { PageError } from '../../components/page-state';
import { formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { InvoiceStatusBadge, statusOptions } from './invoice-status-badge';
import {
  useInvoiceList,
  useServiceCategories,
  type InvoiceListItem,
  type InvoiceStatus,
} from './invoices-api';
import { OrganizationSelect } from './organization-select';

const pageSize = 25;

/**
 * The invoices table with its filters and keyset paging: the Invoices page shows every
 * organization's; an organization's Invoices tab passes its id and leaves that filter out.
 */
export function InvoiceList({ organizationId }: { organizationId?: string }) {
  const [organizationFilter, setOrganizationFilter] = useState<string | null>(null);
  const [status, setStatus] = useState<InvoiceStatus | null>(null);
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [dueFrom, setDueFrom] = useState('');
  const [dueTo, setDueTo] = useState('');
  const [overdue, setOverdue] = useState(false);
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300);
  const categories = useServiceCategories();

  const filters = {
    organizationId: organizationId ?? organizationFilter ?? undefined,
    status: status ?? undefined,
    serviceCategoryId: categoryId ?? undefined,
    dueFrom: dueFrom || undefined,
    dueTo: dueTo || undefined,
    overdue: overdue || undefined,
    q: debouncedSearch || undefined,
  };

  // Keyset pagination: the cursors that opened each page (page 1 has none), per filter set.
  const filterKey = JSON.stringify(filters);
  const [paging, setPaging] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({
    filterKey,
    cursors: [undefined],
  });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [undefined];
  const page = cursors.length;

  const list = useInvoiceList({ ...filters, cursor: cursors[cursors.length - 1], limit: pageSize });
  const nextCursor = list.data?.nextCursor ?? null;
  const goNext = () => {
    if (nextCursor) setPaging({ filterKey, cursors: [...cursors, nextCursor] });
  };
  const goPrevious = () => setPaging({ filterKey, cursors: cursors.slice(0, -1) });

  const filtered = Object.values(filters).some((value) => value !== undefined);
  const filteredBeyondOrganization = organizationId
    ? Object.entries(filters).some(([key, value]) => key !== 'organizationId' && value)
    : filtered;

  const columns: DataTableColumn<InvoiceListItem>[] = [
    {
      accessor: 'number',
      title: 'Number',
      noWrap: true,
      render: (invoice) => (
        <Anchor component={Link} to={`/invoices/${invoice.id}`} fw={500}>
          {invoice.number}
        </Anchor>
      ),
    },
    ...(organizationId
      ? []
      : [
          {
            accessor: 'organizationName',
            title: 'Organization',
            render: (invoice: InvoiceListItem) => (
              <Anchor component={Link} to={`/organizations/${invoice.organizationId}`}>
                {invoice.organizationName}
              </Anchor>
            ),
          },
        ]),
    { accessor: 'serviceCategoryName', title: 'Category' },
    {
      accessor: 'issueDate',
      title: 'Issue date',
      noWrap: true,
      render: ({ issueDate }) => formatDay(issueDate),
    },
    {
      accessor: 'dueDate',
      title: 'Due date',
      noWrap: true,
      render: ({ dueDate }) => formatDay(dueDate),
    },
    {
      accessor: 'status',
      title: 'Status',
      render: ({ status, daysOverdue }) => (
        <InvoiceStatusBadge status={status} daysOverdue={daysOverdue} />
      ),
    },
    {
      accessor: 'totalCents',
      title: 'Total',
      textAlign: 'right',
      noWrap: true,
      render: ({ totalCents, currency }) => formatMoney(totalCents, currency),
    },
    {
      accessor: 'balanceCents',
      title: 'Balance',
      textAlign: 'right',
      noWrap: true,
      render: ({ balanceCents, currency }) => formatMoney(balanceCents, currency),
    },
  ];

  return (
    <Stack>
      <Group align="flex-end" gap="md">
        {!organizationId && (
          <OrganizationSelect
            label="Organization"
            placeholder="Any organization"
            value={organizationFilter}
            onChange={setOrganizationFilter}
            w={{ base: '100%', sm: 240 }}
          />
        )}
        <Select
          label="Status"
          placeholder="Any status"
          data={statusOptions}
          value={status}
          onChange={(value) => setStatus(value as InvoiceStatus | null)}
          clearable
          w={170}
        />
        <Select
          label="Category"
          placeholder="Any category"
          data={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={categoryId}
          onChange={setCategoryId}
          clearable
          w={200}
        />
        <DateField label="Due from" value={dueFrom} onChange={setDueFrom} clearable w={160} />
        <DateField label="Due to" value={dueTo} onChange={setDueTo} clearable w={160} />
        <TextInput
          label="Find invoice"
          placeholder="Invoice number"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={{ base: '100%', sm: 200 }}
        />
        <Checkbox
          label="Overdue only"
          checked={overdue}
          onChange={(event) => setOverdue(event.currentTarget.checked)}
          mb={8}
        />
      </Group>

      {list.isError && !list.data ? (
        <PageError
          error={list.error}
          title="Could not load invoices"
          onRetry={() => void list.refetch()}
        />
      ) : (
        <DataTable<InvoiceListItem>
          withTableBorder
          borderRadius="md"
          striped
          highlightOnHover
          minHeight={list.data?.invoices.length ? undefined : 180}
          fetching={list.isFetching}
          records={list.data?.invoices ?? []}
          noRecordsText={
            filteredBeyondOrganization ? 'No invoices match these filters' : 'No invoices yet'
          }
          aria-label="Invoices"
          columns={columns}
        />
      )}

      <Group justify="space-between" component="nav" aria-label="Invoice pages">
        <Text size="sm" c="dimmed" aria-live="polite">
          Page {page}
        </Text>
        <Group gap="xs">
          <Button
            variant="default"
            leftSection={<IconChevronLeft size={16} />}
            onClick={goPrevious}
            disabled={page === 1}
          >
            Previous
          </Button>
          <Button
            variant="default"
            rightSection={<IconChevronRight size={16} />}
            onClick={goNext}
            disabled={!nextCursor || list.isPlaceholderData}
          >
            Next
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
