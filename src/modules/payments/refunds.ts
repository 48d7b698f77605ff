import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/context.js';
import { withTransaction, type Transaction } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { recordAudit, systemActor, type Actor } from '../audit/audit.js';
import { applyInvoicePayment, lockOpenInvoicesForPayment } from '../invoices/invoice-payments.js';
import { paymentStatusLabels, type PaymentStatus } from '../../shared/contract/payments.js';
import {
  GatewayError,
  type PaymentGateway,
  type ProcessorDispute,
  type ProcessorRefund,
  type RefundResult,
} from './gateway.js';
import type { refundOrigins } from '../../shared/contract/staff-payments.js';
import { checkAmount } from './manual-payments.js';
import { enqueuePaymentEmails } from './payment-receipts.js';
import {
  refundViews,
  staffPaymentViews,
  type RefundView,
  type StaffPaymentView,
} from './transactions.js';

/**
 * Refunds (docs/decisions/0028-payment-core.md, step 5). A gateway payment is refunded through
 * the processor as steps, like a charge:
 *
 * 1. One transaction under the payment's row lock: the amount is checked against what is left
 *    (amount − refunded − refunds still pending), and the refund row is written pending with
 *    the key `portico-refund-<id>`. Two refunds of one payment at once wait for each other
 *    here, so together they never exceed the payment.
 * 2. gateway.refund with that key, outside any transaction.
 * 3. One transaction: succeeded → the payment's refunded amount grows, its unapplied credit is
 *    returned first, then its allocations are lowered (the invoices staff chose, in their
 *    order, else the newest invoices first) and those invoices reopen; the Refund Issued
 *    email's job (payment-receipts.ts renders it after this commits); audit. Failed → only the refund row says so. No answer (GatewayError 'unavailable') → the
 *    refund stays pending, still counted against what is left; sending it again with the same
 *    key (retryRefund) can never refund twice.
 *
 * A manual payment's refund is money staff returned outside the gateway: steps 1 and 3 in one
 * transaction, no processor call.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config'>;

type RefundOrigin = (typeof refundOrigins)[number];

interface LockedPaymentForRefund {
  id: string;
  number: string;
  organizationId: string;
  status: PaymentStatus;
  source: string;
  amountCents: number;
  refundedCents: number;
  currency: string;
  gatewayChargeRef: string | null;
  pendingRefundCents: number;
}

/** The payment, locked, with what its pending refunds hold; 404 when not the organization's. */
async function lockPaymentForRefund(
  tx: Pick<Transaction, 'client'>,
  where: { organizationId: string; paymentId: string },
): Promise<LockedPaymentForRefund> {
  const payment = (
    await tx.client.query<Omit<LockedPaymentForRefund, 'pendingRefundCents'>>(
      `SELECT id, number, organization_id AS "organizationId", status, source,
              amount_cents AS "amountCents", refunded_cents AS "refundedCents", currency,
              gateway_charge_ref AS "gatewayChargeRef"
         FROM payments WHERE id = $1 AND organization_id = $2
          FOR UPDATE`,
      [where.paymentId, where.organizationId],
    )
  ).rows[0];
  if (!payment) throw AppError.notFound('Payment');
  const pending = await tx.client.query<{ cents: number }>(
    `SELECT coalesce(sum(amount_cents), 0)::bigint AS cents
       FROM refunds WHERE payment_id = $1 AND status = 'pending'`,
    [payment.id],
  );
  return { ...payment, pendingRefundCents: pending.rows[0]!.cents };
}

/**
 * Checks a refund against the locked payment (pure: unit-tested through the API). 409 when the
 * payment is not a paid one (pending, processing, failed, returned); 400 naming `amountCents`
 * for 0, negative, too many decimals, or more than is left to refund; 400 naming
 * `invoiceIds.<n>` for an invoice this payment did not pay or one listed twice.
 */
