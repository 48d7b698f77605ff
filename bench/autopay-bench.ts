/**
 * `npm run bench -- autopay`: how fast the daily AutoPay run charges. 100,000 invoices due today
 * across 10,000 organizations (each with a saved sandbox card and AutoPay "all services, on the
 * due date"), seeded in bulk SQL on a database of its own (`portico_bench_autopay`, created
 * afresh). Three targets in one run:
 *
 * - baseline (SQL): the same state transitions as the run in plain SQL (the due invoices read in
 *   one query; per invoice, the invoice locked, the payment pending with its allocation in
 *   flight, then the payment succeeded, the allocation settled, the invoice paid and the
 *   attempt recorded), as many side by side as the run charges, on a pool of the same size;
 * - the run, sandbox at 0 ms: runAutopay (what the job's tick calls) on the same invoices, put
 *   back open first: invoices charged per second from its start to the last receipt queued;
 * - the run, sandbox at 300 ms (SANDBOX_LATENCY_MS=300) on fresh invoices: its length and the
 *   charges it had in flight at most (the concurrency it used).
 *
 * Afterwards the sandbox's ledger is compared with Portico's payments (bench/autopay-ledger.ts).
 * See README.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { AppContext } from '../src/platform/context.js';
import { loadConfig } from '../src/platform/config.js';
import {
  createPool,
  runMigrations,
  withTransaction,
  type EmbeddedDatabase,
  type Pool,
} from '../src/platform/database.js';
import { createJobQueue } from '../src/platform/jobs.js';
import { createLogger } from '../src/platform/logger.js';
import { planAutopayCharges } from '../src/modules/autopay/autopay-plan.js';
import { runAutopay, autopayConcurrency } from '../src/modules/autopay/autopay-run.js';
import { paymentEmailsJobName } from '../src/modules/payments/payment-receipts.js';
import { businessToday } from '../src/modules/settings/business-date.js';
import { paymentGateway } from '../src/payment-gateway.js';
import { seedAutopayData, seedMoreAutopayInvoices } from './autopay-seed.js';
import { checkAutopayLedger, ledgerAgrees, printLedgerCheck } from './autopay-ledger.js';
import type { AutopayLedgerCheck } from './autopay-ledger.js';

const databaseName = 'portico_bench_autopay';
const organizations = Number(process.env.BENCH_AUTOPAY_ORGS ?? 10_000);
const invoices = Number(process.env.BENCH_AUTOPAY_INVOICES ?? 100_000);
/**
 * Invoices of the 300 ms run: at 16 charges in flight, 300 ms each, the run charges about 50 a
 * second, so 100,000 would take over half an hour.
 */
const slowInvoices = Number(process.env.BENCH_AUTOPAY_SLOW_INVOICES ?? 2_000);
/** createPool's default, as npm start uses; the baseline gets the same. */
const poolSize = 20;
const aimPerSecond = 2_000;

export interface AutopayTarget {
  name: string;
  invoices: number;
  charged: number;
  /** From the start to the last receipt queued (the baseline: to its last transition). */
  seconds: number;
  /** Charges in flight at the processor at most (the baseline: transitions side by side). */
  concurrency: number;
  /** This process's CPU per invoice, ms (PostgreSQL's not included). */
  cpuMsPerInvoice: number;
  /** SQL statements this process sent per invoice. */
  statementsPerInvoice: number;
}

export interface AutopayBenchResult {
  seedSeconds: number;
  targets: AutopayTarget[];
  ledger: AutopayLedgerCheck;
  /** The same invoices read by the plan, alone (what every run starts with). */
  planSeconds: number;
}

let statementsSent = 0;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statementsSent += 1;
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

/**
 * BENCH_AUTOPAY_PROFILE=<folder>: a V8 CPU profile of this process during each run
 * (`<folder>/<target>.cpuprofile`, for Chrome DevTools or speedscope).
 */
