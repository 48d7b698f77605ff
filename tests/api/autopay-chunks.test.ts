import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAutopay } from '../../src/modules/autopay/autopay-run.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { startPayment } from '../../src/modules/payments/pay-invoices.js';
import { reconcilePayments } from '../../src/modules/payments/reconciliation.js';
import {
  applyChargeAnswers,
  applyChargeResult,
  notReachedCode,
} from '../../src/modules/payments/charge-results.js';
import { withTransaction } from '../../src/platform/database.js';
import { paymentEmailsJobName } from '../../src/modules/payments/payment-receipts.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import type { SandboxGateway } from '../../src/modules/sandbox-processor/sandbox-gateway.js';
import { sandboxOf, savedMethod, testCard } from '../support/payment-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The AutoPay run at scale (docs/decisions/0048-autopay-chunked-run.md): a day of many invoices
 * is charged in chunks (a few statements per chunk, not some fifteen per invoice), each invoice
 * once, with its receipt; a run that waits for the processor's answers does not read the whole
 * plan again every minute; the sandbox processor records a charge in one statement. What an
 * operator sees of it is the run's speed and its load on PostgreSQL: the statements it sends
 * are counted here, as the benchmark counts them.
 */

let testApp: TestApp;
let counter = 0;

/** Every statement text this process sends while `work` runs. */
async function statementsOf<T>(work: () => Promise<T>): Promise<{ value: T; texts: string[] }> {
  const texts: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    texts.push(typeof first === 'string' ? first : ((first as { text?: string })?.text ?? ''));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { value: await work(), texts };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/** Organizations with AutoPay on (every category, on the due date) and a saved card each. */
async function autopayOrganizations(count: number, card = '4242424242424242') {
  const pool = testApp.database.pool;
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    counter += 1;
    const organizationId = (
      await pool.query<{ id: string }>(
        `INSERT INTO organizations (name) VALUES ($1) RETURNING id`,
        [`Chunk Client ${counter}`],
      )
    ).rows[0]!.id;
    const contact = (
      await pool.query<{ id: string }>(
        `INSERT INTO contacts (name, email) VALUES ($1, $2) RETURNING id`,
        [`Chunk Contact ${counter}`, `chunk${counter}@autopay.example`],
      )
    ).rows[0]!.id;
    await pool.query(
      `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification)
       VALUES ($1, $2, true)`,
      [contact, organizationId],
    );
    await savedMethod(testApp, organizationId, testCard(card), { isDefault: true });
    await pool.query(
      `INSERT INTO autopay_organizations (organization_id, enabled) VALUES ($1, true)`,
      [organizationId],
    );
    await pool.query(
      `INSERT INTO autopay_rules (organization_id, position, timing) VALUES ($1, 1, 'due_date')`,
      [organizationId],
    );
    ids.push(organizationId);
  }
  return ids;
}

async function invoicesDue(organizationIds: string[], perOrganization: number, dueDate: string) {
  const invoices: string[] = [];
  for (const organizationId of organizationIds) {
    for (let i = 0; i < perOrganization; i += 1) {
      counter += 1;
      invoices.push(
        await insertInvoice(testApp.database.pool, {
          organizationId,
          number: `INV-CHUNK-${counter}`,
          issueDate: '2026-01-01',
          dueDate,
          lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 1_000 + i }],
        }),
      );
    }
  }
  return invoices;
}

/** Per invoice: its balance, its charges at the processor, its tries. */
async function outcomeOf(invoices: string[]) {
  const pool = testApp.database.pool;
  const balances = await pool.query<{ id: string; balance: number }>(
    `SELECT id, balance_cents AS balance FROM invoices WHERE id = ANY($1::uuid[])`,
    [invoices],
  );
  const keys = await pool.query<{ invoiceId: string; key: string }>(
    `SELECT a.invoice_id AS "invoiceId", p.idempotency_key AS key
       FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
      WHERE a.invoice_id = ANY($1::uuid[])`,
    [invoices],
  );
  const ledger = (await sandboxOf(testApp).ledger()).charges;
  const chargesOf = (invoiceId: string) =>
    ledger.filter((charge) =>
      keys.rows.some((k) => k.invoiceId === invoiceId && k.key === charge.idempotencyKey),
    ).length;
  const attempts = await pool.query<{ invoiceId: string; outcome: string }>(
    `SELECT invoice_id AS "invoiceId", outcome FROM autopay_attempts
      WHERE invoice_id = ANY($1::uuid[]) ORDER BY cycle_due_date, try_number`,
    [invoices],
  );
  return invoices.map((id) => ({
    balance: balances.rows.find((row) => row.id === id)!.balance,
    charges: chargesOf(id),
    attempts: attempts.rows.filter((row) => row.invoiceId === id).map((row) => row.outcome),
  }));
}

