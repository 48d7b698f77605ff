import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../platform/context.js';
import {
  commitWithNextStatement,
  queryNamed,
  withTransaction,
  type Transaction,
} from '../../platform/database.js';
import {
  auditInsert,
  auditInsertMany,
  recordAudit,
  systemActor,
  type Actor,
  type AuditEntry,
} from '../audit/audit.js';
import { applyInvoicePayment, applyInvoicePaymentsUpTo } from '../invoices/invoice-payments.js';
import type { ChargeResult } from './gateway.js';
import { recordChargeFailure, recordChargeFailures } from './payment-methods.js';
import {
  enqueuePaymentEmails,
  enqueuePaymentEmailsMany,
  paymentEmailsJob,
  type PaymentEmailJob,
} from './payment-receipts.js';
import { paymentColumns, type PaymentView } from './payment-history.js';
import type { PaymentStatus } from '../../shared/contract/payments.js';

/**
 * Applying the processor's answer to a payment: the one place a payment leaves `pending` or
 * `processing` (docs/decisions/0028-payment-core.md). The pay route, the reconciliation job
 * and the Stripe webhook all call `applyChargeResult`, so an answer applied twice (a webhook
 * and the job, two workers) changes nothing the second time: every transition starts from the
 * status it expects, under the payment's row lock.
 *
 *   pending    → succeeded   money applied to the invoices, receipt emails
 *   pending    → processing  (ACH) money applied while it settles, allocations stay in flight
 *   pending    → failed      nothing applied, the method's failure count grows
 *   processing → succeeded   settled: allocations no longer in flight
 *   processing → returned    the invoices reopen by what was applied
 *   failed     → succeeded   (or processing) a payment failed as never received whose charge
 *                            arrives late after all: its money is kept, see `recover`
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config'>;

/**
 * What the processor said about a charge. A ChargeResult fits; the reconciliation job also
 * passes a failure of its own (no charge ref) when the processor never received the charge.
 */
export type ChargeAnswer = Pick<ChargeResult, 'status' | 'failureCode' | 'failureMessage'> & {
  chargeRef: string | null;
};

/**
 * The failure code of a payment the reconciliation job failed because the processor had no
 * charge with its key after the window. A worker stalled longer than that window can still
 * charge it with the key: such a payment is asked about again (reconcilePayments) and a charge
 * that turns up is kept (the `recover` transitions).
 */
export const notReachedCode = 'not_reached';

/** Decline and return codes in the words a client reads (test-cards.md lists the codes). */
const plainWords: Record<string, string> = {
  generic_decline: 'The card was declined by the bank.',
  card_declined: 'The card was declined by the bank.',
  insufficient_funds: 'The account has insufficient funds.',
  lost_card: 'The bank reported this card lost; the card is locked.',
  stolen_card: 'The bank reported this card stolen; the card is locked.',
  expired_card: 'The card has expired.',
  incorrect_cvc: 'The card’s security code (CVC) is incorrect.',
  processing_error: 'The card’s bank could not process the payment. Try again in a moment.',
  no_account: 'The bank could not find this account.',
  account_closed: 'The bank account is closed.',
  [notReachedCode]: 'The payment did not reach the payment processor; nothing was charged.',
};

/** A failure in plain words: Portico's own for a known code, else the processor's sentence. */
export function failureInWords(code: string | null, processorMessage: string | null): string {
  return (
    (code ? plainWords[code] : undefined) ??
    processorMessage ??
    'The payment was declined by the payment processor.'
  );
}

/** What an answer does to a payment in a given status; null when it changes nothing. */
export type PaymentTransition =
  'succeed' | 'process' | 'fail' | 'settle' | 'return' | 'recover' | 'recover_processing';

/**
 * The state machine's table (pure): from `pending`, the processor's succeeded / processing /
 * failed; from `processing` (ACH), succeeded settles and failed is a return. Any other pair
 * (a final payment, a processing debit still processing) is no transition: an answer applied a
 * second time changes nothing. The one way out of a final status: a payment failed as never
 * received (`failureCode` notReachedCode) whose charge the processor has after all (succeeded
 * or processing) recovers, since the money was taken.
 */
