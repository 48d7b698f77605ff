import type { AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { failureInWords } from '../payments/charge-results.js';
import { businessTodayFor } from '../settings/business-date.js';
import { getAutopayRunSettings } from '../settings/settings.service.js';
import { afterFailure, declineTryNumber } from './autopay-retry.js';

/**
 * An AutoPay ACH debit returned by the bank after it counted as charged
 * (docs/decisions/0044-autopay-returned-debits.md). The payment core reopens the invoice and
 * locks the method when the return says the account is closed or unknown; what AutoPay does with
 * the cycle is decided here, as for a decline made on the day of the return: a return for a
 * reason that may pass (insufficient funds) is tried again on the retry schedule, under the next
 * try's request key, while tries are left, then given up; a return for good (account closed, no
 * account) is not tried again (the client gets Payment Method Failure, payment-receipts.ts).
 * The try's row (autopay_attempts) changes from `charged` to that outcome, so the run, the
 * preview and the Payments Calendar all see the retry (autopay-plan.ts, nextTry).
 */

export const autopayReturnsJobName = 'autopay.returns';

type Deps = Pick<AppContext, 'pool' | 'clock'>;

interface ReturnedTry {
  attemptId: string;
  tryNumber: number;
  unreachedBefore: number;
  failureCode: string | null;
  failureMessage: string | null;
}

/**
 * Records every returned AutoPay debit whose try still says `charged`: the try's outcome
 * becomes `retry_scheduled` (next try `autopay_retry_days` after today, the MSP's business
 * date), `gave_up` (no tries left) or `failed` (a return for good), with the bank's reason in
 * words, and `returned_on` today: the next AutoPay Summary tells staff (autopay-run.ts). Each try is changed once (`WHERE outcome = 'charged'`), so two workers, or a rerun,
 * change nothing twice. Answers how many tries it changed. The tries are found by the returned
 * payment's request key: its invoice, cycle and try (`autopay:<invoice>:<cycle date>:<try>`,
 * the attempts' unique index), oldest return first; the returned debits are read through their
 * own partial index (payments_autopay_returned_idx: this WHERE, this ORDER), so the minute's
 * look costs the returned debits, not the payments table.
 */
export async function recordAutopayReturns(deps: Deps): Promise<number> {
  const returned = await deps.pool.query<ReturnedTry>(
    `SELECT t.id AS "attemptId", t.try_number AS "tryNumber",
            (SELECT count(*)::int FROM autopay_attempts u
              WHERE u.invoice_id = t.invoice_id AND u.cycle_due_date = t.cycle_due_date
                AND u.try_number < t.try_number AND u.not_reached) AS "unreachedBefore",
            p.failure_code AS "failureCode", p.failure_message AS "failureMessage"
       FROM payments p
       JOIN autopay_attempts t
         ON t.invoice_id = split_part(p.request_key, ':', 2)::uuid
        AND t.cycle_due_date = split_part(p.request_key, ':', 3)::date
        AND t.try_number = split_part(p.request_key, ':', 4)::int
        AND t.payment_id = p.id
      WHERE p.status = 'returned' AND p.source = 'autopay'
        AND p.request_key ~ '^autopay:[0-9a-f-]{36}:\\d{4}-\\d{2}-\\d{2}:\\d+$'
        AND t.outcome = 'charged'
      ORDER BY p.updated_at, p.id`,
  );
  if (returned.rows.length === 0) return 0;
  const policy = await getAutopayRunSettings(createDb(deps.pool));
  const today = await businessTodayFor(deps);
  let changed = 0;
  for (const row of returned.rows) {
    const next = afterFailure({
      failureCode: row.failureCode,
      // Tries of the cycle that never reached the processor do not count (decision 48).
      tryNumber: declineTryNumber(row.tryNumber, row.unreachedBefore),
      today,
      policy,
    });
    const words = `The bank returned the debit: ${failureInWords(row.failureCode, row.failureMessage)}`;
    const updated = await deps.pool.query(
      `UPDATE autopay_attempts
          SET outcome = $2, reason = $3, next_try_on = $4, returned_on = $5, updated_at = now()
        WHERE id = $1 AND outcome = 'charged'`,
      [
        row.attemptId,
        next.outcome,
        words,
        next.outcome === 'retry_scheduled' ? next.nextTryOn : null,
        today,
      ],
    );
    changed += updated.rowCount ?? 0;
  }
  return changed;
}

/**
 * The job that records returned AutoPay debits: every minute, so a return is tried again on
 * schedule whatever received it (the reconciliation job, a Stripe webhook).
 */
export function autopayReturnJobs(deps: Deps): JobDefinition[] {
  return [
    {
      name: autopayReturnsJobName,
      cron: '* * * * *',
      handle: async () => {
        await recordAutopayReturns(deps);
      },
    },
  ];
}
