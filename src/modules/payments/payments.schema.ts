import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/organizations.schema.js';
import { invoices } from '../invoices/invoices.schema.js';
import { refundOrigins } from '../../shared/contract/staff-payments.js';

/**
 * The payments module's tables (docs/decisions/0028-payment-core.md). Money is integer minor
 * units of the row's currency. Card and bank numbers are never stored: only the gateway's
 * reference, the brand, the last four digits and the expiry.
 */

export const methodTypes = ['card', 'ach'] as const;

/**
 * A saved payment method of an organization. `removedAt` keeps the row (payments name it) while
 * hiding it and refusing charges. Locked: too many failed charges in a row, or a lost or stolen
 * card; unlocked by staff or by editing the method.
 */
export const paymentMethods = pgTable(
  'payment_methods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    gateway: text('gateway', { enum: ['sandbox', 'stripe'] }).notNull(),
    gatewayRef: text('gateway_ref').notNull(),
    customerRef: text('customer_ref'),
    type: text('type', { enum: methodTypes }).notNull(),
    friendlyName: text('friendly_name').notNull(),
    brand: text('brand'),
    last4: text('last4').notNull(),
    expMonth: integer('exp_month'),
    expYear: integer('exp_year'),
    bankName: text('bank_name'),
    billingName: text('billing_name').notNull(),
    billingAddressLine1: text('billing_address_line1').notNull().default(''),
    billingAddressLine2: text('billing_address_line2').notNull().default(''),
    billingCity: text('billing_city').notNull().default(''),
    billingRegion: text('billing_region').notNull().default(''),
    billingPostalCode: text('billing_postal_code').notNull().default(''),
    billingCountry: text('billing_country').notNull().default('US'),
    /** The authorization the contact agreed to ("I Agree"): its words, when, from where, who. */
    authorizationText: text('authorization_text').notNull(),
    authorizedAt: timestamp('authorized_at', { withTimezone: true }).notNull(),
    authorizedIp: text('authorized_ip').notNull(),
    authorizedByContactId: uuid('authorized_by_contact_id'),
    authorizedByStaffId: uuid('authorized_by_staff_id'),
    isDefault: boolean('is_default').notNull().default(false),
    /** Failed charges since the last success, unlock or edit. */
    failedChargeCount: integer('failed_charge_count').notNull().default(0),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
    lockedReason: text('locked_reason'),
    removedAt: timestamp('removed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('payment_methods_organization_idx').on(t.organizationId, t.createdAt),
    // One default per organization, among the methods not removed.
    uniqueIndex('payment_methods_one_default_idx')
      .on(t.organizationId)
      .where(sql`is_default AND removed_at IS NULL`),
  ],
);

/**
 * The one-time fee the MSP's processor charges for each new payment method a client adds
 * (PRODUCT.md: $0.50 by default). Staff see it; clients never do.
 */
export const providerFees = pgTable(
  'provider_fees',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    paymentMethodId: uuid('payment_method_id')
      .notNull()
      .unique()
      .references(() => paymentMethods.id),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull().default('USD'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('provider_fees_created_idx').on(t.createdAt)],
);

/**
 * Where a payment comes from: the portal's Pay Selected, AutoPay, a scheduled payment, or staff
 * recording money received outside the gateway (check, wire, cash).
 */
export const paymentSources = [
  'portal',
  'autopay',
  'scheduled',
  'staff_gateway',
  'manual',
] as const;
export const manualMethods = ['check', 'wire', 'cash', 'other'] as const;

/**
 * The payment state machine (docs/decisions/0028):
 *   pending → succeeded | failed | processing        (the gateway's answer)
 *   pending stays pending when the answer is lost     (reconciliation asks the gateway)
 *   processing → succeeded | returned                 (ACH settles or is returned)
 * Manual payments are born succeeded.
 */
export const paymentStatuses = [
  'pending',
  'processing',
  'succeeded',
  'failed',
  'returned',
] as const;

/** Where payment numbers come from: P-000001, P-000002, … (never reused, gaps allowed). */
export const paymentNumberSeq = pgSequence('payment_number_seq', { startWith: 1 });

