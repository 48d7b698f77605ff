import { Badge } from '@mantine/core';
import { paymentStatusLabel, type PaymentStatus } from '../../../src/shared/contract/payments';

const statusColors: Record<PaymentStatus, string> = {
  pending: 'yellow',
  processing: 'blue',
  succeeded: 'green',
  failed: 'red',
  returned: 'orange',
};

/**
 * A payment's status as a badge, for the console and the portal alike: "Refunded" or "Partly
 * refunded" for a completed payment with refunds (paymentStatusLabel).
 */
export function PaymentStatusBadge({
  payment,
}: {
  payment: { status: PaymentStatus; amountCents: number; refundedCents: number };
}) {
  const refunded = payment.status === 'succeeded' && payment.refundedCents > 0;
  return (
    <Badge variant="light" color={refunded ? 'gray' : statusColors[payment.status]}>
      {paymentStatusLabel(payment)}
    </Badge>
  );
}
