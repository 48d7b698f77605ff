import { z } from 'zod';
import { isValidDate } from '../dates.js';
import { calendarDate, instant, keysetPage } from './common.js';
import { pageLimit } from './fields.js';
import { autopaySkipReasons, autopayTimings } from './autopay.js';

/**
 * Staff's installation-wide views of automatic payments: the AutoPay Configurations report
 * (every organization's AutoPay: its rules, methods, locks and the last run's outcome; keyset
 * pages and a CSV export) and the Payments Calendar (the AutoPay charges and scheduled payments
 * due on each business date of a range, with totals per day). Money is integer minor units of
 * each row's currency; dates are business dates (YYYY-MM-DD, the MSP's time zone).
 */

/** The outcomes of the last AutoPay run at an organization's invoices, counted. */
export const autopayRunOutcome = z.object({
  /** The business date of the last run that tried one of the organization's invoices. */
  runDate: calendarDate,
  charged: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  /** Declined, tried again later. */
  retryScheduled: z.number().int(),
  /** Declined on the last try: the invoice left AutoPay for that cycle. */
  gaveUp: z.number().int(),
  /** What the charged tries took, in the organization's currency. */
  chargedCents: z.number().int(),
});
export type AutopayRunOutcome = z.infer<typeof autopayRunOutcome>;

/** One rule as the report shows it. */
export const autopayReportRule = z.object({
  id: z.guid(),
  position: z.number().int(),
  enabled: z.boolean(),
  locked: z.boolean(),
  /** The service categories' names; empty: every kind of service. */
  categories: z.array(z.string()),
  timing: z.enum(autopayTimings),
  days: z.number().int().nullable(),
  dayOfMonth: z.number().int().nullable(),
  /** When it charges, in the AutoPay page's words ("3 days before the due date"). */
  timingLabel: z.string(),
  /** "Visa •••• 4242"; null: the organization's default method at run time. */
  methodLabel: z.string().nullable(),
  maxAmountCents: z.number().int().nullable(),
});

/** An organization's AutoPay in the report. */
export const autopayReportRow = z.object({
  organizationId: z.guid(),
  organizationName: z.string(),
  currency: z.string(),
  /** "AutoPay Enabled". */
  enabled: z.boolean(),
  /** The MSP made AutoPay required: the client cannot turn it off. */
  required: z.boolean(),
  /** When staff recorded the client's authorization (null: none recorded). */
  authorizedAt: instant.nullable(),
  /** The default method the rules without a method of their own use now. */
  defaultMethodLabel: z.string().nullable(),
  rules: z.array(autopayReportRule),
  lastRun: autopayRunOutcome.nullable(),
});
export type AutopayReportRow = z.infer<typeof autopayReportRow>;

/** GET /api/autopay/report (and its CSV): narrow to organizations whose name has `search`. */
export const autopayReportFilters = z.object({
  search: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  /** Only organizations with AutoPay enabled (true) or not (false). */
  enabled: z
    .enum(['true', 'false'], 'must be true or false')
    .transform((value) => value === 'true')
    .optional(),
});
export type AutopayReportFilters = z.input<typeof autopayReportFilters>;

export const autopayReportQuery = autopayReportFilters.extend({
  cursor: z.string().max(500).optional(),
  limit: pageLimit,
});

/** GET /api/autopay/report: a page of organizations with AutoPay set up, by name. */
export const autopayReportPage = keysetPage('organizations', autopayReportRow);

/** A calendar date written YYYY-MM-DD. */
const dateText = z
  .string('must be a date (YYYY-MM-DD)')
  .refine(isValidDate, 'must be a date (YYYY-MM-DD)');

/** The longest range the calendar answers at once: a month grid with the weeks around it. */
export const maxCalendarDays = 62;

