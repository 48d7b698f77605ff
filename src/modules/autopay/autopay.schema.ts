import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/organizations.schema.js';
import { invoices } from '../invoices/invoices.schema.js';
import { paymentMethods, payments } from '../payments/payments.schema.js';
import { autopayTimings } from '../../shared/contract/autopay.js';

/**
 * The AutoPay module's tables (docs/decisions/0037-autopay-rules-and-plan.md). Money is integer
 * minor units of the organization's currency (one currency per organization). Dates are business
 * dates (YYYY-MM-DD in the MSP's time zone).
 */

/** When a rule charges an invoice (src/shared/contract/autopay.ts names each timing). */
export { autopayTimings };

/**
 * An AutoPay rule of an organization. Rules are tried in `position` order; the first enabled one
 * whose categories include the invoice's service category (empty = every category) and whose
 * cap, if any, is at least the invoice's balance pays it. `paymentMethodId` null: the
 * organization's default method at run time. Locked by staff: a contact cannot change it.
 */
export const autopayRules = pgTable(
  'autopay_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    position: integer('position').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Service category ids; empty: every category. */
    serviceCategoryIds: uuid('service_category_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    paymentMethodId: uuid('payment_method_id').references(() => paymentMethods.id),
    timing: text('timing', { enum: autopayTimings }).notNull(),
    /** Days before/after for the before/after timings; null otherwise. */
    days: integer('days'),
    /** 1..31 for day_of_month (31: the month's last day); null otherwise. */
    dayOfMonth: integer('day_of_month'),
    /** Only invoices whose balance is at most this much; null: no cap. */
    maxAmountCents: bigint('max_amount_cents', { mode: 'number' }),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
    lockedByStaffId: uuid('locked_by_staff_id'),
    createdByContactId: uuid('created_by_contact_id'),
    createdByStaffId: uuid('created_by_staff_id'),
    updatedByContactId: uuid('updated_by_contact_id'),
    updatedByStaffId: uuid('updated_by_staff_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('autopay_rules_organization_idx').on(t.organizationId, t.position),
    check('autopay_rules_days', sql`days IS NULL OR days BETWEEN 0 AND 365`),
    check('autopay_rules_day_of_month', sql`day_of_month IS NULL OR day_of_month BETWEEN 1 AND 31`),
    check('autopay_rules_cap_positive', sql`max_amount_cents IS NULL OR max_amount_cents > 0`),
  ],
);

/**
 * AutoPay per organization: the "AutoPay Enabled" switch, whether the MSP made it required (a
 * contact cannot turn it off), and the client's authorization staff recorded when they set
 * AutoPay up for the client (its words, who gave it, who recorded it and when).
 */
export const autopayOrganizations = pgTable('autopay_organizations', {
  organizationId: uuid('organization_id')
    .primaryKey()
    .references(() => organizations.id),
  enabled: boolean('enabled').notNull().default(false),
  required: boolean('required').notNull().default(false),
  requiredAt: timestamp('required_at', { withTimezone: true }),
  requiredByStaffId: uuid('required_by_staff_id'),
  authorizationText: text('authorization_text'),
  /** Who at the client gave the authorization, in words ("Dana Lee, by phone"). */
  authorizedBy: text('authorized_by'),
  authorizedAt: timestamp('authorized_at', { withTimezone: true }),
  authorizationRecordedByStaffId: uuid('authorization_recorded_by_staff_id'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const autopayAttemptOutcomes = [
  'charged',
  'failed',
  'skipped',
  'retry_scheduled',
  'gave_up',
] as const;

/**
 * One try of AutoPay at one invoice in one cycle. `cycleDueDate` is the business date the rule
 * said to charge; `tryNumber` counts from 1. The unique key makes a run that happens twice, at
 * once, write one row (and the payment's request key derives from the same three values).
 */
export const autopayAttempts = pgTable(
  'autopay_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    ruleId: uuid('rule_id').references(() => autopayRules.id),
    cycleDueDate: date('cycle_due_date', { mode: 'string' }).notNull(),
    tryNumber: integer('try_number').notNull(),
    /** The business date of the run that made this try. */
    runDate: date('run_date', { mode: 'string' }).notNull(),
    paymentId: uuid('payment_id').references(() => payments.id),
    amountCents: bigint('amount_cents', { mode: 'number' }),
    outcome: text('outcome', { enum: autopayAttemptOutcomes }).notNull(),
    /** Why it was skipped or failed, in words (or a skip reason code). */
    reason: text('reason'),
    nextTryOn: date('next_try_on', { mode: 'string' }),
    /**
     * The try's payment never reached the processor (failed `not_reached` by reconciliation,
     * decision 48): nothing was charged and no bank said no, so the try does not count against
     * the retries of a decline (autopay-retry.ts, declineTryNumber).
     */
    notReached: boolean('not_reached').notNull().default(false),
    /**
     * The business date the bank's return of this try's debit was recorded (autopay-returns.ts),
     * and the run whose AutoPay Summary told staff of it (null: not told yet). Null when the
     * debit was never returned.
     */
    returnedOn: date('returned_on', { mode: 'string' }),
    returnReportedOn: date('return_reported_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('autopay_attempts_cycle_try_idx').on(t.invoiceId, t.cycleDueDate, t.tryNumber),
    index('autopay_attempts_run_date_idx').on(t.runDate),
    index('autopay_attempts_next_try_idx')
      .on(t.nextTryOn)
      .where(sql`outcome = 'retry_scheduled'`),
    index('autopay_attempts_organization_idx').on(t.organizationId, t.createdAt),
    // The returns the next AutoPay Summary has to tell (a handful, told once).
    index('autopay_attempts_return_unreported_idx')
      .on(t.returnedOn)
      .where(sql`returned_on IS NOT NULL AND return_reported_on IS NULL`),
  ],
);

/** One AutoPay run per business date: when it started and finished and what it did. */
export const autopayRuns = pgTable('autopay_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  runDate: date('run_date', { mode: 'string' }).notNull().unique(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  /**
   * Set when the run has made every try of its plan and waits only for payments the processor
   * has not answered: the next ticks look at those payments alone, not at the whole plan again.
   */
  waitingSince: timestamp('waiting_since', { withTimezone: true }),
  chargedCount: integer('charged_count').notNull().default(0),
  failedCount: integer('failed_count').notNull().default(0),
  skippedCount: integer('skipped_count').notNull().default(0),
  chargedCents: bigint('charged_cents', { mode: 'number' }).notNull().default(0),
});