export function checkRefund(
  payment: LockedPaymentForRefund,
  refund: { amountCents: number; invoiceIds?: string[] | undefined },
  allocatedInvoiceIds: string[],
): void {
  if (payment.status !== 'succeeded') {
    throw new AppError(
      'conflict',
      `Payment ${payment.number} is ${paymentStatusLabels[payment.status].toLowerCase()}; only a completed payment can be refunded`,
    );
  }
  checkAmount('amountCents', refund.amountCents, payment.currency);
  const left = payment.amountCents - payment.refundedCents - payment.pendingRefundCents;
  if (refund.amountCents > left) {
    throw AppError.validation(
      'amountCents',
      left <= 0
        ? `nothing is left to refund on ${payment.number}`
        : `is more than the ${formatMoney(left, payment.currency)} left to refund on ${payment.number}`,
    );
  }
  refund.invoiceIds?.forEach((invoiceId, index) => {
    if (!allocatedInvoiceIds.includes(invoiceId)) {
      throw AppError.validation(`invoiceIds.${index}`, 'is not an invoice this payment paid');
    }
    // As every money route words it: an invoice named twice is a mistake, not a priority.
    if (refund.invoiceIds!.indexOf(invoiceId) < index) {
      throw AppError.validation(`invoiceIds.${index}`, 'lists the same invoice twice');
    }
  });
}

export interface RefundPaymentInput {
  context: Deps;
  gateway: PaymentGateway;
  actor: Actor;
  organizationId: string;
  paymentId: string;
  /** What to refund, in minor units of the payment's currency. */
  amountCents: number;
  reason: string;
  /** The invoices to reopen first, in this order; the newest first when absent. */
  invoiceIds?: string[] | undefined;
  /**
   * The key staff's request carried (Idempotency-Key header): the same request sent again (a
   * double click, a retry after a lost answer) answers the refund it made, refunding nothing
   * more.
   */
  requestKey?: string | undefined;
}

export interface RefundOutcome {
  refund: RefundView;
  payment: StaffPaymentView;
}

/**
 * Refunds a payment in full or in part (steps above). Answers the refund (succeeded, failed
 * with the processor's reason, or pending when the processor's answer was lost) and the payment
 * after it. Refusals: checkRefund's, 404 for another organization's payment, 409 for a gateway
 * payment the processor holds no charge of.
 */
export async function refundPayment(input: RefundPaymentInput): Promise<RefundOutcome> {
  const { context } = input;
  const refundId = randomUUID();
  const started = await withTransaction(context.pool, async (tx) => {
    const payment = await lockPaymentForRefund(tx, input);
    // Under the payment's lock, so two requests with one key cannot both pass this check.
    const earlier = input.requestKey
      ? (
          await tx.client.query<{ id: string }>(
            `SELECT id FROM refunds WHERE payment_id = $1 AND request_key = $2`,
            [payment.id, input.requestKey],
          )
        ).rows[0]
      : undefined;
    if (earlier) return { earlierRefundId: earlier.id } as const;
    const allocated = await tx.client.query<{ invoiceId: string }>(
      `SELECT invoice_id AS "invoiceId" FROM payment_allocations
        WHERE payment_id = $1 AND amount_cents > 0`,
      [payment.id],
    );
    checkRefund(
      payment,
      input,
      allocated.rows.map((r) => r.invoiceId),
    );
    const manual = payment.source === 'manual';
    if (!manual && !payment.gatewayChargeRef) {
      throw new AppError(
        'conflict',
        `Payment ${payment.number} has no charge at the payment processor to refund`,
      );
    }
    await tx.client.query(
      `INSERT INTO refunds (id, payment_id, amount_cents, status, idempotency_key, reason,
                            created_by_staff_id, reopen_invoice_ids, request_key)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7::uuid[], $8)`,
      [
        refundId,
        payment.id,
        input.amountCents,
        // Derived from the refund: sending it again can never refund twice.
        `portico-refund-${refundId}`,
        input.reason,
        input.actor.id,
        // Kept with the refund, so a refund settled later reopens what staff chose.
        input.invoiceIds ?? null,
        input.requestKey ?? null,
      ],
    );
    await recordAudit(tx.db, input.actor, {
      organizationId: payment.organizationId,
      entityType: 'payment',
      entityId: payment.id,
      entityLabel: payment.number,
      action: manual ? 'refund.recorded' : 'refund.started',
      after: {
        refundId,
        amountCents: input.amountCents,
        reason: input.reason,
        ...(input.invoiceIds ? { invoiceIds: input.invoiceIds } : {}),
      },
    });
    if (manual) {
      // Money staff returned themselves: nothing to ask a processor, done at once.
      await applyRefundResult(tx, context, {
        refundId,
        result: { status: 'succeeded', refundRef: null, failureMessage: null },
        actor: input.actor,
      });
    }
    return { manual, chargeRef: payment.gatewayChargeRef };
  });
  if (started.earlierRefundId) return refundOutcome(context, started.earlierRefundId);
  if (!started.manual) {
    await sendRefund(context, input.gateway, {
      refundId,
      chargeRef: started.chargeRef!,
      amountCents: input.amountCents,
      actor: input.actor,
    });
  }
  return refundOutcome(context, refundId);
}

