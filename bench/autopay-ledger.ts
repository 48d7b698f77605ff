/**
 * The proof of the AutoPay chaos run and benchmark: the sandbox processor's own ledger (its
 * tables) against Portico's payments, their allocations and the seeded invoices.
 */
import type { Pool } from '../src/platform/database.js';

export interface AutopayLedgerCheck {
  /** Charges in the sandbox's ledger (all), and those that succeeded. */
  charges: number;
  succeededCharges: number;
  /** Invoices charged more than once at the sandbox, plus charges no Portico payment names. */
  doubleCharges: number;
  /** Of which: charges no payment names. */
  chargesWithoutPayment: number;
  /**
   * Seeded invoices due and not paid: of an organization whose card pays (nothing may stop
   * them), or with no payment declined, no AutoPay try failed and no skip for good, each with
   * its reason: AutoPay missed them.
   */
  invoicesMissed: number;
  /** Payments not in a final state (pending, or processing). */
  paymentsNotFinal: number;
  /** Payments whose status is not their charge's (or succeeded with no charge). */
  statusesOff: number;
  /** Invoices whose paid amount is not what their succeeded payments applied. */
  invoicesOff: number;
  /** Seeded invoices paid in full, and failed or skipped with a reason (declining cards). */
  invoicesPaid: number;
  invoicesFailedWithReason: number;
  /** Payments by status. */
  payments: Record<string, number>;
  /** Sums: what the sandbox took, what Portico shows as paid. */
  chargedCents: number;
  paidCents: number;
}

/**
 * Compares the ledger and Portico, for the invoices whose number starts with `numberPrefix`
 * (the seeded ones). Set-based: one query per figure, whatever the size.
 */