export function paymentTransition(
  from: PaymentStatus,
  answer: ChargeAnswer['status'],
  failureCode: string | null = null,
): PaymentTransition | null {
  if (from === 'failed' && failureCode === notReachedCode) {
    return answer === 'succeeded'
      ? 'recover'
      : answer === 'processing'
        ? 'recover_processing'
        : null;
  }
  if (from === 'pending') {
    return answer === 'succeeded' ? 'succeed' : answer === 'processing' ? 'process' : 'fail';
  }
  if (from === 'processing') {
    return answer === 'succeeded' ? 'settle' : answer === 'failed' ? 'return' : null;
  }
  return null;
}

interface LockedPayment {
  id: string;
  number: string;
  organizationId: string;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
  paymentMethodId: string | null;
  failureCode: string | null;
  /**
   * Its allocations as they were when the lock was taken (invoice id order). Only a transition
   * from `pending` uses them: every change of a pending payment's allocations changes its status
   * under this lock too, so they cannot be stale then; other transitions read them again.
   */
  allocations: AllocationRow[];
}

interface AllocationRow {
  invoiceId: string;
  amountCents: number;
}

/** The payment, locked for the transaction (FOR UPDATE; SKIP LOCKED when `skipLocked`). */
export async function lockPayment(
  tx: Pick<Transaction, 'client'>,
  where: { paymentId: string } | { idempotencyKey: string },
  skipLocked = false,
): Promise<LockedPayment | null> {
  const byId = 'paymentId' in where;
  // The allocations come in the same statement: a round trip less on every payment's answer.
  const result = await tx.client.query<LockedPayment>({
    name: `lock-payment-${byId ? 'id' : 'key'}${skipLocked ? '-skip-locked' : ''}`,
    text: `SELECT p.id, p.number, p.organization_id AS "organizationId", p.status,
            p.amount_cents AS "amountCents", p.currency, p.payment_method_id AS "paymentMethodId",
            p.failure_code AS "failureCode",
            coalesce((SELECT json_agg(json_build_object('invoiceId', a.invoice_id,
                                                        'amountCents', a.amount_cents)
                                      ORDER BY a.invoice_id)
                        FROM payment_allocations a WHERE a.payment_id = p.id), '[]'::json)
              AS allocations
       FROM payments p WHERE ${byId ? 'p.id = $1' : 'p.idempotency_key = $1'}
        FOR UPDATE OF p ${skipLocked ? 'SKIP LOCKED' : ''}`,
    values: [byId ? where.paymentId : where.idempotencyKey],
  });
  return result.rows[0] ?? null;
}

async function allocationsOf(tx: Transaction, paymentId: string): Promise<AllocationRow[]> {
  const result = await tx.client.query<AllocationRow>(
    `SELECT invoice_id AS "invoiceId", amount_cents AS "amountCents"
       FROM payment_allocations WHERE payment_id = $1 ORDER BY invoice_id`,
    [paymentId],
  );
  return result.rows;
}

/**
 * Applies the payment's money to its invoices. An invoice that meanwhile owes less than its
 * allocation (staff recorded a check for it while this charge was in flight) takes what it
 * owes; the rest stays with the payment as unapplied credit (the allocation is lowered), since
 * the money was taken and must not vanish.
 */
async function applyToInvoices(
  tx: Transaction,
  payment: LockedPayment,
  /** The allocations when the caller has them current (a transition from pending). */
  current?: AllocationRow[],
  /** What applyInvoicePaymentsUpTo answered, when the caller sent it already in `tx`. */
  alreadyApplied?: Map<string, number>,
): Promise<void> {
  const allocations = current ?? (await allocationsOf(tx, payment.id));
  await applyPaymentsToInvoices(
    tx,
    allocations.map((allocation) => ({
      paymentId: payment.id,
      organizationId: payment.organizationId,
      ...allocation,
    })),
    alreadyApplied,
  );
}

/**
 * What a payment's money does to its invoices, for one payment or many (the AutoPay run's
 * chunk): the one place for it. Each allocation (integer minor units; each invoice at most once
 * across them) gives its invoice up to what it still owes, all invoices locked in id order in
 * one statement (applyInvoicePaymentsUpTo); an allocation its invoice took less of is lowered to
 * what was applied, the rest staying with the payment as unapplied credit. Call it on the
 * outcome's transaction, with the payments locked.
 */