async function refundOutcome(context: Deps, refundId: string): Promise<RefundOutcome> {
  const [refund] = await refundViews(context.pool, { refundId });
  const [payment] = await staffPaymentViews(context.pool, [refund!.paymentId]);
  return { refund: refund!, payment: payment! };
}

/** Step 2 and 3: the processor's refund under the refund's key, then its answer applied. */
async function sendRefund(
  context: Deps,
  gateway: PaymentGateway,
  options: {
    refundId: string;
    chargeRef: string;
    amountCents: number;
    actor: Actor;
  },
): Promise<void> {
  let result: Pick<RefundResult, 'status' | 'failureMessage'> & { refundRef: string | null };
  try {
    result = await gateway.refund({
      idempotencyKey: `portico-refund-${options.refundId}`,
      chargeRef: options.chargeRef,
      amountCents: options.amountCents,
    });
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    // Unknown outcome: the refund may have happened. It stays pending (and counted).
    if (error.kind === 'unavailable') return;
    result = {
      status: 'failed',
      refundRef: null,
      failureMessage: `The payment processor refused the refund: ${error.message}`,
    };
  }
  await withTransaction(context.pool, (tx) =>
    applyRefundResult(tx, context, {
      refundId: options.refundId,
      result,
      actor: options.actor,
    }),
  );
}

/**
 * Sends a refund still pending (its processor answer was lost) again, with the same key: the
 * processor answers the first result and moves no money again. 404 for another organization's
 * refund; a refund no longer pending is answered as it is.
 */
export async function retryRefund(input: {
  context: Deps;
  gateway: PaymentGateway;
  actor: Actor;
  organizationId: string;
  refundId: string;
}): Promise<RefundOutcome> {
  const row = (
    await input.context.pool.query<{
      status: string;
      amountCents: number;
      chargeRef: string | null;
    }>(
      `SELECT r.status, r.amount_cents AS "amountCents", p.gateway_charge_ref AS "chargeRef"
         FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.id = $1 AND p.organization_id = $2`,
      [input.refundId, input.organizationId],
    )
  ).rows[0];
  if (!row) throw AppError.notFound('Refund');
  if (row.status === 'pending' && row.chargeRef) {
    await sendRefund(input.context, input.gateway, {
      refundId: input.refundId,
      chargeRef: row.chargeRef,
      amountCents: row.amountCents,
      actor: input.actor,
    });
  }
  return refundOutcome(input.context, input.refundId);
}

/**
 * Sends again, each with its own key, the refunds still pending `olderThanSeconds` after they
 * were made (their processor answer was lost): the processor answers the first result, so
 * this settles them without refunding twice (reopening what staff chose, kept with the refund).
 * Answers how many were sent.
 */
