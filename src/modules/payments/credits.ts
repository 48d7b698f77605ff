import type { AppContext } from '../../platform/context.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { applyInvoicePayment, lockOpenInvoicesForPayment } from '../invoices/invoice-payments.js';
import { mspTimeZone } from '../settings/business-date.js';
import { organizationCurrency } from './manual-payments.js';
import { checkAllocations } from './pay-invoices.js';
import {
  creditBalances,
  paidOnSql,
  staffPaymentViews,
  unappliedSql,
  type StaffPaymentView,
} from './transactions.js';

/**
 * Credits: money an organization paid that no invoice holds and nobody refunded (a check for
 * more than was owed, a card payment whose invoice staff settled otherwise while it was in
 * flight). Per succeeded payment: amount − refunded − sum(allocations). Staff see it on the
 * organization's Payments tab and apply it to open invoices; contacts whose profile has
 * view_credits see it in the portal.
 */

type Deps = Pick<AppContext, 'pool'>;

/**
 * Applies the organization's unapplied credit to open invoices, in one transaction: the
 * invoices are locked and checked like a payment's (404 another organization's or a draft,
 * 409 void, 400 naming `allocations.<n>.amountCents` for 0, negative, too many decimals or
 * more than the balance), then the credit is taken from the oldest payments first, each
 * becoming (or growing) an allocation of that payment, and the invoices' balances fall by as
 * much. 400 naming `allocations` when the credit is less than the total. Audited per payment.
 * Answers the payments whose credit was used and the credit left.
 */
export async function applyCredit(options: {
  context: Deps;
  actor: Actor;
  organizationId: string;
  allocations: { invoiceId: string; amountCents: number }[];
}): Promise<{
  payments: StaffPaymentView[];
  credits: { currency: string; unappliedCents: number }[];
}> {
  return withTransaction(options.context.pool, async (tx) => {
    const currency = await organizationCurrency(tx, options.organizationId);
    const invoices = await lockOpenInvoicesForPayment(tx, {
      organizationId: options.organizationId,
      invoiceIds: options.allocations.map((a) => a.invoiceId),
    });
    const { totalCents } = checkAllocations(options.allocations, invoices);
    // The payments that may hold credit, locked (oldest first) so two applications, or an
    // application and a refund, never use the same money twice.
    await tx.client.query(
      `SELECT id FROM payments
        WHERE organization_id = $1 AND status = 'succeeded' AND currency = $2
        ORDER BY created_at, id
          FOR UPDATE`,
      [options.organizationId, currency],
    );
    // Read after the locks, by a statement of its own: it sees what the holders committed.
    const sources = (
      await tx.client.query<{ id: string; number: string; unappliedCents: number }>(
        `SELECT p.id, p.number, (${unappliedSql})::bigint AS "unappliedCents"
           FROM payments p
          WHERE p.organization_id = $1 AND p.status = 'succeeded' AND p.currency = $2
          ORDER BY p.created_at, p.id`,
        [options.organizationId, currency],
      )
    ).rows.filter((p) => p.unappliedCents > 0);
    const available = sources.reduce((sum, p) => sum + p.unappliedCents, 0);
    if (totalCents > available) {
      throw AppError.validation(
        'allocations',
        available === 0
          ? 'the organization has no unapplied credit'
          : `add up to ${formatMoney(totalCents, currency)}, more than the ${formatMoney(available, currency)} of unapplied credit`,
      );
    }

    const used = new Map<string, { invoiceId: string; amountCents: number }[]>();
    const queue = sources.map((p) => ({ ...p }));
    for (const allocation of options.allocations) {
      let left = allocation.amountCents;
      for (const source of queue) {
        if (left === 0) break;
        const take = Math.min(left, source.unappliedCents);
        if (take === 0) continue;
        // A payment that already paid this invoice gets its allocation raised instead.
        await tx.client.query(
          `INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents, applied_cents, in_flight)
           VALUES ($1, $2, $3, $3, false)
           ON CONFLICT (payment_id, invoice_id) DO UPDATE
             SET amount_cents = payment_allocations.amount_cents + EXCLUDED.amount_cents,
                 applied_cents = payment_allocations.applied_cents + EXCLUDED.amount_cents`,
          [source.id, allocation.invoiceId, take],
        );
        source.unappliedCents -= take;
        left -= take;
        used.set(source.id, [
          ...(used.get(source.id) ?? []),
          { invoiceId: allocation.invoiceId, amountCents: take },
        ]);
      }
      await applyInvoicePayment(tx, {
        invoiceId: allocation.invoiceId,
        deltaCents: allocation.amountCents,
      });
    }
    for (const source of sources) {
      const applied = used.get(source.id);
      if (!applied) continue;
      await recordAudit(tx.db, options.actor, {
        organizationId: options.organizationId,
        entityType: 'payment',
        entityId: source.id,
        entityLabel: source.number,
        action: 'credit.applied',
        before: { unappliedCents: source.unappliedCents },
        after: {
          unappliedCents: source.unappliedCents - applied.reduce((s, a) => s + a.amountCents, 0),
          allocations: applied,
        },
      });
    }
    return {
      payments: await staffPaymentViews(tx.client, [...used.keys()]),
      credits: await creditBalances(tx.client, options.organizationId),
    };
  });
}

/**
 * The portal's credits view: the organization's unapplied credit per currency and the payments
 * it comes from (newest first). Only the organization's own payments (the scope's).
 */
export async function portalCredits(pool: Pool, scope: { organizationId: string }) {
  const timeZone = await mspTimeZone(pool);
  const [credits, payments] = await Promise.all([
    creditBalances(pool, scope.organizationId),
    pool.query<{
      id: string;
      number: string;
      paidOn: string;
      methodLabel: string;
      currency: string;
      amountCents: number;
      unappliedCents: number;
      created_at: Date;
    }>(
      `SELECT * FROM (
         SELECT p.id, p.number, ${paidOnSql} AS "paidOn", p.method_label AS "methodLabel",
                p.currency, p.amount_cents AS "amountCents",
                (${unappliedSql})::bigint AS "unappliedCents", p.created_at
           FROM payments p
          WHERE p.organization_id = $2 AND p.status = 'succeeded') credit
        WHERE "unappliedCents" > 0
        ORDER BY "paidOn" DESC, created_at DESC, id
        LIMIT 200`,
      [timeZone, scope.organizationId],
    ),
  ]);
  return {
    credits,
    payments: payments.rows.map(({ created_at: _createdAt, ...payment }) => payment),
  };
}