export async function checkAutopayLedger(
  pool: Pool,
  numberPrefix: string,
): Promise<AutopayLedgerCheck> {
  const like = `${numberPrefix}%`;
  const charges = (
    await pool.query<{ all: number; succeeded: number; cents: string; orphans: number }>(
      `SELECT count(*)::int AS all,
              count(*) FILTER (WHERE c.status = 'succeeded')::int AS succeeded,
              coalesce(sum(c.amount_cents) FILTER (WHERE c.status = 'succeeded'), 0) AS cents,
              count(*) FILTER (WHERE p.id IS NULL)::int AS orphans
         FROM sandbox_charges c LEFT JOIN payments p ON p.idempotency_key = c.idempotency_key`,
    )
  ).rows[0]!;
  const twice = (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT a.invoice_id FROM sandbox_charges c
           JOIN payments p ON p.idempotency_key = c.idempotency_key
           JOIN payment_allocations a ON a.payment_id = p.id
          WHERE c.status IN ('succeeded', 'processing')
          GROUP BY a.invoice_id HAVING count(*) > 1) x`,
    )
  ).rows[0]!.n;
  const payments = (
    await pool.query<{ status: string; n: number; cents: string }>(
      `SELECT status, count(*)::int AS n,
              coalesce(sum(amount_cents) FILTER (WHERE status = 'succeeded'), 0) AS cents
         FROM payments GROUP BY status`,
    )
  ).rows;
  const statusesOff = (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM payments p
         LEFT JOIN sandbox_charges c ON c.idempotency_key = p.idempotency_key
        WHERE p.gateway = 'sandbox'
          AND (CASE WHEN c.id IS NULL THEN p.status = 'succeeded' ELSE c.status <> p.status END)`,
    )
  ).rows[0]!.n;
  const invoices = (
    await pool.query<{ paid: number; failed: number; missed: number; off: number }>(
      `WITH applied AS (
         SELECT a.invoice_id,
                coalesce(sum(a.amount_cents) FILTER (WHERE p.status IN ('succeeded', 'processing')), 0) AS cents,
                -- Declined with a reason; "never reached the processor" is no answer about the card.
                bool_or(p.status = 'failed' AND p.failure_code IS DISTINCT FROM 'not_reached'
                        AND coalesce(p.failure_code, p.failure_message) IS NOT NULL) AS failed
           FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
          GROUP BY a.invoice_id),
       tried AS (
         SELECT invoice_id,
                bool_or(outcome IN ('failed', 'gave_up', 'retry_scheduled')
                        AND coalesce(reason, '') <> '') AS failed,
                -- Skipped for good with the reason (the card was locked by an earlier decline);
                -- "in flight" is no outcome: the payment in flight has one coming.
                bool_or(outcome = 'skipped' AND coalesce(reason, '') NOT IN ('', 'in_flight'))
                  AS skipped
           FROM autopay_attempts GROUP BY invoice_id),
       -- What the organization's card does at the processor: only a declining card may leave
       -- an invoice unpaid.
       card AS (
         SELECT m.organization_id, bool_and(s.outcome = 'succeeds') AS pays
           FROM payment_methods m JOIN sandbox_methods s ON s.id = m.gateway_ref
          WHERE m.is_default AND m.removed_at IS NULL
          GROUP BY m.organization_id)
       SELECT count(*) FILTER (WHERE i.amount_paid_cents >= i.total_cents)::int AS paid,
              count(*) FILTER (WHERE i.amount_paid_cents < i.total_cents
                                 AND (coalesce(x.failed, false) OR coalesce(t.failed, false)
                                      OR coalesce(t.skipped, false)))::int AS failed,
              count(*) FILTER (WHERE i.amount_paid_cents < i.total_cents
                                 AND (coalesce(c.pays, true)
                                      OR NOT (coalesce(x.failed, false) OR coalesce(t.failed, false)
                                              OR coalesce(t.skipped, false))))::int AS missed,
              count(*) FILTER (WHERE i.amount_paid_cents <> coalesce(x.cents, 0))::int AS off
         FROM invoices i
         LEFT JOIN applied x ON x.invoice_id = i.id
         LEFT JOIN tried t ON t.invoice_id = i.id
         LEFT JOIN card c ON c.organization_id = i.organization_id
        WHERE i.number LIKE $1 AND i.state = 'issued'`,
      [like],
    )
  ).rows[0]!;
  return {
    charges: charges.all,
    succeededCharges: charges.succeeded,
    doubleCharges: twice + charges.orphans,
    chargesWithoutPayment: charges.orphans,
    invoicesMissed: invoices.missed,
    paymentsNotFinal: payments
      .filter((p) => p.status === 'pending' || p.status === 'processing')
      .reduce((sum, p) => sum + p.n, 0),
    statusesOff,
    invoicesOff: invoices.off,
    invoicesPaid: invoices.paid,
    invoicesFailedWithReason: invoices.failed,
    payments: Object.fromEntries(payments.map((p) => [p.status, p.n])),
    chargedCents: Number(charges.cents),
    paidCents: payments.reduce((sum, p) => sum + Number(p.cents), 0),
  };
}

/** The three figures the chaos run is judged by, and the agreement checks beside them. */
export function ledgerAgrees(check: AutopayLedgerCheck): boolean {
  return (
    check.doubleCharges === 0 &&
    check.invoicesMissed === 0 &&
    check.paymentsNotFinal === 0 &&
    check.statusesOff === 0 &&
    check.invoicesOff === 0 &&
    check.chargedCents === check.paidCents
  );
}

/** Prints the comparison: the three figures first. */
export function printLedgerCheck(check: AutopayLedgerCheck): void {
  console.log(`  double charges:              ${check.doubleCharges}`);
  console.log(`  invoices missed:             ${check.invoicesMissed}`);
  console.log(`  payments not in a final state: ${check.paymentsNotFinal}`);
  console.log(
    `  (sandbox ledger: ${check.charges} charges, ${check.succeededCharges} succeeded, ` +
      `${check.chargedCents} cents; Portico payments ${JSON.stringify(check.payments)}, ` +
      `${check.paidCents} cents succeeded; ${check.chargesWithoutPayment} charges without a ` +
      `payment; ${check.statusesOff} payments whose status is not their charge's; ` +
      `${check.invoicesOff} invoices whose paid amount is not their payments'; ` +
      `${check.invoicesPaid} invoices paid, ${check.invoicesFailedWithReason} failed or skipped with a reason)`,
  );
}
