import type { AppContext } from '../../platform/context.js';
import { currentTime } from '../../platform/context.js';
import { withTransaction } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { systemActor } from '../audit/audit.js';
import type { PaymentGateway } from '../payments/gateway.js';
import { payInvoices } from '../payments/pay-invoices.js';
import { businessToday } from '../settings/business-date.js';
import { queueScheduledPaymentEmail, scheduledPaymentView } from './scheduled-payments.service.js';

/**
 * The daily run of scheduled payments (docs/decisions/0036-scheduled-payments.md): every payment
 * whose date has come (today, or a day the run missed: once) is charged through the payment core
 * with source 'scheduled' and request key `scheduled:<id>`. The key is what makes it safe: a
 * second worker, or a rerun after a worker was killed mid-charge, meets the payment the first
 * made and never charges again. A session advisory lock per scheduled payment keeps two workers
 * from even trying the same one at once; it is released when a killed worker's connection ends.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock' | 'logger'>;

export const scheduledPaymentsJobName = 'scheduled-payments.run';

/** The request key of a scheduled payment's charge: one payment per scheduled payment. */
export const scheduledRequestKey = (id: string) => `scheduled:${id}`;

export interface ScheduledRunCounts {
  paid: number;
  failed: number;
  skipped: number;
  /** Charged, and the processor's answer not known yet: finished by a later run. */
  pending: number;
}

interface Due {
  id: string;
  organizationId: string;
}

/**
 * Step 1 of one scheduled payment, in one transaction: finds the payment an earlier attempt made
 * (by its request key), else works out what is left to pay on each invoice (each amount capped
 * at the balance left; an invoice paid in full or voided meanwhile left out) and marks it
 * processing, with the notes the contact is sent. With nothing left to pay it is skipped and the
 * contact told (Payment Cancelled, with the reason). Answers what to charge, 'skipped', or null when it is
 * no longer due (another worker finished it).
 */
async function claim(
  deps: Deps,
  due: Due,
): Promise<
  | 'skipped'
  | null
  | {
      contactId: string | null;
      paymentMethodId: string;
      allocations: { invoiceId: string; amountCents: number }[];
    }
  | null
> {
  return withTransaction(deps.pool, async (tx) => {
    const row = (
      await tx.client.query<{
        status: string;
        contactId: string | null;
        paymentMethodId: string;
        earlier: string | null;
      }>(
        `SELECT s.status, s.created_by_contact_id AS "contactId",
                s.payment_method_id AS "paymentMethodId",
                (SELECT p.id FROM payments p
                  WHERE p.organization_id = s.organization_id AND p.request_key = $2) AS earlier
           FROM scheduled_payments s WHERE s.id = $1 FOR UPDATE`,
        [due.id, scheduledRequestKey(due.id)],
      )
    ).rows[0];
    if (!row || (row.status !== 'scheduled' && row.status !== 'processing')) return null;
    const allocations = (
      await tx.client.query<{
        invoiceId: string;
        number: string;
        state: string;
        currency: string;
        amountCents: number;
        balanceCents: number;
      }>(
        `SELECT a.invoice_id AS "invoiceId", i.number, i.state, i.currency,
                a.amount_cents AS "amountCents", i.balance_cents AS "balanceCents"
           FROM scheduled_payment_allocations a JOIN invoices i ON i.id = a.invoice_id
          WHERE a.scheduled_payment_id = $1 ORDER BY i.number`,
        [due.id],
      )
    ).rows;
    if (row.earlier) {
      // An earlier attempt made the payment: the same key answers it (and finishes its charge).
      return {
        contactId: row.contactId,
        paymentMethodId: row.paymentMethodId,
        allocations: allocations.map((a) => ({
          invoiceId: a.invoiceId,
          amountCents: Number(a.amountCents),
        })),
      };
    }
    const notes: string[] = [];
    const charge: { invoiceId: string; amountCents: number }[] = [];
    for (const a of allocations) {
      const balance = a.state === 'void' ? 0 : Number(a.balanceCents);
      const amount = Number(a.amountCents);
      if (balance <= 0) {
        notes.push(
          a.state === 'void'
            ? `Invoice ${a.number} was voided: it was left out.`
            : `Invoice ${a.number} was paid in full in the meantime: it was left out.`,
        );
      } else if (balance < amount) {
        notes.push(
          `Invoice ${a.number} was paid in part in the meantime: ${formatMoney(balance, a.currency)} was charged, what it still owed, instead of ${formatMoney(amount, a.currency)}.`,
        );
        charge.push({ invoiceId: a.invoiceId, amountCents: balance });
      } else {
        charge.push({ invoiceId: a.invoiceId, amountCents: amount });
      }
    }
    const message = notes.length > 0 ? notes.join(' ') : null;
    if (charge.length === 0) {
      await tx.client.query(
        `UPDATE scheduled_payments SET status = 'skipped', outcome_message = $2,
                processed_at = now(), updated_at = now() WHERE id = $1`,
        [due.id, `Nothing was charged: ${message ?? 'nothing was left to pay.'}`],
      );
      const view = await scheduledPaymentView(tx.client, due);
      await queueScheduledPaymentEmail(tx, deps, {
        template: 'payment_cancelled',
        view,
        actor: systemActor,
        notes: [...notes, 'Nothing was left to pay, so nothing was charged.'],
      });
      return 'skipped' as const;
    }
    await tx.client.query(
      `UPDATE scheduled_payments SET status = 'processing', outcome_message = $2,
              processed_at = now(), updated_at = now() WHERE id = $1`,
      [due.id, message],
    );
    return { contactId: row.contactId, paymentMethodId: row.paymentMethodId, allocations: charge };
  });
}