export async function resendPendingRefunds(
  deps: Deps,
  gateway: PaymentGateway,
  options: { olderThanSeconds?: number } = {},
): Promise<number> {
  const pending = await deps.pool.query<{ id: string; amountCents: number; chargeRef: string }>(
    `SELECT r.id, r.amount_cents AS "amountCents", p.gateway_charge_ref AS "chargeRef"
       FROM refunds r JOIN payments p ON p.id = r.payment_id
      WHERE r.status = 'pending' AND p.gateway_charge_ref IS NOT NULL
        AND r.created_at < now() - make_interval(secs => $1)
      ORDER BY r.created_at
      LIMIT 100`,
    [options.olderThanSeconds ?? 30],
  );
  for (const refund of pending.rows) {
    await sendRefund(deps, gateway, {
      refundId: refund.id,
      chargeRef: refund.chargeRef,
      amountCents: refund.amountCents,
      actor: systemActor,
    });
  }
  return pending.rows.length;
}

/** The job that settles refunds whose answer was lost, every minute (decision 28). */
export function refundJobs(deps: Deps, gateway: PaymentGateway): JobDefinition[] {
  return [
    {
      name: 'payments.resend-refunds',
      cron: '* * * * *',
      handle: async () => {
        await resendPendingRefunds(deps, gateway);
      },
    },
  ];
}

/**
 * Step 3, on `tx`: applies the processor's answer to a pending refund (a refund no longer
 * pending is left as it is, so an answer applied twice changes nothing). A processor's
 * `pending` refund is one it accepted and will pay out: Portico books it as refunded.
 */
async function applyRefundResult(
  tx: Transaction,
  deps: Deps,
  options: {
    refundId: string;
    result: Pick<RefundResult, 'status' | 'failureMessage'> & { refundRef: string | null };
    actor: Actor;
  },
): Promise<void> {
  const refund = (
    await tx.client.query<{
      paymentId: string;
      organizationId: string;
      amountCents: number;
      reopenInvoiceIds: string[] | null;
      origin: RefundOrigin;
    }>(
      `SELECT r.payment_id AS "paymentId", p.organization_id AS "organizationId",
              r.amount_cents AS "amountCents", r.reopen_invoice_ids AS "reopenInvoiceIds",
              r.origin
         FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.id = $1`,
      [options.refundId],
    )
  ).rows[0];
  if (!refund) throw AppError.notFound('Refund');
  const payment = await lockPaymentForRefund(tx, {
    organizationId: refund.organizationId,
    paymentId: refund.paymentId,
  });
  const still = await tx.client.query(
    `SELECT 1 FROM refunds WHERE id = $1 AND status = 'pending' FOR UPDATE`,
    [options.refundId],
  );
  if (still.rowCount === 0) return;
  const audit = (action: string, after: Record<string, unknown>) =>
    recordAudit(tx.db, options.actor, {
      organizationId: payment.organizationId,
      entityType: 'payment',
      entityId: payment.id,
      entityLabel: payment.number,
      action,
      before: { refundedCents: payment.refundedCents },
      after: { refundId: options.refundId, ...after },
    });

  if (options.result.status === 'failed') {
    const failureMessage = options.result.failureMessage ?? 'The payment processor refused it.';
    await tx.client.query(
      `UPDATE refunds SET status = 'failed', failure_message = $2,
                          gateway_refund_ref = coalesce($3, gateway_refund_ref)
        WHERE id = $1`,
      [options.refundId, failureMessage, options.result.refundRef],
    );
    await audit('refund.failed', { refundedCents: payment.refundedCents, failureMessage });
    return;
  }

  await tx.client.query(
    `UPDATE refunds SET status = 'succeeded', gateway_refund_ref = $2 WHERE id = $1`,
    [options.refundId, options.result.refundRef],
  );
  const refundedCents = payment.refundedCents + refund.amountCents;
  await tx.client.query(
    `UPDATE payments SET refunded_cents = $2, updated_at = now() WHERE id = $1`,
    [payment.id, refundedCents],
  );
  const reopened = await lowerAllocations(tx, {
    paymentId: payment.id,
    // What the refund takes beyond the unapplied credit (amount − old refunded − allocated).
    amountCents: refund.amountCents,
    amountPaidCents: payment.amountCents - payment.refundedCents,
    invoiceIds: refund.reopenInvoiceIds ?? undefined,
  });
  // Kept with the refund: a refund the processor fails later gives the invoices this back.
  await tx.client.query(`UPDATE refunds SET reopened = $2::jsonb WHERE id = $1`, [
    options.refundId,
    JSON.stringify(reopened),
  ]);
  await audit(refund.origin === 'dispute' ? 'payment.dispute_lost' : 'refund.succeeded', {
    amountCents: refund.amountCents,
    refundedCents,
    origin: refund.origin,
    reopened: reopened.map((r) => ({ invoiceId: r.invoiceId, amountCents: r.amountCents })),
  });
  // A lost dispute is the client's bank taking the money back, not a refund Portico issued:
  // the client asked their bank for it and hears from it, so no Refund Issued email.
  if (refund.origin === 'dispute') return;
  // Rendered by the payments.receipts job once this commits: a render holds no lock.
  await enqueuePaymentEmails(tx, deps, {
    paymentId: payment.id,
    kind: 'refund',
    refundId: options.refundId,
    actor: options.actor,
  });
}