/** GET /api/payments-calendar: the business dates from `from` through `through` (inclusive). */
export const paymentsCalendarQuery = z
  .object({ from: dateText, through: dateText })
  .superRefine(({ from, through }, issues) => {
    if (!isValidDate(from) || !isValidDate(through)) return;
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
export type PaymentsCalendarQuery = z.infer<typeof paymentsCalendarQuery>;

/** How an AutoPay try ended, as the tables hold it. */
export const autopayAttemptOutcomeKinds = [
  'charged',
  'failed',
  'skipped',
  'retry_scheduled',
  'gave_up',
] as const;

/** The words staff read for each outcome. */
export const autopayAttemptOutcomeLabels: Record<
  (typeof autopayAttemptOutcomeKinds)[number],
  string
> = {
  charged: 'Charged',
  failed: 'Failed',
  skipped: 'Skipped',
  retry_scheduled: 'Declined, will try again',
  gave_up: 'Declined, left AutoPay for this cycle',
};

/**
 * What an AutoPay row of the calendar stands for: `planned`, what the run will do (today and
 * later days), or the outcome of a try a run made (today and earlier days).
 */
export const calendarAutopayOutcomes = ['planned', ...autopayAttemptOutcomeKinds] as const;

/**
 * An AutoPay row of a day: a charge the rules plan for it, or (today and before) a try a run
 * made on it.
 */
export const calendarAutopayCharge = z.object({
  organizationId: z.guid(),
  organizationName: z.string(),
  invoiceId: z.guid(),
  invoiceNumber: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  /** The method it would use, or the one it was charged with; null when there is none. */
  methodLabel: z.string().nullable(),
  /**
   * A planned row: why the run will not charge it (then it is not in the day's totals); null:
   * it will be. Null on a try made (its `reason` says why it was skipped or declined).
   */
  skipReason: z.enum(autopaySkipReasons).nullable(),
  outcome: z.enum(calendarAutopayOutcomes),
  /** A try made that was skipped or declined: why, in words; null otherwise. */
  reason: z.string().nullable(),
});

/**
 * A scheduled payment dated on a day: still to run (scheduled, processing), or what became of it
 * (paid, failed, skipped). Cancelled ones are not on the calendar.
 */
export const calendarScheduledPayment = z.object({
  id: z.guid(),
  organizationId: z.guid(),
  organizationName: z.string(),
  status: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  methodLabel: z.string(),
  invoiceNumbers: z.array(z.string()),
});

/** A total of a day in one currency. */
export const calendarTotal = z.object({ currency: z.string(), amountCents: z.number().int() });

/** A day of the calendar grid: what it holds, counted, and its totals. */
export const paymentsCalendarDaySummary = z.object({
  date: calendarDate,
  /**
   * AutoPay charges the rules plan for the day and (today and before) those a run made;
   * skipped ones and declined tries counted apart.
   */
  autopayCount: z.number().int(),
  skippedCount: z.number().int(),
  /** Tries a run made on the day that were declined (failed, to be retried, or given up). */
  failedCount: z.number().int(),
  scheduledCount: z.number().int(),
  /**
   * What the day takes, per currency: AutoPay charges planned (not skipped) or made, and
   * scheduled payments still to run or paid.
   */
  totals: z.array(calendarTotal),
});
export type PaymentsCalendarDaySummary = z.infer<typeof paymentsCalendarDaySummary>;

/** GET /api/payments-calendar: the days of the range that hold something, in date order. */
export const paymentsCalendarAnswer = z.object({
  from: calendarDate,
  through: calendarDate,
  /**
   * The MSP's today: AutoPay plans from it on; today and earlier days show what the runs did.
   */
  today: calendarDate,
  days: z.array(paymentsCalendarDaySummary),
});

/** GET /api/payments-calendar/day: one business date's charges and scheduled payments. */
export const paymentsCalendarDayQuery = z.object({
  date: dateText,
  /** The next page of the day's AutoPay charges (`nextCursor` of the page before). */
  cursor: z.string().max(500).optional(),
  limit: pageLimit,
});

/**
 * GET /api/payments-calendar/day: what one day holds: planned (today on) and made (today and
 * before). The AutoPay rows by organization name, then invoice number, a page at a time (a busy
 * day holds thousands); the scheduled payments all; the totals are the whole day's.
 */
export const paymentsCalendarDayAnswer = z.object({
  date: calendarDate,
  autopay: z.array(calendarAutopayCharge),
  /** Every AutoPay charge of the day, not just this page's. */
  autopayTotal: z.number().int(),
  nextCursor: z.string().nullable(),
  scheduled: z.array(calendarScheduledPayment),
  totals: z.array(calendarTotal),
});
export type PaymentsCalendarDayAnswer = z.infer<typeof paymentsCalendarDayAnswer>;

/** One invoice's try in an organization's last AutoPay run. */
export const autopayLastRunAttempt = z.object({
  invoiceId: z.guid(),
  invoiceNumber: z.string(),
  /** The business date the rule said to charge (the cycle). */
  cycleDueDate: calendarDate,
  /**
   * The try as the retry schedule counts it (1 = the first charge the processor received);
   * null for a try that never reached the processor.
   */
  tryNumber: z.number().int().nullable(),
  /**
   * The try's payment never reached the processor (the worker stopped before sending it): nothing
   * was charged, and the invoice was sent again at once.
   */
  notReached: z.boolean(),
  outcome: z.enum(autopayAttemptOutcomeKinds),
  /** Why it was skipped or failed, in words; null when it was charged. */
  reason: z.string().nullable(),
  amountCents: z.number().int().nullable(),
  currency: z.string(),
  /** The payment it made (charged or declined), by its number. */
  paymentNumber: z.string().nullable(),
  /** A declined try that will be tried again: on this business date. */
  nextTryOn: calendarDate.nullable(),
});

/** GET /api/organizations/{id}/autopay/last-run: its invoices' tries in the last run. */
export const autopayLastRunAnswer = z.object({
  /** null: the AutoPay run has not tried any of the organization's invoices yet. */
  runDate: calendarDate.nullable(),
  attempts: z.array(autopayLastRunAttempt),
});
