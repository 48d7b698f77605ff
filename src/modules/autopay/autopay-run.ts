import type { AppContext } from '../../platform/context.js';
import { currentTime } from '../../platform/context.js';
import { createDb, withTransaction, type Transaction } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { formatDate } from '../../shared/dates.js';
import { autopaySkipReasonLabels, type AutopaySkipReason } from '../../shared/contract/autopay.js';
import type { autopayAttemptOutcomeKinds } from '../../shared/contract/autopay-report.js';
import { systemActor, type Actor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import { defaultNotificationRecipients } from '../email/email.service.js';
import { renderEmail } from '../email/templates/index.js';
import type { AutopaySummaryLine } from '../email/templates/autopay-summary.js';
import { greetingFor } from '../invoices/invoice-emails.js';
import { applyChargeAnswers, failureInWords, notReachedCode } from '../payments/charge-results.js';
import type { PaymentGateway } from '../payments/gateway.js';
import { askProcessor, chargePayment, startPayment } from '../payments/pay-invoices.js';
import { startPayments, type BatchStart } from '../payments/payment-batches.js';
import { businessToday, mspTimeZone } from '../settings/business-date.js';
import { getAutopayRunSettings, getBrand } from '../settings/settings.service.js';
import { planAutopayCharges, type PlannedCharge } from './autopay-plan.js';
import {
  afterFailure,
  autopayRequestKey,
  declineTryNumber,
  type RetryPolicy,
} from './autopay-retry.js';
import { billingRecipients } from '../staff/billing-recipients.js';

/**
 * The daily AutoPay run (docs/decisions/0039-autopay-run.md): every open invoice the rules say
 * to charge on or before the run's business date, and every retry due, charged once through the
 * payment core, with the outcome of each try kept in autopay_attempts and an AutoPay Summary
 * for staff at the end.
 *
 * Once, whatever happens:
 * - One run per business date at a time: a session advisory lock on the date (a second run of
 *   the same date, in this process or another, answers 'busy' and charges nothing; a killed
 *   process's lock goes with its connection). The autopay_runs row (UNIQUE run_date) says
 *   whether the date is finished: a finished date is never run again.
 * - Each try has a request key `autopay:<invoice>:<cycle date>:<try>`: the payment core answers
 *   the payment that key made, so a run resumed after a crash finds its payment instead of
 *   charging again, and the database's one-in-flight rule refuses a second payment of the
 *   invoice meanwhile. A payment left pending (the process died between writing it and
 *   charging, or the processor did not answer) is never charged again here: the reconciliation
 *   job settles it with the processor, and the run stays unfinished until it has, so the next
 *   tick records its outcome (a payment that never reached the processor is tried again at
 *   once, under the next try's key).
 * - The attempt row (UNIQUE invoice, cycle, try) is written with the outcome; its side effects
 *   (the method's lock, Payment Method Failure) only by the transaction that wrote it.
 *
 * A run that missed days (the server was down) catches up once: the plan is read through the
 * run's date, and a cycle already tried is not tried again.
 */

export const autopayRunJobName = 'autopay.run';

/**
 * Processor calls in flight at once, unless AUTOPAY_CONCURRENCY says otherwise (its default is
 * this). A call is waiting on the processor, not on PostgreSQL: a chunk's writes are two
 * transactions whatever the lanes, so lanes cost no pool connections (the sandbox's call is one
 * short statement). 48 keeps a processor answering in 300 ms at about 160 charges a second and
 * one answering at once busy, while staying well under what a processor allows one account at
 * once (Stripe's default is 100 requests a second in live mode).
 */
export const autopayConcurrency = 48;

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock' | 'logger'>;

type AutopayAttemptOutcome = (typeof autopayAttemptOutcomeKinds)[number];

/** Who AutoPay's payments and changes are audited as. */
export const autopayActor: Actor = { kind: 'system', id: null, label: 'AutoPay' };

/** Skip reasons that pass: the invoice is tried again by the next run that finds them gone. */
const passingSkips = new Set<string>([
  'covered_by_scheduled_payment',
  'in_flight',
  'no_method',
  'method_locked',
  'method_expired',
]);

/** Why a try was skipped, beyond the plan's reasons: the invoice changed since. */
export type RunSkipReason = AutopaySkipReason | 'paid' | 'voided' | 'not_covered';

const runSkipLabels: Record<RunSkipReason, string> = {
  ...autopaySkipReasonLabels,
  paid: 'The invoice was paid since',
  voided: 'The invoice was voided',
  not_covered: 'AutoPay no longer covers this invoice (turned off, or no rule matches it)',
};

/** A stored reason (a skip code, or a failure's words) as staff read it. */
export function attemptReasonText(reason: string | null): string | null {
  if (reason === null) return null;
  return reason in runSkipLabels ? runSkipLabels[reason as RunSkipReason] : reason;
}

export interface AutopayRunResult {
  runDate: string;
  /**
   * finished: every try has its outcome and the summary was sent (now or before: then
   * `already` is true); unfinished: some payments wait for the processor, and the next tick
   * resumes the run; busy: another run of the date holds it, nothing was done.
   */
  status: 'finished' | 'unfinished' | 'busy';
  already: boolean;
  charged: number;
  failed: number;
  skipped: number;
  pending: number;
}

interface LatestAttempt {
  invoiceId: string;
  cycleDueDate: string;
  tryNumber: number;
  /** Tries of the cycle that never reached the processor (declineTryNumber). */
  unreachedTries: number;
  outcome: string;
  reason: string | null;
  nextTryOn: string | null;
}

interface ExistingPayment {
  id: string;
  requestKey: string;
  status: string;
  failureCode: string | null;
  failureMessage: string | null;
}

/** One try the run makes: charge, resume (its payment exists), or skip. */
interface WorkItem {
  organizationId: string;
  invoiceId: string;
  ruleId: string | null;
  cycleDueDate: string;
  tryNumber: number;
  /** Earlier tries of the cycle that never reached the processor (declineTryNumber). */
  unreachedBefore: number;
  amountCents: number;
  currency: string;
  methodId: string | null;
  requestKey: string;
  skip: RunSkipReason | null;
  payment: ExistingPayment | null;
}

/** What one try came to, for the run's counts. */
type TryResult = 'charged' | 'failed' | 'skipped' | 'pending' | 'retry_now' | 'error' | 'none';

const key = (invoiceId: string, cycle: string) => `${invoiceId}|${cycle}`;

/**
 * The tries due on `runDate`: per invoice the plan covers (through the date) its cycle's next
 * try (the first, a retry whose day has come, or a try skipped for a reason that may have
 * passed), and the retries due whose invoice the plan no longer covers in that cycle (paid,
 * voided, AutoPay turned off): those are skipped with the reason, for good.
 */
async function collectWork(
  deps: Deps,
  runDate: string,
  organizationIds?: string[],
): Promise<WorkItem[]> {
  const plan = await planAutopayCharges(deps.pool, {
    through: runDate,
    ...(organizationIds ? { organizationIds } : {}),
  });
  const plannedCycles = new Map<string, PlannedCharge>(
    plan.map((entry) => [key(entry.invoiceId, entry.chargeOn), entry]),
  );
  // The latest try of every cycle of the planned invoices, and of every cycle with a retry due.
  const latest = await deps.pool.query<LatestAttempt>(
    `SELECT DISTINCT ON (invoice_id, cycle_due_date)
            invoice_id AS "invoiceId", cycle_due_date::text AS "cycleDueDate",
            try_number AS "tryNumber", outcome, reason, next_try_on::text AS "nextTryOn",
            (count(*) FILTER (WHERE not_reached)
               OVER (PARTITION BY invoice_id, cycle_due_date))::int AS "unreachedTries"
       FROM autopay_attempts
      WHERE (invoice_id = ANY($1::uuid[])
             OR (outcome = 'retry_scheduled' AND next_try_on <= $2::date))
        AND ($3::uuid[] IS NULL OR organization_id = ANY($3::uuid[]))
      ORDER BY invoice_id, cycle_due_date, try_number DESC`,
    [plan.map((entry) => entry.invoiceId), runDate, organizationIds ?? null],
  );
  const latestByCycle = new Map(
    latest.rows.map((row) => [key(row.invoiceId, row.cycleDueDate), row]),
  );

  const items: WorkItem[] = [];
  for (const entry of plan) {
    const last = latestByCycle.get(key(entry.invoiceId, entry.chargeOn));
    let tryNumber: number;
    if (!last) tryNumber = 1;
    else if (last.outcome === 'skipped' && passingSkips.has(last.reason ?? '')) {
      tryNumber = last.tryNumber;
    } else if (last.outcome === 'retry_scheduled' && last.nextTryOn! <= runDate) {
      tryNumber = last.tryNumber + 1;
    } else continue;
    items.push({
      organizationId: entry.organizationId,
      invoiceId: entry.invoiceId,
      ruleId: entry.ruleId,
      cycleDueDate: entry.chargeOn,
      tryNumber,
      unreachedBefore: last?.unreachedTries ?? 0,
      amountCents: entry.amountCents,
      currency: entry.currency,
      methodId: entry.methodId,
      requestKey: autopayRequestKey(entry.invoiceId, entry.chargeOn, tryNumber),
      skip: entry.skipReason,
      payment: null,
    });
  }

  // Retries due whose invoice left the plan for that cycle.
  const orphans = latest.rows.filter(
    (row) =>
      row.outcome === 'retry_scheduled' &&
      row.nextTryOn! <= runDate &&
      !plannedCycles.has(key(row.invoiceId, row.cycleDueDate)),
  );
  if (orphans.length > 0) {
    const invoices = await deps.pool.query<{
      id: string;
      organizationId: string;
      state: string;
      balanceCents: number;
      currency: string;
    }>(
      `SELECT id, organization_id AS "organizationId", state, balance_cents AS "balanceCents",
              currency
         FROM invoices WHERE id = ANY($1::uuid[])`,
      [orphans.map((row) => row.invoiceId)],
    );
    const byId = new Map(invoices.rows.map((row) => [row.id, row]));
    for (const row of orphans) {
      const invoice = byId.get(row.invoiceId)!;
      const tryNumber = row.tryNumber + 1;
      items.push({
        organizationId: invoice.organizationId,
        invoiceId: row.invoiceId,
        ruleId: null,
        cycleDueDate: row.cycleDueDate,
        tryNumber,
        unreachedBefore: row.unreachedTries,
        amountCents: invoice.balanceCents,
        currency: invoice.currency,
        methodId: null,
        requestKey: autopayRequestKey(row.invoiceId, row.cycleDueDate, tryNumber),
        skip:
          invoice.state === 'void' ? 'voided' : invoice.balanceCents <= 0 ? 'paid' : 'not_covered',
        payment: null,
      });
    }
  }

  // Tries whose payment exists already (a run killed after writing it): resumed, not redone.
  if (items.length > 0) {
    const existing = await deps.pool.query<ExistingPayment>(
      `SELECT p.id, p.request_key AS "requestKey", p.status, p.failure_code AS "failureCode",
              p.failure_message AS "failureMessage"
         FROM payments p
         JOIN unnest($1::uuid[], $2::text[]) AS k(organization_id, request_key)
           ON p.organization_id = k.organization_id AND p.request_key = k.request_key`,
      [items.map((item) => item.organizationId), items.map((item) => item.requestKey)],
    );
    const byKey = new Map(existing.rows.map((row) => [row.requestKey, row]));
    for (const item of items) item.payment = byKey.get(item.requestKey) ?? null;
  }

  items.push(...(await unrecordedPayments(deps, new Set(items.map((item) => item.requestKey)))));
  return items;
}

/**
 * AutoPay's payments of the last three days with no outcome kept (no attempt row), except those
 * whose request key is in `planned`: a run killed between its payment and the attempt row, or a
 * payment the processor has not answered yet (pending) or has answered since. Paid since, the
 * invoice has left the plan; its try is recorded all the same. What a waiting run looks at.
 */
async function unrecordedPayments(deps: Deps, planned: Set<string>): Promise<WorkItem[]> {
  const items: WorkItem[] = [];
  const unrecorded = await deps.pool.query<
    ExistingPayment & {
      organizationId: string;
      amountCents: number;
      currency: string;
      unreachedBefore: number;
    }
  >(
    `SELECT p.id, p.request_key AS "requestKey", p.status, p.failure_code AS "failureCode",
            p.failure_message AS "failureMessage", p.organization_id AS "organizationId",
            p.amount_cents AS "amountCents", p.currency,
            CASE WHEN p.request_key ~ '^autopay:[0-9a-f-]{36}:\\d{4}-\\d{2}-\\d{2}:\\d+$'
                 THEN (SELECT count(*)::int FROM autopay_attempts u
                        WHERE u.invoice_id = split_part(p.request_key, ':', 2)::uuid
                          AND u.cycle_due_date = split_part(p.request_key, ':', 3)::date
                          AND u.try_number < split_part(p.request_key, ':', 4)::int
                          AND u.not_reached)
                 ELSE 0 END AS "unreachedBefore"
       FROM payments p
      WHERE p.created_at > now() - interval '3 days' AND p.source = 'autopay'
        AND NOT EXISTS (SELECT 1 FROM autopay_attempts t WHERE t.payment_id = p.id)`,
  );
  for (const payment of unrecorded.rows) {
    const parts = /^autopay:([0-9a-f-]{36}):(\d{4}-\d{2}-\d{2}):(\d+)$/.exec(payment.requestKey);
    if (!parts || planned.has(payment.requestKey)) continue;
    items.push({
      organizationId: payment.organizationId,
      invoiceId: parts[1]!,
      ruleId: null,
      cycleDueDate: parts[2]!,
      tryNumber: Number(parts[3]),
      unreachedBefore: payment.unreachedBefore,
      amountCents: payment.amountCents,
      currency: payment.currency,
      methodId: null,
      requestKey: payment.requestKey,
      skip: null,
      payment,
    });
  }
  return items;
}

/**
 * What a waiting run looks at: the payments it waits for (unrecordedPayments), and the plan of
 * only the organizations with a retry due by `runDate` that has not been made (a try that never
 * reached the processor, recorded by a run killed before it tried again).
 */
async function waitedWork(deps: Deps, runDate: string): Promise<WorkItem[]> {
  const due = await deps.pool.query<{ organizationId: string }>(
    `SELECT DISTINCT a.organization_id AS "organizationId"
       FROM autopay_attempts a
      WHERE a.outcome = 'retry_scheduled' AND a.next_try_on <= $1::date
        AND NOT EXISTS (SELECT 1 FROM autopay_attempts b
                         WHERE b.invoice_id = a.invoice_id
                           AND b.cycle_due_date = a.cycle_due_date
                           AND b.try_number > a.try_number)`,
    [runDate],
  );
  if (due.rows.length === 0) return unrecordedPayments(deps, new Set());
  return collectWork(
    deps,
    runDate,
    due.rows.map((row) => row.organizationId),
  );
}

interface AttemptRecord {
  item: WorkItem;
  runDate: string;
  outcome: 'charged' | 'failed' | 'skipped' | 'retry_scheduled' | 'gave_up';
  paymentId: string | null;
  reason: string | null;
  nextTryOn: string | null;
  /** The try's payment never reached the processor (not counted against a decline's retries). */
  notReached?: boolean;
}

/**
 * Writes tries' outcomes in one statement: for each, a new row, or a row of the same try that
 * was skipped (a passing skip tried again); any other row there is another run's answer and is
 * left alone. Answers the request keys of the tries this call wrote: only their side effects
 * follow. The tries are of distinct (invoice, cycle, try).
 */
async function recordAttempts(tx: Transaction, records: AttemptRecord[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const column = <T>(pick: (record: AttemptRecord) => T) => records.map(pick);
  const written = await tx.client.query<{ invoiceId: string; cycle: string; tryNumber: number }>({
    name: 'record-autopay-attempts',
    text: `INSERT INTO autopay_attempts (organization_id, invoice_id, rule_id, cycle_due_date,
                                   try_number, run_date, payment_id, amount_cents, outcome,
                                   reason, next_try_on, not_reached)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::date[], $5::int[], $6::date[],
                          $7::uuid[], $8::bigint[], $9::text[], $10::text[], $11::date[],
                          $12::boolean[])
     ON CONFLICT (invoice_id, cycle_due_date, try_number) DO UPDATE
        SET run_date = EXCLUDED.run_date, payment_id = EXCLUDED.payment_id,
            amount_cents = EXCLUDED.amount_cents, outcome = EXCLUDED.outcome,
            reason = EXCLUDED.reason, next_try_on = EXCLUDED.next_try_on,
            not_reached = EXCLUDED.not_reached,
            rule_id = coalesce(EXCLUDED.rule_id, autopay_attempts.rule_id), updated_at = now()
      WHERE autopay_attempts.outcome = 'skipped'
     RETURNING invoice_id AS "invoiceId", cycle_due_date::text AS cycle, try_number AS "tryNumber"`,
    values: [
      column((r) => r.item.organizationId),
      column((r) => r.item.invoiceId),
      column((r) => r.item.ruleId),
      column((r) => r.item.cycleDueDate),
      column((r) => r.item.tryNumber),
      column((r) => r.runDate),
      column((r) => r.paymentId),
      column((r) => r.item.amountCents),
      column((r) => r.outcome),
      column((r) => r.reason),
      column((r) => r.nextTryOn),
      column((r) => r.notReached ?? false),
    ],
  });
  return new Set(
    written.rows.map((row) => autopayRequestKey(row.invoiceId, row.cycle, row.tryNumber)),
  );
}

/**
 * Payment Method Failure to the organization's Default Notification Emails: a hard decline
 * locked the method AutoPay charged. Sent once per payment (the attempt row guards it).
 */
async function queueMethodFailureEmail(
  tx: Transaction,
  deps: Deps,
  options: { paymentId: string; reason: string },
): Promise<void> {
  const facts = (
    await tx.client.query<{
      organizationId: string;
      organizationName: string;
      methodLabel: string;
      invoiceNumber: string;
      amountCents: number;
      currency: string;
    }>(
      `SELECT p.organization_id AS "organizationId", o.name AS "organizationName",
              p.method_label AS "methodLabel", i.number AS "invoiceNumber",
              p.amount_cents AS "amountCents", p.currency
         FROM payments p
         JOIN organizations o ON o.id = p.organization_id
         JOIN payment_allocations a ON a.payment_id = p.id
         JOIN invoices i ON i.id = a.invoice_id
        WHERE p.id = $1 LIMIT 1`,
      [options.paymentId],
    )
  ).rows[0];
  if (!facts) return;
  const recipients = await defaultNotificationRecipients(tx, facts.organizationId);
  if (recipients.length === 0) return;
  const brand = await getBrand(tx.db, deps.config);
  await queueEmail(tx, deps, {
    organizationId: facts.organizationId,
    template: 'payment_method_failure',
    recipients,
    rendered: await renderEmail(
      'payment_method_failure',
      {
        contactName: greetingFor(recipients, facts.organizationName),
        organizationId: facts.organizationId,
        organizationName: facts.organizationName,
        methodLabel: facts.methodLabel,
        reason: options.reason,
        invoiceNumber: facts.invoiceNumber,
        amountCents: facts.amountCents,
        currency: facts.currency,
      },
      brand,
    ),
    linkBase: linkBaseOf('payment_method_failure', { brand, address: deps.config }),
    triggeredBy: autopayActor,
    reason: `AutoPay: ${facts.methodLabel} refused for good`,
    dedupeKey: `payment_method_failure:${options.paymentId}`,
  });
}

/** The skip a payment core refusal means: the invoice changed between the plan and the charge. */
function skipOfRefusal(error: AppError): RunSkipReason | string {
  if (/in progress/.test(error.message)) return 'in_flight';
  if (/is void/.test(error.message)) return 'voided';
  if (/already paid|was paid since/.test(error.message)) return 'paid';
  if (/changed since/.test(error.message)) return 'paid_in_part';
  return error.fields[0]?.message ?? error.message;
}

/**
 * What a try whose payment has an outcome comes to (succeeded or processing: charged; failed:
 * the retry policy's answer, `hard` when the decline locks the method and the client is told):
 * the attempt row to write and the try's result. Null for a payment still pending: the run
 * waits for the reconciliation job.
 */
function outcomeOfPayment(
  item: WorkItem,
  payment: ExistingPayment,
  options: { runDate: string; policy: RetryPolicy },
): { record: AttemptRecord; result: TryResult; hard: boolean } | null {
  if (payment.status === 'pending') return null;
  if (payment.status !== 'failed') {
    // succeeded, processing (an ACH debit: paid while it settles), or refunded/returned later.
    const record: AttemptRecord = {
      item,
      runDate: options.runDate,
      outcome: 'charged',
      paymentId: payment.id,
      reason: null,
      nextTryOn: null,
    };
    return { record, result: 'charged', hard: false };
  }
  const words = failureInWords(payment.failureCode, payment.failureMessage);
  // Never reached the processor: nothing was charged and no bank declined, so the next try
  // goes out at once and this one does not count against the retries of a decline (a worker
  // killed between writing a chunk's payments and charging them leaves hundreds of these).
  if (payment.failureCode === notReachedCode) {
    return {
      record: {
        item,
        runDate: options.runDate,
        outcome: 'retry_scheduled',
        paymentId: payment.id,
        reason: words,
        nextTryOn: options.runDate,
        notReached: true,
      },
      result: 'retry_now',
      hard: false,
    };
  }
  const next = afterFailure({
    failureCode: payment.failureCode,
    tryNumber: declineTryNumber(item.tryNumber, item.unreachedBefore),
    today: options.runDate,
    policy: options.policy,
  });
  const nextTryOn = next.outcome === 'retry_scheduled' ? next.nextTryOn : null;
  return {
    record: {
      item,
      runDate: options.runDate,
      outcome: next.outcome,
      paymentId: payment.id,
      reason: words,
      nextTryOn,
    },
    result: nextTryOn === options.runDate ? 'retry_now' : 'failed',
    hard: next.hard,
  };
}

/**
 * Writes the outcomes of tries whose payments have one (outcomeOfPayment), on `tx`, and for a
 * hard decline whose row this call wrote, Payment Method Failure: the payment core locked the
 * method as it recorded the decline; the client hears why AutoPay stopped, once.
 */
async function writeOutcomes(
  tx: Transaction,
  deps: Deps,
  outcomes: { record: AttemptRecord; hard: boolean }[],
): Promise<void> {
  const written = await recordAttempts(
    tx,
    outcomes.map((outcome) => outcome.record),
  );
  for (const { record, hard } of outcomes) {
    if (hard && record.paymentId && written.has(record.item.requestKey)) {
      await queueMethodFailureEmail(tx, deps, {
        paymentId: record.paymentId,
        reason: record.reason ?? '',
      });
    }
  }
}

/** Records the outcome of a try whose payment exists (see outcomeOfPayment), in a transaction. */
async function recordPaymentOutcome(
  deps: Deps,
  item: WorkItem,
  payment: ExistingPayment,
  options: { runDate: string; policy: RetryPolicy },
): Promise<TryResult> {
  const outcome = outcomeOfPayment(item, payment, options);
  if (!outcome) return 'pending';
  await withTransaction(deps.pool, (tx) => writeOutcomes(tx, deps, [outcome]));
  return outcome.result;
}

/** The attempt row of a skipped try. */
function skipRecord(item: WorkItem, reason: string, runDate: string): AttemptRecord {
  return {
    item,
    runDate,
    outcome: 'skipped',
    paymentId: null,
    // The plan's reasons by their code (every reader words them the same); the run's own in
    // words.
    reason: reason in autopaySkipReasonLabels ? reason : (attemptReasonText(reason) ?? reason),
    nextTryOn: null,
  };
}

/** One try: skip it, resume its payment, or charge it through the payment core. */
async function runTry(
  deps: Deps,
  gateway: PaymentGateway,
  item: WorkItem,
  options: { runDate: string; policy: RetryPolicy },
): Promise<TryResult> {
  const skip = async (reason: string) => {
    await withTransaction(deps.pool, (tx) =>
      recordAttempts(tx, [skipRecord(item, reason, options.runDate)]),
    );
    return 'skipped' as const;
  };
  if (item.payment) return recordPaymentOutcome(deps, item, item.payment, options);
  if (item.skip) return skip(item.skip);
  if (!item.methodId) return skip('no_method');

  let started;
  try {
    started = await startPayment({
      context: deps,
      gateway,
      actor: autopayActor,
      organizationId: item.organizationId,
      contactId: null,
      source: 'autopay',
      paymentMethodId: item.methodId,
      // The balance the plan read: an invoice paid in part since is refused, not overpaid.
      allocations: [
        {
          invoiceId: item.invoiceId,
          amountCents: item.amountCents,
          balanceCents: item.amountCents,
        },
      ],
      requestKey: item.requestKey,
    });
  } catch (error) {
    if (error instanceof AppError) return skip(skipOfRefusal(error));
    throw error;
  }
  if (!started.repeated) {
    const status = await chargePayment(deps, gateway, {
      paymentId: started.paymentId,
      actor: autopayActor,
      ...(started.charge ? { charge: started.charge } : {}),
    });
    // Charged (or pending): its outcome needs nothing more of the payment than its status.
    if (status !== 'failed') {
      const payment = {
        id: started.paymentId,
        requestKey: item.requestKey,
        status,
        failureCode: null,
        failureMessage: null,
      };
      return recordPaymentOutcome(deps, item, payment, options);
    }
  }
  const payment = (
    await deps.pool.query<ExistingPayment>(
      `SELECT id, request_key AS "requestKey", status, failure_code AS "failureCode",
              failure_message AS "failureMessage"
         FROM payments WHERE id = $1`,
      [started.paymentId],
    )
  ).rows[0]!;
  return recordPaymentOutcome(deps, item, payment, options);
}

/** Runs `work` over `items`, at most `concurrency` at once, in order; answers the results. */
async function eachBounded<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Runs work handed to it, at most `concurrency` at once, in the order it was handed. */
type Limit = <R>(work: () => Promise<R>) => Promise<R>;

/**
 * A limit shared by every chunk in flight: the processor calls of two chunks together stay
 * within the run's concurrency (AUTOPAY_CONCURRENCY), first come first served, so the earlier
 * chunk's calls go first.
 */
function sharedLimit(concurrency: number): Limit {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await work();
    } finally {
      // The slot passes to the next in line, if any.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/**
 * Chunks in flight at once: the next chunk's payments are written, and its calls made, while
 * the chunk before waits for its last answers or applies them, so PostgreSQL and node each
 * have work for a core while the other does a chunk's transaction. Two are enough for that;
 * more would only hold more payments written and not yet sent when a worker dies.
 */
const chunksInFlight = 2;

/**
 * Charges taken per chunk: one transaction writes the chunk's payments, one applies their
 * outcomes. 500 makes those two transactions a few milliseconds of PostgreSQL per invoice's
 * worth of round trips saved (about 15 statements an invoice become about 20 a chunk), while a
 * chunk's locks (its invoices while the payments are written, its payments while the outcomes
 * are applied) last a fraction of a second, and a kill loses at most one chunk's answers to the
 * reconciliation job.
 */
export const autopayChunkSize = 500;

/** What a run of tries came to, in the order of the items. */
type TryResults = TryResult[];

/**
 * One chunk of charges (docs/decisions/0048-autopay-chunked-run.md):
 * 1. one transaction starts every payment (payments' startPayments: the checks of startPayment,
 *    under the invoices' locks) and records the refused ones as skips with their reason;
 * 2. the processor is asked for each, `concurrency` at once across the chunks in flight
 *    (`calls`, shared with the other chunk), with the payment's own idempotency
 *    key (a lost answer leaves the payment pending for the reconciliation job: never charged
 *    again here);
 * 3. one transaction applies the answers (payments' applyChargeAnswers) and writes the attempt
 *    rows, with Payment Method Failure for a hard decline.
 * A chunk whose payments meet a payment written meanwhile by another process (step 1 throws)
 * is charged one invoice at a time through startPayment instead, which answers each such case.
 */
async function chargeChunk(
  deps: Deps,
  gateway: PaymentGateway,
  items: WorkItem[],
  options: {
    runDate: string;
    policy: RetryPolicy;
    concurrency: number;
    /** The processor calls' limit, shared with the other chunk in flight. */
    calls: Limit;
    /** Told once the chunk's payments are written (or it falls back to one at a time). */
    written: () => void;
  },
): Promise<TryResults> {
  const results: TryResults = new Array<TryResult>(items.length).fill('none');
  let starts: BatchStart[];
  try {
    starts = await withTransaction(deps.pool, async (tx) => {
      const started = await startPayments(tx, {
        context: deps,
        gateway,
        actor: autopayActor,
        source: 'autopay',
        payments: items.map((item) => ({
          organizationId: item.organizationId,
          invoiceId: item.invoiceId,
          // The balance the plan read: an invoice paid in part since is refused, not overpaid.
          amountCents: item.amountCents,
          paymentMethodId: item.methodId!,
          requestKey: item.requestKey,
        })),
      });
      await recordAttempts(
        tx,
        started.flatMap((start, index) =>
          start.kind === 'refused'
            ? [skipRecord(items[index]!, skipOfRefusal(start.error), options.runDate)]
            : [],
        ),
      );
      return started;
    });
  } catch (error) {
    deps.logger.warn(
      { err: error, invoices: items.length },
      'AutoPay chunk met a payment written meanwhile; its invoices are charged one by one',
    );
    options.written();
    return Promise.all(
      items.map((item) => options.calls(() => tryAlone(deps, gateway, item, options))),
    );
  }
  options.written();

  // A request key that made a payment already (a run killed after the chunk's first
  // transaction): that payment's outcome, as a resumed try.
  const existing = starts.flatMap((start, index) =>
    start.kind === 'existing' ? [{ index, paymentId: start.paymentId }] : [],
  );
  if (existing.length > 0) {
    const rows = await deps.pool.query<ExistingPayment>(
      `SELECT id, request_key AS "requestKey", status, failure_code AS "failureCode",
              failure_message AS "failureMessage"
         FROM payments WHERE id = ANY($1::uuid[])`,
      [existing.map((entry) => entry.paymentId)],
    );
    const byId = new Map(rows.rows.map((row) => [row.id, row]));
    await eachBounded(existing, options.concurrency, async ({ index, paymentId }) => {
      results[index] = await recordPaymentOutcome(
        deps,
        items[index]!,
        byId.get(paymentId)!,
        options,
      ).catch((error: unknown) => tryFailed(deps, items[index]!, error, 'pending'));
    });
  }
  starts.forEach((start, index) => {
    if (start.kind === 'refused') results[index] = 'skipped';
  });

  // The processor, side by side. An answer lost (null) or an error leaves the payment pending.
  const started = starts.flatMap((start, index) =>
    start.kind === 'started' ? [{ index, start }] : [],
  );
  const answers = await Promise.all(
    started.map(({ index, start }) =>
      options.calls(() =>
        askProcessor(gateway, { paymentId: start.paymentId, charge: start.charge }).catch(
          (error: unknown) => {
            tryFailed(deps, items[index]!, error, 'pending');
            return null;
          },
        ),
      ),
    ),
  );
  const answered = started.flatMap((entry, i) => {
    const answer = answers[i];
    if (!answer) {
      results[entry.index] = 'pending';
      return [];
    }
    return [{ ...entry, answer }];
  });
  if (answered.length === 0) return results;

  try {
    await withTransaction(deps.pool, async (tx) => {
      const applied = await applyChargeAnswers(tx, deps, {
        actor: autopayActor,
        answers: answered.map(({ start, answer }) => ({
          paymentId: start.paymentId,
          answer,
        })),
      });
      const outcomes: { record: AttemptRecord; hard: boolean }[] = [];
      for (const { index, start } of answered) {
        const outcome = applied.get(start.paymentId);
        const decided =
          outcome &&
          outcomeOfPayment(
            items[index]!,
            { id: start.paymentId, requestKey: items[index]!.requestKey, ...outcome },
            options,
          );
        if (!decided) {
          results[index] = 'pending';
          continue;
        }
        outcomes.push(decided);
        results[index] = decided.result;
      }
      await writeOutcomes(tx, deps, outcomes);
    });
  } catch (error) {
    // Nothing of the answers was kept: the payments stay pending, and the reconciliation job
    // asks the processor by their keys (it charged each once; it is never asked to again).
    deps.logger.error(
      { err: error, payments: answered.length },
      'AutoPay could not record a chunk of answers; the reconciliation job settles them',
    );
    for (const { index } of answered) results[index] = 'pending';
  }
  return results;
}

/** Logs a try's error (the next run takes it up again) and answers the try's result. */
function tryFailed(deps: Deps, item: WorkItem, error: unknown, result: TryResult): TryResult {
  deps.logger.error(
    { err: error, invoiceId: item.invoiceId, requestKey: item.requestKey },
    'AutoPay try failed; the next run takes it up again',
  );
  return result;
}

/**
 * One try on its own (runTry). An error leaves that try for the next run ('error': the run
 * stays unfinished and plans again), the others go on.
 */
function tryAlone(
  deps: Deps,
  gateway: PaymentGateway,
  item: WorkItem,
  options: { runDate: string; policy: RetryPolicy },
): Promise<TryResult> {
  return runTry(deps, gateway, item, options).catch((error: unknown) =>
    tryFailed(deps, item, error, 'error'),
  );
}

/**
 * Every try of `items`: payments found resumed (their outcome recorded), skips recorded in one
 * statement, charges in chunks (chargeChunk). Answers each try's result, in order.
 */
async function runWork(
  deps: Deps,
  gateway: PaymentGateway,
  items: WorkItem[],
  options: { runDate: string; policy: RetryPolicy; concurrency: number },
): Promise<TryResults> {
  const results: TryResults = new Array<TryResult>(items.length).fill('none');
  const resumed: number[] = [];
  const skipped: number[] = [];
  const charges: number[] = [];
  items.forEach((item, index) => {
    if (item.payment) resumed.push(index);
    else if (item.skip || !item.methodId) skipped.push(index);
    else charges.push(index);
  });
  await eachBounded(resumed, options.concurrency, async (index) => {
    results[index] = await tryAlone(deps, gateway, items[index]!, options);
  });
  if (skipped.length > 0) {
    try {
      await withTransaction(deps.pool, (tx) =>
        recordAttempts(
          tx,
          skipped.map((index) => {
            const item = items[index]!;
            return skipRecord(item, item.skip ?? 'no_method', options.runDate);
          }),
        ),
      );
      for (const index of skipped) results[index] = 'skipped';
    } catch (error) {
      for (const index of skipped) results[index] = tryFailed(deps, items[index]!, error, 'error');
    }
  }
  // The chunks, up to chunksInFlight at once: the next one starts once the one before has
  // written its payments (its transaction is done) and a place is free.
  const calls = sharedLimit(options.concurrency);
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  for (let start = 0; start < charges.length && !failure; start += autopayChunkSize) {
    while (inFlight.size >= chunksInFlight) await Promise.race(inFlight);
    if (failure) break;
    const chunk = charges.slice(start, start + autopayChunkSize);
    let written = () => {};
    const paymentsWritten = new Promise<void>((resolve) => {
      written = resolve;
    });
    const charging: Promise<void> = chargeChunk(
      deps,
      gateway,
      chunk.map((index) => items[index]!),
      { ...options, calls, written },
    )
      .then((chunkResults) => {
        chunk.forEach((index, i) => {
          results[index] = chunkResults[i]!;
        });
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        inFlight.delete(charging);
        written();
      });
    inFlight.add(charging);
    await paymentsWritten;
  }
  // A chunk that threw (its results unknown) ends the call as it did one chunk at a time, once
  // the other chunk in flight is done.
  await Promise.all(inFlight);
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}

/**
 * The AutoPay run of business date `businessDate` (YYYY-MM-DD, the MSP's time zone): see the
 * file's comment. Safe to call any number of times, from any number of processes, and to kill
 * at any moment. Answers what this call did; `status` 'finished' once every try of the date has
 * its outcome and the AutoPay Summary is queued.
 */
export async function runAutopay(
  deps: Deps,
  gateway: PaymentGateway,
  options: { businessDate: string; concurrency?: number },
): Promise<AutopayRunResult> {
  const runDate = options.businessDate;
  const result: AutopayRunResult = {
    runDate,
    status: 'busy',
    already: false,
    charged: 0,
    failed: 0,
    skipped: 0,
    pending: 0,
  };
  const lock = await deps.pool.connect();
  let locked = false;
  try {
    locked = (
      await lock.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext('autopay.run'), hashtext($1)) AS locked`,
        [runDate],
      )
    ).rows[0]!.locked;
    if (!locked) return result;
    await deps.pool.query(
      `INSERT INTO autopay_runs (run_date) VALUES ($1) ON CONFLICT (run_date) DO NOTHING`,
      [runDate],
    );
    const run = await deps.pool.query<{ finished: boolean; waiting: boolean }>(
      `SELECT finished_at IS NOT NULL AS finished, waiting_since IS NOT NULL AS waiting
         FROM autopay_runs WHERE run_date = $1`,
      [runDate],
    );
    if (run.rows[0]?.finished) return { ...result, status: 'finished', already: true };

    const policy = await getAutopayRunSettings(createDb(deps.pool));
    const concurrency = Math.max(1, options.concurrency ?? deps.config.AUTOPAY_CONCURRENCY);
    let errors = 0;
    // A run that made every try of its plan and waits for the processor's answers looks at
    // those payments alone; the plan is read again only for the organizations of a try that
    // never reached the processor (tried again at once), a few rounds at most (each such
    // payment is reconciled first, minutes later).
    let organizationIds: string[] | undefined;
    // Tries that never reached the processor, recorded by the last round, not made again yet.
    let retriesDue = false;
    for (let round = 0; round < 5; round += 1) {
      const work =
        round === 0 && run.rows[0]?.waiting
          ? await waitedWork(deps, runDate)
          : await collectWork(deps, runDate, organizationIds);
      if (work.length === 0) break;
      const outcomes = await runWork(deps, gateway, work, { runDate, policy, concurrency });
      result.pending = 0;
      for (const outcome of outcomes) {
        if (outcome === 'charged') result.charged += 1;
        else if (outcome === 'failed' || outcome === 'retry_now') result.failed += 1;
        else if (outcome === 'skipped') result.skipped += 1;
        else if (outcome === 'pending') result.pending += 1;
        else if (outcome === 'error') errors += 1;
      }
      const again = work.filter((_, index) => outcomes[index] === 'retry_now');
      retriesDue = again.length > 0;
      if (!retriesDue) break;
      organizationIds = [...new Set(again.map((item) => item.organizationId))];
    }
    result.pending += errors;
    // Rounds run out while reconciliation keeps failing never-sent payments: the run stays
    // open, and the next tick (waitedWork) makes those tries again. Closing it here would leave
    // their invoices unpaid for the day.
    if (result.pending > 0 || retriesDue) {
      // Only payments left to wait for: the next ticks look at them alone. A try that failed
      // with an error (no payment to wait for) has the next tick plan again.
      await deps.pool.query(
        `UPDATE autopay_runs
            SET waiting_since = CASE WHEN $2 THEN NULL ELSE coalesce(waiting_since, now()) END
          WHERE run_date = $1`,
        [runDate, errors > 0],
      );
      return { ...result, status: 'unfinished' };
    }
    await finishRun(deps, runDate);
    return { ...result, status: 'finished' };
  } finally {
    if (locked) {
      await lock
        .query(`SELECT pg_advisory_unlock(hashtext('autopay.run'), hashtext($1))`, [runDate])
        .catch(() => undefined);
    }
    lock.release();
  }
}

/**
 * Closes the run of `runDate` (its counts from the tries it made) and queues the AutoPay Summary
 * in the same transaction; only the transaction that closes it sends it. Runs of earlier dates
 * left unfinished (killed, never resumed that day) are closed too: this run took over their
 * tries.
 */
async function finishRun(deps: Deps, runDate: string): Promise<void> {
  await withTransaction(deps.pool, async (tx) => {
    const closed = await tx.client.query(
      `UPDATE autopay_runs r
          SET finished_at = now(),
              charged_count = c.charged, failed_count = c.failed, skipped_count = c.skipped,
              charged_cents = c.charged_cents
         FROM (SELECT count(*) FILTER (WHERE outcome = 'charged')::int AS charged,
                      -- A try that never reached the processor was not declined.
                      count(*) FILTER (WHERE outcome IN ('failed', 'retry_scheduled', 'gave_up')
                                         AND NOT not_reached)::int AS failed,
                      count(*) FILTER (WHERE outcome = 'skipped')::int AS skipped,
                      coalesce(sum(amount_cents) FILTER (WHERE outcome = 'charged'), 0)::bigint
                        AS charged_cents
                 FROM autopay_attempts WHERE run_date = $1) c
        WHERE r.run_date = $1 AND r.finished_at IS NULL
        RETURNING r.id`,
      [runDate],
    );
    if (closed.rows.length === 0) return;
    await tx.client.query(
      `UPDATE autopay_runs SET finished_at = now() WHERE run_date < $1 AND finished_at IS NULL`,
      [runDate],
    );
    await queueSummaryEmail(tx, deps, runDate);
  });
}

/** One try of a run as staff read it (the summary, the console's list). */
export interface RunAttemptRow {
  id: string;
  organizationId: string;
  organizationName: string;
  invoiceId: string;
  invoiceNumber: string;
  cycleDueDate: string;
  tryNumber: number;
  outcome: string;
  amountCents: number;
  currency: string;
  paymentId: string | null;
  paymentNumber: string | null;
  reason: string | null;
  nextTryOn: string | null;
  /** Tries of the cycle up to this one that never reached the processor (declineTryNumber). */
  unreachedThrough: number;
  /** This try never reached the processor: nothing was charged, no bank declined it. */
  notReached: boolean;
}

/** The tries a run made (or last touched), by organization and invoice. */
export async function runAttempts(
  db: Pick<Transaction['client'], 'query'>,
  runDate: string,
): Promise<RunAttemptRow[]> {
  const result = await db.query<RunAttemptRow>(
    `SELECT a.id, a.organization_id AS "organizationId", o.name AS "organizationName",
            a.invoice_id AS "invoiceId", i.number AS "invoiceNumber",
            a.cycle_due_date::text AS "cycleDueDate", a.try_number AS "tryNumber", a.outcome,
            coalesce(a.amount_cents, i.balance_cents) AS "amountCents", i.currency,
            a.payment_id AS "paymentId", p.number AS "paymentNumber", a.reason,
            a.next_try_on::text AS "nextTryOn", a.not_reached AS "notReached",
            (SELECT count(*)::int FROM autopay_attempts u
              WHERE u.invoice_id = a.invoice_id AND u.cycle_due_date = a.cycle_due_date
                AND u.try_number <= a.try_number AND u.not_reached) AS "unreachedThrough"
       FROM autopay_attempts a
       JOIN organizations o ON o.id = a.organization_id
       JOIN invoices i ON i.id = a.invoice_id
       LEFT JOIN payments p ON p.id = a.payment_id
      WHERE a.run_date = $1
      ORDER BY o.name, i.number, a.try_number`,
    [runDate],
  );
  return result.rows.map((row) => ({ ...row, reason: attemptReasonText(row.reason) }));
}

/**
 * What a failed try's line says next: when it is tried again (the try as the retry schedule
 * counts it), or that AutoPay gave up.
 */
function failureLine(row: RunAttemptRow, policy: { dateFormat: string }): string {
  const reason = row.reason ?? 'Declined';
  if (row.outcome === 'retry_scheduled' && row.nextTryOn) {
    return `${reason} Will be tried again on ${formatDate(row.nextTryOn, policy.dateFormat as never)} (try ${declineTryNumber(row.tryNumber + 1, row.unreachedThrough)}).`;
  }
  if (row.outcome === 'gave_up') {
    return `${reason} That was the last try: AutoPay leaves this invoice for this cycle.`;
  }
  return `${reason} Not tried again: the payment method is locked and the client was emailed.`;
}

/**
 * What a returned debit's line says: the bank's reason in words, then whether AutoPay tries
 * again (when, which try) or not, and why not (decision 44: a return for good locks the method;
 * a return on the last try ends the cycle).
 */
function returnLine(
  row: RunAttemptRow & { bankReason: string },
  policy: { dateFormat: string },
): string {
  if (row.outcome === 'retry_scheduled' && row.nextTryOn) {
    return `Returned: ${row.bankReason} Will be tried again on ${formatDate(row.nextTryOn, policy.dateFormat as never)} (try ${declineTryNumber(row.tryNumber + 1, row.unreachedThrough)}).`;
  }
  if (row.outcome === 'gave_up') {
    return `Returned, not tried again: ${row.bankReason} That was the last try: AutoPay leaves this invoice for this cycle.`;
  }
  if (row.outcome === 'failed') {
    return `Returned, not tried again: ${row.bankReason} The payment method is locked and the client was emailed.`;
  }
  return `Returned: ${row.bankReason}`;
}

/**
 * The AutoPay debits the bank returned that no AutoPay Summary has told staff of yet, recorded
 * by `runDate` (autopay-returns.ts), marked told by `runDate`'s summary on `tx`: a return is
 * recorded days after the run that made its try, whose summary said "charged", so the first
 * summary after the return tells it, once. Each with the bank's reason in words.
 */
async function claimUnreportedReturns(
  tx: Transaction,
  runDate: string,
): Promise<(RunAttemptRow & { bankReason: string })[]> {
  const result = await tx.client.query<
    RunAttemptRow & { failureCode: string | null; failureMessage: string | null }
  >(
    `WITH told AS (
       UPDATE autopay_attempts SET return_reported_on = $1
        WHERE returned_on IS NOT NULL AND return_reported_on IS NULL AND returned_on <= $1
        RETURNING id)
     SELECT a.id, a.organization_id AS "organizationId", o.name AS "organizationName",
            a.invoice_id AS "invoiceId", i.number AS "invoiceNumber",
            a.cycle_due_date::text AS "cycleDueDate", a.try_number AS "tryNumber", a.outcome,
            coalesce(a.amount_cents, p.amount_cents) AS "amountCents", p.currency,
            a.payment_id AS "paymentId", p.number AS "paymentNumber", a.reason,
            a.next_try_on::text AS "nextTryOn", a.not_reached AS "notReached",
            p.failure_code AS "failureCode",
            (SELECT count(*)::int FROM autopay_attempts u
              WHERE u.invoice_id = a.invoice_id AND u.cycle_due_date = a.cycle_due_date
                AND u.try_number <= a.try_number AND u.not_reached) AS "unreachedThrough",
            p.failure_message AS "failureMessage"
       FROM told
       JOIN autopay_attempts a ON a.id = told.id
       JOIN organizations o ON o.id = a.organization_id
       JOIN invoices i ON i.id = a.invoice_id
       JOIN payments p ON p.id = a.payment_id
      ORDER BY o.name, i.number, a.try_number`,
    [runDate],
  );
  return result.rows.map(({ failureCode, failureMessage, ...row }) => ({
    ...row,
    bankReason: failureInWords(failureCode, failureMessage),
  }));
}

/**
 * The internal AutoPay Summary of a run, to every active Master Admin and Billing user (those
 * who handle money), queued on `tx`: the run's tries, and the debits the bank returned since
 * the last summary. Not sent for a run with neither: an installation without AutoPay clients
 * would get an empty email every day.
 */
async function queueSummaryEmail(tx: Transaction, deps: Deps, runDate: string): Promise<void> {
  const staff = await billingRecipients(tx.client);
  if (staff.length === 0) return;
  const brand = await getBrand(tx.db, deps.config);
  const rows = await runAttempts(tx.client, runDate);
  const returned = await claimUnreportedReturns(tx, runDate);
  if (rows.length === 0 && returned.length === 0) return;
  const line = (row: RunAttemptRow, reason: string | null): AutopaySummaryLine => ({
    organizationName: row.organizationName,
    invoiceNumber: row.invoiceNumber,
    amountCents: row.amountCents,
    currency: row.currency,
    reason,
  });
  // A try that never reached the processor was not declined (nothing was charged, no bank said
  // no): the run made it again at once, and that try is the one listed.
  const failedOutcomes = new Set(['failed', 'retry_scheduled', 'gave_up']);
  const declined = (row: RunAttemptRow) => failedOutcomes.has(row.outcome) && !row.notReached;
  const totals = new Map<string, { currency: string; chargedCents: number; failedCents: number }>();
  for (const row of rows) {
    const total = totals.get(row.currency) ?? {
      currency: row.currency,
      chargedCents: 0,
      failedCents: 0,
    };
    if (row.outcome === 'charged') total.chargedCents += row.amountCents;
    else if (declined(row)) total.failedCents += row.amountCents;
    else continue;
    totals.set(row.currency, total);
  }
  const runDateLabel = formatDate(runDate, brand.dateFormat);
  await queueEmail(tx, deps, {
    organizationId: null,
    template: 'autopay_summary',
    recipients: staff.map((s) => ({ email: s.email, name: s.name, contactId: null })),
    rendered: await renderEmail(
      'autopay_summary',
      {
        runDateLabel,
        charged: rows.filter((r) => r.outcome === 'charged').map((r) => line(r, null)),
        failed: rows.filter(declined).map((r) => line(r, failureLine(r, brand))),
        skipped: rows.filter((r) => r.outcome === 'skipped').map((r) => line(r, r.reason)),
        returned: returned.map((r) => line(r, returnLine(r, brand))),
        totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
        consoleUrl: deps.config.PUBLIC_URL,
      },
      brand,
    ),
    linkBase: linkBaseOf('autopay_summary', { brand, address: deps.config }),
    triggeredBy: systemActor,
    reason: `AutoPay run of ${runDateLabel}`,
    dedupeKey: `autopay_summary:${runDate}`,
  });
}

/** "HH:MM" now on the MSP's clock. */
function clockTimeIn(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}:${part('minute')}`;
}

/**
 * The job's tick: once today's run time (Configuration > Billing, the MSP's clock) has come,
 * runs today's AutoPay unless it is finished. Every minute, so a change of the run time needs
 * no new schedule, a run killed midway is resumed within a minute, and a run waiting for the
 * reconciliation of a payment finishes soon after it. A finished day costs two reads.
 */
export async function autopayTick(
  deps: Deps,
  gateway: PaymentGateway,
): Promise<AutopayRunResult | null> {
  const now = currentTime(deps);
  const timeZone = await mspTimeZone(deps.pool);
  const today = businessToday({ timeZone }, now);
  const { runTime } = await getAutopayRunSettings(createDb(deps.pool));
  if (clockTimeIn(now, timeZone) < runTime) return null;
  const done = await deps.pool.query(
    `SELECT 1 FROM autopay_runs WHERE run_date = $1 AND finished_at IS NOT NULL`,
    [today],
  );
  if (done.rows.length > 0) return null;
  const outcome = await runAutopay(deps, gateway, { businessDate: today });
  if (outcome.status !== 'busy') deps.logger.info({ ...outcome }, 'AutoPay run');
  return outcome;
}

/** The AutoPay job: a tick every minute (autopayTick), with the process's gateway. */
export function autopayJobs(deps: Deps, gateway: PaymentGateway): JobDefinition[] {
  return [
    {
      name: autopayRunJobName,
      cron: '* * * * *',
      handle: async () => {
        await autopayTick(deps, gateway);
      },
    },
  ];
}

/**
 * The installation's latest AutoPay run (by business date) and every try it made, by
 * organization and invoice, reasons in words: what staff check when an invoice was not
 * charged. `run` null before the first run.
 */
export async function lastAutopayRun(deps: Pick<AppContext, 'pool'>) {
  const run = (
    await deps.pool.query<{
      runDate: string;
      startedAt: Date;
      finishedAt: Date | null;
    }>(
      `SELECT run_date::text AS "runDate", started_at AS "startedAt", finished_at AS "finishedAt"
         FROM autopay_runs ORDER BY run_date DESC LIMIT 1`,
    )
  ).rows[0];
  if (!run) return { run: null, attempts: [] };
  const attempts = await runAttempts(deps.pool, run.runDate);
  // A try that never reached the processor counts as neither charged nor failed.
  const count = (outcomes: string[]) =>
    attempts.filter((a) => outcomes.includes(a.outcome) && !a.notReached).length;
  return {
    run: {
      ...run,
      charged: count(['charged']),
      failed: count(['failed', 'retry_scheduled', 'gave_up']),
      skipped: count(['skipped']),
    },
    attempts: attempts.map((attempt) => ({
      ...attempt,
      outcome: attempt.outcome as AutopayAttemptOutcome,
    })),
  };
}
