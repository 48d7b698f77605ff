import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * The sandbox processor's own tables (docs/decisions/0030-sandbox-processor-module.md): what an
 * external processor would keep on its side. No Portico table references them, and they
 * reference none of Portico's. A full card number, a bank account number and a CVC are never
 * stored: a token keeps the brand, the last four digits, the expiry and the test outcome the
 * number stands for (../shared/reference/test-cards.md), which is all a charge needs.
 */

export const sandboxMethodTypes = ['card', 'ach'] as const;

/**
 * What a test number stands for: `succeeds`, a decline code for a card
 * (`insufficient_funds`, `lost_card`, …, `card_declined` for the card that saves but never
 * charges), or the return reason an ACH debit gets when it settles (`no_account`, …).
 */
export type SandboxOutcome = string;

/** A token the browser got for card or bank data; single-use (saving a method consumes it). */
export const sandboxTokens = pgTable('sandbox_tokens', {
  id: text('id').primaryKey(),
  type: text('type', { enum: sandboxMethodTypes }).notNull(),
  brand: text('brand'),
  last4: text('last4').notNull(),
  expMonth: integer('exp_month'),
  expYear: integer('exp_year'),
  bankName: text('bank_name'),
  /** 'checking' or 'savings' for a bank account. */
  accountType: text('account_type'),
  holderName: text('holder_name').notNull().default(''),
  outcome: text('outcome').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  usedAt: timestamp('used_at', { withTimezone: true }),
});

/** A saved, reusable method (`pm_sbx_…`), made from one token. */
export const sandboxMethods = pgTable('sandbox_methods', {
  id: text('id').primaryKey(),
  tokenId: text('token_id').notNull(),
  /** The id the merchant (Portico) gave for its customer; kept as the processor's metadata. */
  customerLabel: text('customer_label').notNull().default(''),
  billingName: text('billing_name').notNull().default(''),
  type: text('type', { enum: sandboxMethodTypes }).notNull(),
  brand: text('brand'),
  last4: text('last4').notNull(),
  expMonth: integer('exp_month'),
  expYear: integer('exp_year'),
  bankName: text('bank_name'),
  outcome: text('outcome').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  detachedAt: timestamp('detached_at', { withTimezone: true }),
});

export const sandboxChargeStatuses = ['processing', 'succeeded', 'failed'] as const;

/**
 * The ledger of charges: one row per idempotency key, declined ones included (a processor
 * records an attempt that was declined). An ACH debit is `processing` until `settles_at`, when
 * it succeeds or fails with `settlement_failure_code` (decided when it was made, from the test
 * account).
 */
export const sandboxCharges = pgTable(
  'sandbox_charges',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** SHA-256 of the request's parameters: the same key with others is refused. */
    requestFingerprint: text('request_fingerprint').notNull(),
    methodId: text('method_id')
      .notNull()
      .references(() => sandboxMethods.id),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    description: text('description').notNull().default(''),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    status: text('status', { enum: sandboxChargeStatuses }).notNull(),
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    refundedCents: bigint('refunded_cents', { mode: 'number' }).notNull().default(0),
    settlesAt: timestamp('settles_at', { withTimezone: true }),
    settlementFailureCode: text('settlement_failure_code'),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('sandbox_charges_amount_positive', sql`${t.amountCents} > 0`),
    check(
      'sandbox_charges_refund_within_amount',
      sql`${t.refundedCents} >= 0 AND ${t.refundedCents} <= ${t.amountCents}`,
    ),
    index('sandbox_charges_method_idx').on(t.methodId),
  ],
);

/** The ledger of refunds, one row per idempotency key. */
export const sandboxRefunds = pgTable(
  'sandbox_refunds',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    requestFingerprint: text('request_fingerprint').notNull(),
    chargeId: text('charge_id')
      .notNull()
      .references(() => sandboxCharges.id),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['succeeded', 'pending', 'failed'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('sandbox_refunds_amount_positive', sql`${t.amountCents} > 0`),
    index('sandbox_refunds_charge_idx').on(t.chargeId),
  ],
);
