import { Box, Modal, Stack, Table, Text } from '@mantine/core';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { agingBucketLabels, agingBuckets } from '../../../../src/shared/contract/statements';
import { useAccountSummaryPreview } from './invoices-api';

/** The aging columns in the statement's order, with the labels its email and PDF use. */
const buckets = agingBuckets.map((key) => [key, agingBucketLabels[key]] as const);

/** "Preview Account Summary": the statement's aging and the email as it would go out. */
export function AccountSummaryModal({
  organizationId,
  organizationName,
  opened,
  onClose,
}: {
  organizationId: string;
  organizationName: string;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Account Summary: ${organizationName}`}
      size="70rem"
    >
      {opened && <AccountSummary organizationId={organizationId} />}
    </Modal>
  );
}

function AccountSummary({ organizationId }: { organizationId: string }) {
  const preview = useAccountSummaryPreview(organizationId, true);
  if (preview.isPending) return <PageLoader label="Preparing the account summary…" />;
  if (preview.isError) {
    return (
      <PageError
        error={preview.error}
        title="Could not prepare the account summary"
        onRetry={() => void preview.refetch()}
      />
    );
  }
  const { statement, subject, html } = preview.data;
  const money = (cents: number) => formatMoney(cents, statement.currency);
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        As of {formatDay(statement.asOf)} · Past due {money(statement.pastDueCents)}
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table withTableBorder withColumnBorders aria-label="Aging">
          <Table.Thead>
            <Table.Tr>
              {buckets.map(([key, label]) => (
                <Table.Th key={key} style={{ textAlign: 'right' }}>
                  {label}
                </Table.Th>
              ))}
              <Table.Th style={{ textAlign: 'right' }}>Total</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <Table.Tr>
              {buckets.map(([key]) => (
                <Table.Td key={key} style={{ textAlign: 'right' }}>
                  {money(statement.aging[key])}
                </Table.Td>
              ))}
              <Table.Td style={{ textAlign: 'right' }} fw={700}>
                {money(statement.totalDueCents)}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="sm">
        <Text span fw={600}>
          Subject:
        </Text>{' '}
        {subject}
      </Text>
      <Box
        component="iframe"
        sandbox=""
        srcDoc={html}
        title="Account summary preview"
        style={{
          width: '100%',
          height: 640,
          border: '1px solid var(--mantine-color-default-border)',
          borderRadius: 'var(--mantine-radius-md)',
          background: 'white',
        }}
      />
    </Stack>
  );
}