async function startProfile(name: string): Promise<{ stop: () => Promise<void> }> {
  const folder = process.env.BENCH_AUTOPAY_PROFILE;
  if (!folder) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(folder, { recursive: true });
      const file = path.join(folder, `${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function freshDatabase(embedded: EmbeddedDatabase): Promise<string> {
  const admin = new pg.Client({ connectionString: embedded.connectionString('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await admin.end();
  }
  return embedded.connectionString(databaseName);
}

/** Runs `task` over `items`, `width` at a time. */
async function eachLimited<T>(items: T[], width: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

/**
 * The baseline: the run's state transitions in plain SQL (no plan rules, no processor, no
 * audit, no receipts), `width` invoices side by side.
 */
async function baseline(pool: Pool, runDate: string, width: number): Promise<number> {
  const due = (
    await pool.query<{
      id: string;
      organizationId: string;
      balanceCents: number;
      methodId: string;
    }>(
      `SELECT i.id, i.organization_id AS "organizationId", i.balance_cents AS "balanceCents",
              m.id AS "methodId"
         FROM invoices i
         JOIN autopay_organizations o ON o.organization_id = i.organization_id AND o.enabled
         JOIN payment_methods m ON m.organization_id = i.organization_id AND m.is_default
                               AND m.removed_at IS NULL
        WHERE i.state = 'issued' AND i.total_cents > i.amount_paid_cents AND i.due_date <= $1`,
      [runDate],
    )
  ).rows;
  await eachLimited(due, width, async (invoice) => {
    const paymentId = await withTransaction(pool, async ({ client }) => {
      await client.query(`SELECT 1 FROM invoices WHERE id = $1 FOR UPDATE`, [invoice.id]);
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                               payment_method_id, method_type, method_label, idempotency_key,
                               request_key)
         VALUES ('B-' || nextval('payment_number_seq'), $1, 'autopay', 'pending', $2, 'USD', $3,
                 'card', 'Visa •••• 4242', 'bench-baseline-' || gen_random_uuid(),
                 'autopay:' || $4 || ':' || $5 || ':1')
         RETURNING id`,
        [invoice.organizationId, invoice.balanceCents, invoice.methodId, invoice.id, runDate],
      );
      const id = inserted.rows[0]!.id;
      await client.query(
        `INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents, applied_cents, in_flight)
         VALUES ($1, $2, $3, $3, true)`,
        [id, invoice.id, invoice.balanceCents],
      );
      return id;
    });
    await withTransaction(pool, async ({ client }) => {
      await client.query(
        `UPDATE payments SET status = 'succeeded', settled_at = now(), updated_at = now() WHERE id = $1`,
        [paymentId],
      );
      await client.query(`UPDATE payment_allocations SET in_flight = false WHERE payment_id = $1`, [
        paymentId,
      ]);
      await client.query(
        `UPDATE invoices SET amount_paid_cents = amount_paid_cents + $2, paid_at = now(),
                updated_at = now()
          WHERE id = $1`,
        [invoice.id, invoice.balanceCents],
      );
      await client.query(
        `INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                       run_date, payment_id, amount_cents, outcome)
         VALUES ($1, $2, $3, 1, $3, $4, $5, 'charged')`,
        [invoice.organizationId, invoice.id, runDate, paymentId, invoice.balanceCents],
      );
    });
  });
  return due.length;
}

/** Puts the baseline's invoices back open: its payments, allocations and attempts go. */
async function undoBaseline(pool: Pool): Promise<void> {
  await withTransaction(pool, async ({ client }) => {
    await client.query(`DELETE FROM autopay_attempts`);
    await client.query(`DELETE FROM payment_allocations`);
    await client.query(`DELETE FROM payments`);
    await client.query(`DELETE FROM autopay_runs`);
    await client.query(`UPDATE invoices SET amount_paid_cents = 0, paid_at = NULL`);
  });
  await pool.query('VACUUM (ANALYZE) invoices, payments, payment_allocations, autopay_attempts');
}

