import type { ReactNode } from 'react';
import { Stack, Text, Title } from '@mantine/core';
import { usePortalData } from '../api/portal-features';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { usePortalTitle } from '../use-portal-title';

/** A feature page: its nav name as the heading, one line on what it is, then the data. */
export function FeaturePage({
  title,
  intro,
  children,
}: {
  title: string;
  intro: string;
  children: ReactNode;
}) {
  usePortalTitle(title);
  return (
    <Stack gap="sm">
      <Title order={1}>{title}</Title>
      <Text c="dimmed" size="sm">
        {intro}
      </Text>
      {children}
    </Stack>
  );
}

/**
 * The rows themselves arrive with the releases that bring these features; until then a
 * list that is not empty is counted, never hidden behind an "empty" sentence.
 */
function ListOrEmpty({ items, empty, noun }: { items: unknown[]; empty: string; noun: string }) {
  if (items.length === 0) return <EmptyState>{empty}</EmptyState>;
  return (
    <Text py="md">
      {items.length} {noun}
      {items.length === 1 ? '' : 's'}. This list is not shown in the portal yet.
    </Text>
  );
}

export function CreateServiceTicketPage() {
  // Asked only to learn whether this contact may use service tickets here.
  const query = usePortalData('service-tickets');
  return (
    <FeaturePage title="Create New Service Ticket" intro="Ask for help with a service ticket.">
      <PortalQueryState query={query}>
        {() => <EmptyState>Service tickets are not available in the portal yet.</EmptyState>}
      </PortalQueryState>
    </FeaturePage>
  );
}

export function OpenServiceTicketsPage() {
  const query = usePortalData('service-tickets');
  return (
    <FeaturePage title="Open Service Tickets" intro="Tickets that are still being worked on.">
      <PortalQueryState query={query} loadingLabel="Loading tickets…">
        {(data) => (
          <ListOrEmpty
            items={data.openTickets}
            empty="There are no open service tickets."
            noun="open ticket"
          />
        )}
      </PortalQueryState>
    </FeaturePage>
  );
}

export function ServiceHistoryPage() {
  const query = usePortalData('service-tickets');
  return (
    <FeaturePage title="Service History" intro="Closed tickets, with how they were resolved.">
      <PortalQueryState query={query} loadingLabel="Loading tickets…">
        {(data) => (
          <ListOrEmpty
            items={data.closedTickets}
            empty="There are no closed service tickets."
            noun="closed ticket"
          />
        )}
      </PortalQueryState>
    </FeaturePage>
  );
}