export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** P-000123: what people read and quote. */
    number: text('number').notNull().unique(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    source: text('source', { enum: paymentSources }).notNull(),
    status: text('status', { enum: paymentStatuses }).notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** A gateway payment's method; null for a manual one. */
    paymentMethodId: uuid('payment_method_id').references(() => paymentMethods.id),
    /** card | ach for gateway payments; check | wire | cash | other for manual ones. */
    methodType: text('method_type').notNull(),
    /** What people read for the method: "Visa •••• 4242", "Check 1047". */
    methodLabel: text('method_label').notNull(),
    gateway: text('gateway', { enum: ['sandbox', 'stripe'] }),
    /** Sent with the charge; derived from the payment, so a retry can never charge twice. */
    idempotencyKey: text('idempotency_key').unique(),
    /** A key the client sent (Idempotency-Key header): the same request twice is one payment. */
    requestKey: text('request_key'),
    gatewayChargeRef: text('gateway_charge_ref'),
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    /** A manual payment's reference (check number, wire reference). */
    reference: text('reference').notNull().default(''),
    refundedCents: bigint('refunded_cents', { mode: 'number' }).notNull().default(0),
    createdByContactId: uuid('created_by_contact_id'),
    createdByStaffId: uuid('created_by_staff_id'),
    /** When the gateway was last asked about an unknown or processing outcome. */
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    receivedOn: text('received_on'),
    /**
     * The client's dispute (chargeback) of the charge at the processor, as the processor last
     * said: its reference, status (Stripe's: needs_response, under_review, won, lost, …),
     * reason and when Portico first heard of it. Null when never disputed.
     */
    disputeRef: text('dispute_ref'),
    disputeStatus: text('dispute_status'),
    disputeReason: text('dispute_reason'),
    disputedAt: timestamp('disputed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('payments_amount_positive', sql`amount_cents > 0`),
    check('payments_refund_within_amount', sql`refunded_cents BETWEEN 0 AND amount_cents`),
    index('payments_organization_idx').on(t.organizationId, t.createdAt.desc(), t.id),
    index('payments_created_idx').on(t.createdAt.desc(), t.id),
    // The reconciliation job's work list: outcomes not known yet.
    index('payments_unresolved_idx')
      .on(t.createdAt)
      .where(sql`status IN ('pending', 'processing')`),
    // The returned AutoPay debits job's work list (autopay-returns.ts, every minute): the few
    // returned debits in their order, not every payment (decision 44).
    index('payments_autopay_returned_idx')
      .on(t.updatedAt, t.id)
      .where(sql`status = 'returned' AND source = 'autopay'`),
    uniqueIndex('payments_request_key_idx')
      .on(t.organizationId, t.requestKey)
      .where(sql`request_key IS NOT NULL`),
  ],
);

/**
 * How much of a payment went to which invoice. `inFlight` is true while the payment's outcome is
 * not final (pending, or ACH processing): the partial unique index lets the database itself
 * refuse a second payment in flight for the same invoice, whatever the web process does.
 * A refund or a return lowers `amountCents` (kept ≥ 0) and reopens the invoice by as much.
 */
export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    /** What was applied first, before refunds and returns: the receipt shows it. */
    appliedCents: bigint('applied_cents', { mode: 'number' }).notNull(),
    inFlight: boolean('in_flight').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.paymentId, t.invoiceId] }),
    check('payment_allocations_amount', sql`amount_cents >= 0 AND amount_cents <= applied_cents`),
    index('payment_allocations_invoice_idx').on(t.invoiceId),
    uniqueIndex('payment_allocations_one_in_flight_idx')
      .on(t.invoiceId)
      .where(sql`in_flight`),
  ],
);

/** A refund of a gateway payment, in full or in part, through the gateway. */
export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** The key staff's request carried (Idempotency-Key header): the same request twice is one refund. */
    requestKey: text('request_key'),
    gatewayRefundRef: text('gateway_refund_ref'),
    reason: text('reason').notNull().default(''),
    /** The invoices staff chose to reopen first, in order; null: the newest first. */
    reopenInvoiceIds: uuid('reopen_invoice_ids').array(),
    failureMessage: text('failure_message'),
    createdByStaffId: uuid('created_by_staff_id'),
    /**
     * Where it comes from: staff in Portico, the processor's own dashboard (a Stripe refund
     * Portico learns of by webhook), or a dispute the client won at their bank.
     */
    origin: text('origin', { enum: refundOrigins }).notNull().default('staff'),
    /**
     * What the refund took back from each invoice when it was booked, so a refund the processor
     * fails afterwards can give it back.
     */
    reopened: jsonb('reopened').$type<{ invoiceId: string; amountCents: number }[]>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('refunds_amount_positive', sql`amount_cents > 0`),
    index('refunds_payment_idx').on(t.paymentId),
    uniqueIndex('refunds_request_key_idx')
      .on(t.paymentId, t.requestKey)
      .where(sql`request_key IS NOT NULL`),
  ],
);

/**
 * Payment Method Expiration Notices already sent, one row per method and step ("this-month",
 * "next-month"): inserted in the transaction that queues the email, so a rerun never sends twice.
 */
export const paymentMethodNotices = pgTable(
  'payment_method_notices',
  {
    paymentMethodId: uuid('payment_method_id')
      .notNull()
      .references(() => paymentMethods.id),
    step: text('step').notNull(),
    emailMessageId: uuid('email_message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.paymentMethodId, t.step] })],
);

/**
 * The outcome emails of a payment already queued, one row per payment and kind ("receipt",
 * "failed", "processing", "returned"): inserted in the transaction that queues them, so the
 * `payments.receipts` job run twice (a retry, two workers) sends them once.
 */
export const paymentReceiptsSent = pgTable(
  'payment_receipts_sent',
  {
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    kind: text('kind').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.paymentId, t.kind] })],
);
