import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/organizations.schema.js';
import { contacts } from '../contacts/contacts.schema.js';
import { invoices } from '../invoices/invoices.schema.js';
import { paymentMethods, payments } from '../payments/payments.schema.js';

/**
 * The scheduled-payments module's tables (docs/decisions, Scheduled Payments). A contact chose,
 * in Pay Selected, to pay some invoices on a future business date (the MSP's time zone); the
 * daily job charges it on that date through the payment core.
 */

/**
 * scheduled → processing → paid | failed | skipped (nothing left to pay);
 * scheduled → cancelled (the contact or staff). Only `scheduled` may be changed or cancelled:
 * once the job has claimed it (`processing`) it is the payment core's.
 */
export const scheduledPaymentStatuses = [
  'scheduled',
  'processing',
  'paid',
  'failed',
  'cancelled',
  'skipped',
] as const;

export const scheduledPayments = pgTable(
  'scheduled_payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    /** The contact who scheduled it: the one told about it (with the default notification contacts). */
    contactId: uuid('contact_id').references(() => contacts.id),
    paymentMethodId: uuid('payment_method_id')
      .notNull()
      .references(() => paymentMethods.id),
    /** The business date (YYYY-MM-DD, MSP's time zone) it is charged on. */
    runOn: text('run_on').notNull(),
    status: text('status', { enum: scheduledPaymentStatuses }).notNull().default('scheduled'),
    currency: text('currency').notNull(),
    /** The payment the run made (null until it ran, or when nothing was left to pay). */
    paymentId: uuid('payment_id').references(() => payments.id),
    /** Why it failed or was skipped, in words the contact reads. */
    outcomeMessage: text('outcome_message'),
    createdByContactId: uuid('created_by_contact_id'),
    createdByStaffId: uuid('created_by_staff_id'),
    changedByContactId: uuid('changed_by_contact_id'),
    changedByStaffId: uuid('changed_by_staff_id'),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('scheduled_payments_run_on_date', sql`run_on ~ '^\\d{4}-\\d{2}-\\d{2}$'`),
    index('scheduled_payments_organization_idx').on(t.organizationId, t.runOn),
    // The daily job's work list, and the Payments Calendar's range.
    index('scheduled_payments_due_idx')
      .on(t.runOn)
      .where(sql`status IN ('scheduled', 'processing')`),
  ],
);

/** Which invoices a scheduled payment pays, and how much of each (minor units, > 0). */
export const scheduledPaymentAllocations = pgTable(
  'scheduled_payment_allocations',
  {
    scheduledPaymentId: uuid('scheduled_payment_id')
      .notNull()
      .references(() => scheduledPayments.id, { onDelete: 'cascade' }),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scheduledPaymentId, t.invoiceId] }),
    check('scheduled_payment_allocations_amount_positive', sql`amount_cents > 0`),
    index('scheduled_payment_allocations_invoice_idx').on(t.invoiceId),
  ],
);
