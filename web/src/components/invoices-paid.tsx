import { Stack, Text } from '@mantine/core';
import type { z } from 'zod';
import type { PaymentStatus, paymentAllocation } from '../../../src/shared/contract/payments';
import { formatMoney } from '../lib/money';

/** What a payment that moved no money says beside each invoice's amount. */
const notPaidNotes: Partial<Record<PaymentStatus, string>> = {
  failed: 'not paid',
  returned: 'returned',
  pending: 'being confirmed',
};

/**
 * "INV-1: $100.00": what a payment was to pay on each invoice; a failed, returned or
 * unconfirmed one says so, and a refund shows what is applied now. The same lines for the
 * client's Payment History and staff's Payments tab.
 */
export function InvoicesPaid({
  payment,
}: {
  payment: {
    status: PaymentStatus;
    currency: string;
    allocations: z.infer<typeof paymentAllocation>[];
  };
}) {
  const money = (cents: number) => formatMoney(cents, payment.currency);
  const note = notPaidNotes[payment.status];
  return (
    <Stack gap={2}>
      {payment.allocations.map((allocation) => (
        <Text size="sm" key={allocation.invoiceId}>
          {allocation.invoiceNumber}: {money(allocation.appliedCents)}
          {note
            ? ` (${note})`
            : allocation.amountCents !== allocation.appliedCents &&
              ` (${money(allocation.amountCents)} applied now)`}
        </Text>
      ))}
    </Stack>
  );
}
