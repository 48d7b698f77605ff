import { z } from 'zod';
import { isValidDate } from '../dates.js';
import { calendarDate, instant, keysetPage } from './common.js';
import { optionalText } from './fields.js';
import {
  maxInvoicesPerPayment,
  paymentAllocation,
  paymentStatusLabels,
  paymentStatuses,
} from './payments.js';

/**
 * Staff's side of payments (docs/decisions/0028-payment-core.md): the installation-wide
 * Transactions list and its CSV export, an organization's Payments tab (payments, refunds,
 * unapplied credit), recording a manual payment, refunds and applying credit; and the portal's
 * credits view. Money is integer minor units of `currency`; the web app reads typed amounts
 * with src/shared/money.ts.
 */

/** How money received outside the gateway came in. */
export const manualPaymentMethods = ['check', 'wire', 'cash', 'other'] as const;
export type ManualPaymentMethod = (typeof manualPaymentMethods)[number];

/** How each manual method reads ("Check 1047"). */
export const manualMethodLabels: Record<ManualPaymentMethod, string> = {
  check: 'Check',
  wire: 'Wire transfer',
  cash: 'Cash',
  other: 'Other',
};

/** The method types the Transactions list filters by: the gateway's and the manual ones. */
export const transactionMethodTypes = ['card', 'ach', ...manualPaymentMethods] as const;
export type TransactionMethodType = (typeof transactionMethodTypes)[number];

/** How each method type reads: the list's filter and its CSV export say the same. */
export const transactionMethodTypeLabels: Record<TransactionMethodType, string> = {
  card: 'Card',
  ach: 'Bank account (ACH)',
  ...manualMethodLabels,
};

/** Where a payment came from, as staff read it. */
export const paymentSourceLabels: Record<string, string> = {
  portal: 'Portal',
  autopay: 'AutoPay',
  scheduled: 'Scheduled',
  staff_gateway: 'Staff',
  manual: 'Recorded by staff',
};

/** Where a refund comes from (see staffRefund.origin). */
export const refundOrigins = ['staff', 'processor', 'dispute'] as const;

/** A refund of a payment, in full or in part. */
export const staffRefund = z.object({
  id: z.guid(),
  paymentId: z.guid(),
  paymentNumber: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  /** pending: sent to the processor, answer not known yet; failed: nothing was refunded. */
  status: z.enum(['pending', 'succeeded', 'failed']),
  reason: z.string(),
  failureMessage: z.string().nullable(),
  /** The staff user who issued it; null for one made at the processor or by a lost dispute. */
  createdBy: z.string().nullable(),
  /** staff: issued in Portico; processor: made in the processor's dashboard; dispute: lost. */
  origin: z.enum(refundOrigins),
  createdAt: instant,
});

/**
 * A client's dispute (chargeback) of a payment at the processor, as the processor last said:
 * open while `status` is neither won nor lost (Stripe's needs_response, under_review, …).
 */
export const paymentDispute = z.object({
  status: z.string(),
  /** Why the client disputed it, in the processor's code (fraudulent, duplicate, …). */
  reason: z.string(),
  openedAt: instant,
});

/** A payment as staff read it: the client's view plus where it came from and what is left. */
export const staffPayment = z.object({
  id: z.guid(),
  number: z.string(),
  organizationId: z.guid(),
  organizationName: z.string(),
  source: z.string(),
  status: z.enum(paymentStatuses),
  amountCents: z.number().int(),
  refundedCents: z.number().int(),
  /** Money of a succeeded payment applied to no invoice (amount − refunded − allocations). */
  unappliedCents: z.number().int(),
  currency: z.string(),
  methodType: z.string(),
  methodLabel: z.string(),
  reference: z.string(),
  /** The business date the money came in: a manual payment's received date, else its day. */
  paidOn: calendarDate,
  failureMessage: z.string().nullable(),
  /** Who paid (the contact) or who recorded it (staff). */
  createdBy: z.string().nullable(),
  createdAt: instant,
  allocations: z.array(paymentAllocation),
  /** The client's dispute of the charge, when there is one (open, won or lost). */
  dispute: paymentDispute.nullable(),
});

/** A calendar date written YYYY-MM-DD. */
const dateText = z
  .string('must be a date (YYYY-MM-DD)')
  .refine(isValidDate, 'must be a date (YYYY-MM-DD)');

/**
 * The statuses the Transactions list filters by: a payment's status, with a completed one split
 * as the list words it (paymentStatusLabel): `succeeded` is paid and not refunded,
 * `partly_refunded` and `refunded` are completed payments refunded in part or in full.
 */
export const transactionStatuses = [...paymentStatuses, 'partly_refunded', 'refunded'] as const;
export type TransactionStatus = (typeof transactionStatuses)[number];

