import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { payInvoicesAnswer } from '../../src/shared/contract/payments.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { sandboxOf, savedMethod, testCard } from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import { organizationId, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * What one Pay Selected costs in round trips to PostgreSQL. Each statement is a socket write
 * and a wake-up of a PostgreSQL backend; on the benchmark's machine they were about half of a
 * payment's CPU (bench/README.md, Payments). The whole state machine of
 * docs/decisions/0028-payment-core.md still runs: the test also checks what a payer and the
 * ledger see.
 */

let testApp: TestApp;
let portal: ApiClient;
let orgA = '';
let card = '';
let invoiceNumber = 0;

/**
 * Statements sent by this process while `counted` is set (pg-boss's own polling left out), with
 * the name of a named (prepared) statement.
 */
let counted: { text: string; name: string | null }[] | null = null;
/** The sockets of the connections those statements went over (the job queue's left out). */
const paymentSockets = new Set<unknown>();
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text: string; name?: string } | undefined;
  const text = typeof first === 'string' ? first : (first?.text ?? '');
  const name = typeof first === 'string' ? null : (first?.name ?? null);
  // The job queue's workers poll on their own schedule; its job inserts are the payment's.
  const polling = /pgboss\./.test(text) && !/INSERT INTO pgboss\.job/i.test(text);
  if (counted && !polling) {
    counted.push({ text: text.replace(/\s+/g, ' ').trim(), name });
    paymentSockets.add((this as unknown as { connection: { stream: unknown } }).connection.stream);
  }
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

/**
 * Writes to PostgreSQL's sockets while `writes` is set: each is a round trip the payment waits
 * for (the statements corked into one write travel together). Counted where node writes to a
 * socket (net.Socket's _write and _writev), kept for the payment's connections afterwards.
 */
let writes: unknown[] | null = null;
const socketWrite = net.Socket.prototype._write;
const socketWritev = net.Socket.prototype._writev!;
net.Socket.prototype._write = function (this: net.Socket, ...args) {
  writes?.push(this);
  return socketWrite.apply(this, args);
};
net.Socket.prototype._writev = function (this: net.Socket, ...args) {
  writes?.push(this);
  return socketWritev.apply(this, args);
};

async function openInvoice(cents: number): Promise<string> {
  invoiceNumber += 1;
  return insertInvoice(testApp.database.pool, {
    organizationId: orgA,
    number: `INV-RT-${invoiceNumber}`,
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: cents }],
  });
}

beforeAll(async () => {
  testApp = await startTestApp({});
  orgA = await organizationId(testApp, 'Pawnee Parks Dept.');
  ({ portal } = await signedInToPortal(testApp, orgA));
  card = await savedMethod(testApp, orgA, testCard('4242424242424242'), { isDefault: true });
  // The portal session has been seen just now, so no request below rewrites it.
  await portal.get('/api/portal/session');
}, 60_000);
afterAll(async () => {
  pg.Client.prototype.query = clientQuery;
  net.Socket.prototype._write = socketWrite;
  net.Socket.prototype._writev = socketWritev;
  await testApp?.close();
});

