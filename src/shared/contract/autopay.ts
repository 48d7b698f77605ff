import { z } from 'zod';
import { calendarDate, instant } from './common.js';
import { optionalText, requiredText } from './fields.js';

/**
 * AutoPay (portal: Configuration > AutoPay; staff: the organization page). An organization has
 * "AutoPay Enabled" and an ordered list of rules; the first enabled rule that matches an open
 * invoice pays it (docs/decisions/0037-autopay-rules-and-plan.md). Money is integer minor units
 * of the organization's currency; dates are business dates (YYYY-MM-DD, MSP time zone).
 */

/**
 * When a rule charges an invoice: on the due date; `days` before or after the due date; `days`
 * after the invoice date; or on `dayOfMonth` (1..31, 31 = the month's last day: the first such
 * day on or after the invoice date).
 */
export const autopayTimings = [
  'due_date',
  'before_due_date',
  'after_due_date',
  'after_invoice_date',
  'day_of_month',
] as const;
export type AutopayTiming = (typeof autopayTimings)[number];

/** The words for each timing, as lists and the preview write them. */
export const autopayTimingLabels: Record<AutopayTiming, string> = {
  due_date: 'On the due date',
  before_due_date: 'Days before the due date',
  after_due_date: 'Days after the due date',
  after_invoice_date: 'Days after the invoice date',
  day_of_month: 'On a day of the month',
};

/** The most days a rule may wait or run ahead: a year. */
export const maxAutopayDays = 365;
/** The most rules one organization may have. */
export const maxAutopayRules = 20;

/**
 * Why the plan leaves an invoice alone this time, and the words people read for it:
 * a scheduled payment covers it; a payment of it is in flight; no method (no default and the
 * rule names none); the method is locked; the card will have expired on the charge date;
 * someone paid part of it since it was issued (AutoPay leaves such an invoice to people).
 */
export const autopaySkipReasons = [
  'covered_by_scheduled_payment',
  'in_flight',
  'no_method',
  'method_locked',
  'method_expired',
  'paid_in_part',
] as const;
export type AutopaySkipReason = (typeof autopaySkipReasons)[number];

export const autopaySkipReasonLabels: Record<AutopaySkipReason, string> = {
  covered_by_scheduled_payment: 'A scheduled payment covers this invoice',
  in_flight: 'A payment of this invoice is in progress',
  no_method: 'No payment method: the rule uses the default method and there is none',
  method_locked: 'The payment method is locked',
  method_expired: 'The card will have expired by then',
  paid_in_part: 'Part of this invoice was paid since it was issued',
};

/** A rule as both sides read it. */
export const autopayRule = z.object({
  id: z.guid(),
  /** 1, 2, 3 …: the order rules are tried in. */
  position: z.number().int(),
  enabled: z.boolean(),
  /** Service category ids; empty: every category ("All services"). */
  serviceCategoryIds: z.array(z.guid()),
  /** The saved method; null: the organization's default method, whichever it is at run time. */
  paymentMethodId: z.guid().nullable(),
  /** "Visa •••• 4242", or "Default method (Visa •••• 4242)", or "Default method (none)". */
  paymentMethodLabel: z.string(),
  timing: z.enum(autopayTimings),
  /** Days before/after (before/after timings); null otherwise. */
  days: z.number().int().nullable(),
  /** 1..31 (day_of_month; 31 = the month's last day); null otherwise. */
  dayOfMonth: z.number().int().nullable(),
  /** Only invoices whose balance is at most this; null: no cap. */
  maxAmountCents: z.number().int().nullable(),
  /** Locked by the MSP: the portal shows it greyed out and refuses a contact's change (403). */
  locked: z.boolean(),
  /** "On the due date", "3 days before the due date", "On the 31st (the month's last day)". */
  timingLabel: z.string(),
  updatedAt: instant,
});
export type AutopayRule = z.infer<typeof autopayRule>;

/** A service category a rule may name (Configuration > Billing), for the form's choices. */
export const autopayCategoryChoice = z.object({ id: z.guid(), name: z.string() });

/** The client's authorization staff recorded when they set AutoPay up for the client. */
export const autopayAuthorization = z.object({
  text: z.string(),
  /** Who at the client gave it, in words ("Dana Lee, by phone"). */
  authorizedBy: z.string(),
  authorizedAt: instant,
  /** The staff member who recorded it (staff answers only; the portal gets null). */
  recordedBy: z.string().nullable(),
});

/**
 * GET /api/portal/autopay: the organization's AutoPay as a contact sees it. `required`: the MSP
 * made AutoPay required, so `enabled` cannot be turned off; `canChange` false when the contact's
 * profile lacks "manage AutoPay" (the page is read-only). Locked rules say so per rule.
 */
export const portalAutopay = z.object({
  enabled: z.boolean(),
  required: z.boolean(),
  /** What is locked, in words, or null: "AutoPay is required by Acme IT", "Rule 1 is locked by Acme IT". */
  lockedReason: z.string().nullable(),
  canChange: z.boolean(),
  currency: z.string(),
  rules: z.array(autopayRule),
  serviceCategories: z.array(autopayCategoryChoice),
  authorization: autopayAuthorization.nullable(),
});
export type PortalAutopay = z.infer<typeof portalAutopay>;

