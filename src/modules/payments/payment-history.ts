import type { Pool, PoolClient } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { encodeCursor } from '../../platform/keyset-cursor.js';
import { mspTimeZone } from '../settings/business-date.js';
import { afterPaidOnCursor, byPaidOnSql, paidOnSortKeySql } from './transactions.js';
import type { PaymentStatus } from '../../shared/contract/payments.js';

/**
 * Payment History (portal: Billing > Payment History) and a payment's receipt: every payment of
 * the organization the contact acts for, with what it paid on each invoice. Every query takes
 * the organization (portalScope), so another organization's payment is "not found".
 */

export interface PaymentView {
  id: string;
  number: string;
  status: PaymentStatus;
  amountCents: number;
  refundedCents: number;
  currency: string;
  methodLabel: string;
  methodType: string;
  failureMessage: string | null;
  createdAt: Date;
  /** The day a payment staff recorded was received (YYYY-MM-DD); null for a portal payment. */
  receivedOn: string | null;
  allocations: {
    invoiceId: string;
    invoiceNumber: string;
    amountCents: number;
    appliedCents: number;
  }[];
}

/** The columns of a PaymentView, of `payments p` (also what a status update answers). */
export const paymentColumns = `p.id, p.number, p.status, p.amount_cents AS "amountCents",
  p.refunded_cents AS "refundedCents", p.currency, p.method_label AS "methodLabel",
  p.method_type AS "methodType", p.failure_message AS "failureMessage",
  p.created_at AS "createdAt", p.received_on AS "receivedOn",
  coalesce((SELECT json_agg(json_build_object(
             'invoiceId', a.invoice_id, 'invoiceNumber', i.number,
             'amountCents', a.amount_cents, 'appliedCents', a.applied_cents) ORDER BY i.number)
              FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
             WHERE a.payment_id = p.id), '[]'::json) AS allocations`;

/**
 * Payments by id, as their payer reads them (amounts in minor units; allocations by invoice
 * number). Reads through `client`, so a transaction sees its own uncommitted rows.
 */
export async function paymentViews(
  client: Pool | PoolClient,
  paymentIds: string[],
): Promise<PaymentView[]> {
  const result = await client.query<PaymentView>({
    // Named: planned once per connection, as every payment's answer reads it.
    name: 'payment-views',
    text: `SELECT ${paymentColumns} FROM payments p WHERE p.id = ANY($1::uuid[]) ORDER BY p.created_at`,
    values: [paymentIds],
  });
  return result.rows;
}

const historyScope = 'payment-history-by-date';

/**
 * A page of the organization's payments, newest first by the payment's date (a check by the
 * day it was received; byPaidOnSql), as staff's lists order them: `payments` (at most `limit`), `total` and
 * `nextCursor` (null on the last page; a cursor this list did not give out is a 400 naming
 * `cursor`). Failed and returned payments are listed too, with their reason.
 */
export async function paymentHistory(
  pool: Pool,
  scope: { organizationId: string },
  page: { cursor?: string; limit: number },
) {
  const params: unknown[] = [scope.organizationId, await mspTimeZone(pool)];
  const keyset = page.cursor
    ? `AND ${afterPaidOnCursor(historyScope, page.cursor, params, '$2')}`
    : '';
  params.push(page.limit + 1);
  const [rows, count] = await Promise.all([
    pool.query<PaymentView & { sortKey: string }>(
      `SELECT ${paymentColumns}, ${paidOnSortKeySql('$2')} AS "sortKey"
         FROM payments p
        WHERE p.organization_id = $1 ${keyset}
        ORDER BY ${byPaidOnSql('$2')}
        LIMIT $${params.length}`,
      params,
    ),
    pool.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM payments WHERE organization_id = $1`,
      [scope.organizationId],
    ),
  ]);
  const shown = rows.rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  return {
    payments: shown.map(({ sortKey: _sortKey, ...payment }) => payment),
    total: count.rows[0]?.total ?? 0,
    nextCursor:
      rows.rows.length > page.limit && last
        ? encodeCursor(historyScope, last.sortKey, last.id)
        : null,
  };
}

/** One payment's receipt: the payment, the organization's name, who paid and the reference. */
export async function paymentReceipt(
  pool: Pool,
  scope: { organizationId: string },
  paymentId: string,
) {
  const result = await pool.query<
    PaymentView & { organizationName: string; paidBy: string | null; reference: string }
  >(
    // Only a contact paid: a payment staff recorded (a check, a wire) was paid by the
    // organization, and the MSP's staff user who typed it in is not the payer.
    `SELECT ${paymentColumns}, o.name AS "organizationName", p.reference, c.name AS "paidBy"
       FROM payments p
       JOIN organizations o ON o.id = p.organization_id
       LEFT JOIN contacts c ON c.id = p.created_by_contact_id
      WHERE p.id = $1 AND p.organization_id = $2`,
    [paymentId, scope.organizationId],
  );
  const payment = result.rows[0];
  if (!payment) throw AppError.notFound('Payment');
  return payment;
}