describe('Pay Selected round trips', () => {
  it('pays an invoice with at most 15 statements to PostgreSQL, each parsed once per connection, all of the state machine kept', async () => {
    const invoiceId = await openInvoice(12_345);
    counted = [];
    const response = await portal.post(
      '/api/portal/payments',
      { paymentMethodId: card, allocations: [{ invoiceId, amountCents: 12_345 }] },
      { 'idempotency-key': 'round-trips-1' },
    );
    const statements = counted;
    counted = null;
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<Answer<typeof payInvoicesAnswer>>();
    expect(payment).toMatchObject({ status: 'succeeded', amountCents: 12_345 });
    expect(payment.allocations).toEqual([
      expect.objectContaining({ invoiceId, amountCents: 12_345, appliedCents: 12_345 }),
    ]);
    // Before: 24 (a session read, two transactions of 9 and 10, three sandbox statements and
    // the answer's payment read).
    const listing = statements.map((s) => `${s.name ?? '(unnamed)'}: ${s.text}`).join('\n');
    // (13 before each transaction asked for plans for any values, a statement sent with BEGIN.)
    expect(statements.length, listing).toBeLessThanOrEqual(15);
    // Each one but the transactions' BEGIN, plan setting and COMMIT is a named statement, which
    // PostgreSQL parses once per connection rather than on every payment.
    const unnamed = statements.filter(
      (s) =>
        !s.name && !/^(BEGIN|COMMIT|SET LOCAL plan_cache_mode = force_generic_plan)$/.test(s.text),
    );
    expect(unnamed.map((s) => s.text)).toEqual([]);

    // Everything the payment must leave behind is there: charged once with its key, the
    // invoice paid, both audit rows, the receipt job.
    const charges = (await sandboxOf(testApp).ledger()).charges.filter(
      (c) => c.metadata.paymentId === payment.id,
    );
    expect(charges).toHaveLength(1);
    expect(charges[0]!.idempotencyKey).toBe(`portico-payment-${payment.id}`);
    const pool = testApp.database.pool;
    const invoice = await pool.query(`SELECT balance_cents, paid_at FROM invoices WHERE id = $1`, [
      invoiceId,
    ]);
    expect(invoice.rows[0]).toMatchObject({ balance_cents: 0, paid_at: expect.any(Date) });
    const audit = await pool.query(
      `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`,
      [payment.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['payment.started', 'payment.succeeded']);
    const jobs = await pool.query(
      `SELECT data->>'kind' AS kind FROM pgboss.job
        WHERE name = 'payments.receipts' AND data->>'paymentId' = $1`,
      [payment.id],
    );
    expect(jobs.rows).toEqual([{ kind: 'receipt' }]);
    const allocation = await pool.query(
      `SELECT in_flight FROM payment_allocations WHERE payment_id = $1`,
      [payment.id],
    );
    expect(allocation.rows).toEqual([{ in_flight: false }]);

    // The same request again answers the same payment and charges nothing.
    const again = await portal.post(
      '/api/portal/payments',
      { paymentMethodId: card, allocations: [{ invoiceId, amountCents: 12_345 }] },
      { 'idempotency-key': 'round-trips-1' },
    );
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<Answer<typeof payInvoicesAnswer>>().payment.id).toBe(payment.id);
    expect(
      (await sandboxOf(testApp).ledger()).charges.filter(
        (c) => c.metadata.paymentId === payment.id,
      ),
    ).toHaveLength(1);
  });

  it('pays an invoice in at most 6 round trips: BEGIN and COMMIT travel with the statements of their transactions', async () => {
    const invoiceId = await openInvoice(23_456);
    counted = [];
    writes = [];
    paymentSockets.clear();
    const response = await portal.post(
      '/api/portal/payments',
      { paymentMethodId: card, allocations: [{ invoiceId, amountCents: 23_456 }] },
      { 'idempotency-key': 'round-trips-2' },
    );
    const statements = counted;
    const sent = writes.filter((socket) => paymentSockets.has(socket));
    counted = null;
    writes = null;
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<Answer<typeof payInvoicesAnswer>>().payment).toMatchObject({
      status: 'succeeded',
      amountCents: 23_456,
    });
    // The session cookie is not set again on the answer: the browser keeps it (its idle
    // expiry slides in the database), so the answer costs no cookie serialization.
    expect(response.headers['set-cookie']).toBeUndefined();
    // Before: 12 (each transaction's BEGIN and COMMIT a round trip of their own, the invoices'
    // lock and the payment's reads one each). Now the session's read; BEGIN, the lock and the
    // reads in one write, then the payment's insert with COMMIT; the sandbox's charge; BEGIN
    // with the payment's lock and the invoice paid in one write, the outcome's statement with
    // COMMIT. (7 before the invoice was paid in the lock's write.)
    const listing = statements.map((s) => s.text.slice(0, 60)).join('\n');
    expect(sent.length, listing).toBeLessThanOrEqual(6);
    // The transactions are still there, each committed.
    expect(statements.filter((s) => s.text === 'BEGIN')).toHaveLength(2);
    expect(statements.filter((s) => s.text === 'COMMIT')).toHaveLength(2);
    const invoice = await testApp.database.pool.query(
      `SELECT balance_cents FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    expect(invoice.rows[0]).toMatchObject({ balance_cents: 0 });
  });

  it('plans its statements once per connection, not again on each payment', async () => {
    // One payment after another: the pool hands the same idle connections out again, so some
    // connection runs each statement more times than PostgreSQL's 5 custom plans before it
    // would settle on a plan for any values, if it ever would.
    for (let i = 0; i < 8; i++) {
      const invoiceId = await openInvoice(1_000 + i);
      const response = await portal.post(
        '/api/portal/payments',
        { paymentMethodId: card, allocations: [{ invoiceId, amountCents: 1_000 + i }] },
        { 'idempotency-key': `round-trips-plans-${i}` },
      );
      expect(response.statusCode, response.body).toBe(201);
    }
    const pool = testApp.database.pool;
    const clients = await Promise.all(Array.from({ length: pool.idleCount }, () => pool.connect()));
    const plans = new Map<string, { runs: number; custom: number }>();
    try {
      for (const client of clients) {
        const result = await client.query<{ name: string; generic: number; custom: number }>(
          `SELECT name, generic_plans::int AS generic, custom_plans::int AS custom
             FROM pg_prepared_statements`,
        );
        for (const row of result.rows) {
          const seen = plans.get(row.name) ?? { runs: 0, custom: 0 };
          // The busiest connection's figures: the one that ran the statement most.
          if (row.generic + row.custom > seen.runs) {
            plans.set(row.name, { runs: row.generic + row.custom, custom: row.custom });
          }
        }
      }
    } finally {
      for (const client of clients) client.release();
    }
    // Pay Selected's transactions' statements: PostgreSQL planned each of them again on at
    // least its first 5 runs on a connection, and those that take their invoices as arrays on
    // every run on the benchmark's database, before the transactions asked for plans for any
    // values (docs/decisions/0058-generic-plans-for-pay-selected.md).
    for (const name of [
      'lock-open-invoices-for-payment',
      'pay-selected-reads',
      'start-payment',
      // (lock-payment-id is left out: the reconciliation job runs it too, in its own
      // transactions, on whichever connection the pool hands it.)
      'apply-invoice-payments-up-to',
    ]) {
      const seen = plans.get(name);
      expect(seen, name).toBeDefined();
      expect(seen!.runs, name).toBeGreaterThan(5);
      expect(seen!.custom, `${name} planned again on its runs`).toBe(0);
    }
  });
});