export async function applyPaymentsToInvoices(
  tx: Pick<Transaction, 'client'>,
  allocations: {
    paymentId: string;
    organizationId: string;
    invoiceId: string;
    amountCents: number;
  }[],
  /**
   * What applyInvoicePaymentsUpTo answered for these allocations' positive amounts, when the
   * caller sent it already in `tx` (the pay route, with the payment's lock): not sent again.
   */
  alreadyApplied?: Map<string, number>,
): Promise<void> {
  const paying = allocations.filter((allocation) => allocation.amountCents > 0);
  const applied = alreadyApplied ?? (await applyInvoicePaymentsUpTo(tx, paying));
  const lowered = allocations.filter(
    (allocation) => (applied.get(allocation.invoiceId) ?? 0) !== allocation.amountCents,
  );
  if (lowered.length === 0) return;
  await tx.client.query(
    `UPDATE payment_allocations a SET amount_cents = l.applied
       FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS l(payment_id, invoice_id, applied)
      WHERE a.payment_id = l.payment_id AND a.invoice_id = l.invoice_id`,
    [
      lowered.map((allocation) => allocation.paymentId),
      lowered.map((allocation) => allocation.invoiceId),
      lowered.map((allocation) => applied.get(allocation.invoiceId) ?? 0),
    ],
  );
}

async function setStatus(
  tx: Transaction,
  /** Given the payment as its payer reads it after the update (the statement answers it). */
  seen: (view: PaymentView) => void,
  payment: LockedPayment,
  change: {
    status: PaymentStatus;
    chargeRef?: string | null;
    failureCode?: string | null;
    failureMessage?: string | null;
    settled?: boolean;
    /** Also mark the payment's allocations no longer in flight (in the same statement). */
    releaseAllocations?: boolean;
    /**
     * A charge that succeeded: the method's count of failed charges in a row starts again at 0
     * (a lock stays: only staff's unlock or an edit lifts it), in the same statement.
     */
    methodSucceeded?: boolean;
    /** The transition's audit row (auditInsert), written in the same statement. */
    audit?: SQL;
    /** The outcome's emails job (paymentEmailsJob), enqueued in the same statement. */
    emails?: SQL;
  },
) {
  const methodId = change.methodSucceeded ? payment.paymentMethodId : null;
  // Named (planned once per connection): it runs on every payment's outcome. The payment as its
  // payer reads it comes back with it (the pay route's answer, without a read of its own).
  const updated = await queryNamed<PaymentView>(
    tx.client,
    `set-payment-status${change.audit ? '-audited' : ''}${change.emails ? '-emails' : ''}`,
    sql`WITH released AS (
       UPDATE payment_allocations SET in_flight = false
        WHERE payment_id = ${payment.id} AND ${change.releaseAllocations ?? false} AND in_flight
     ), method_succeeded AS (
       UPDATE payment_methods SET failed_charge_count = 0, updated_at = now()
        WHERE id = ${methodId}::uuid AND failed_charge_count <> 0
     )${change.audit ? sql`, audit AS (${change.audit})` : sql``}${
       change.emails ? sql`, emails AS (${change.emails})` : sql``
     }
     UPDATE payments p
        SET status = ${change.status},
            gateway_charge_ref = coalesce(${change.chargeRef ?? null}, gateway_charge_ref),
            failure_code = ${change.failureCode ?? null},
            failure_message = ${change.failureMessage ?? null},
            settled_at = CASE WHEN ${change.settled ?? false} THEN now() ELSE settled_at END,
            checked_at = now(), updated_at = now()
      WHERE id = ${payment.id}
      RETURNING ${sql.raw(paymentColumns)}`,
  );
  seen(updated.rows[0]!);
}

/**
 * Applies `answer` to the payment, inside `tx` (which must hold the payment's row lock, see
 * lockPayment). Answers the status the payment has afterwards. A payment whose status the
 * answer does not move (already final, or an ACH debit still processing) is left as it is.
 */