async function receiptJobsFor(invoices: string[]) {
  const result = await testApp.database.pool.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pgboss.job j
      WHERE j.name = $1 AND j.data->>'kind' = 'receipt'
        AND (j.data->>'paymentId')::uuid IN (
          SELECT payment_id FROM payment_allocations WHERE invoice_id = ANY($2::uuid[]))`,
    [paymentEmailsJobName, invoices],
  );
  return result.rows[0]!.count;
}

beforeAll(async () => {
  testApp = await startTestApp();
}, 60_000);
afterEach(() => {
  sandboxOf(testApp).faults.mode = 'none';
  delete testApp.context.clock;
});
afterAll(async () => testApp?.close());

describe('the AutoPay run in chunks', () => {
  it('charges a day of 120 invoices once each, with receipts, in a few statements per chunk', async () => {
    const organizations = await autopayOrganizations(30);
    const invoices = await invoicesDue(organizations, 4, '2026-10-05');

    const { value: result, texts } = await statementsOf(() =>
      runAutopay(testApp.context, sandboxOf(testApp), { businessDate: '2026-10-05' }),
    );
    expect(result).toMatchObject({ status: 'finished', charged: 120, failed: 0, pending: 0 });
    for (const outcome of await outcomeOf(invoices)) {
      expect(outcome).toEqual({ balance: 0, charges: 1, attempts: ['charged'] });
    }
    expect(await receiptJobsFor(invoices)).toBe(120);
    // One charge at the processor is one statement (the sandbox's own); the run's own work is
    // a few statements per chunk of invoices, not some fifteen per invoice.
    const sandbox = texts.filter((text) => /sandbox_/.test(text)).length;
    expect(sandbox).toBeLessThanOrEqual(120 + 5);
    expect(texts.length - sandbox).toBeLessThan(120);

    // The same day again charges nothing more.
    expect(
      await runAutopay(testApp.context, sandboxOf(testApp), { businessDate: '2026-10-05' }),
    ).toMatchObject({ status: 'finished', already: true });
    for (const outcome of await outcomeOf(invoices)) expect(outcome.charges).toBe(1);
  });

  it('a chunk with declines: soft ones retried later, a hard one locks the card, the rest charged', async () => {
    const good = await autopayOrganizations(3);
    const soft = await autopayOrganizations(1, '4000000000009995');
    const hard = await autopayOrganizations(1, '4000000000000069');
    const paid = await invoicesDue(good, 2, '2026-10-06');
    const [softInvoice] = await invoicesDue(soft, 1, '2026-10-06');
    const [hardInvoice] = await invoicesDue(hard, 1, '2026-10-06');

    const result = await runAutopay(testApp.context, sandboxOf(testApp), {
      businessDate: '2026-10-06',
    });
    expect(result).toMatchObject({ status: 'finished', charged: 6, failed: 2 });
    for (const outcome of await outcomeOf(paid)) {
      expect(outcome).toEqual({ balance: 0, charges: 1, attempts: ['charged'] });
    }
    const [softOutcome, hardOutcome] = await outcomeOf([softInvoice!, hardInvoice!]);
    expect(softOutcome).toMatchObject({ charges: 1, attempts: ['retry_scheduled'] });
    expect(hardOutcome).toMatchObject({ charges: 1, attempts: ['failed'] });
    const locked = await testApp.database.pool.query(
      `SELECT locked_reason AS reason FROM payment_methods WHERE organization_id = $1`,
      [hard[0]],
    );
    expect(locked.rows).toEqual([
      { reason: 'Locked at once: the bank says this card has expired' },
    ]);
    const failureEmails = await testApp.database.pool.query(
      `SELECT count(*)::int AS count FROM email_messages
        WHERE template = 'payment_method_failure' AND organization_id = $1`,
      [hard[0]],
    );
    expect(failureEmails.rows[0]).toEqual({ count: 1 });
  });
});

/**
 * The sandbox processor, watched: for each call, the chunk its payment belongs to (the
 * transaction that wrote it: one `created_at` a chunk). The first call is held until a call of
 * another chunk arrives (at most 5 s): a run that charges one chunk strictly after the other
 * never shows two chunks' calls at the processor at once.
 */
function watchedSandbox(sandbox: SandboxGateway) {
  const inFlight = new Map<string, string>();
  const seen = { most: 0, chunksAtOnce: 0, chunks: new Set<string>() };
  let first: string | null = null;
  let release = () => {};
  const another = new Promise<void>((resolve) => {
    release = resolve;
  });
  const gateway = Object.create(sandbox) as SandboxGateway;
  gateway.charge = async (input) => {
    const paymentId = input.metadata.paymentId!;
    const chunk = (
      await testApp.database.pool.query<{ chunk: string }>(
        `SELECT created_at::text AS chunk FROM payments WHERE id = $1`,
        [paymentId],
      )
    ).rows[0]!.chunk;
    inFlight.set(paymentId, chunk);
    seen.chunks.add(chunk);
    seen.most = Math.max(seen.most, inFlight.size);
    seen.chunksAtOnce = Math.max(seen.chunksAtOnce, new Set(inFlight.values()).size);
    const held = first === null;
    first ??= chunk;
    if (chunk !== first) release();
    try {
      if (held) {
        await Promise.race([another, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      }
      return await sandbox.charge(input);
    } finally {
      inFlight.delete(paymentId);
    }
  };
  return { gateway, seen };
}

describe('the AutoPay run with two chunks at once', () => {
  it('charges a day of 1,200 invoices once each, the next chunk charged while the one before waits', async () => {
    const good = await autopayOrganizations(180);
    const soft = await autopayOrganizations(5, '4000000000009995');
    const hard = await autopayOrganizations(5, '4000000000000069');
    const paid = await invoicesDue(good, 6, '2026-10-20');
    const softInvoices = await invoicesDue(soft, 4, '2026-10-20');
    const hardInvoices = await invoicesDue(hard, 20, '2026-10-20');
    expect(paid.length + softInvoices.length + hardInvoices.length).toBe(1_200);

    const { gateway, seen } = watchedSandbox(sandboxOf(testApp));
    const result = await runAutopay(testApp.context, gateway, { businessDate: '2026-10-20' });
    expect(result).toMatchObject({ status: 'finished', charged: paid.length, pending: 0 });

    // Two chunks' calls at the processor at once, never three, and never more calls than the
    // run's concurrency in all.
    expect(seen.chunks.size).toBeGreaterThanOrEqual(3);
    expect(seen.chunksAtOnce).toBe(2);
    expect(seen.most).toBeLessThanOrEqual(testApp.context.config.AUTOPAY_CONCURRENCY);

    for (const outcome of await outcomeOf(paid)) {
      expect(outcome).toEqual({ balance: 0, charges: 1, attempts: ['charged'] });
    }
    expect(await receiptJobsFor(paid)).toBe(paid.length);
    for (const outcome of await outcomeOf(softInvoices)) {
      expect(outcome).toMatchObject({ charges: 1, attempts: ['retry_scheduled'] });
      expect(outcome.balance).toBeGreaterThan(0);
    }
    // A hard decline locks the card: an invoice of the same client charged before the lock was
    // recorded declines too; one planned after it is skipped. None is charged twice.
    const hardOutcomes = await outcomeOf(hardInvoices);
    for (const outcome of hardOutcomes) {
      expect(outcome.balance).toBeGreaterThan(0);
      expect([
        { charges: 1, attempts: ['failed'] },
        { charges: 0, attempts: ['skipped'] },
      ]).toContainEqual({ charges: outcome.charges, attempts: outcome.attempts });
    }
    const locked = await testApp.database.pool.query<{ reason: string }>(
      `SELECT locked_reason AS reason FROM payment_methods WHERE organization_id = ANY($1::uuid[])`,
      [hard],
    );
    expect(locked.rows.map((row) => row.reason)).toEqual(
      hard.map(() => 'Locked at once: the bank says this card has expired'),
    );
    const softMethods = await testApp.database.pool.query<{ count: number; locked: boolean }>(
      `SELECT failed_charge_count AS count, locked_at IS NOT NULL AS locked
         FROM payment_methods WHERE organization_id = ANY($1::uuid[])`,
      [soft],
    );
    expect(softMethods.rows).toEqual(soft.map(() => ({ count: 4, locked: false })));
  }, 180_000);

  it("a chunk's answers lock the cards they change in one order, so two chunks' answers cannot wait on each other", async () => {
    const pool = testApp.database.pool;
    const organizations = await autopayOrganizations(2);
    const invoices = await invoicesDue(organizations, 1, '2026-10-21');
    const methods = await pool.query<{ id: string; organizationId: string }>(
      `SELECT id, organization_id AS "organizationId" FROM payment_methods
        WHERE organization_id = ANY($1::uuid[]) ORDER BY id`,
      [organizations],
    );
    // The lower card's payment succeeds (its earlier failure is reset), the higher one's
    // declines (counted): the other way round in the next chunk's answers.
    const [lower, higher] = methods.rows;
    await pool.query(`UPDATE payment_methods SET failed_charge_count = 1 WHERE id = $1`, [
      lower!.id,
    ]);
    const payments: string[] = [];
    for (const method of [lower!, higher!]) {
      const index = organizations.indexOf(method.organizationId);
      const started = await startPayment({
        context: testApp.context,
        gateway: sandboxOf(testApp),
        actor: systemActor,
        organizationId: method.organizationId,
        contactId: null,
        source: 'autopay',
        paymentMethodId: method.id,
        allocations: [{ invoiceId: invoices[index]!, amountCents: 1_000 }],
        requestKey: `lock-order-${method.id}`,
      });
      payments.push(started.paymentId);
    }
    // The next chunk's answers hold the lower card.
    const next = await pool.connect();
    const other = await pool.connect();
    try {
      await next.query('BEGIN');
      await next.query(`SELECT id FROM payment_methods WHERE id = $1 FOR NO KEY UPDATE`, [
        lower!.id,
      ]);
      const applying = withTransaction(pool, (tx) =>
        applyChargeAnswers(tx, testApp.context, {
          actor: systemActor,
          answers: [
            {
              paymentId: payments[0]!,
              answer: {
                status: 'succeeded',
                chargeRef: 'ch_lower',
                failureCode: null,
                failureMessage: null,
              },
            },
            {
              paymentId: payments[1]!,
              answer: {
                status: 'failed',
                chargeRef: null,
                failureCode: 'insufficient_funds',
                failureMessage: 'Insufficient funds',
              },
            },
          ],
        }),
      );
      // Once it waits for the lower card, it holds no other card: the higher one is free.
      for (let i = 0; i < 100; i += 1) {
        const waiting = await pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        if (waiting.rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query('BEGIN');
      const free = await other
        .query(`SELECT id FROM payment_methods WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, [
          higher!.id,
        ])
        .then(
          () => true,
          () => false,
        );
      await other.query('ROLLBACK');
      await next.query('ROLLBACK');
      await applying;
      expect(free).toBe(true);
    } finally {
      next.release();
      other.release();
    }
    const after = await pool.query<{ count: number }>(
      `SELECT failed_charge_count AS count FROM payment_methods WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [[lower!.id, higher!.id]],
    );
    expect(after.rows).toEqual([{ count: 0 }, { count: 1 }]);
  });
});

describe('a run waiting for the processor', () => {
  it('looks only at the payments it waits for, not at the whole plan, until they are answered', async () => {
    const organizations = await autopayOrganizations(10);
    const invoices = await invoicesDue(organizations, 2, '2026-10-07');
    const sandbox = sandboxOf(testApp);
    // The processor charges, and its answers are lost on the way back.
    sandbox.faults.mode = 'timeout';
    const first = await runAutopay(testApp.context, sandbox, { businessDate: '2026-10-07' });
    expect(first).toMatchObject({ status: 'unfinished', pending: 20, charged: 0 });
    sandbox.faults.mode = 'none';

    // A minute later: still waiting (reconciliation has not asked yet), and the plan (the rules,
    // every open invoice) is not read again.
    const { value: waiting, texts } = await statementsOf(() =>
      runAutopay(testApp.context, sandbox, { businessDate: '2026-10-07' }),
    );
    expect(waiting).toMatchObject({ status: 'unfinished', pending: 20 });
    expect(texts.filter((text) => /autopay_rules/.test(text))).toEqual([]);
    expect(texts.length).toBeLessThan(15);

    // Reconciliation finds each charge at the processor; the next tick records them, once.
    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    await reconcilePayments(testApp.context, sandbox);
    delete testApp.context.clock;
    expect(
      await runAutopay(testApp.context, sandbox, { businessDate: '2026-10-07' }),
    ).toMatchObject({ status: 'finished', charged: 20 });
    for (const outcome of await outcomeOf(invoices)) {
      expect(outcome).toEqual({ balance: 0, charges: 1, attempts: ['charged'] });
    }
  });

  it('a retry due at once, left by a waiting run killed before it tried again, is still tried', async () => {
    const pool = testApp.database.pool;
    const [organizationId] = await autopayOrganizations(1);
    const [invoice] = await invoicesDue([organizationId!], 1, '2026-10-08');
    const sandbox = sandboxOf(testApp);
    const method = (
      await pool.query<{ id: string }>(
        `SELECT id FROM payment_methods WHERE organization_id = $1`,
        [organizationId],
      )
    ).rows[0]!.id;
    // A run killed between writing the payment of try 1 and charging it.
    const started = await startPayment({
      context: testApp.context,
      gateway: sandbox,
      actor: systemActor,
      organizationId: organizationId!,
      contactId: null,
      source: 'autopay',
      paymentMethodId: method,
      allocations: [{ invoiceId: invoice!, amountCents: 1_000 }],
      requestKey: `autopay:${invoice}:2026-10-08:1`,
    });
    expect(
      await runAutopay(testApp.context, sandbox, { businessDate: '2026-10-08' }),
    ).toMatchObject({ status: 'unfinished', pending: 1 });
    // Reconciliation: the processor never had it. The waiting run records that and is killed
    // before its next try goes out.
    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    await reconcilePayments(testApp.context, sandbox);
    delete testApp.context.clock;
    await pool.query(
      `INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                     run_date, payment_id, amount_cents, outcome, reason,
                                     next_try_on)
       VALUES ($1, $2, '2026-10-08', 1, '2026-10-08', $3, 1000, 'retry_scheduled',
               'The payment did not reach the payment processor; nothing was charged.',
               '2026-10-08')`,
      [organizationId, invoice, started.paymentId],
    );
    expect(
      await runAutopay(testApp.context, sandbox, { businessDate: '2026-10-08' }),
    ).toMatchObject({ status: 'finished', charged: 1 });
    const [outcome] = await outcomeOf([invoice!]);
    expect(outcome).toEqual({ balance: 0, charges: 1, attempts: ['retry_scheduled', 'charged'] });
  });

  it('a run is not closed while tries that never reached the processor are still to be made again', async () => {
    const pool = testApp.database.pool;
    const runDate = '2026-10-09';
    const organizations = await autopayOrganizations(7);
    const invoices = await invoicesDue(organizations, 1, runDate);
    const sandbox = sandboxOf(testApp);
    // Six organizations' try 1 was written by a worker killed before charging it (the seventh
    // is charged normally); reconciliation fails them as never received one after the other
    // while the run goes on, as the other worker's job does: a charge the run makes is the
    // moment the next one is failed, the last two at once.
    const neverSent: string[] = [];
    for (const [index, organizationId] of organizations.slice(0, 6).entries()) {
      const method = (
        await pool.query<{ id: string }>(
          `SELECT id FROM payment_methods WHERE organization_id = $1`,
          [organizationId],
        )
      ).rows[0]!.id;
      const started = await startPayment({
        context: testApp.context,
        gateway: sandbox,
        actor: systemActor,
        organizationId,
        contactId: null,
        source: 'autopay',
        paymentMethodId: method,
        allocations: [{ invoiceId: invoices[index]!, amountCents: 1_000 }],
        requestKey: `autopay:${invoices[index]}:${runDate}:1`,
      });
      neverSent.push(started.paymentId);
    }
    const failNeverReached = (paymentId: string) =>
      applyChargeResult(testApp.context, {
        where: { paymentId },
        result: {
          status: 'failed',
          chargeRef: null,
          failureCode: notReachedCode,
          failureMessage: null,
        },
      });
    await failNeverReached(neverSent.shift()!);
    const gateway = {
      ...sandbox,
      charge: async (input: Parameters<typeof sandbox.charge>[0]) => {
        const next = neverSent.length === 2 ? neverSent.splice(0, 2) : neverSent.splice(0, 1);
        for (const paymentId of next) await failNeverReached(paymentId);
        return sandbox.charge(input);
      },
    };
    // However many calls it takes, the run is closed only once every invoice is charged.
    const statuses: string[] = [];
    for (let call = 0; call < 5; call += 1) {
      const run = await runAutopay(testApp.context, gateway, { businessDate: runDate });
      statuses.push(run.status);
      if (run.status === 'finished') break;
    }
    expect(statuses.at(-1)).toBe('finished');
    for (const outcome of await outcomeOf(invoices)) {
      expect(outcome).toMatchObject({ balance: 0, charges: 1 });
      expect(outcome.attempts.at(-1)).toBe('charged');
    }
  });
});
