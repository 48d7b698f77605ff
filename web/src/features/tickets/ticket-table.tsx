import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { DataTable, type DataTableColumn } from 'mantine-datatable';
import { Link } from 'react-router';
import { notifyError } from '../../api/errors';
import { TicketPriorityBadge, TicketStatusBadge } from '../../components/ticket-timeline';
import { formatDateTimeMinutes } from '../../lib/format';
import { ticketPath, type StaffTicketSummary } from './tickets-api';

/**
 * Tickets as staff list them: number (to the ticket page), summary, organization (left out on
 * an organization's own tab), status, priority, type, assignee and dates; "Load more" reads
 * the next keyset page.
 */
export function TicketTable({
  tickets,
  fetching,
  hasMore,
  loadingMore,
  onLoadMore,
  showOrganization = true,
  closed = false,
  noRecordsText,
  label,
}: {
  tickets: StaffTicketSummary[];
  fetching: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => Promise<unknown>;
  showOrganization?: boolean;
  /** Closed tickets show when they closed instead of their last update. */
  closed?: boolean;
  noRecordsText: string;
  label: string;
}) {
  const columns: DataTableColumn<StaffTicketSummary>[] = [
    {
      accessor: 'number',
      title: 'Number',
      noWrap: true,
      render: (ticket) => (
        <Anchor component={Link} to={ticketPath(ticket.id)} fw={500}>
          {ticket.number}
        </Anchor>
      ),
    },
    {
      accessor: 'summary',
      title: 'Summary',
      cellsStyle: () => ({ minWidth: 220 }),
      render: (ticket) => <Text style={{ overflowWrap: 'anywhere' }}>{ticket.summary}</Text>,
    },
    ...(showOrganization
      ? [
          {
            accessor: 'organizationName',
            title: 'Organization',
            render: (ticket: StaffTicketSummary) => (
              <Anchor component={Link} to={`/organizations/${ticket.organizationId}`}>
                {ticket.organizationName}
              </Anchor>
            ),
          },
        ]
      : []),
    {
      accessor: 'status',
      title: 'Status',
      render: ({ status }) => <TicketStatusBadge status={status} />,
    },
    {
      accessor: 'priority',
      title: 'Priority',
      render: ({ priority }) => <TicketPriorityBadge priority={priority} />,
    },
    { accessor: 'typeName', title: 'Type' },
    {
      accessor: 'assigneeName',
      title: 'Assigned to',
      render: ({ assigneeName }) => assigneeName ?? <Text c="dimmed">Unassigned</Text>,
    },
    { accessor: 'openedByName', title: 'Opened by' },
    closed
      ? {
          accessor: 'closedAt',
          title: 'Closed',
          noWrap: true,
          render: ({ closedAt }) => formatDateTimeMinutes(closedAt),
        }
      : {
          accessor: 'updatedAt',
          title: 'Last update',
          noWrap: true,
          render: ({ updatedAt }) => formatDateTimeMinutes(updatedAt),
        },
    {
      accessor: 'createdAt',
      title: 'Created',
      noWrap: true,
      render: ({ createdAt }) => formatDateTimeMinutes(createdAt),
    },
  ];

  return (
    <Stack>
      <DataTable<StaffTicketSummary>
        withTableBorder
        borderRadius="md"
        striped
        highlightOnHover
        minHeight={tickets.length ? undefined : 180}
        fetching={fetching}
        records={tickets}
        noRecordsText={noRecordsText}
        aria-label={label}
        columns={columns}
      />
      {hasMore && (
        <Group gap="md">
          <Button
            variant="default"
            loading={loadingMore}
            onClick={() => onLoadMore().catch((error: unknown) => notifyError(error))}
          >
            Load more
          </Button>
          <Text size="sm" c="dimmed" role="status">
            Showing {tickets.length.toLocaleString('en-US')} tickets
          </Text>
        </Group>
      )}
    </Stack>
  );
}