export async function applyChargeAnswer(
  tx: Transaction,
  deps: Deps,
  payment: LockedPayment,
  answer: ChargeAnswer,
  actor: Actor,
): Promise<PaymentStatus> {
  return applyAnswer(tx, deps, payment, answer, actor, () => {});
}

/**
 * applyChargeAnswer, also answering the payment as its payer reads it after the change (as
 * paymentViews reads it, in `tx`): null when the answer moved nothing.
 */
export async function applyChargeAnswerWithView(
  tx: Transaction,
  deps: Deps,
  payment: LockedPayment,
  answer: ChargeAnswer,
  actor: Actor,
  /**
   * For a success or an accepted debit of a pending payment: what applyInvoicePaymentsUpTo
   * answered for its allocations, sent already in `tx` after the payment's lock.
   */
  invoicesApplied?: Map<string, number>,
): Promise<{ status: PaymentStatus; view: PaymentView | null }> {
  let view: PaymentView | null = null;
  const status = await applyAnswer(
    tx,
    deps,
    payment,
    answer,
    actor,
    (seen) => {
      view = seen;
    },
    invoicesApplied,
  );
  return { status, view };
}

async function applyAnswer(
  tx: Transaction,
  deps: Deps,
  payment: LockedPayment,
  answer: ChargeAnswer,
  actor: Actor,
  seen: (view: PaymentView) => void,
  invoicesApplied?: Map<string, number>,
): Promise<PaymentStatus> {
  const auditEntry = (action: string, after: Record<string, unknown>) => ({
    organizationId: payment.organizationId,
    entityType: 'payment',
    entityId: payment.id,
    entityLabel: payment.number,
    action,
    before: { status: payment.status },
    after,
  });
  const audit = (action: string, after: Record<string, unknown>) =>
    recordAudit(tx.db, actor, auditEntry(action, after));
  /** The audit row as part of the status's statement (setStatus). */
  const auditing = (action: string, after: Record<string, unknown>) =>
    auditInsert(actor, auditEntry(action, after));
  const failureMessage =
    answer.status === 'failed' ? failureInWords(answer.failureCode, answer.failureMessage) : null;
  const transition = paymentTransition(payment.status, answer.status, payment.failureCode);

  if (invoicesApplied && transition !== 'succeed' && transition !== 'process') {
    throw new Error(`The invoices were paid ahead of a ${transition} transition`);
  }

  if (transition === 'succeed') {
    await applyToInvoices(tx, payment, payment.allocations, invoicesApplied);
    const emails = await paymentEmailsJob(deps, { paymentId: payment.id, kind: 'receipt', actor });
    // The transaction's last statement: in a pipelined transaction COMMIT goes out with it.
    commitWithNextStatement(tx);
    await setStatus(tx, seen, payment, {
      status: 'succeeded',
      chargeRef: answer.chargeRef,
      settled: true,
      releaseAllocations: true,
      methodSucceeded: true,
      audit: auditing('payment.succeeded', {
        status: 'succeeded',
        amountCents: payment.amountCents,
      }),
      emails,
    });
    return 'succeeded';
  }
  if (transition === 'process') {
    // The balance shows the debit paid while it settles; the allocations stay in flight, so no
    // second payment of these invoices starts until it settles or is returned.
    await applyToInvoices(tx, payment, payment.allocations, invoicesApplied);
    const emails = await paymentEmailsJob(deps, {
      paymentId: payment.id,
      kind: 'processing',
      actor,
    });
    commitWithNextStatement(tx);
    await setStatus(tx, seen, payment, {
      status: 'processing',
      chargeRef: answer.chargeRef,
      audit: auditing('payment.processing', {
        status: 'processing',
        amountCents: payment.amountCents,
      }),
      emails,
    });
    return 'processing';
  }
  if (transition === 'fail') {
    await tx.client.query(
      `UPDATE payment_allocations SET amount_cents = 0, in_flight = false WHERE payment_id = $1`,
      [payment.id],
    );
    await setStatus(tx, seen, payment, {
      status: 'failed',
      chargeRef: answer.chargeRef,
      failureCode: answer.failureCode,
      failureMessage,
    });
    const locked =
      payment.paymentMethodId && answer.failureCode !== notReachedCode
        ? await recordChargeFailure(tx, payment.paymentMethodId, answer.failureCode)
        : null;
    await audit('payment.failed', {
      status: 'failed',
      failureCode: answer.failureCode,
      failureMessage,
      ...(locked ? { methodLocked: locked } : {}),
    });
    await enqueuePaymentEmails(tx, deps, { paymentId: payment.id, kind: 'failed', actor });
    return 'failed';
  }
  if (transition === 'settle') {
    await setStatus(tx, seen, payment, {
      status: 'succeeded',
      chargeRef: answer.chargeRef,
      settled: true,
      releaseAllocations: true,
      methodSucceeded: true,
      audit: auditing('payment.settled', { status: 'succeeded' }),
    });
    await enqueuePaymentEmails(tx, deps, { paymentId: payment.id, kind: 'receipt', actor });
    return 'succeeded';
  }
  if (transition === 'return') {
    // Returned: every invoice reopens by what this payment had applied to it.
    for (const allocation of await allocationsOf(tx, payment.id)) {
      if (allocation.amountCents > 0) {
        await applyInvoicePayment(tx, {
          invoiceId: allocation.invoiceId,
          deltaCents: -allocation.amountCents,
        });
      }
    }
    await tx.client.query(
      `UPDATE payment_allocations SET amount_cents = 0, in_flight = false WHERE payment_id = $1`,
      [payment.id],
    );
    await setStatus(tx, seen, payment, {
      status: 'returned',
      chargeRef: answer.chargeRef,
      failureCode: answer.failureCode,
      failureMessage,
    });
    if (payment.paymentMethodId) {
      await recordChargeFailure(tx, payment.paymentMethodId, answer.failureCode);
    }
    await audit('payment.returned', {
      status: 'returned',
      failureCode: answer.failureCode,
      failureMessage,
    });
    await enqueuePaymentEmails(tx, deps, { paymentId: payment.id, kind: 'returned', actor });
    return 'returned';
  }
  if (transition === 'recover' || transition === 'recover_processing') {
    // The charge went through after the payment was failed as never received (its worker
    // stalled past the window). The money was taken, so it is kept: the allocations get back
    // what they were meant to pay, and applyToInvoices gives each invoice what it still owes
    // (another payment may have paid it since); the rest is the client's unapplied credit.
    // Not in flight even while a debit processes: another payment of these invoices may be in
    // flight now, and the invoices already show this money paid.
    await tx.client.query(
      `UPDATE payment_allocations SET amount_cents = applied_cents, in_flight = false
        WHERE payment_id = $1`,
      [payment.id],
    );
    await applyToInvoices(tx, payment);
    const status = transition === 'recover' ? 'succeeded' : 'processing';
    await setStatus(tx, seen, payment, {
      status,
      chargeRef: answer.chargeRef,
      settled: status === 'succeeded',
      methodSucceeded: status === 'succeeded',
      audit: auditing('payment.recovered', { status, amountCents: payment.amountCents }),
    });
    await enqueuePaymentEmails(tx, deps, {
      paymentId: payment.id,
      kind: status === 'succeeded' ? 'receipt' : 'processing',
      actor,
    });
    return status;
  }
  // Nothing to move: a final payment, or an ACH debit still processing. Note when it was asked.
  await tx.client.query(`UPDATE payments SET checked_at = now() WHERE id = $1`, [payment.id]);
  return payment.status;
}