/** A context as npm start builds one, with the sandbox at `latencyMs`. */
async function contextWith(connectionString: string, pool: Pool, latencyMs: number) {
  const logger = createLogger('silent');
  const jobs = createJobQueue(connectionString, logger);
  await jobs.start();
  await jobs.createQueue(paymentEmailsJobName);
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: path.resolve('data', 'bench'),
    DATABASE_URL: connectionString,
    SANDBOX_LATENCY_MS: String(latencyMs),
  });
  const context: AppContext = { config, pool, jobs, logger };
  return context;
}

/**
 * One run of AutoPay for `runDate` through runAutopay, as the job's tick calls it, measured
 * from its start to the last receipt job queued (the database's clock for both), with the
 * charges in flight at the processor counted.
 */
async function measuredRun(
  name: string,
  context: AppContext,
  runDate: string,
  expected: number,
): Promise<AutopayTarget> {
  const gateway = paymentGateway(context);
  const charge = gateway.charge.bind(gateway);
  let inFlight = 0;
  let most = 0;
  gateway.charge = async (input) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    try {
      return await charge(input);
    } finally {
      inFlight -= 1;
    }
  };
  const startedAt = (await context.pool.query<{ at: Date }>(`SELECT clock_timestamp() AS at`))
    .rows[0]!.at;
  const profile = await startProfile(name);
  const statementsBefore = statementsSent;
  const cpuBefore = process.cpuUsage();
  const result = await runAutopay(context, gateway, { businessDate: runDate });
  const cpu = process.cpuUsage(cpuBefore);
  await profile.stop();
  const statements = statementsSent - statementsBefore;
  const last = (
    await context.pool.query<{ at: Date | null }>(
      `SELECT max(created_on) AS at FROM pgboss.job WHERE name = $1 AND created_on >= $2`,
      [paymentEmailsJobName, startedAt],
    )
  ).rows[0]!.at;
  if (result.status !== 'finished') {
    console.warn(`  WARNING: ${name}: the run answered ${result.status}`);
  }
  const seconds = ((last ?? new Date()).getTime() - startedAt.getTime()) / 1000;
  return {
    name,
    invoices: expected,
    charged: result.charged,
    seconds,
    concurrency: most,
    cpuMsPerInvoice: (cpu.user + cpu.system) / 1000 / Math.max(1, expected),
    statementsPerInvoice: statements / Math.max(1, expected),
  };
}

