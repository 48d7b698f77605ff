import { useState } from 'react';
import { Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import {
  ticketPriorities,
  ticketPriorityLabels,
  ticketStatusLabels,
  ticketStatuses,
  type TicketPriority,
} from '../../../../src/shared/contract/tickets';
import { PageError } from '../../components/page-state';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan, useSession } from '../auth/session';
import { OrganizationSelect } from '../invoices/organization-select';
import { NewTicketButton } from './new-ticket-modal';
import { TicketTable } from './ticket-table';
import {
  useAssigneeOptions,
  useTicketQueue,
  useTicketTypes,
  type TicketFilters,
} from './tickets-api';

type StatusFilter = NonNullable<TicketFilters['status']>;

const statusOptions: { value: StatusFilter; label: string }[] = [
  { value: 'open', label: 'Open (not closed)' },
  ...ticketStatuses.map((status) => ({ value: status, label: ticketStatusLabels[status] })),
];

const priorityOptions = ticketPriorities.map((value) => ({
  value,
  label: ticketPriorityLabels[value],
}));

/** "Not updated for": tickets left alone at least this long. */
const ageOptions = [
  { value: '1', label: '1 day or more' },
  { value: '3', label: '3 days or more' },
  { value: '7', label: '7 days or more' },
  { value: '14', label: '14 days or more' },
  { value: '30', label: '30 days or more' },
];

const unassigned = 'unassigned';

/**
 * Tickets: every organization's tickets, what needs attention first (critical before low,
 * new before waiting on the client, the oldest update first), with filters and a search over
 * summary, description, replies and internal notes (or a ticket number).
 */
export function TicketsPage() {
  usePageTitle('Tickets');
  const user = useSession().data?.user ?? null;
  const canAssign = useCan('manage_tickets');
  const [status, setStatus] = useState<StatusFilter>('open');
  const [priority, setPriority] = useState<TicketPriority | null>(null);
  const [typeId, setTypeId] = useState<string | null>(null);
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [assignee, setAssignee] = useState<string | null>(null);
  const [age, setAge] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300);
  const types = useTicketTypes();
  const assigneeOptions = useAssigneeOptions(user, canAssign);

  const filters: TicketFilters = {
    status,
    priority: priority ?? undefined,
    typeId: typeId ?? undefined,
    organizationId: organizationId ?? undefined,
    assigneeId: assignee && assignee !== unassigned ? assignee : undefined,
    unassigned: assignee === unassigned ? 'true' : undefined,
    olderThanDays: age ? Number(age) : undefined,
    q: debouncedSearch || undefined,
  };
  const queue = useTicketQueue(filters);
  const filtered = Object.entries(filters).some(
    ([key, value]) => value !== undefined && !(key === 'status' && value === 'open'),
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Tickets</Title>
        {canAssign && <NewTicketButton />}
      </Group>
      <Text c="dimmed" size="sm">
        Open tickets come in the order they need attention: priority, then status, then the longest
        without an update.
      </Text>
      <Group align="flex-end" gap="md">
        <TextInput
          label="Search tickets"
          placeholder="Words or a ticket number"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={{ base: '100%', sm: 260 }}
        />
        <Select
          label="Status"
          data={statusOptions}
          value={status}
          onChange={(value) => setStatus((value as StatusFilter | null) ?? 'open')}
          allowDeselect={false}
          w={{ base: '100%', sm: 190 }}
        />
        <Select
          label="Priority"
          placeholder="Any priority"
          data={priorityOptions}
          value={priority}
          onChange={(value) => setPriority(value as TicketPriority | null)}
          clearable
          w={{ base: '100%', sm: 150 }}
        />
        <Select
          label="Type"
          placeholder="Any type"
          data={(types.data ?? []).map((type) => ({ value: type.id, label: type.name }))}
          value={typeId}
          onChange={setTypeId}
          clearable
          w={{ base: '100%', sm: 180 }}
        />
        <OrganizationSelect
          label="Organization"
          placeholder="Any organization"
          value={organizationId}
          onChange={setOrganizationId}
          w={{ base: '100%', sm: 240 }}
        />
        <Select
          label="Assigned to"
          placeholder="Anyone"
          data={[{ value: unassigned, label: 'Unassigned' }, ...assigneeOptions]}
          value={assignee}
          onChange={setAssignee}
          clearable
          w={{ base: '100%', sm: 200 }}
        />
        <Select
          label="Not updated for"
          placeholder="Any age"
          data={ageOptions}
          value={age}
          onChange={setAge}
          clearable
          w={{ base: '100%', sm: 170 }}
        />
      </Group>
      {queue.isError && !queue.data ? (
        <PageError
          error={queue.error}
          title="Could not load tickets"
          onRetry={() => void queue.refetch()}
        />
      ) : (
        <TicketTable
          label="Tickets"
          tickets={queue.data ?? []}
          fetching={queue.isFetching && !queue.isFetchingNextPage}
          hasMore={queue.hasNextPage && !queue.isPlaceholderData}
          loadingMore={queue.isFetchingNextPage}
          onLoadMore={() => queue.fetchNextPage()}
          closed={status === 'closed'}
          noRecordsText={filtered ? 'No tickets match these filters' : 'No open tickets'}
        />
      )}
    </Stack>
  );
}
