import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/organizations.schema.js';

/** Service categories (Managed Services, Hosting, …): a list staff configure. */
export const serviceCategories = pgTable(
  'service_categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('service_categories_name_idx').on(sql`lower(${t.name})`)],
);

/** Tax rates in parts per million: 7.25 % is 72,500; 8.875 % is 88,750. */
export const taxRates = pgTable(
  'tax_rates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    ratePpm: integer('rate_ppm').notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tax_rates_name_idx').on(sql`lower(${t.name})`)],
);

export const invoiceStates = ['draft', 'issued', 'void'] as const;
export type InvoiceState = (typeof invoiceStates)[number];

/**
 * An invoice. Money is integer cents. `state` is the lifecycle staff drive (draft, issued,
 * void); the status people read (draft, open, partially paid, paid, void) follows from it
 * and the numbers. balance_cents is generated: what is still owed, total less what has been
 * paid, and 0 once the invoice is void.
 */
export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    number: text('number').notNull(),
    state: text('state', { enum: invoiceStates }).notNull().default('draft'),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    terms: text('terms').notNull(),
    currency: text('currency').notNull().default('USD'),
    serviceCategoryId: uuid('service_category_id')
      .notNull()
      .references(() => serviceCategories.id),
    taxRateId: uuid('tax_rate_id').references(() => taxRates.id),
    /** The tax rate as it was when the invoice was written, in parts per million. */
    taxRatePpm: integer('tax_rate_ppm').notNull().default(0),
    subtotalCents: bigint('subtotal_cents', { mode: 'number' }).notNull().default(0),
    taxCents: bigint('tax_cents', { mode: 'number' }).notNull().default(0),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull().default(0),
    amountPaidCents: bigint('amount_paid_cents', { mode: 'number' }).notNull().default(0),
    balanceCents: bigint('balance_cents', { mode: 'number' })
      .notNull()
      // Void means nothing is due, whatever was billed or paid.
      .generatedAlwaysAs(
        sql`CASE WHEN state = 'void' THEN 0 ELSE total_cents - amount_paid_cents END`,
      ),
    externalReference: text('external_reference'),
    memo: text('memo').notNull().default(''),
    voidReason: text('void_reason'),
    issuedAt: timestamp('issued_at', { withTimezone: true }),
    voidedAt: timestamp('voided_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One number, whatever its letter case: INV-1261 and inv-1261 cannot both exist. Also the
    // index an exact search by number reads.
    uniqueIndex('invoices_number_lower_idx').on(sql`lower(${t.number})`),
    // Find invoice (the staff list's search, any part of the number): a trigram index, so a
    // rare term is an index read rather than a walk of the whole list.
    index('invoices_number_trgm_idx').using('gin', sql`lower(${t.number}) gin_trgm_ops`),
    // The portal's open invoices and the statement: one organization's unpaid issued invoices.
    index('invoices_open_by_organization_idx')
      .on(t.organizationId, t.dueDate, t.id)
      .where(sql`state = 'issued' AND total_cents > amount_paid_cents`),
    index('invoices_organization_idx').on(t.organizationId, t.issueDate.desc(), t.id),
    // The staff list, newest first, filterable.
    index('invoices_issue_date_idx').on(t.issueDate.desc(), t.id),
    index('invoices_due_date_idx').on(t.dueDate, t.id),
    // The overdue list, most overdue first, across all organizations.
    index('invoices_open_due_idx')
      .on(t.dueDate, t.id)
      .where(sql`state = 'issued' AND total_cents > amount_paid_cents`),
  ],
);

/** A line: quantity in ten-thousandths (4 decimals), amount rounded half-up to the cent. */
export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    description: text('description').notNull(),
    quantityTenThousandths: bigint('quantity_ten_thousandths', { mode: 'number' }).notNull(),
    unitPriceCents: bigint('unit_price_cents', { mode: 'number' }).notNull(),
    taxable: boolean('taxable').notNull().default(true),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
  },
  (t) => [index('invoice_lines_invoice_idx').on(t.invoiceId, t.position)],
);

/**
 * Invoice Due notices already sent, one row per invoice and step ("before-7", "after-14"):
 * the daily job inserts the row in the same transaction as it queues the email, so running
 * twice never sends twice.
 */
export const invoiceNotices = pgTable(
  'invoice_notices',
  {
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    step: text('step').notNull(),
    emailMessageId: uuid('email_message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.invoiceId, t.step] })],
);