/**
 * Lowers the payment's allocations by what the refund takes beyond its unapplied credit: the
 * invoices in `invoiceIds` first (in that order), then the newest invoices (issue date, then
 * number, descending), reopening each by as much. Answers what each invoice took back.
 */
async function lowerAllocations(
  tx: Transaction,
  options: {
    paymentId: string;
    amountCents: number;
    /** The payment's amount less what was refunded before this refund. */
    amountPaidCents: number;
    invoiceIds?: string[] | undefined;
  },
): Promise<{ invoiceId: string; amountCents: number }[]> {
  const allocations = (
    await tx.client.query<{ invoiceId: string; amountCents: number }>(
      `SELECT a.invoice_id AS "invoiceId", a.amount_cents AS "amountCents"
         FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.payment_id = $1 AND a.amount_cents > 0
        ORDER BY array_position($2::uuid[], a.invoice_id) NULLS LAST,
                 i.issue_date DESC, i.number DESC`,
      [options.paymentId, options.invoiceIds ?? []],
    )
  ).rows;
  const allocatedCents = allocations.reduce((sum, a) => sum + a.amountCents, 0);
  const unapplied = Math.max(options.amountPaidCents - allocatedCents, 0);
  let left = Math.max(options.amountCents - unapplied, 0);
  const reopened: { invoiceId: string; amountCents: number }[] = [];
  for (const allocation of allocations) {
    if (left === 0) break;
    const take = Math.min(left, allocation.amountCents);
    await tx.client.query(
      `UPDATE payment_allocations SET amount_cents = amount_cents - $3
        WHERE payment_id = $1 AND invoice_id = $2`,
      [options.paymentId, allocation.invoiceId, take],
    );
    await applyInvoicePayment(tx, { invoiceId: allocation.invoiceId, deltaCents: -take });
    reopened.push({ invoiceId: allocation.invoiceId, amountCents: take });
    left -= take;
  }
  return reopened;
}

/**
 * Applies the refunds the processor has of a payment's charge (a Stripe webhook: charge.refunded,
 * refund.updated, refund.failed), in one transaction under the payment's row lock:
 * - a refund made in the processor's dashboard that Portico does not know is booked as a refund
 *   (origin `processor`, key `processor-refund-<ref>`, so the same event twice books it once):
 *   allocations lowered, invoices reopened, Refund Issued email, audit;
 * - a refund of Portico's still pending takes the processor's answer (applyRefundResult);
 * - a refund Portico booked that the processor now says failed (Stripe answers a refund
 *   `pending` and can fail it days later) is undone: see reverseRefund.
 * `paymentKey` is the payment's idempotency key. Answers how many refunds changed; a payment
 * no longer paid (or not Portico's) changes nothing.
 */
