import { Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { notifyError } from '../../api/errors';
import { PageError } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { revokeAccessLabel, useAccessProfiles } from '../access-profiles/access-profiles-api';
import { useOrganizationContacts } from '../contacts/contacts-api';
import { useTicketTypes } from '../tickets/tickets-api';
import { useOrganizationAudit } from './audit-api';
import { describeAction, describeChanges } from './describe-audit-event';

const maxShown = 120;
const shorten = (text: string) => (text.length > maxShown ? `${text.slice(0, maxShown)}…` : text);

/**
 * Who changed what on this organization, newest first. Amounts recorded without a currency are
 * in the organization's `currency`.
 */
export function AuditLog({
  organizationId,
  currency,
}: {
  organizationId: string;
  currency: string;
}) {
  const audit = useOrganizationAudit(organizationId);
  // Names for the ids the log holds: profiles, and this organization's contacts.
  const profiles = useAccessProfiles();
  const contacts = useOrganizationContacts(organizationId, 'name', '');
  // Only a fallback for rows written before audit rows kept the contact's name (entityLabel).
  const contactNames = new Map(
    contacts.data?.pages.flatMap((page) => page.contacts).map((c) => [c.id, c.name]),
  );
  const profileName = (id: string | null) =>
    id === null
      ? revokeAccessLabel
      : (profiles.data?.accessProfiles.find((p) => p.id === id)?.name ?? 'A deleted profile');

  // Every type, archived ones too: an old change names the type as it is listed.
  const ticketTypes = useTicketTypes();
  const ticketTypeName = (id: string) => ticketTypes.data?.find((type) => type.id === id)?.name;

  const events = audit.data?.pages.flatMap((page) => page.events) ?? [];

  return (
    <Stack component="section" aria-labelledby="audit-heading">
      <Title order={2} id="audit-heading">
        Audit Log
      </Title>
      {audit.isPending ? (
        <Group gap="xs" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Loading the audit log…
          </Text>
        </Group>
      ) : audit.isError ? (
        <PageError
          error={audit.error}
          title="Could not load the audit log"
          onRetry={() => void audit.refetch()}
        />
      ) : events.length === 0 ? (
        <Text c="dimmed">Nothing has been changed yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={200}>Time</Table.Th>
                <Table.Th w={180}>Who</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.map((event) => (
                <Table.Tr key={event.id}>
                  <Table.Td>{formatDateTime(event.occurredAt)}</Table.Td>
                  <Table.Td>{event.actorLabel}</Table.Td>
                  <Table.Td>{describeAction(event, contactNames.get(event.entityId))}</Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {describeChanges(event, profileName, { currency, ticketTypeName }).map(
                        (change, index) => (
                          <Text size="sm" key={index} style={{ overflowWrap: 'anywhere' }}>
                            <Text span fw={500}>
                              {change.field}:
                            </Text>{' '}
                            {change.before !== null && change.after !== null
                              ? `${shorten(change.before)} → ${shorten(change.after)}`
                              : shorten(change.after ?? change.before ?? '')}
                          </Text>
                        ),
                      )}
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {audit.hasNextPage && (
        <Group>
          <Button
            variant="default"
            loading={audit.isFetchingNextPage}
            onClick={() => audit.fetchNextPage().catch((error: unknown) => notifyError(error))}
          >
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}
