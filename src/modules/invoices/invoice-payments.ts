import { AppError } from '../../platform/errors.js';
import type { Transaction } from '../../platform/database.js';
import type { InvoiceState } from './invoices.schema.js';

/**
 * How money reaches an invoice. The invoices module owns `invoices.amount_paid_cents` (the
 * balance is generated from it); the payments module changes it only through these functions,
 * on its own transaction (docs/decisions/0028-payment-core.md).
 */

/** An invoice as a payment sees it, locked for the rest of the caller's transaction. */
export interface LockedInvoice {
  id: string;
  number: string;
  state: InvoiceState;
  currency: string;
  totalCents: number;
  balanceCents: number;
}

/**
 * Locks the organization's invoices among `invoiceIds` (SELECT … FOR UPDATE, in id order so
 * two payments of overlapping invoices never deadlock) and answers them. An id that is not an
 * invoice of the organization is simply absent from the answer: the caller answers 404 for it.
 */
export async function lockOpenInvoicesForPayment(
  tx: Pick<Transaction, 'client'>,
  options: { organizationId: string; invoiceIds: string[] },
): Promise<LockedInvoice[]> {
  if (options.invoiceIds.length === 0) return [];
  const result = await tx.client.query<LockedInvoice>({
    // Named: planned once per connection, as every payment runs it.
    name: 'lock-open-invoices-for-payment',
    text: `SELECT id, number, state, currency, total_cents AS "totalCents",
            balance_cents AS "balanceCents"
       FROM invoices
      WHERE organization_id = $1 AND id = ANY($2::uuid[])
      ORDER BY id
        FOR UPDATE`,
    values: [options.organizationId, options.invoiceIds],
  });
  return result.rows;
}

/**
 * lockOpenInvoicesForPayment for many organizations' invoices at once (the AutoPay run's chunk):
 * each (organization, invoice) pair named, locked in id order in one statement (so a chunk and a
 * single payment never deadlock). A pair that is not an invoice of that organization is absent.
 */
export async function lockInvoicesForPayments(
  tx: Pick<Transaction, 'client'>,
  pairs: { organizationId: string; invoiceId: string }[],
): Promise<(LockedInvoice & { organizationId: string })[]> {
  if (pairs.length === 0) return [];
  const result = await tx.client.query<LockedInvoice & { organizationId: string }>({
    name: 'lock-invoices-for-payments',
    text: `SELECT i.id, i.organization_id AS "organizationId", i.number, i.state, i.currency,
            i.total_cents AS "totalCents", i.balance_cents AS "balanceCents"
       FROM invoices i
       JOIN unnest($1::uuid[], $2::uuid[]) AS k(id, organization_id)
         ON i.id = k.id AND i.organization_id = k.organization_id
      ORDER BY i.id
        FOR UPDATE OF i`,
    values: [pairs.map((pair) => pair.invoiceId), pairs.map((pair) => pair.organizationId)],
  });
  return result.rows.map((row) => ({
    ...row,
    totalCents: Number(row.totalCents),
    balanceCents: Number(row.balanceCents),
  }));
}

/**
 * Moves an invoice's paid amount by `deltaCents` (integer minor units of its currency):
 * positive when money is applied, negative when a refund or an ACH return reopens it. Sets
 * `paid_at` when the invoice becomes paid in full and clears it when it reopens. Refuses (409)
 * to take the paid amount below 0 or above the total: the payments module checks amounts
 * before it gets here, so this is the last guard, not the message a client reads.
 */
export async function applyInvoicePayment(
  tx: Pick<Transaction, 'client'>,
  options: { invoiceId: string; deltaCents: number },
): Promise<{ number: string; balanceCents: number }> {
  if (!Number.isSafeInteger(options.deltaCents)) {
    throw new Error(`applyInvoicePayment: ${options.deltaCents} is not a whole number of cents`);
  }
  const result = await tx.client.query<{ number: string; balanceCents: number }>(
    `UPDATE invoices
        SET amount_paid_cents = amount_paid_cents + $2,
            paid_at = CASE WHEN total_cents <= amount_paid_cents + $2
                           THEN coalesce(paid_at, now()) END,
            updated_at = now()
      WHERE id = $1 AND amount_paid_cents + $2 BETWEEN 0 AND total_cents
      RETURNING number, balance_cents AS "balanceCents"`,
    [options.invoiceId, options.deltaCents],
  );
  const row = result.rows[0];
  if (!row) {
    throw new AppError(
      'conflict',
      options.deltaCents > 0
        ? 'The amount is more than the invoice still owes'
        : 'The invoice has not been paid that much',
    );
  }
  return row;
}

/**
 * Applies payments to invoices, each invoice at most once, in one statement: every invoice named
 * is locked in id order (FOR UPDATE, the order lockOpenInvoicesForPayment locks
 * in, so a batch and a single payment never deadlock) and takes up to its amount (integer minor
 * units, more than 0), what it still owes if that is less (another payment, or a check staff
 * recorded, paid it meanwhile); paid_at is set when it becomes paid in full. Answers the amount applied per
 * invoice id: 0 (or absent) for an invoice that owes nothing or is not of the organization given.
 */
export async function applyInvoicePaymentsUpTo(
  tx: Pick<Transaction, 'client'>,
  items: { organizationId: string; invoiceId: string; amountCents: number }[],
): Promise<Map<string, number>> {
  const applied = new Map<string, number>();
  if (items.length === 0) return applied;
  for (const item of items) {
    if (!Number.isSafeInteger(item.amountCents) || item.amountCents <= 0) {
      throw new Error(`applyInvoicePaymentsUpTo: ${item.amountCents} is not a positive amount`);
    }
  }
  // The rows are locked as the sorted select hands them over (LockRows above the Sort): in id
  // order, whichever way the update then joins them.
  const result = await tx.client.query<{ id: string; appliedCents: number }>({
    name: 'apply-invoice-payments-up-to',
    text: `WITH wanted AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[])
                       AS w(invoice_id, organization_id, amount_cents)
     ), locked AS (
       SELECT i.id, least(w.amount_cents, greatest(i.balance_cents, 0)) AS applied
         FROM invoices i JOIN wanted w
           ON w.invoice_id = i.id AND w.organization_id = i.organization_id
        ORDER BY i.id
          FOR UPDATE OF i
     )
     UPDATE invoices i
        SET amount_paid_cents = i.amount_paid_cents + locked.applied,
            paid_at = CASE WHEN i.total_cents <= i.amount_paid_cents + locked.applied
                           THEN coalesce(i.paid_at, now()) END,
            updated_at = now()
       FROM locked
      WHERE i.id = locked.id AND locked.applied > 0
      RETURNING i.id, locked.applied AS "appliedCents"`,
    values: [
      items.map((item) => item.invoiceId),
      items.map((item) => item.organizationId),
      items.map((item) => item.amountCents),
    ],
  });
  for (const row of result.rows) applied.set(row.id, Number(row.appliedCents));
  return applied;
}

/**
 * Whether a payment of the invoice is in flight (pending, or an ACH debit processing): its
 * outcome may still apply money to the invoice, so the invoice must stay as it is (not void).
 * Reads the payments module's allocations (a read; only payments writes them).
 */
export async function hasPaymentInFlight(
  client: Pick<Transaction, 'client'>['client'],
  invoiceId: string,
): Promise<boolean> {
  const result = await client.query(
    `SELECT 1 FROM payment_allocations WHERE invoice_id = $1 AND in_flight LIMIT 1`,
    [invoiceId],
  );
  return result.rows.length > 0;
}