export async function applyProcessorRefunds(
  deps: Deps,
  options: { paymentKey: string; refunds: ProcessorRefund[] },
): Promise<number> {
  return withTransaction(deps.pool, async (tx) => {
    const payment = (
      await tx.client.query<{ id: string; organizationId: string; status: PaymentStatus }>(
        `SELECT id, organization_id AS "organizationId", status FROM payments
          WHERE idempotency_key = $1 FOR UPDATE`,
        [options.paymentKey],
      )
    ).rows[0];
    if (!payment || payment.status !== 'succeeded') return 0;
    let changed = 0;
    for (const processorRefund of options.refunds) {
      const key = processorRefund.idempotencyKey ?? `processor-refund-${processorRefund.refundRef}`;
      const known = (
        await tx.client.query<{ id: string; status: 'pending' | 'succeeded' | 'failed' }>(
          `SELECT id, status FROM refunds WHERE payment_id = $1 AND idempotency_key = $2`,
          [payment.id, key],
        )
      ).rows[0];
      if (known?.status === 'pending') {
        if (processorRefund.status === 'pending') continue;
        await applyRefundResult(tx, deps, {
          refundId: known.id,
          result: processorRefund,
          actor: systemActor,
        });
        changed += 1;
      } else if (known?.status === 'succeeded' && processorRefund.status === 'failed') {
        await reverseRefund(tx, {
          refundId: known.id,
          failureMessage:
            processorRefund.failureMessage ?? 'The payment processor could not send the refund.',
        });
        changed += 1;
      } else if (!known && processorRefund.status !== 'failed') {
        await bookProcessorRefund(tx, deps, {
          paymentId: payment.id,
          organizationId: payment.organizationId,
          idempotencyKey: key,
          origin: 'processor',
          amountCents: processorRefund.amountCents,
          refundRef: processorRefund.refundRef,
          reason: 'Refunded at the payment processor',
        });
        changed += 1;
      }
    }
    return changed;
  });
}

/**
 * Applies the processor's word on a dispute (chargeback) of a payment's charge: the payment
 * keeps the dispute's reference, status and reason (staff see it as disputed while it is open);
 * a lost dispute is booked once as a refund of the disputed amount (origin `dispute`, key
 * `processor-dispute-<ref>`): allocations lowered, invoices reopened, audit, no email. Answers
 * whether anything changed.
 */
export async function applyProcessorDispute(
  deps: Deps,
  options: { paymentKey: string; dispute: ProcessorDispute },
): Promise<boolean> {
  const { dispute } = options;
  return withTransaction(deps.pool, async (tx) => {
    const payment = (
      await tx.client.query<{
        id: string;
        number: string;
        organizationId: string;
        status: PaymentStatus;
        amountCents: number;
        refundedCents: number;
        disputeStatus: string | null;
      }>(
        `SELECT id, number, organization_id AS "organizationId", status,
                amount_cents AS "amountCents", refunded_cents AS "refundedCents",
                dispute_status AS "disputeStatus"
           FROM payments WHERE idempotency_key = $1 FOR UPDATE`,
        [options.paymentKey],
      )
    ).rows[0];
    if (!payment) return false;
    let changed = false;
    if (payment.disputeStatus !== dispute.status) {
      await tx.client.query(
        `UPDATE payments SET dispute_ref = $2, dispute_status = $3, dispute_reason = $4,
                             disputed_at = coalesce(disputed_at, now()), updated_at = now()
          WHERE id = $1`,
        [payment.id, dispute.disputeRef, dispute.status, dispute.reason],
      );
      await recordAudit(tx.db, systemActor, {
        organizationId: payment.organizationId,
        entityType: 'payment',
        entityId: payment.id,
        entityLabel: payment.number,
        action: payment.disputeStatus === null ? 'payment.disputed' : 'payment.dispute_updated',
        before: { disputeStatus: payment.disputeStatus },
        after: {
          disputeRef: dispute.disputeRef,
          disputeStatus: dispute.status,
          reason: dispute.reason,
          amountCents: dispute.amountCents,
        },
      });
      changed = true;
    }
    if (dispute.lost && payment.status === 'succeeded') {
      const key = `processor-dispute-${dispute.disputeRef}`;
      const booked = await tx.client.query(`SELECT 1 FROM refunds WHERE idempotency_key = $1`, [
        key,
      ]);
      // What is left of the payment: a refund made before the dispute already gave some back.
      const amountCents = Math.min(
        dispute.amountCents,
        payment.amountCents - payment.refundedCents,
      );
      if (booked.rowCount === 0 && amountCents > 0) {
        await bookProcessorRefund(tx, deps, {
          paymentId: payment.id,
          organizationId: payment.organizationId,
          idempotencyKey: key,
          origin: 'dispute',
          amountCents,
          refundRef: null,
          reason: `Dispute lost (${dispute.reason.replaceAll('_', ' ')})`,
        });
        changed = true;
      }
    }
    return changed;
  });
}