export async function autopayBenchmark(options: {
  embedded: EmbeddedDatabase;
  step: (message: string) => void;
}): Promise<AutopayBenchResult> {
  const { step } = options;
  const connectionString = await freshDatabase(options.embedded);
  const pool = createPool(connectionString, undefined, poolSize);
  const cleanups: (() => Promise<unknown>)[] = [() => pool.end()];
  try {
    await runMigrations(pool);
    const runDate = await businessToday(pool);
    step(`Seeding ${invoices} invoices due ${runDate} across ${organizations} organizations`);
    let started = performance.now();
    await seedAutopayData({ pool, organizations, invoices, dueDate: runDate, declineEvery: 0 });
    const seedSeconds = (performance.now() - started) / 1000;
    step(`Seeded in ${seedSeconds.toFixed(1)} s`);

    const targets: AutopayTarget[] = [];
    step(`Baseline: the same transitions in SQL, ${autopayConcurrency} side by side`);
    const basePool = createPool(connectionString, undefined, poolSize);
    cleanups.push(() => basePool.end());
    started = performance.now();
    const cpuBefore = process.cpuUsage();
    const statementsBefore = statementsSent;
    const done = await baseline(basePool, runDate, autopayConcurrency);
    const cpu = process.cpuUsage(cpuBefore);
    targets.push({
      name: 'baseline (SQL)',
      invoices: done,
      charged: done,
      seconds: (performance.now() - started) / 1000,
      concurrency: autopayConcurrency,
      cpuMsPerInvoice: (cpu.user + cpu.system) / 1000 / Math.max(1, done),
      statementsPerInvoice: (statementsSent - statementsBefore) / Math.max(1, done),
    });
    await undoBaseline(pool);

    started = performance.now();
    await planAutopayCharges(pool, { through: runDate });
    const planSeconds = (performance.now() - started) / 1000;
    step(`The plan alone read ${invoices} invoices in ${planSeconds.toFixed(1)} s`);

    step('The run, sandbox at 0 ms');
    const fast = await contextWith(connectionString, pool, 0);
    cleanups.push(() => fast.jobs.stop({ graceful: false, wait: true }));
    targets.push(await measuredRun('run, sandbox 0 ms', fast, runDate, invoices));

    step(`The run, sandbox at 300 ms, on ${slowInvoices} fresh invoices`);
    await seedMoreAutopayInvoices({ pool, invoices: slowInvoices, dueDate: runDate, prefix: 'L' });
    await pool.query(`DELETE FROM autopay_runs WHERE run_date = $1`, [runDate]);
    const slow = await contextWith(connectionString, pool, 300);
    cleanups.push(() => slow.jobs.stop({ graceful: false, wait: true }));
    targets.push(await measuredRun('run, sandbox 300 ms', slow, runDate, slowInvoices));

    step('Comparing the sandbox ledger with Portico’s payments');
    const ledger = await checkAutopayLedger(pool, '');
    return { seedSeconds, targets, ledger, planSeconds };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('while stopping:', error));
    }
  }
}

/** Prints the report; answers whether the ledger and the payments agree. */
export function printAutopayReport(result: AutopayBenchResult): boolean {
  console.log(
    `\nAutoPay run (${invoices} invoices due across ${organizations} organizations; ` +
      `the plan alone: ${result.planSeconds.toFixed(1)} s)\n`,
  );
  const header = [
    'target',
    'invoices',
    'charged',
    'seconds',
    'charged/s',
    'of baseline',
    'in flight',
    'SQL/invoice',
    'CPU ms/invoice',
  ];
  const base = result.targets[0]!;
  const rate = (t: AutopayTarget) => t.charged / Math.max(t.seconds, 0.001);
  const rows = result.targets.map((t) => [
    t.name,
    String(t.invoices),
    String(t.charged),
    t.seconds.toFixed(1),
    rate(t).toFixed(0),
    t === base || t.name.includes('300') ? '' : `${((rate(t) / rate(base)) * 100).toFixed(0)} %`,
    String(t.concurrency),
    t.statementsPerInvoice.toFixed(1),
    t.cpuMsPerInvoice.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const fast = result.targets.find((t) => t.name.endsWith(' 0 ms'));
  if (fast) {
    console.log(
      `\nAim: ${aimPerSecond} invoices charged per second at 0 ms, from the run's start to the ` +
        `last receipt queued: ${rate(fast).toFixed(0)} ${rate(fast) >= aimPerSecond ? 'met' : 'NOT MET'}`,
    );
  }
  const slow = result.targets.find((t) => t.name.endsWith(' 300 ms'));
  if (slow) {
    console.log(
      `At 300 ms per charge, ${slow.concurrency} in flight can charge at most about ` +
        `${(slow.concurrency / 0.3).toFixed(0)} a second: ${rate(slow).toFixed(0)} measured, ` +
        `${slow.seconds.toFixed(0)} s for ${slow.invoices} (100,000 would take about ` +
        `${(100_000 / Math.max(rate(slow), 0.001) / 60).toFixed(0)} minutes).`,
    );
  }
  console.log('\nLedger check (the sandbox’s charges against Portico’s payments):');
  printLedgerCheck(result.ledger);
  const agree = ledgerAgrees(result.ledger);
  if (!agree) console.log('  !!! THEY DISAGREE !!!');
  return agree;
}