/**
 * Applies the processor's answer about one payment, found by id or by its idempotency key (what
 * a Stripe webhook carries), in a transaction of its own under the payment's row lock. Answers
 * the payment's status afterwards, or null when no payment has that id or key.
 */
export async function applyChargeResult(
  deps: Deps,
  options: {
    where: { paymentId: string } | { idempotencyKey: string };
    result: ChargeAnswer;
    actor?: Actor;
  },
): Promise<PaymentStatus | null> {
  return withTransaction(deps.pool, async (tx) => {
    const payment = await lockPayment(tx, options.where);
    if (!payment) return null;
    return applyChargeAnswer(tx, deps, payment, options.result, options.actor ?? systemActor);
  });
}

/** What a payment of a batch came to: its status, and why it failed (in words) if it did. */
export interface AppliedAnswer {
  status: PaymentStatus;
  failureCode: string | null;
  failureMessage: string | null;
}

/**
 * applyChargeAnswer for many payments in one transaction `tx` (the AutoPay run's chunk,
 * docs/decisions/0048-autopay-chunked-run.md), set-based: the same state machine, the same
 * writes. The payments are locked in id order; those still pending move as the processor
 * answered (succeeded, processing or failed) with a few statements for all of them: the money
 * applied to the invoices (applyPaymentsToInvoices, as for one), the statuses, the allocations,
 * the methods' failure counts and locks (recordChargeFailures), the audit rows, and the outcome
 * emails' jobs, all on `tx`. A payment no longer pending (the reconciliation job got there
 * first) goes through applyChargeAnswer on its own. Answers each payment's outcome by id.
 */