/** The Status filter's words, as the list shows each status. */
export const transactionStatusLabels: Record<TransactionStatus, string> = {
  ...paymentStatusLabels,
  partly_refunded: 'Partly refunded',
  refunded: 'Refunded',
};

/** GET /api/payments (and its CSV export): the filters; dates are the MSP's business dates. */
export const transactionFilters = z.object({
  from: dateText.optional(),
  to: dateText.optional(),
  status: z
    .enum(transactionStatuses, `must be one of: ${transactionStatuses.join(', ')}`)
    .optional(),
  methodType: z
    .enum(transactionMethodTypes, `must be one of: ${transactionMethodTypes.join(', ')}`)
    .optional(),
  organizationId: z.uuid('must be a valid id').optional(),
});
export type TransactionFilters = z.infer<typeof transactionFilters>;

/**
 * Where the Transactions list stops counting: past it, counting every payment of a huge table
 * on each page would cost more than the page, and "10,000+" tells staff as much as the exact
 * figure.
 */
export const transactionCountCap = 10_000;

/**
 * GET /api/payments: a page of payments, newest first. `total` is the exact count up to
 * transactionCountCap; `totalCapped` is true when the list holds more than that (the console
 * reads "10,000+").
 */
export const transactionsPage = keysetPage('payments', staffPayment).extend({
  totalCapped: z.boolean(),
});

/** An organization's unapplied credit in one currency. */
export const creditBalance = z.object({ currency: z.string(), unappliedCents: z.number().int() });

/**
 * GET /api/organizations/{id}/payments: the organization's Payments tab, its refunds and
 * unapplied credit; its payments are the Transactions list filtered by the organization.
 */
export const organizationPaymentsAnswer = z.object({
  refunds: z.array(staffRefund),
  credits: z.array(creditBalance),
});

/** An allocation staff choose: an open invoice of the organization and the amount for it. */
const allocationBody = z.object({
  invoiceId: z.uuid('must be a valid id'),
  // Checked by the use case against the invoice's currency and balance.
  amountCents: z.number('must be an amount in cents'),
});

/**
 * POST /api/organizations/{id}/payments: money received outside the gateway. `amountCents` is
 * what came in; `allocations` (each ≤ the invoice's balance) may use all of it or part, and
 * what is left stays as unapplied credit. The currency is the organization's.
 */
export const manualPaymentBody = z.object({
  method: z.enum(manualPaymentMethods, `must be one of: ${manualPaymentMethods.join(', ')}`),
  reference: optionalText(100).default(''),
  receivedOn: dateText,
  amountCents: z.number('must be an amount in cents'),
  allocations: z
    .array(allocationBody)
    .max(maxInvoicesPerPayment, `at most ${maxInvoicesPerPayment} invoices in one payment`)
    .default([]),
});
export type ManualPaymentBody = z.input<typeof manualPaymentBody>;

/** POST /api/organizations/{id}/payments: the payment as recorded. */
export const staffPaymentAnswer = z.object({ payment: staffPayment });

/**
 * POST /api/organizations/{id}/payments/{paymentId}/refunds. `invoiceIds` says which invoices
 * to reopen first (in that order); without it, the newest invoices reopen first. Unapplied
 * credit is refunded before any invoice reopens.
 */
export const refundBody = z.object({
  amountCents: z.number('must be an amount in cents'),
  reason: optionalText(500).default(''),
  invoiceIds: z.array(z.uuid('must be a valid id')).max(maxInvoicesPerPayment).optional(),
});
export type RefundBody = z.input<typeof refundBody>;

/** The refund and the payment after it. */
export const refundAnswer = z.object({
  refund: staffRefund,
  payment: staffPayment,
  message: z.string(),
});

/** POST /api/organizations/{id}/credits/apply: unapplied credit to open invoices. */
export const applyCreditBody = z.object({
  allocations: z
    .array(allocationBody)
    .min(1, 'choose at least one invoice')
    .max(maxInvoicesPerPayment, `at most ${maxInvoicesPerPayment} invoices at once`),
});
export type ApplyCreditBody = z.input<typeof applyCreditBody>;

/** What applying credit did: the payments whose credit was used, after. */
export const applyCreditAnswer = z.object({
  payments: z.array(staffPayment),
  credits: z.array(creditBalance),
});

/** GET /api/portal/credits: the organization's unapplied credit and where it comes from. */
export const portalCreditsAnswer = z.object({
  credits: z.array(creditBalance),
  payments: z.array(
    z.object({
      id: z.guid(),
      number: z.string(),
      paidOn: calendarDate,
      methodLabel: z.string(),
      currency: z.string(),
      amountCents: z.number().int(),
      unappliedCents: z.number().int(),
    }),
  ),
});
