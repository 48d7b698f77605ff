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

/** How staff read a dispute's state: open until the client's bank decides. */
function disputeLabel(status: string): { label: string; color: string } {
  if (status === 'lost') return { label: 'Dispute lost', color: 'red' };
  if (status === 'won' || status === 'warning_closed')
    return { label: 'Dispute won', color: 'teal' };
  return { label: 'Disputed', color: 'red' };
}

/**
 * A payment's dispute (chargeback) as a badge beside its status, for staff: "Disputed" while
 * the client's bank decides (with the client's reason as its title), then "Dispute won" or
 * "Dispute lost". Nothing when the payment was never disputed.
 */
export function DisputeBadge({ dispute }: { dispute: { status: string; reason: string } | null }) {
  if (!dispute) return null;
  const { label, color } = disputeLabel(dispute.status);
  return (
    <Badge
      variant="filled"
      color={color}
      ml={4}
      title={`Reason: ${dispute.reason.replaceAll('_', ' ')}`}
    >
      {label}
    </Badge>
  );
}
