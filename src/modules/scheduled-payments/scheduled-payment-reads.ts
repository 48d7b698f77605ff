import type { Pool, PoolClient } from '../../platform/database.js';
import { methodLabel } from '../payments/payment-methods.js';

/**
 * Of `invoiceIds`, the ones a scheduled payment will pay that has not run yet (status
 * `scheduled` or `processing`): AutoPay leaves them alone until it has run (issue: "a scheduled
 * payment takes the invoice out of AutoPay until it has run"). One query for the whole batch.
 */
export async function invoicesInScheduledPayments(
  db: Pool | PoolClient,
  invoiceIds: string[],
): Promise<Set<string>> {
  if (invoiceIds.length === 0) return new Set();
  const result = await db.query<{ invoiceId: string }>(
    `SELECT DISTINCT a.invoice_id AS "invoiceId"
       FROM scheduled_payment_allocations a
       JOIN scheduled_payments s ON s.id = a.scheduled_payment_id
      WHERE a.invoice_id = ANY($1::uuid[]) AND s.status IN ('scheduled', 'processing')`,
    [invoiceIds],
  );
  return new Set(result.rows.map((row) => row.invoiceId));
}

/** A scheduled payment as the Payments Calendar lists it. */
export interface ScheduledPaymentOnCalendar {
  id: string;
  organizationId: string;
  /** The business date it runs on (YYYY-MM-DD). */
  runOn: string;
  status: string;
  /** What it pays in all, in minor units of `currency`. */
  amountCents: number;
  currency: string;
  /** "Visa •••• 4242" (the payments module's words, by type, brand and last four). */
  methodLabel: string;
  invoiceNumbers: string[];
}

/**
 * Every organization's scheduled payments that run from `from` through `through` (business
 * dates, inclusive), cancelled ones left out, by date: the Payments Calendar's scheduled side.
 * One query for the range (scheduled_payments_organization_idx holds run_on second; the range
 * scan of a month is small).
 */
export async function scheduledPaymentsBetween(
  db: Pool | PoolClient,
  range: { from: string; through: string },
): Promise<ScheduledPaymentOnCalendar[]> {
  const result = await db.query<
    ScheduledPaymentOnCalendar & { type: string; brand: string | null; last4: string }
  >(
    `SELECT s.id, s.organization_id AS "organizationId", s.run_on AS "runOn", s.status,
            s.currency, m.type, m.brand, m.last4,
            coalesce(sum(a.amount_cents), 0)::bigint AS "amountCents",
            coalesce(array_agg(i.number ORDER BY i.number) FILTER (WHERE i.id IS NOT NULL),
                     '{}') AS "invoiceNumbers"
       FROM scheduled_payments s
       JOIN payment_methods m ON m.id = s.payment_method_id
       LEFT JOIN scheduled_payment_allocations a ON a.scheduled_payment_id = s.id
       LEFT JOIN invoices i ON i.id = a.invoice_id
      WHERE s.run_on BETWEEN $1 AND $2 AND s.status <> 'cancelled'
      GROUP BY s.id, m.id
      ORDER BY s.run_on, s.created_at, s.id`,
    [range.from, range.through],
  );
  return result.rows.map(({ type, brand, last4, ...payment }) => ({
    ...payment,
    methodLabel: methodLabel({ type: type as 'card' | 'ach', brand, last4 }),
  }));
}
