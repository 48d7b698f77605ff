import type { Pool, PoolClient } from '../../platform/database.js';

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
