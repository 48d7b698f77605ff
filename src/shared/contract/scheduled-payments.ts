import { z } from 'zod';
import { calendarDate, instant } from './common.js';
import { maxCalendarDays } from './autopay-report.js';
import { maxInvoicesPerPayment, shownBalanceCents } from './payments.js';

/**
 * Scheduled Payments (portal: Billing > Scheduled Payments; staff: the organization page and the
 * Payments Calendar). A contact chooses, in Pay Selected, a future business date (YYYY-MM-DD,
 * the MSP's time zone): that stores the invoices, amounts (integer minor units) and method, and
 * the daily job charges them on that date through the payment core
 * (docs/decisions/0036-scheduled-payments.md).
 */

/**
 * scheduled → processing (the daily job has claimed it) → paid | failed | skipped (nothing was
 * left to pay); scheduled → cancelled. Only a `scheduled` one may be changed or cancelled.
 */
export const scheduledPaymentStatuses = [
  'scheduled',
  'processing',
  'paid',
  'failed',
  'cancelled',
  'skipped',
] as const;
export type ScheduledPaymentStatus = (typeof scheduledPaymentStatuses)[number];

export const scheduledPaymentStatusLabels: Record<ScheduledPaymentStatus, string> = {
  scheduled: 'Scheduled',
  processing: 'Processing',
  paid: 'Paid',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

/** A business date as the API takes it: YYYY-MM-DD, a real calendar day. */
export const businessDateInput = z
  .string('must be a date (YYYY-MM-DD)')
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'is not a day of the calendar');

const allocationInput = z.object({
  invoiceId: z.uuid('must be a valid id'),
  // Checked by the use case against the invoice's currency and balance (as Pay Selected does),
  // so the refusal can say which invoice and why.
  amountCents: z.number('must be an amount in cents'),
  /** The balance the contact saw (minor units): a payment made meanwhile is refused. */
  balanceCents: shownBalanceCents.optional(),
});

/** POST /api/portal/scheduled-payments: Pay Selected with a future date. */
export const schedulePaymentBody = z.object({
  paymentMethodId: z.uuid('must be a valid id'),
  runOn: businessDateInput,
  allocations: z
    .array(allocationInput)
    .min(1, 'choose at least one invoice')
    .max(maxInvoicesPerPayment, `at most ${maxInvoicesPerPayment} invoices in one payment`),
});
export type SchedulePaymentBody = z.infer<typeof schedulePaymentBody>;

/**
 * PATCH /api/portal/scheduled-payments/{id}: a new date, new amounts for invoices it pays
 * (each listed invoice must be one of them; those not listed keep their amount), or both.
 */
export const changeScheduledPaymentBody = z
  .object({
    runOn: businessDateInput.optional(),
    allocations: z
      .array(allocationInput.omit({ balanceCents: true }))
      .min(1, 'choose at least one invoice')
      .max(maxInvoicesPerPayment)
      .optional(),
  })
  .refine((body) => body.runOn !== undefined || body.allocations !== undefined, {
    message: 'change the date or an amount',
    path: ['runOn'],
  });
export type ChangeScheduledPaymentBody = z.infer<typeof changeScheduledPaymentBody>;

/** What a scheduled payment pays on one invoice. */
export const scheduledPaymentAllocation = z.object({
  invoiceId: z.guid(),
  invoiceNumber: z.string(),
  /**
   * What it will pay on the invoice; once it ran, what its payment took there (the run caps an
   * amount at what was still owed, and pays 0 on an invoice paid meanwhile).
   */
  amountCents: z.number().int(),
  /** What the invoice owes now (minor units). */
  balanceCents: z.number().int(),
});

/** A scheduled payment as the contact and staff read it. */
export const scheduledPayment = z.object({
  id: z.guid(),
  organizationId: z.guid(),
  organizationName: z.string(),
  runOn: calendarDate,
  status: z.enum(scheduledPaymentStatuses),
  currency: z.string(),
  totalCents: z.number().int(),
  paymentMethodId: z.guid(),
  /** "Company card (Visa •••• 4242)". */
  methodLabel: z.string(),
  /** Who scheduled it (a contact's name), or null. */
  scheduledBy: z.string().nullable(),
  /** The payment the run made, once it ran. */
  paymentId: z.guid().nullable(),
  paymentNumber: z.string().nullable(),
  /** What the run did beside charging (an invoice paid meanwhile, a failure), in words. */
  outcomeMessage: z.string().nullable(),
  createdAt: instant,
  allocations: z.array(scheduledPaymentAllocation),
});
export type ScheduledPayment = z.infer<typeof scheduledPayment>;

/** GET /api/portal/scheduled-payments and the organization page's list: soonest first. */
export const scheduledPaymentList = z.object({ scheduledPayments: z.array(scheduledPayment) });

/** The answer to scheduling, changing or cancelling: the payment as it is now, and a sentence. */
export const scheduledPaymentAnswer = z.object({
  scheduledPayment,
  message: z.string(),
});

/**
 * GET /api/scheduled-payments?from&through: the Payments Calendar's scheduled payments, over at
 * most the calendar's range (`maxCalendarDays`), so one request cannot list every payment ever
 * scheduled by every organization.
 */
export const scheduledPaymentsRange = z
  .object({
    from: businessDateInput,
    through: businessDateInput,
  })
  .superRefine(({ from, through }, issues) => {
    const days =
      (Date.parse(`${through}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
    if (days < 0) {
      issues.addIssue({ code: 'custom', path: ['through'], message: 'must be on or after from' });
    } else if (days >= maxCalendarDays) {
      issues.addIssue({
        code: 'custom',
        path: ['through'],
        message: `must be at most ${maxCalendarDays - 1} days after from`,
      });
    }
  });
