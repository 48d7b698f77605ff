import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Config } from '../../platform/config.js';
import {
  createDb,
  isUniqueViolation,
  withTransaction,
  type Db,
  type Pool,
} from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import type { SandboxTokenRequest } from '../../shared/contract/sandbox.js';
import {
  GatewayError,
  type ChargeInput,
  type ChargeResult,
  type PaymentGateway,
  type RefundInput,
  type RefundResult,
  type SavedMethod,
} from '../payments/gateway.js';
import { sandboxCharges, sandboxMethods, sandboxRefunds, sandboxTokens } from './sandbox.schema.js';
import { checkBankAccount, checkCard, failureMessages, succeeds } from './test-numbers.js';

/**
 * The sandbox processor (docs/decisions/0030-sandbox-processor-module.md): a payment processor
 * that runs inside Portico's process, on tables of its own, and behaves like an external one.
 * Outcomes follow ../shared/reference/test-cards.md; idempotency follows Stripe's rule (the
 * same key with the same parameters answers the first result and moves no money again, the
 * same key with other parameters is refused). ACH debits stay `processing` until
 * SANDBOX_ACH_SETTLE_SECONDS have passed, then settle or are returned, seen by `findCharge`.
 */

export type SandboxConfig = Pick<
  Config,
  'SANDBOX_LATENCY_MS' | 'SANDBOX_FAULT' | 'SANDBOX_ACH_SETTLE_SECONDS'
> &
  Partial<Pick<Config, 'SANDBOX_ANSWER_LATENCY_MS'>>;

/** What the processor answers for a token: what Portico's server may see. */
export interface SandboxToken {
  token: string;
  type: 'card' | 'ach';
  brand: string | null;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
  bankName: string | null;
}

/** A charge of the ledger, as tests and the benchmark compare it with Portico's payments. */
export interface LedgerCharge extends ChargeResult {
  idempotencyKey: string;
  methodRef: string;
  metadata: Record<string, string>;
  createdAt: Date;
}

export interface LedgerRefund extends RefundResult {
  idempotencyKey: string;
  chargeRef: string;
}

/**
 * Switches a test can flip at run time (SANDBOX_FAULT sets the first value). `timeout`: a
 * charge or refund is recorded, then the call fails with GatewayError('unavailable') as if
 * the answer was lost on the way back.
 */
export interface SandboxFaults {
  mode: 'none' | 'timeout';
  /** Delay before each answer, in ms (SANDBOX_LATENCY_MS). */
  latencyMs: number;
}

export interface SandboxGateway extends PaymentGateway {
  readonly name: 'sandbox';
  readonly faults: SandboxFaults;
  /** Tokenizes card or bank data (what `POST /sandbox/v1/tokens` does). */
  tokenize(input: SandboxTokenRequest): Promise<SandboxToken>;
  /** The whole ledger, oldest first, with ACH debits settled when due. */
  ledger(): Promise<{ charges: LedgerCharge[]; refunds: LedgerRefund[] }>;
}

