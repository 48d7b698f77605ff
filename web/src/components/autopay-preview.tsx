import { Table, Text } from '@mantine/core';
import type { autopayPreview } from '../../../src/shared/contract/autopay';
import type { Answer } from '../../../src/shared/contract/common';
import { formatDay } from '../lib/format';
import { ResponsiveTable } from './responsive-table';
import { formatMoney } from '../lib/money';

/**
 * The AutoPay preview, for the client and for staff: the open invoices the rules would charge
 * in the window, on which business date, with which method and how much; an invoice left alone
 * says why. It is the plan the run itself follows (docs/decisions/0035), not a copy.
 */
export function AutopayPreviewTable({
  preview,
  autopayEnabled,
}: {
  preview: Answer<typeof autopayPreview>;
  /** The saved "AutoPay Enabled": off, the rules charge nothing, whatever they cover. */
  autopayEnabled: boolean;
}) {
  if (!autopayEnabled) {
    return (
      <Text c="dimmed" size="sm">
        AutoPay is off: nothing will be charged. Tick AutoPay Enabled and save to see what the rules
        would charge.
      </Text>
    );
  }
  if (preview.charges.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No open invoice is covered by the rules from {formatDay(preview.from)} through{' '}
        {formatDay(preview.through)}.
      </Text>
    );
  }
  return (
    <>
      <ResponsiveTable minWidth={640}>
        <Table verticalSpacing="xs" aria-label="AutoPay preview">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Invoice</Table.Th>
              <Table.Th>Charge on</Table.Th>
              <Table.Th>Payment method</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th>What happens</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.charges.map((charge) => (
              <Table.Tr key={`${charge.invoiceId}:${charge.chargeOn}`}>
                <Table.Td style={{ whiteSpace: 'nowrap' }} data-label="Invoice">
                  {charge.number}
                </Table.Td>
                <Table.Td data-label="Charge on">{formatDay(charge.chargeOn)}</Table.Td>
                <Table.Td data-label="Payment method">
                  {charge.paymentMethodLabel ?? 'None'}
                </Table.Td>
                <Table.Td ta="right" data-label="Amount">
                  {formatMoney(charge.amountCents, charge.currency)}
                </Table.Td>
                <Table.Td data-label="What happens">
                  {charge.skipReason ? (
                    <Text size="sm" c="dimmed">
                      Skipped: {charge.skipReasonText ?? charge.skipReason}
                    </Text>
                  ) : (
                    <Text size="sm" c="green.8" fw={500}>
                      {charge.tryNumber > 1
                        ? `Will be tried again (try ${charge.tryNumber}, rule ${charge.rulePosition})`
                        : `Will be charged (rule ${charge.rulePosition})`}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ResponsiveTable>
      <Text size="sm" fw={500}>
        Total to be charged from {formatDay(preview.from)} through {formatDay(preview.through)}:{' '}
        {formatMoney(preview.totalCents, preview.currency)}
      </Text>
    </>
  );
}