/**
 * Step 3: records what became of the charge. A succeeded or processing (ACH) payment makes it
 * paid, a failed one failed (the payment core sends the Payment Failed email); pending leaves it
 * processing, for the next run to finish. When the run capped or left out invoices, the contact
 * is sent Scheduled Payment Adjusted with the notes, once, on the transaction that finishes it.
 */
async function finish(
  deps: Deps,
  due: Due,
  outcome: { paymentId: string; status: string } | { refusal: string },
): Promise<keyof ScheduledRunCounts> {
  return withTransaction(deps.pool, async (tx) => {
    const locked = (
      await tx.client.query<{ status: string; outcomeMessage: string | null }>(
        `SELECT status, outcome_message AS "outcomeMessage" FROM scheduled_payments
          WHERE id = $1 FOR UPDATE`,
        [due.id],
      )
    ).rows[0];
    if (locked?.status !== 'processing') return 'pending';
    if ('refusal' in outcome) {
      await tx.client.query(
        `UPDATE scheduled_payments SET status = 'failed', outcome_message = $2, updated_at = now()
          WHERE id = $1`,
        [due.id, `It could not be charged: ${outcome.refusal}`],
      );
      const view = await scheduledPaymentView(tx.client, due);
      await queueScheduledPaymentEmail(tx, deps, {
        template: 'payment_cancelled',
        view,
        actor: systemActor,
        notes: [`It could not be charged: ${outcome.refusal}. Nothing was charged.`],
      });
      return 'failed';
    }
    const status =
      outcome.status === 'succeeded' || outcome.status === 'processing'
        ? 'paid'
        : outcome.status === 'failed'
          ? 'failed'
          : null;
    await tx.client.query(
      `UPDATE scheduled_payments SET payment_id = $2, status = coalesce($3, status),
              updated_at = now() WHERE id = $1`,
      [due.id, outcome.paymentId, status],
    );
    if (!status) return 'pending';
    if (locked.outcomeMessage && status === 'paid') {
      const view = await scheduledPaymentView(tx.client, due);
      await queueScheduledPaymentEmail(tx, deps, {
        template: 'scheduled_payment_adjusted',
        view,
        actor: systemActor,
        notes: [locked.outcomeMessage],
      });
    }
    return status;
  });
}

/** Runs one scheduled payment: claim, charge through the payment core, finish. */
async function runOne(
  deps: Deps,
  gateway: PaymentGateway,
  due: Due,
): Promise<keyof ScheduledRunCounts | null> {
  const work = await claim(deps, due);
  if (!work || work === 'skipped') return work;
  try {
    const { payment } = await payInvoices({
      context: deps,
      gateway,
      actor: systemActor,
      organizationId: due.organizationId,
      contactId: work.contactId,
      paymentMethodId: work.paymentMethodId,
      allocations: work.allocations,
      requestKey: scheduledRequestKey(due.id),
      source: 'scheduled',
    });
    return finish(deps, due, { paymentId: payment.id, status: payment.status });
  } catch (error) {
    // The payment core refused before charging (the method was removed or locked, another
    // payment of an invoice is in flight): nothing was charged; the contact is told why.
    if (!(error instanceof AppError)) throw error;
    return finish(deps, due, { refusal: error.message.replace(/[.]$/, '') });
  }
}

/**
 * Charges every scheduled payment due on or before today (MSP's time zone), and finishes those
 * an earlier run left processing. Safe to run twice at once, or again after a crash: each
 * payment is worked under its advisory lock, and charged under its request key. Answers counts.
 */
export async function runScheduledPayments(
  deps: Deps & { gateway: PaymentGateway },
): Promise<ScheduledRunCounts> {
  const today = await businessToday(deps.pool, currentTime(deps));
  const due = (
    await deps.pool.query<Due>(
      `SELECT id, organization_id AS "organizationId" FROM scheduled_payments
        WHERE status IN ('scheduled', 'processing') AND run_on <= $1
        ORDER BY run_on, created_at, id`,
      [today],
    )
  ).rows;
  const counts: ScheduledRunCounts = { paid: 0, failed: 0, skipped: 0, pending: 0 };
  for (const item of due) {
    const client = await deps.pool.connect();
    try {
      const locked = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext($1)) AS locked`,
        [scheduledRequestKey(item.id)],
      );
      if (!locked.rows[0]!.locked) continue;
      try {
        const outcome = await runOne(deps, deps.gateway, item);
        // null: another worker finished it between the list and the lock.
        if (outcome) counts[outcome] += 1;
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [
          scheduledRequestKey(item.id),
        ]);
      }
    } finally {
      client.release();
    }
  }
  return counts;
}

/**
 * The scheduled payments job: every hour on the MSP's clock (minute 10), so a payment is charged
 * early on its date and a run the server missed is caught up within the hour it comes back.
 */
export function scheduledPaymentJobs(deps: Deps, gateway: PaymentGateway): JobDefinition[] {
  return [
    {
      name: scheduledPaymentsJobName,
      cron: '10 * * * *',
      handle: async () => {
        const counts = await runScheduledPayments({ ...deps, gateway });
        deps.logger.info(counts, 'scheduled payments run');
      },
    },
  ];
}