/** A processor-style reference: a prefix and 24 random hex digits. */
function newRef(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** The same parameters always give the same fingerprint (metadata keys in any order). */
function fingerprint(parts: unknown[]): string {
  const canonical = JSON.stringify(parts, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Tokenizes card or bank data. Checks it as a processor does and refuses bad data with a 400
 * naming each field and why (`AppError('validation')`); keeps only the brand, the last four
 * digits, the expiry, the holder's name and the outcome the test number stands for, never the
 * number or the CVC. `now` (the processor's clock) decides whether an expiry is past.
 */
export async function tokenize(options: {
  pool: Pool;
  input: SandboxTokenRequest;
  now: Date;
}): Promise<SandboxToken> {
  const { input } = options;
  const id = newRef('tok_sbx_');
  if (input.type === 'card') {
    const checked = checkCard(input, options.now);
    if (!checked.ok) throw invalidFields(checked.problems);
    const { card } = checked;
    await createDb(options.pool).insert(sandboxTokens).values({
      id,
      type: 'card',
      brand: card.brand,
      last4: card.last4,
      expMonth: card.expMonth,
      expYear: card.expYear,
      holderName: card.holderName,
      outcome: card.outcome,
    });
    return {
      token: id,
      type: 'card',
      brand: card.brand,
      last4: card.last4,
      expMonth: card.expMonth,
      expYear: card.expYear,
      bankName: null,
    };
  }
  const checked = checkBankAccount(input);
  if (!checked.ok) throw invalidFields(checked.problems);
  const { account } = checked;
  await createDb(options.pool).insert(sandboxTokens).values({
    id,
    type: 'ach',
    last4: account.last4,
    bankName: account.bankName,
    accountType: account.accountType,
    holderName: account.holderName,
    outcome: account.outcome,
  });
  return {
    token: id,
    type: 'ach',
    brand: null,
    last4: account.last4,
    expMonth: null,
    expYear: null,
    bankName: account.bankName,
  };
}

function invalidFields(problems: { field: string; message: string }[]): AppError {
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new AppError('validation', `Invalid payment details. ${summary}`, problems);
}

type ChargeRow = typeof sandboxCharges.$inferSelect;
type RefundRow = typeof sandboxRefunds.$inferSelect;

function chargeResult(row: ChargeRow): ChargeResult {
  // An unsettled ACH debit's row already holds the words of a return to come: not told yet.
  const failed = row.status === 'failed';
  return {
    chargeRef: row.id,
    status: row.status,
    amountCents: row.amountCents,
    currency: row.currency,
    failureCode: failed ? row.failureCode : null,
    failureMessage: failed ? row.failureMessage : null,
    refundedCents: row.refundedCents,
  };
}

function refundResult(row: RefundRow): RefundResult {
  return {
    refundRef: row.id,
    status: row.status,
    amountCents: row.amountCents,
    failureMessage: null,
  };
}

/** A charge row as the charge statement answers it (json_build_object: timestamps as text). */
type ChargeJson = Omit<ChargeRow, 'settlesAt' | 'settledAt' | 'createdAt'> & {
  settlesAt: string | null;
  settledAt: string | null;
  createdAt: string;
};

interface ChargeStatementRow {
  methodDetached: boolean | null;
  earlier: ChargeJson | null;
  inserted: ChargeJson | null;
}

function chargeRowOf(json: ChargeJson): ChargeRow {
  return {
    ...json,
    amountCents: Number(json.amountCents),
    refundedCents: Number(json.refundedCents),
    settlesAt: json.settlesAt ? new Date(json.settlesAt) : null,
    settledAt: json.settledAt ? new Date(json.settledAt) : null,
    createdAt: new Date(json.createdAt),
  };
}

/** The failure words by code (test-numbers.ts), as the charge statement looks them up. */
const failureMessagesJson = JSON.stringify(failureMessages);

/** A charge row as JSON with the table's property names. */
const chargeJson = (alias: string) => `json_build_object(
    'id', ${alias}.id, 'idempotencyKey', ${alias}.idempotency_key,
    'requestFingerprint', ${alias}.request_fingerprint, 'methodId', ${alias}.method_id,
    'amountCents', ${alias}.amount_cents, 'currency', ${alias}.currency,
    'description', ${alias}.description, 'metadata', ${alias}.metadata, 'status', ${alias}.status,
    'failureCode', ${alias}.failure_code, 'failureMessage', ${alias}.failure_message,
    'refundedCents', ${alias}.refunded_cents, 'settlesAt', ${alias}.settles_at,
    'settlementFailureCode', ${alias}.settlement_failure_code, 'settledAt', ${alias}.settled_at,
    'createdAt', ${alias}.created_at)`;

/**
 * The charge statement, for a batch of charges (docs/decisions/0055-sandbox-charges-in-batches.md).
 * Per charge: its method and an earlier charge with its key are read, and when there is none and
 * the method is attached, the charge is recorded with the outcome the method stands for
 * (test-numbers.ts): an ACH debit processing until its time + $12 seconds (then settled, or
 * returned with the method's outcome), a card expired before the charge's month declined
 * `expired_card`, a test number that declines failed with its code, else succeeded; the words
 * from $13 (failureMessages, ACH's insufficient funds in its own words). The charges come as
 * parallel arrays ($1 methods, $2 idempotency keys, $3 charge ids, $4 fingerprints, $5 amounts,
 * $6 currencies, $7 descriptions, $8 metadata, $9 each charge's time, $10-$11 its UTC year and
 * month), with $12 the ACH settlement delay. One text whatever the batch's size, so it is
 * planned once per connection. It answers one row per charge, in the arrays' order (`n`, from
 * 1). A batch never holds one key twice (the gateway sends the second in the next batch, where
 * it finds the first as `earlier`); across processes ON CONFLICT keeps one row per key, and the
 * loser finds the winner afterwards by its key (chargeByKey).
 */
const chargeBatchStatement = `WITH request AS (
    SELECT *
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                  $7::text[], $8::jsonb[], $9::timestamptz[], $10::int[], $11::int[])
           WITH ORDINALITY AS r(method_id, idempotency_key, id, request_fingerprint, amount_cents,
                                currency, description, metadata, at, year_now, month_now, n)
  ), checked AS (
    SELECT r.*, m.id AS known_method_id, m.detached_at, m.type, m.exp_year, m.exp_month,
           m.outcome, e.id AS earlier_id
      FROM request r
      -- Each row by its key through its index (LIMIT keeps the subqueries from being joined
      -- as tables): a join the planner was free to choose hashed all of sandbox_charges for a
      -- batch of 15, a cost that grew with the ledger.
      LEFT JOIN LATERAL (SELECT * FROM sandbox_methods WHERE id = r.method_id LIMIT 1) m ON true
      LEFT JOIN LATERAL (SELECT id FROM sandbox_charges
                          WHERE idempotency_key = r.idempotency_key LIMIT 1) e ON true
  ), outcome AS (
    SELECT c.*,
           CASE WHEN c.type = 'ach' THEN 'processing'
                WHEN c.exp_year < c.year_now
                  OR (c.exp_year = c.year_now AND c.exp_month < c.month_now) THEN 'failed'
                WHEN c.outcome <> '${succeeds}' THEN 'failed'
                ELSE 'succeeded' END AS status,
           CASE WHEN c.type = 'ach' THEN NULL
                WHEN c.exp_year < c.year_now
                  OR (c.exp_year = c.year_now AND c.exp_month < c.month_now) THEN 'expired_card'
                WHEN c.outcome <> '${succeeds}' THEN c.outcome END AS failure_code,
           CASE WHEN c.type = 'ach' AND c.outcome <> '${succeeds}' THEN c.outcome END
             AS settlement_failure_code
      FROM checked c
     WHERE c.known_method_id IS NOT NULL AND c.detached_at IS NULL AND c.earlier_id IS NULL
  ), inserted AS (
    INSERT INTO sandbox_charges (id, idempotency_key, request_fingerprint, method_id, amount_cents,
                                 currency, description, metadata, status, failure_code,
                                 failure_message, settles_at, settlement_failure_code, created_at)
    SELECT o.id, o.idempotency_key, o.request_fingerprint, o.method_id, o.amount_cents,
           o.currency, o.description, o.metadata, o.status, o.failure_code,
           -- For an ACH debit, the words of the return it will get (shown once it is returned).
           CASE WHEN coalesce(o.failure_code, o.settlement_failure_code) IS NOT NULL THEN
             coalesce($13::jsonb ->> (CASE WHEN o.type = 'ach'
                                             AND o.settlement_failure_code = 'insufficient_funds'
                                           THEN 'ach_insufficient_funds'
                                           ELSE coalesce(o.failure_code, o.settlement_failure_code)
                                      END),
                      'The payment was declined.') END,
           CASE WHEN o.type = 'ach' THEN o.at + make_interval(secs => $12) END,
           o.settlement_failure_code, o.at
      FROM outcome o
     -- In key order: two processes' batches with keys in common wait for each other in one
     -- order, never in a cycle.
     ORDER BY o.idempotency_key
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING *
  )
  SELECT c.n::int AS n,
         CASE WHEN c.known_method_id IS NOT NULL THEN c.detached_at IS NOT NULL END
           AS "methodDetached",
         CASE WHEN e.id IS NOT NULL THEN ${chargeJson('e')} END AS earlier,
         CASE WHEN i.id IS NOT NULL THEN ${chargeJson('i')} END AS inserted
    FROM checked c
    LEFT JOIN LATERAL (SELECT * FROM sandbox_charges WHERE id = c.earlier_id LIMIT 1) e ON true
    LEFT JOIN inserted i ON i.idempotency_key = c.idempotency_key
   ORDER BY c.n`;

/** At most this many charges in one batch statement (AutoPay has 48 in flight). */
const chargesPerStatement = 64;

/**
 * Charge statements at PostgreSQL at once, per gateway. Two, not one: while one batch is at
 * PostgreSQL, Portico handles the other's answers, and the two cores both work (one at a time
 * left both idle in turn and charged slower than a statement per charge).
 */
const chargeStatementsInFlight = 2;

/**
 * Resolves once the promise jobs queued so far, and those they queue, have run (DataLoader's
 * schedule: a tick queued from a promise job runs when the job queue is empty). No timer: the
 * callers a batch's answers resumed have asked for their next charges by then, so those go
 * together rather than the first alone and the rest behind it.
 */
function afterPromiseJobs(then: () => void): void {
  queueMicrotask(() => process.nextTick(then));
}

/** A charge as the gateway sends it: its input, fingerprint, new id and the processor's time. */
interface ChargeRequest {
  input: ChargeInput;
  print: string;
  id: string;
  at: Date;
}

interface QueuedCharge extends ChargeRequest {
  resolve: (row: ChargeStatementRow | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * The sandbox processor as a PaymentGateway, on the given pool (its own tables only). `clock`
 * replaces the system clock (tests: ACH settlement, expiry); `config` gives the latency, the
 * fault mode and the ACH settlement delay.
 */
export function createSandboxGateway(options: {
  pool: Pool;
  config: SandboxConfig;
  clock?: () => Date;
}): SandboxGateway {
  const { pool, config } = options;
  const db = createDb(pool);
  const now = () => options.clock?.() ?? new Date();
  const faults: SandboxFaults = {
    mode: config.SANDBOX_FAULT,
    latencyMs: config.SANDBOX_LATENCY_MS,
  };
  const delay = async () => {
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  };
  const lostAnswer = (what: string) =>
    new GatewayError(
      'unavailable',
      `The sandbox processor's answer to the ${what} did not arrive (fault mode: timeout).`,
    );

  /**
   * Settles the ACH debits whose time has come (all of them, or the one charge named): each
   * `processing` row whose `settles_at` has passed becomes succeeded, or failed with its return
   * reason. One UPDATE per call, so two readers never settle a debit twice.
   */
  async function settleDue(on: Db, chargeId?: string): Promise<void> {
    const due = and(
      eq(sandboxCharges.status, 'processing'),
      lte(sandboxCharges.settlesAt, now()),
      chargeId ? eq(sandboxCharges.id, chargeId) : undefined,
    );
    await on
      .update(sandboxCharges)
      .set({
        status: sql`CASE WHEN ${sandboxCharges.settlementFailureCode} IS NULL THEN 'succeeded' ELSE 'failed' END`,
        failureCode: sandboxCharges.settlementFailureCode,
        settledAt: now(),
      })
      .where(due);
  }

  async function chargeByKey(idempotencyKey: string): Promise<ChargeRow | undefined> {
    const [row] = await db
      .select()
      .from(sandboxCharges)
      .where(eq(sandboxCharges.idempotencyKey, idempotencyKey));
    if (!row || row.status !== 'processing') return row;
    await settleDue(db, row.id);
    const [settled] = await db.select().from(sandboxCharges).where(eq(sandboxCharges.id, row.id));
    return settled;
  }

  /**
   * Charges waiting for a charge statement to return (group commit, as DataLoader batches):
   * a charge that finds a statement free goes at once (after the promise jobs already queued,
   * never on a timer); those that arrive while `chargeStatementsInFlight` statements are at
   * PostgreSQL go together in the next one, up to `chargesPerStatement`, a key at most once
   * (docs/decisions/0055-sandbox-charges-in-batches.md). A process killed while a batch is at
   * PostgreSQL: the statement is atomic, so either every charge of the batch is recorded or
   * none is; Portico does not know those charges' outcomes either way, and its reconciliation
   * asks the processor by key (findCharge), as for any call whose answer was lost.
   */
  const waiting: QueuedCharge[] = [];
  /** The keys of the charges at PostgreSQL: a second call with one waits for the next batch. */
  const keysInFlight = new Set<string>();
  let statementsAtPostgres = 0;
  let dispatchQueued = false;

  /** One charge's row of the charge statement, sent in the next batch. */
  function sendCharge(charge: ChargeRequest): Promise<ChargeStatementRow | undefined> {
    return new Promise((resolve, reject) => {
      waiting.push({ ...charge, resolve, reject });
      queueDispatch();
    });
  }

  function queueDispatch(): void {
    if (dispatchQueued || statementsAtPostgres >= chargeStatementsInFlight) return;
    dispatchQueued = true;
    afterPromiseJobs(dispatch);
  }

  /** Sends what waits, split evenly over the statements free, each up to the cap. */
  function dispatch(): void {
    dispatchQueued = false;
    const free = chargeStatementsInFlight - statementsAtPostgres;
    const size = Math.min(chargesPerStatement, Math.ceil(waiting.length / free));
    while (statementsAtPostgres < chargeStatementsInFlight) {
      const batch = nextBatch(size);
      if (batch.length === 0) return;
      statementsAtPostgres += 1;
      void sendBatch(batch).finally(() => {
        statementsAtPostgres -= 1;
        for (const charge of batch) keysInFlight.delete(charge.input.idempotencyKey);
        if (waiting.length > 0) queueDispatch();
      });
    }
  }

  /** The oldest waiting charges, a key once and none at PostgreSQL already. */
  function nextBatch(size: number): QueuedCharge[] {
    const batch: QueuedCharge[] = [];
    const later: QueuedCharge[] = [];
    for (const charge of waiting) {
      const key = charge.input.idempotencyKey;
      if (batch.length < size && !keysInFlight.has(key)) {
        keysInFlight.add(key);
        batch.push(charge);
      } else {
        later.push(charge);
      }
    }
    waiting.splice(0, waiting.length, ...later);
    return batch;
  }

  /** Sends a batch and answers each of its callers; never throws. */
  async function sendBatch(batch: QueuedCharge[]): Promise<void> {
    let rows: (ChargeStatementRow & { n: number })[];
    try {
      rows = (
        await pool.query<ChargeStatementRow & { n: number }>({
          name: 'sandbox-charge-batch',
          text: chargeBatchStatement,
          values: [
            batch.map((c) => c.input.method.gatewayRef),
            batch.map((c) => c.input.idempotencyKey),
            batch.map((c) => c.id),
            batch.map((c) => c.print),
            batch.map((c) => c.input.amountCents),
            batch.map((c) => c.input.currency),
            batch.map((c) => c.input.description),
            batch.map((c) => JSON.stringify(c.input.metadata)),
            batch.map((c) => c.at.toISOString()),
            batch.map((c) => c.at.getUTCFullYear()),
            batch.map((c) => c.at.getUTCMonth() + 1),
            config.SANDBOX_ACH_SETTLE_SECONDS,
            failureMessagesJson,
          ],
        })
      ).rows;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Nothing of the batch was recorded (one statement). Each charge again in a batch of its
      // own, so a bad value fails its own charge only and every caller gets its own answer.
      for (const charge of batch) await sendBatch([charge]);
      return;
    }
    const byNumber = new Map(rows.map((row) => [row.n, row]));
    batch.forEach((charge, i) => charge.resolve(byNumber.get(i + 1)));
  }

  function sameRequestOrRefuse(row: { requestFingerprint: string }, print: string, key: string) {
    if (row.requestFingerprint !== print) {
      throw new GatewayError(
        'idempotency_mismatch',
        `The idempotency key ${key} was already used with other parameters.`,
      );
    }
  }

  return {
    name: 'sandbox',
    faults,

    async tokenize(input) {
      await delay();
      return tokenize({ pool, input, now: now() });
    },

    async saveMethod(input): Promise<SavedMethod> {
      await delay();
      return withTransaction(pool, async ({ db: tx }) => {
        // Single use: consuming the token and saving the method commit together.
        const [token] = await tx
          .update(sandboxTokens)
          .set({ usedAt: now() })
          .where(and(eq(sandboxTokens.id, input.token), isNull(sandboxTokens.usedAt)))
          .returning();
        if (!token) {
          const [known] = await tx
            .select({ id: sandboxTokens.id })
            .from(sandboxTokens)
            .where(eq(sandboxTokens.id, input.token));
          throw new GatewayError(
            'invalid_request',
            known
              ? 'This payment token was already used: enter the payment details again.'
              : 'The processor does not know this payment token: enter the payment details again.',
          );
        }
        const id = newRef('pm_sbx_');
        await tx.insert(sandboxMethods).values({
          id,
          tokenId: token.id,
          customerLabel: input.organizationId,
          billingName: input.billingName,
          type: token.type,
          brand: token.brand,
          last4: token.last4,
          expMonth: token.expMonth,
          expYear: token.expYear,
          bankName: token.bankName,
          outcome: token.outcome,
        });
        return {
          gatewayRef: id,
          customerRef: null,
          type: token.type,
          brand: token.brand,
          last4: token.last4,
          expMonth: token.expMonth,
          expYear: token.expYear,
          bankName: token.bankName,
        };
      });
    },

    async detachMethod(method) {
      await delay();
      const detached = await db
        .update(sandboxMethods)
        .set({ detachedAt: now() })
        .where(eq(sandboxMethods.id, method.gatewayRef))
        .returning({ id: sandboxMethods.id });
      if (detached.length === 0) {
        throw new GatewayError('invalid_request', 'The processor does not know this method.');
      }
    },

    async updateMethodExpiry(method, expiry) {
      await delay();
      // As Stripe does: the expiry of a card still attached; a bank account has none.
      const updated = await db
        .update(sandboxMethods)
        .set({ expMonth: expiry.expMonth, expYear: expiry.expYear })
        .where(
          and(
            eq(sandboxMethods.id, method.gatewayRef),
            eq(sandboxMethods.type, 'card'),
            isNull(sandboxMethods.detachedAt),
          ),
        )
        .returning({ id: sandboxMethods.id });
      if (updated.length === 0) {
        throw new GatewayError('invalid_request', 'The processor has no such card on file.');
      }
    },

    async charge(input: ChargeInput): Promise<ChargeResult> {
      await delay();
      const print = fingerprint([
        input.method.gatewayRef,
        input.amountCents,
        input.currency,
        input.description,
        input.metadata,
      ]);
      if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) {
        throw new GatewayError('invalid_request', 'The amount must be a positive whole number.');
      }
      if (!/^[A-Z]{3}$/.test(input.currency)) {
        throw new GatewayError('invalid_request', 'The currency must be an ISO 4217 code.');
      }
      const found = await sendCharge({ input, print, id: newRef('ch_sbx_'), at: now() });
      const inserted = found?.inserted ? chargeRowOf(found.inserted) : undefined;
      if (!inserted) {
        // A charge with the key already (a retry): its answer, or a refusal of other
        // parameters. A debit still processing is read again by chargeByKey, which settles it
        // when due; a request that lost the race to one with the same key finds it there too.
        const earlier =
          found?.earlier && found.earlier.status !== 'processing'
            ? chargeRowOf(found.earlier)
            : await chargeByKey(input.idempotencyKey);
        if (earlier) {
          sameRequestOrRefuse(earlier, print, input.idempotencyKey);
          if (faults.mode === 'timeout') throw lostAnswer('charge');
          return chargeResult(earlier);
        }
        throw new GatewayError(
          'invalid_request',
          found?.methodDetached
            ? 'This payment method was removed at the processor.'
            : 'The processor does not know this payment method.',
        );
      }
      // The answer's way back (SANDBOX_ANSWER_LATENCY_MS): the charge is made, Portico does
      // not know yet.
      if (config.SANDBOX_ANSWER_LATENCY_MS) await sleep(config.SANDBOX_ANSWER_LATENCY_MS);
      if (faults.mode === 'timeout') throw lostAnswer('charge');
      return chargeResult(inserted);
    },

    async findCharge(idempotencyKey) {
      await delay();
      const row = await chargeByKey(idempotencyKey);
      return row ? chargeResult(row) : null;
    },

    async refund(input: RefundInput): Promise<RefundResult> {
      await delay();
      const print = fingerprint([input.chargeRef, input.amountCents]);
      const refund = await withTransaction(pool, async ({ db: tx }) => {
        await settleDue(tx, input.chargeRef);
        // The charge's row lock orders refunds of one charge, so two never pass the limit.
        const [charge] = await tx
          .select()
          .from(sandboxCharges)
          .where(eq(sandboxCharges.id, input.chargeRef))
          .for('update');
        const [earlier] = await tx
          .select()
          .from(sandboxRefunds)
          .where(eq(sandboxRefunds.idempotencyKey, input.idempotencyKey));
        if (earlier) {
          sameRequestOrRefuse(earlier, print, input.idempotencyKey);
          return refundResult(earlier);
        }
        if (!charge) {
          throw new GatewayError('invalid_request', 'The processor does not know this charge.');
        }
        if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) {
          throw new GatewayError('invalid_request', 'A refund is a positive whole amount.');
        }
        if (charge.status === 'processing') {
          throw new GatewayError(
            'invalid_request',
            'This bank payment has not settled yet: refund it once it has.',
          );
        }
        if (charge.status === 'failed') {
          throw new GatewayError('invalid_request', 'A failed charge has nothing to refund.');
        }
        const refundable = charge.amountCents - charge.refundedCents;
        if (input.amountCents > refundable) {
          throw new GatewayError(
            'invalid_request',
            `The refund of ${input.amountCents} is more than the ${refundable} left to refund on this charge.`,
          );
        }
        const [inserted] = await tx
          .insert(sandboxRefunds)
          .values({
            id: newRef('re_sbx_'),
            idempotencyKey: input.idempotencyKey,
            requestFingerprint: print,
            chargeId: charge.id,
            amountCents: input.amountCents,
            status: 'succeeded',
            createdAt: now(),
          })
          .returning();
        await tx
          .update(sandboxCharges)
          .set({ refundedCents: sql`${sandboxCharges.refundedCents} + ${input.amountCents}` })
          .where(eq(sandboxCharges.id, charge.id));
        return refundResult(inserted!);
      }).catch((error: unknown) => {
        // The key, sent at the same moment for a refund of another charge, got there first.
        if (isUniqueViolation(error, 'sandbox_refunds_idempotency_key_unique')) {
          throw new GatewayError(
            'idempotency_mismatch',
            `The idempotency key ${input.idempotencyKey} was already used with other parameters.`,
          );
        }
        throw error;
      });
      if (faults.mode === 'timeout') throw lostAnswer('refund');
      return refund;
    },

    async ledger() {
      await settleDue(db);
      const charges = await db.select().from(sandboxCharges).orderBy(asc(sandboxCharges.createdAt));
      const refunds = await db.select().from(sandboxRefunds).orderBy(asc(sandboxRefunds.createdAt));
      return {
        charges: charges.map((row) => ({
          ...chargeResult(row),
          idempotencyKey: row.idempotencyKey,
          methodRef: row.methodId,
          metadata: row.metadata,
          createdAt: row.createdAt,
        })),
        refunds: refunds.map((row) => ({
          ...refundResult(row),
          idempotencyKey: row.idempotencyKey,
          chargeRef: row.chargeId,
        })),
      };
    },
  };
}