/** Writes a refund the processor made (pending) and books it at once, on `tx`. */
async function bookProcessorRefund(
  tx: Transaction,
  deps: Deps,
  options: {
    paymentId: string;
    organizationId: string;
    idempotencyKey: string;
    origin: Exclude<RefundOrigin, 'staff'>;
    amountCents: number;
    refundRef: string | null;
    reason: string;
  },
): Promise<void> {
  const refundId = randomUUID();
  await tx.client.query(
    `INSERT INTO refunds (id, payment_id, amount_cents, status, idempotency_key, reason,
                          gateway_refund_ref, origin)
     VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7)`,
    [
      refundId,
      options.paymentId,
      options.amountCents,
      options.idempotencyKey,
      options.reason,
      options.refundRef,
      options.origin,
    ],
  );
  await applyRefundResult(tx, deps, {
    refundId,
    result: { status: 'succeeded', refundRef: options.refundRef, failureMessage: null },
    actor: systemActor,
  });
}

/**
 * Undoes a refund Portico booked that the processor failed afterwards, on `tx` (which holds
 * the payment's lock): the refund reads failed with the processor's reason, the payment's
 * refunded amount drops back, and each invoice it reopened takes back what it still owes of
 * that (an invoice paid otherwise since takes less; the rest is the client's unapplied credit,
 * since the money stayed with the MSP). Audited as `refund.reversed`.
 */
async function reverseRefund(
  tx: Transaction,
  options: { refundId: string; failureMessage: string },
): Promise<void> {
  const refund = (
    await tx.client.query<{
      paymentId: string;
      amountCents: number;
      reopened: { invoiceId: string; amountCents: number }[] | null;
    }>(
      `UPDATE refunds SET status = 'failed', failure_message = $2
        WHERE id = $1 AND status = 'succeeded'
        RETURNING payment_id AS "paymentId", amount_cents AS "amountCents", reopened`,
      [options.refundId, options.failureMessage],
    )
  ).rows[0];
  if (!refund) return;
  const payment = (
    await tx.client.query<{
      number: string;
      organizationId: string;
      refundedCents: number;
    }>(
      `UPDATE payments SET refunded_cents = refunded_cents - $2, updated_at = now()
        WHERE id = $1
        RETURNING number, organization_id AS "organizationId", refunded_cents AS "refundedCents"`,
      [refund.paymentId, refund.amountCents],
    )
  ).rows[0]!;
  const reopened = refund.reopened ?? [];
  const invoices = await lockOpenInvoicesForPayment(tx, {
    organizationId: payment.organizationId,
    invoiceIds: reopened.map((r) => r.invoiceId),
  });
  const restored: { invoiceId: string; amountCents: number }[] = [];
  for (const entry of reopened) {
    const owed = invoices.find((i) => i.id === entry.invoiceId)?.balanceCents ?? 0;
    const back = Math.min(entry.amountCents, Math.max(owed, 0));
    if (back === 0) continue;
    await tx.client.query(
      `UPDATE payment_allocations SET amount_cents = amount_cents + $3
        WHERE payment_id = $1 AND invoice_id = $2`,
      [refund.paymentId, entry.invoiceId, back],
    );
    await applyInvoicePayment(tx, { invoiceId: entry.invoiceId, deltaCents: back });
    restored.push({ invoiceId: entry.invoiceId, amountCents: back });
  }
  await recordAudit(tx.db, systemActor, {
    organizationId: payment.organizationId,
    entityType: 'payment',
    entityId: refund.paymentId,
    entityLabel: payment.number,
    action: 'refund.reversed',
    before: { refundedCents: payment.refundedCents + refund.amountCents },
    after: {
      refundId: options.refundId,
      refundedCents: payment.refundedCents,
      failureMessage: options.failureMessage,
      restored,
    },
  });
}
