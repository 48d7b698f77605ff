import { useState } from 'react';
import { Anchor, Badge, Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { IconChevronLeft, IconChevronRight, IconPlus, IconSearch } from '@tabler/icons-react';
import { DataTable, type DataTableSortStatus } from 'mantine-datatable';
import { Link, useNavigate } from 'react-router';
import { notifySuccess } from '../../api/errors';
import { PageError } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { formatCount, formatDate, formatDateTime } from '../../lib/format';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import { OrganizationFormModal } from './organization-form-modal';
import {
  useCreateOrganization,
  useOrganizationList,
  type OrganizationListItem,
  type OrganizationSort,
  type OrganizationStatus,
} from './organizations-api';

const pageSize = 25;

/** Table columns that sort, and the API sort each one asks for. */
const sortByColumn: Record<string, OrganizationSort> = {
  name: 'name',
  createdAt: 'createdAt',
  lastLoginAt: 'lastLogin',
};

const statusOptions = [
  { value: 'active', label: 'Active' },
  { value: 'archived', label: 'Archived' },
  { value: 'all', label: 'All' },
];

export function OrganizationsPage() {
  usePageTitle('Organizations');
  const canManage = useCan('manage_clients');
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<OrganizationStatus>('active');
  const [sortStatus, setSortStatus] = useState<DataTableSortStatus<OrganizationListItem>>({
    columnAccessor: 'name',
    direction: 'asc',
  });
  const [createOpened, createModal] = useDisclosure(false);
  const createOrganization = useCreateOrganization();

  // Keyset pagination: a stack of the cursors that opened each page (page 1 has none).
  // The stack belongs to one search/sort/status; changing any of them starts again at page 1.
  const sort = sortByColumn[String(sortStatus.columnAccessor)] ?? 'name';
  const filterKey = JSON.stringify([debouncedSearch, sort, sortStatus.direction, status]);
  const [paging, setPaging] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({
    filterKey,
    cursors: [undefined],
  });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [undefined];
  const page = cursors.length;

  const list = useOrganizationList({
    q: debouncedSearch,
    sort,
    direction: sortStatus.direction,
    status,
    cursor: cursors[cursors.length - 1],
    limit: pageSize,
  });

  const nextCursor = list.data?.nextCursor ?? null;
  const goNext = () => {
    if (nextCursor) setPaging({ filterKey, cursors: [...cursors, nextCursor] });
  };
  const goPrevious = () => setPaging({ filterKey, cursors: cursors.slice(0, -1) });

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Organizations</Title>
        <Button
          leftSection={<IconPlus size={16} />}
          onClick={createModal.open}
          disabled={!canManage}
        >
          New Organization
        </Button>
      </Group>
      {!canManage && <ReadOnlyNote />}

      <Group align="flex-end" gap="md">
        <TextInput
          label="Find Organization"
          placeholder="Name, or part of it"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={{ base: '100%', sm: 320 }}
        />
        <Select
          label="Status"
          data={statusOptions}
          value={status}
          onChange={(value) => setStatus((value as OrganizationStatus | null) ?? 'active')}
          allowDeselect={false}
          w={160}
        />
      </Group>

      {list.isError && !list.data ? (
        <PageError
          error={list.error}
          title="Could not load organizations"
          onRetry={() => void list.refetch()}
        />
      ) : (
        <DataTable<OrganizationListItem>
          withTableBorder
          borderRadius="md"
          striped
          highlightOnHover
          minHeight={list.data?.organizations.length ? undefined : 180}
          fetching={list.isFetching}
          records={list.data?.organizations ?? []}
          noRecordsText={
            debouncedSearch ? 'No organizations match that search' : 'No organizations'
          }
          sortStatus={sortStatus}
          onSortStatusChange={setSortStatus}
          aria-label="Organizations"
          columns={[
            {
              accessor: 'name',
              title: 'Name',
              sortable: true,
              render: (organization) => (
                <Group gap="xs" wrap="nowrap">
                  <Anchor component={Link} to={`/organizations/${organization.id}`} fw={500}>
                    {organization.name}
                  </Anchor>
                  {organization.archivedAt && (
                    <Badge color="gray" variant="light" size="sm">
                      Archived
                    </Badge>
                  )}
                </Group>
              ),
            },
            {
              accessor: 'location',
              title: 'Location',
              render: ({ city, region }) => [city, region].filter(Boolean).join(', ') || '—',
            },
            { accessor: 'contactCount', title: 'Contacts', textAlign: 'right' },
            {
              accessor: 'createdAt',
              title: 'Created',
              sortable: true,
              noWrap: true,
              render: ({ createdAt }) => formatDate(createdAt),
            },
            {
              accessor: 'lastLoginAt',
              title: 'Last Login',
              sortable: true,
              noWrap: true,
              render: ({ lastLoginAt }) => formatDateTime(lastLoginAt),
            },
          ]}
        />
      )}

      <Group justify="space-between" component="nav" aria-label="Pages">
        <Text size="sm" c="dimmed" aria-live="polite">
          Page {page}
          {list.data &&
            ` · ${formatCount(list.data.total)} organization${list.data.total === 1 ? '' : 's'}`}
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

      <OrganizationFormModal
        opened={createOpened}
        onClose={createModal.close}
        title="New Organization"
        submitLabel="Create Organization"
        onSubmit={async (values) => {
          const { organization } = await createOrganization.mutateAsync(values);
          notifySuccess(`${organization.name} created`);
          void navigate(`/organizations/${organization.id}`);
        }}
      />
    </Stack>
  );
}
