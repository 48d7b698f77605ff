import { Stack, Table, Text } from '@mantine/core';
import { formatDay } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { usePortalCredits } from '../api/portal-credits';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { FeaturePage } from './feature-pages';

/**
 * Billing > Credits: money the organization paid that no invoice holds yet (an overpayment, a
 * check for more than was owed), and the payments it comes from. The MSP applies it to open
 * invoices.
 */
export function CreditsPage() {
  const query = usePortalCredits();
  return (
    <FeaturePage
      title="Credits"
      intro="Money you paid that is not applied to an invoice yet. We apply it to your open invoices."
    >
      <PortalQueryState query={query} loadingLabel="Loading credits…">
        {(data) =>
          data.credits.length === 0 ? (
            <EmptyState>You have no unapplied credit.</EmptyState>
          ) : (
            <Stack>
              <Text size="lg" aria-label="Unapplied credit">
                Unapplied credit:{' '}
                <strong>
                  {data.credits.map((c) => formatMoney(c.unappliedCents, c.currency)).join(', ')}
                </strong>
              </Text>
              <Table striped withTableBorder aria-label="Payments with unapplied credit">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Date</Table.Th>
                    <Table.Th>Payment</Table.Th>
                    <Table.Th>Method</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>Amount</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>Unapplied</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.payments.map((payment) => (
                    <Table.Tr key={payment.id}>
                      <Table.Td>{formatDay(payment.paidOn)}</Table.Td>
                      <Table.Td>{payment.number}</Table.Td>
                      <Table.Td>{payment.methodLabel}</Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>
                        {formatMoney(payment.amountCents, payment.currency)}
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>
                        {formatMoney(payment.unappliedCents, payment.currency)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          )
        }
      </PortalQueryState>
    </FeaturePage>
  );
}
