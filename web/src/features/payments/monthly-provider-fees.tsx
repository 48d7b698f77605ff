import { Paper, Table, Text, Title } from '@mantine/core';
import { PageError, PageLoader } from '../../components/page-state';
import { formatCount } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { useMonthlyProviderFees } from './payment-methods-api';

/** "2026-11" → "November 2026", in the console's language, not the browser's time zone. */
function monthName(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return new Intl.DateTimeFormat('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year ?? 1970, (number ?? 1) - 1, 1)));
}

/**
 * The provider fee ledger for the whole installation, by month (the MSP's calendar): what the
 * processor charged for the payment methods clients added. Staff only.
 */
export function MonthlyProviderFeesSection() {
  const fees = useMonthlyProviderFees();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="monthly-provider-fees-heading">
      <Title order={2} size="h4" id="monthly-provider-fees-heading" mb="xs">
        Provider Fees by Month
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        One fee for each payment method a client added, across all organizations. Each
        organization&apos;s page lists its own.
      </Text>
      {fees.isPending ? (
        <PageLoader label="Loading provider fees…" />
      ) : fees.isError ? (
        <PageError error={fees.error} onRetry={() => void fees.refetch()} />
      ) : fees.data.months.length === 0 ? (
        <Text c="dimmed">No provider fees yet.</Text>
      ) : (
        <Table aria-labelledby="monthly-provider-fees-heading" maw={560}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Month</Table.Th>
              <Table.Th ta="right">Methods added</Table.Th>
              <Table.Th ta="right">Fees</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {fees.data.months.map((row) => (
              <Table.Tr key={row.month}>
                <Table.Td>{monthName(row.month)}</Table.Td>
                <Table.Td ta="right">{formatCount(row.count)}</Table.Td>
                <Table.Td ta="right">{formatMoney(row.amountCents, 'USD')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr>
              <Table.Th colSpan={2}>Total</Table.Th>
              <Table.Th ta="right">{formatMoney(fees.data.totalCents, 'USD')}</Table.Th>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      )}
    </Paper>
  );
}
