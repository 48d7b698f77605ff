import type { AppContext } from '../../platform/context.js';
import { currentTime } from '../../platform/context.js';
import { withTransaction } from '../../platform/database.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { systemActor } from '../audit/audit.js';
import { applyChargeAnswer, lockPayment, notReachedCode } from './charge-results.js';
import { GatewayError, type PaymentGateway } from './gateway.js';

/**
 * The reconciliation job: payments whose outcome Portico does not know yet are settled by
 * asking the processor, by the payment's idempotency key, and never by charging again
 * (docs/decisions/0028-payment-core.md). Every minute it takes
 *   - payments `pending` for more than `confirmAfterSeconds` (the pay request lost the
 *     processor's answer, or its process died between writing the payment and charging), and
 *   - payments `processing` (ACH debits waiting to settle or be returned),
 * and applies what the processor says with applyChargeAnswer, the pay route's own function.
 * A pending payment the processor never received, older than `unreachedAfterMinutes`, failed:
 * nothing was charged, and its invoices may be paid again. A request stalled longer than that
 * between reading the payment and charging it can still charge it with the key, so a payment
 * failed this way is asked about again for `unreachedRecheckHours` (the processors' key
 * lifetime: after it a late charge with the key is a new charge Portico would not match); a
 * charge found then is kept (applyChargeAnswer's `recover`).
 *
 * Each payment is resolved in its own transaction under its row lock taken with SKIP LOCKED:
 * two workers (or a worker and the pay route applying its own answer) never apply one result
 * twice, and every transition checks the status it starts from.
 */

export const reconcileJobName = 'payments.reconcile';

/**
 * The job's windows, from configuration (src/platform/config.ts; defaults 30 s, 10 min, 24 h):
 * a pending payment younger than `confirmAfterSeconds` is still being charged by its request;
 * one the processor has not heard of after `unreachedAfterMinutes` never reached it (long
 * enough for a slow charge in flight to arrive, far within the processors' idempotency key
 * lifetime, so a late charge with the key would answer this one); one failed so is asked about
 * again for `unreachedRecheckHours` (Stripe keeps keys 24 hours).
 */
export function reconcileWindows(config: AppContext['config']) {
  return {
    confirmAfterSeconds: config.PAYMENT_CONFIRM_AFTER_SECONDS,
    unreachedAfterMinutes: config.PAYMENT_UNREACHED_AFTER_MINUTES,
    unreachedRecheckHours: config.PAYMENT_UNREACHED_RECHECK_HOURS,
  };
}

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock' | 'logger'>;

export interface ReconcileSummary {
  checked: number;
  changed: number;
  unavailable: number;
}

/**
 * One pass: asks the processor about each unresolved payment (at most `limit`, oldest first)
 * and applies the answer. Answers how many were checked, how many changed status, and how many
 * could not be asked (the processor did not answer; they are asked again next time).
 */
export async function reconcilePayments(
  deps: Deps,
  gateway: PaymentGateway,
  options: { limit?: number } = {},
): Promise<ReconcileSummary> {
  const now = currentTime(deps);
  const { confirmAfterSeconds, unreachedAfterMinutes, unreachedRecheckHours } = reconcileWindows(
    deps.config,
  );
  const due = await deps.pool.query<{ id: string }>(
    `SELECT id FROM payments
      WHERE gateway = $4
        AND (status = 'processing'
             OR (status = 'pending' AND created_at < $1::timestamptz - make_interval(secs => $2))
             OR (status = 'failed' AND failure_code = $5
                 AND created_at > $1::timestamptz - make_interval(hours => $6)))
      ORDER BY status = 'failed', created_at
      LIMIT $3`,
    [
      now,
      confirmAfterSeconds,
      options.limit ?? 200,
      gateway.name,
      notReachedCode,
      unreachedRecheckHours,
    ],
  );
  const summary: ReconcileSummary = { checked: 0, changed: 0, unavailable: 0 };
  for (const { id } of due.rows) {
    const outcome = await withTransaction(deps.pool, async (tx) => {
      const payment = await lockPayment(tx, { paymentId: id }, true);
      // Another worker holds it, or it was resolved since the list was read.
      const recheck = payment?.status === 'failed' && payment.failureCode === notReachedCode;
      if (
        !payment ||
        (payment.status !== 'pending' && payment.status !== 'processing' && !recheck)
      ) {
        return 'skipped' as const;
      }
      const key = (
        await tx.client.query<{ key: string; createdAt: Date }>(
          `SELECT idempotency_key AS key, created_at AS "createdAt" FROM payments WHERE id = $1`,
          [id],
        )
      ).rows[0]!;
      let found;
      try {
        found = await gateway.findCharge(key.key);
      } catch (error) {
        if (error instanceof GatewayError && error.kind === 'unavailable') {
          return 'unavailable' as const;
        }
        throw error;
      }
      const unreached =
        !found &&
        payment.status === 'pending' &&
        now.getTime() - new Date(key.createdAt).getTime() > unreachedAfterMinutes * 60_000;
      if (!found && !unreached) {
        await tx.client.query(`UPDATE payments SET checked_at = now() WHERE id = $1`, [id]);
        return 'unchanged' as const;
      }
      const answer = found ?? {
        status: 'failed' as const,
        chargeRef: null,
        failureCode: notReachedCode,
        failureMessage: null,
      };
      const after = await applyChargeAnswer(tx, deps, payment, answer, systemActor);
      return after === payment.status ? ('unchanged' as const) : ('changed' as const);
    });
    if (outcome === 'skipped') continue;
    summary.checked += 1;
    if (outcome === 'changed') summary.changed += 1;
    if (outcome === 'unavailable') summary.unavailable += 1;
  }
  if (summary.changed > 0 || summary.unavailable > 0) {
    deps.logger.info({ ...summary }, 'payments reconciled');
  }
  return summary;
}

/** The reconciliation job, every minute, with the process's gateway. */
export function paymentJobs(deps: Deps, gateway: PaymentGateway): JobDefinition[] {
  return [
    {
      name: reconcileJobName,
      cron: '* * * * *',
      handle: async () => {
        await reconcilePayments(deps, gateway);
      },
    },
  ];
}
