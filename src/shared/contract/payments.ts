import { z } from 'zod';
import { calendarDate, instant, keysetPage } from './common.js';

/**
 * The portal's payments: Pay Selected (POST /api/portal/payments), Payment History and a
 * payment's receipt (docs/decisions/0028-payment-core.md). Money is integer minor units of
 * `currency` (cents for USD); the web app reads typed amounts with src/shared/money.ts.
 */

/** The states of a payment (the state machine of decision 28). */
export const paymentStatuses = [
  'pending',
  'processing',
  'succeeded',
  'failed',
  'returned',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** How each status reads to a client. */
export const paymentStatusLabels: Record<PaymentStatus, string> = {
  pending: 'Confirming',
  processing: 'Processing',
  succeeded: 'Paid',
  failed: 'Failed',
  returned: 'Returned',
};

/**
 * How a payment's status reads, refunds included: a completed payment refunded in full reads
 * "Refunded", in part "Partly refunded"; every other status its label. One rule for the
 * console, the portal, the receipt PDF and the Transactions CSV.
 */
export function paymentStatusLabel(payment: {
  status: PaymentStatus;
  amountCents: number;
  refundedCents: number;
}): string {
  if (payment.status === 'succeeded' && payment.refundedCents > 0) {
    return payment.refundedCents >= payment.amountCents ? 'Refunded' : 'Partly refunded';
  }
  return paymentStatusLabels[payment.status];
}

/**
 * How a payment's page and PDF are headed, by its status: only a payment that took the money
 * (succeeded, or a bank payment settling) is a receipt "received from" and "paid by" someone; a
 * declined, returned or unconfirmed one says what it is, and names the amount it was for.
 * One rule for the portal's page and the PDF.
 */
export function paymentDocumentWording(status: PaymentStatus): {
  title: string;
  fromLabel: string;
  byLabel: string;
  /** The invoice column's heading for what the payment was to pay on each. */
  amountHeading: string;
  /** It took the money (succeeded, or a bank payment settling). */
  tookMoney: boolean;
} {
  const tookMoney = status === 'succeeded' || status === 'processing';
  const headings: Record<PaymentStatus, [title: string, amount: string]> = {
    succeeded: ['Payment receipt', 'Paid'],
    processing: ['Payment receipt', 'Paid'],
    failed: ['Failed payment', 'Amount (not paid)'],
    returned: ['Returned payment', 'Amount (returned)'],
    pending: ['Payment being confirmed', 'Amount (being confirmed)'],
  };
  const [title, amountHeading] = headings[status];
  return {
    title,
    fromLabel: tookMoney ? 'Received from' : 'Organization',
    byLabel: tookMoney ? 'Paid by' : 'Submitted by',
    amountHeading,
    tookMoney,
  };
}

/** How many invoices one payment may pay. */
export const maxInvoicesPerPayment = 100;

/**
 * The balance of an invoice as the client's page showed it (integer minor units), sent back with
 * a payment so that one made meanwhile is refused. A page never shows a negative or fractional
 * balance: such a value is a malformed request, a 400 naming the field.
 */
export const shownBalanceCents = z
  .number('must be an amount in cents')
  .int('must be a whole number of cents (minor units)')
  .min(0, 'cannot be negative');

/**
 * POST /api/portal/payments: the invoices to pay, each with the amount to apply (its balance
 * or less; integer minor units, so a fraction means more decimals than the currency has) and
 * optionally the balance the client saw, and the saved method to charge. An optional
 * `Idempotency-Key` header makes a retried request the same payment.
 */
export const payInvoicesBody = z.object({
  paymentMethodId: z.uuid('must be a valid id'),
  allocations: z
    .array(
      z.object({
        invoiceId: z.uuid('must be a valid id'),
        // Checked by the use case against the invoice's currency and balance, so the refusal
        // can say which invoice and why; here only that it is a number at all.
        amountCents: z.number('must be an amount in cents'),
        // The balance the client saw when it chose the amount (minor units). Sent, a payment
        // made meanwhile (another tab, an old page) is refused instead of paying the same
        // invoice again; AutoPay, which reads the balance itself, leaves it out.
        balanceCents: shownBalanceCents.optional(),
      }),
    )
    .min(1, 'choose at least one invoice')
    .max(maxInvoicesPerPayment, `at most ${maxInvoicesPerPayment} invoices in one payment`),
});
export type PayInvoicesBody = z.infer<typeof payInvoicesBody>;

/**
 * The request headers of a route that moves money: the client's own key for this request
 * (Idempotency-Key). Sent again (a retry after a lost answer, a double click), it answers what
 * the first request made instead of moving the money again.
 */
export const idempotencyKeyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional(),
});

/** What part of a payment went to one invoice. */
export const paymentAllocation = z.object({
  invoiceId: z.guid(),
  invoiceNumber: z.string(),
  /** What is applied now (lowered by refunds and returns; 0 for a failed payment). */
  amountCents: z.number().int(),
  /** What the client chose to pay on this invoice. */
  appliedCents: z.number().int(),
});

/** A payment as its payer reads it (no processor references, no idempotency keys). */
export const portalPayment = z.object({
  id: z.guid(),
  number: z.string(),
  status: z.enum(paymentStatuses),
  amountCents: z.number().int(),
  refundedCents: z.number().int(),
  currency: z.string(),
  /** "Visa •••• 4242", "Bank account •••• 6789", "Check 1047". */
  methodLabel: z.string(),
  methodType: z.string(),
  /** Why it failed or was returned, in plain words; null otherwise. */
  failureMessage: z.string().nullable(),
  createdAt: instant,
  /**
   * The day a payment staff recorded (a check, a wire) was received, which is its date for
   * the client; null for a payment made in the portal (its date is `createdAt`).
   */
  receivedOn: calendarDate.nullable(),
  allocations: z.array(paymentAllocation),
});

/**
 * POST /api/portal/payments answers 201 when the outcome is known (succeeded, processing for a
 * bank debit, or failed with the reason: a decline is an answer, not an error), and 202 with
 * status `pending` when the processor's answer did not arrive: the payment is confirmed in the
 * background, never charged twice.
 */
export const payInvoicesAnswer = z.object({ payment: portalPayment, message: z.string() });

/** GET /api/portal/payment-history: a page of payments, newest first. */
export const paymentHistoryPage = keysetPage('payments', portalPayment);

/** GET /api/portal/payments/{paymentId}: one payment's receipt. */
export const paymentReceipt = z.object({
  payment: portalPayment.extend({
    organizationName: z.string(),
    /** Who paid (the contact), or null for a payment staff recorded. */
    paidBy: z.string().nullable(),
    reference: z.string(),
  }),
});