/** One change in the AutoPay history staff read: when, who, what. */
export const autopayChange = z.object({
  at: instant,
  /**
   * Who made it, as the audit log names them: "Dana Lee (portal)" for a contact, "Sam Admin
   * <sam@msp.example>" for staff.
   */
  actor: z.string(),
  /** The change in words: "Turned AutoPay on; added rule 1 (Hosting, on the due date)". */
  summary: z.string(),
  /** Why staff changed it, as they wrote it with the change; null when none was written. */
  note: z.string().nullable(),
});

/** GET /api/organizations/{id}/autopay: the same, plus who changed what, for staff. */
export const staffAutopay = portalAutopay.omit({ canChange: true }).extend({
  /** When the MSP made AutoPay required, and who; null when it is not. */
  requiredAt: instant.nullable(),
  requiredBy: z.string().nullable(),
  changes: z.array(autopayChange),
});
export type StaffAutopay = z.infer<typeof staffAutopay>;

/**
 * A rule in a PUT: with `id`, the existing rule it changes; without, a new one. The list's order
 * is the rules' order; a rule left out is deleted. `paymentMethodId` null: the default method.
 * `maxAmountCents` in minor units: 0, negative or fractional (more decimals than the currency)
 * is a 400 naming `rules.<n>.maxAmountCents`.
 */
export const autopayRuleInput = z.object({
  id: z.uuid('must be a valid id').optional(),
  enabled: z.boolean('must be true or false').default(true),
  serviceCategoryIds: z
    .array(z.uuid('must be a valid id'), 'must be a list of service category ids')
    .max(100, 'at most 100 categories')
    .default([]),
  paymentMethodId: z.uuid('must be a valid id').nullable().default(null),
  timing: z.enum(autopayTimings, `must be one of ${autopayTimings.join(', ')}`),
  days: z
    .number('must be a whole number of days')
    .int('must be a whole number of days')
    .min(0, 'cannot be negative')
    .max(maxAutopayDays, `must be at most ${maxAutopayDays}`)
    .nullable()
    .optional(),
  dayOfMonth: z
    .number('must be a day of the month from 1 to 31')
    .int('must be a day of the month from 1 to 31')
    .min(1, 'must be a day of the month from 1 to 31')
    .max(31, 'must be a day of the month from 1 to 31 (31 is the month’s last day)')
    .nullable()
    .optional(),
  maxAmountCents: z.number('must be an amount in cents').nullable().default(null),
});
export type AutopayRuleInput = z.output<typeof autopayRuleInput>;

/** PUT /api/portal/autopay: AutoPay Enabled and the whole ordered list of rules. */
export const portalAutopayBody = z.object({
  enabled: z.boolean('must be true or false'),
  rules: z
    .array(autopayRuleInput, 'must be a list of rules')
    .max(maxAutopayRules, `at most ${maxAutopayRules} rules`),
});
export type PortalAutopayBody = z.infer<typeof portalAutopayBody>;

/**
 * PUT /api/organizations/{id}/autopay: the same, plus the MSP's side: lock a rule, make AutoPay
 * required, and record the client's authorization (required when staff turn AutoPay on for a
 * client that has none stored; 400 `authorization`).
 */
export const staffAutopayBody = z.object({
  enabled: z.boolean('must be true or false'),
  /** Left out: as it is. */
  required: z.boolean('must be true or false').optional(),
  rules: z
    .array(
      // `locked` left out: a kept rule stays as it was, a new one is not locked.
      autopayRuleInput.extend({ locked: z.boolean('must be true or false').optional() }),
    )
    .max(maxAutopayRules, `at most ${maxAutopayRules} rules`),
  authorization: z
    .object({
      text: requiredText(4000),
      authorizedBy: requiredText(200),
    })
    .nullable()
    .optional(),
  /** Why staff changed it (kept in the audit); optional. */
  note: optionalText(500).optional(),
});
export type StaffAutopayBody = z.infer<typeof staffAutopayBody>;

/**
 * GET …/autopay/preview?from=&through=: the window (default: today through 60 days from today,
 * at most 366 days). `from` after `through`, or a date that is not YYYY-MM-DD, is a 400.
 */
export const autopayPreviewQuery = z.object({
  from: z.iso.date('must be a date (YYYY-MM-DD)').optional(),
  through: z.iso.date('must be a date (YYYY-MM-DD)').optional(),
});

/** One invoice the rules cover in the window: when, how, how much, or why not. */
export const autopayPreviewItem = z.object({
  invoiceId: z.guid(),
  number: z.string(),
  ruleId: z.guid(),
  /** The rule's place in the list (1, 2 …). */
  rulePosition: z.number().int(),
  /** The business date the run charges it (a date already passed: today, the next run). */
  chargeOn: calendarDate,
  /**
   * Which try that is: 1 for the first charge, 2 and on for a retry of a soft decline or of a
   * returned debit (on its retry date).
   */
  tryNumber: z.number().int(),
  dueDate: calendarDate,
  paymentMethodId: z.guid().nullable(),
  /** "Visa •••• 4242"; null when there is no method. */
  paymentMethodLabel: z.string().nullable(),
  amountCents: z.number().int(),
  currency: z.string(),
  skipReason: z.enum(autopaySkipReasons).nullable(),
  /** The skip reason in words; null when it will be charged. */
  skipReasonText: z.string().nullable(),
});
export type AutopayPreviewItem = z.infer<typeof autopayPreviewItem>;

export const autopayPreview = z.object({
  from: calendarDate,
  through: calendarDate,
  charges: z.array(autopayPreviewItem),
  /** What would be charged (not skipped), in minor units of `currency`. */
  totalCents: z.number().int(),
  currency: z.string(),
});
export type AutopayPreview = z.infer<typeof autopayPreview>;