export async function applyChargeAnswers(
  tx: Transaction,
  deps: Deps,
  options: { actor: Actor; answers: { paymentId: string; answer: ChargeAnswer }[] },
): Promise<Map<string, AppliedAnswer>> {
  const outcomes = new Map<string, AppliedAnswer>();
  if (options.answers.length === 0) return outcomes;
  const answerOf = new Map(options.answers.map((entry) => [entry.paymentId, entry.answer]));
  const locked = await tx.client.query<LockedPayment>({
    name: 'lock-payments-batch',
    text: `SELECT p.id, p.number, p.organization_id AS "organizationId", p.status,
            p.amount_cents AS "amountCents", p.currency, p.payment_method_id AS "paymentMethodId",
            p.failure_code AS "failureCode",
            coalesce((SELECT json_agg(json_build_object('invoiceId', a.invoice_id,
                                                        'amountCents', a.amount_cents)
                                      ORDER BY a.invoice_id)
                        FROM payment_allocations a WHERE a.payment_id = p.id), '[]'::json)
              AS allocations
       FROM payments p WHERE p.id = ANY($1::uuid[])
      ORDER BY p.id
        FOR UPDATE OF p`,
    values: [[...answerOf.keys()]],
  });
  const moving: { payment: LockedPayment; answer: ChargeAnswer; to: PaymentStatus }[] = [];
  const others: { payment: LockedPayment; answer: ChargeAnswer }[] = [];
  for (const payment of locked.rows) {
    const answer = answerOf.get(payment.id)!;
    const transition = paymentTransition(payment.status, answer.status, payment.failureCode);
    if (transition === 'succeed') moving.push({ payment, answer, to: 'succeeded' });
    else if (transition === 'process') moving.push({ payment, answer, to: 'processing' });
    else if (transition === 'fail') moving.push({ payment, answer, to: 'failed' });
    else others.push({ payment, answer });
  }

  const paid = moving.filter((entry) => entry.to !== 'failed');
  await applyPaymentsToInvoices(
    tx,
    paid.flatMap(({ payment }) =>
      payment.allocations.map((allocation) => ({
        paymentId: payment.id,
        organizationId: payment.organizationId,
        ...allocation,
      })),
    ),
  );
  const failed = moving.filter((entry) => entry.to === 'failed');
  // The methods this batch changes (failures counted, a lock, a success's reset), locked now, in
  // one statement and in id order: two batches at once (the AutoPay run's chunks in flight, one
  // client's invoices in both) then never hold one method each and wait for the other's.
  // NO KEY UPDATE, as the updates below take: a payment being written for the method (its
  // foreign key's KEY SHARE) is not waited for.
  const changedMethods = [
    ...new Set(
      moving.flatMap(({ payment, to }) =>
        payment.paymentMethodId && to !== 'processing' ? [payment.paymentMethodId] : [],
      ),
    ),
  ];
  if (changedMethods.length > 0) {
    await tx.client.query({
      name: 'lock-batch-methods',
      text: `SELECT id FROM payment_methods WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
      values: [changedMethods],
    });
  }
  const newlyLocked = await recordChargeFailures(
    tx,
    failed
      .filter(
        ({ payment, answer }) => payment.paymentMethodId && answer.failureCode !== notReachedCode,
      )
      .map(({ payment, answer }) => ({
        methodId: payment.paymentMethodId!,
        failureCode: answer.failureCode,
      })),
  );
  const audits: AuditEntry[] = [];
  const jobs: PaymentEmailJob[] = [];
  const rows = moving.map(({ payment, answer, to }) => {
    const failureMessage =
      to === 'failed' ? failureInWords(answer.failureCode, answer.failureMessage) : null;
    const methodLocked =
      to === 'failed' && payment.paymentMethodId
        ? newlyLocked.get(payment.paymentMethodId)
        : undefined;
    // A method locked by this batch: named on the first of its failed payments, as one call
    // of recordChargeFailure names it on the payment that locked it.
    if (methodLocked) newlyLocked.delete(payment.paymentMethodId!);
    audits.push({
      organizationId: payment.organizationId,
      entityType: 'payment',
      entityId: payment.id,
      entityLabel: payment.number,
      action: `payment.${to}`,
      before: { status: payment.status },
      after:
        to === 'failed'
          ? {
              status: 'failed',
              failureCode: answer.failureCode,
              failureMessage,
              ...(methodLocked ? { methodLocked } : {}),
            }
          : { status: to, amountCents: payment.amountCents },
    });
    jobs.push({
      paymentId: payment.id,
      kind: to === 'succeeded' ? 'receipt' : to === 'processing' ? 'processing' : 'failed',
      actor: options.actor,
    });
    outcomes.set(payment.id, {
      status: to,
      failureCode: to === 'failed' ? answer.failureCode : null,
      failureMessage,
    });
    return { payment, answer, to, failureMessage };
  });
  if (rows.length > 0) {
    const column = <T>(pick: (row: (typeof rows)[number]) => T) => sql.param(rows.map(pick));
    const succeededMethods = rows
      .filter((row) => row.to === 'succeeded' && row.payment.paymentMethodId)
      .map((row) => row.payment.paymentMethodId!);
    // What setStatus does for one payment, for all: the allocations (released when succeeded;
    // nothing and not in flight when failed; in flight while a debit processes), a success's
    // reset of its method's failures in a row, the audit rows, the status.
    await queryNamed(
      tx.client,
      'set-payment-statuses-batch',
      sql`WITH s AS (
         SELECT * FROM unnest(${column((r) => r.payment.id)}::uuid[], ${column((r) => r.to)}::text[],
                              ${column((r) => r.answer.chargeRef)}::text[],
                              ${column((r) => (r.to === 'failed' ? r.answer.failureCode : null))}::text[],
                              ${column((r) => r.failureMessage)}::text[])
           AS s(id, status, charge_ref, failure_code, failure_message)
       ), allocations AS (
         UPDATE payment_allocations a
            SET in_flight = false,
                amount_cents = CASE WHEN s.status = 'failed' THEN 0 ELSE a.amount_cents END
           FROM s
          WHERE a.payment_id = s.id AND s.status IN ('succeeded', 'failed')
       ), method_succeeded AS (
         UPDATE payment_methods SET failed_charge_count = 0, updated_at = now()
          WHERE id = ANY(${sql.param(succeededMethods)}::uuid[]) AND failed_charge_count <> 0
       ), audit AS (${auditInsertMany(options.actor, audits)})
       UPDATE payments p
          SET status = s.status, gateway_charge_ref = coalesce(s.charge_ref, p.gateway_charge_ref),
              failure_code = s.failure_code, failure_message = s.failure_message,
              settled_at = CASE WHEN s.status = 'succeeded' THEN now() ELSE p.settled_at END,
              checked_at = now(), updated_at = now()
         FROM s
        WHERE p.id = s.id`,
    );
    await enqueuePaymentEmailsMany(tx, deps, jobs);
  }
  for (const { payment, answer } of others) {
    await applyChargeAnswer(tx, deps, payment, answer, options.actor);
  }
  if (others.length > 0) {
    const after = await tx.client.query<AppliedAnswer & { id: string }>(
      `SELECT id, status, failure_code AS "failureCode", failure_message AS "failureMessage"
         FROM payments WHERE id = ANY($1::uuid[])`,
      [others.map((entry) => entry.payment.id)],
    );
    for (const row of after.rows) outcomes.set(row.id, row);
  }
  return outcomes;
}
