import { Badge, Group, Loader, Modal, Stack, Table, Text } from '@mantine/core';
import { LoadMore } from '../../components/load-more';
import { PageError } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { useLoginHistory } from './contacts-api';
import { describeUserAgent } from './describe-user-agent';

/** "wrong_password" → "Wrong password"; sentences pass through with a capital letter. */
function describeReason(reason: string): string {
  const text = reason.replaceAll('_', ' ').trim();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : '—';
}

/** The contact's portal sign-in attempts, newest first, as the server recorded them. */
export function LoginHistoryModal({
  opened,
  onClose,
  contact,
}: {
  opened: boolean;
  onClose: () => void;
  contact: { id: string; name: string };
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Login history — ${contact.name}`} size="64rem">
      {opened && <LoginHistoryTable contactId={contact.id} />}
    </Modal>
  );
}

function LoginHistoryTable({ contactId }: { contactId: string }) {
  const history = useLoginHistory(contactId, true);
  if (history.isPending) {
    return (
      <Group gap="xs" role="status">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">
          Loading login history…
        </Text>
      </Group>
    );
  }
  if (history.isError) {
    return (
      <PageError
        error={history.error}
        title="Could not load the login history"
        onRetry={() => void history.refetch()}
      />
    );
  }
  const attempts = history.data.pages.flatMap((page) => page.attempts);
  if (attempts.length === 0) {
    return <Text c="dimmed">No portal sign-in attempts yet.</Text>;
  }
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={720}>
        <Table striped verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={190}>Time</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Company</Table.Th>
              <Table.Th w={130}>IP</Table.Th>
              <Table.Th>Browser</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {attempts.map((attempt) => (
              <Table.Tr key={attempt.id}>
                <Table.Td>{formatDateTime(attempt.attemptedAt)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={attempt.succeeded ? 'green' : 'red'}>
                    {attempt.succeeded ? 'Success' : 'Failed'}
                  </Badge>
                </Table.Td>
                <Table.Td>{describeReason(attempt.reason)}</Table.Td>
                <Table.Td>{attempt.organizationName ?? '—'}</Table.Td>
                <Table.Td>{attempt.ip ?? '—'}</Table.Td>
                <Table.Td title={attempt.userAgent ?? undefined}>
                  {describeUserAgent(attempt.userAgent)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore
        shown={attempts.length}
        total={history.data.pages[0]?.total ?? attempts.length}
        noun="sign-in attempts"
        hasMore={history.hasNextPage}
        loading={history.isFetchingNextPage}
        onLoad={() => history.fetchNextPage()}
      />
    </Stack>
  );
}
