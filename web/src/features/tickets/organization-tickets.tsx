import { useState } from 'react';
import { Group, SegmentedControl, Stack } from '@mantine/core';
import { PageError } from '../../components/page-state';
import { useCan } from '../auth/session';
import { NewTicketButton } from './new-ticket-modal';
import { TicketTable } from './ticket-table';
import { useOrganizationTickets } from './tickets-api';

/** The organization page's Tickets tab: its open tickets (last update first) or closed ones. */
export function OrganizationTickets({ organizationId }: { organizationId: string }) {
  const [state, setState] = useState<'open' | 'closed'>('open');
  const tickets = useOrganizationTickets(organizationId, state);
  const canOpen = useCan('manage_tickets');
  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label="Which tickets"
          value={state}
          onChange={(value) => setState(value as 'open' | 'closed')}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'closed', label: 'Closed' },
          ]}
          w="fit-content"
        />
        {canOpen && <NewTicketButton organizationId={organizationId} />}
      </Group>
      {tickets.isError && !tickets.data ? (
        <PageError
          error={tickets.error}
          title="Could not load tickets"
          onRetry={() => void tickets.refetch()}
        />
      ) : (
        <TicketTable
          label={state === 'open' ? 'Open tickets' : 'Closed tickets'}
          tickets={tickets.data ?? []}
          fetching={tickets.isFetching && !tickets.isFetchingNextPage}
          hasMore={tickets.hasNextPage && !tickets.isPlaceholderData}
          loadingMore={tickets.isFetchingNextPage}
          onLoadMore={() => tickets.fetchNextPage()}
          showOrganization={false}
          closed={state === 'closed'}
          noRecordsText={state === 'open' ? 'No open tickets' : 'No closed tickets'}
        />
      )}
    </Stack>
  );
}
