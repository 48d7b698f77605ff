/**
 * `npm run bench -- payments-crash`: probes Pay Selected for double charges when the server
 * dies at a random moment. Portico runs as a process of its own (from source, on the bench's
 * PostgreSQL, database `portico_bench_crash`, created afresh), with the sandbox processor at a
 * random latency and, on some rounds, its `timeout` fault (the charge is made, the answer lost).
 * Each round fires one payment per organization (16 at a time, each with its Idempotency-Key),
 * SIGKILLs the server at a random moment, restarts it and sends the requests that got no answer
 * again with the same key, as a browser retrying would. At the end the server runs without
 * faults until the reconciliation job has settled every payment the processor knows of, then
 * the sandbox's ledger is compared with Portico's payments and invoices. See README.md.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { AppContext } from '../src/platform/context.js';
import { loadConfig } from '../src/platform/config.js';
import { createPool, runMigrations, type EmbeddedDatabase } from '../src/platform/database.js';
import { createJobQueue } from '../src/platform/jobs.js';
import { createLogger } from '../src/platform/logger.js';
import { authorizationTexts } from '../src/modules/payments/payment-methods.js';
import { businessToday } from '../src/modules/settings/business-date.js';
import { sandboxGateway } from '../src/payment-gateway.js';
import { createDb } from '../src/platform/database.js';
import {
  freePort,
  startPorticoFromSource,
  type PorticoProcess,
} from '../tests/support/portico-process.js';
import type { LoadRequest } from './payment-load.js';
import { createPayer, payRequest, withCsrf, type Payer } from './payments.js';

const databaseName = 'portico_bench_crash';
/** BENCH_CRASH_ROUNDS: kills (each round pays one invoice of every organization). */
const rounds = Number(process.env.BENCH_CRASH_ROUNDS ?? 6);
const organizationCount = Number(process.env.BENCH_CRASH_ORGS ?? 60);
const concurrency = 16;
/** The reconciliation job asks about pending payments older than 30 s, every minute. */
const settleTimeoutMs = 4 * 60_000;

export interface CrashRound {
  latencyMs: number;
  fault: 'none' | 'timeout';
  killAfterMs: number;
  /** Answers before the kill, by status ('lost' = no answer). */
  before: Record<string, number>;
  /** Answers to the same requests sent again after the restart. */
  retried: Record<string, number>;
}

export interface CrashCheck {
  charges: number;
  succeededCharges: number;
  chargedCents: number;
  paidCents: number;
  /** Payments by status. */
  payments: Record<string, number>;
  /** Charges no payment names, or whose amount differs from the payment's. */
  chargesUnmatched: number;
  /** Payments whose status differs from their charge's (pending ones the processor knows of). */
  statusesOff: number;
  /** Pending payments the processor never received (they fail after 10 minutes). */
  pendingUncharged: number;
  /** Invoices with more than one succeeded charge, or paid more than their total. */
  invoicesChargedTwice: number;
  /** Invoices whose paid amount differs from what their payments applied. */
  invoicesOff: number;
}

function tally(statuses: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
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

/** Sends each request once, `concurrency` at a time; answers each one's status or 'lost'. */
async function fire(baseUrl: string, requests: LoadRequest[]): Promise<string[]> {
  const statuses: string[] = new Array<string>(requests.length).fill('lost');
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index]!;
      try {
        const response = await fetch(baseUrl + request.path, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        await response.text();
        statuses[index] = String(response.status);
      } catch {
        statuses[index] = 'lost';
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

function startServer(connectionString: string, port: number, env: Record<string, string>) {
  return startPorticoFromSource({
    DATABASE_URL: connectionString,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: path.resolve('data', 'bench-crash'),
    LOG_LEVEL: 'warn',
    // The probe reads the sandbox's ledger: whatever the shell says, the sandbox runs.
    PAYMENT_GATEWAY: 'sandbox',
    ...env,
  });
}

async function ready(server: PorticoProcess): Promise<void> {
  await server.waitFor('Portico is running', 120_000);
}

/** Ledger against payments and invoices (see CrashCheck). */
async function check(context: AppContext): Promise<CrashCheck> {
  const { charges } = await sandboxGateway(context)!.ledger();
  const payments = (
    await context.pool.query<{ key: string; amountCents: number; status: string }>(
      `SELECT idempotency_key AS key, amount_cents AS "amountCents", status
         FROM payments WHERE gateway = 'sandbox'`,
    )
  ).rows;
  const byKey = new Map(payments.map((p) => [p.key, p]));
  const chargeByKey = new Map(charges.map((c) => [c.idempotencyKey, c]));
  const invoices = (
    await context.pool.query<{ chargedTwice: number; off: number }>(
      `WITH applied AS (
         SELECT a.invoice_id, count(*) FILTER (WHERE p.status = 'succeeded') AS succeeded,
                coalesce(sum(a.amount_cents) FILTER (WHERE p.status IN ('succeeded', 'processing')), 0) AS cents
           FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
          GROUP BY a.invoice_id)
       SELECT count(*) FILTER (WHERE coalesce(x.succeeded, 0) > 1 OR i.amount_paid_cents > i.total_cents)::int AS "chargedTwice",
              count(*) FILTER (WHERE i.amount_paid_cents <> coalesce(x.cents, 0))::int AS off
         FROM invoices i LEFT JOIN applied x ON x.invoice_id = i.id
        -- The payers' invoices: the demo data's were paid without payments.
        WHERE i.organization_id IN (SELECT id FROM organizations WHERE name LIKE 'Bench Payer %')`,
    )
  ).rows[0]!;
  return {
    charges: charges.length,
    succeededCharges: charges.filter((c) => c.status === 'succeeded').length,
    chargedCents: charges
      .filter((c) => c.status === 'succeeded')
      .reduce((sum, c) => sum + c.amountCents, 0),
    paidCents: payments
      .filter((p) => p.status === 'succeeded')
      .reduce((sum, p) => sum + p.amountCents, 0),
    payments: tally(payments.map((p) => p.status)),
    chargesUnmatched: charges.filter(
      (c) => byKey.get(c.idempotencyKey)?.amountCents !== c.amountCents,
    ).length,
    statusesOff: payments.filter((p) => {
      const charge = chargeByKey.get(p.key);
      return charge ? charge.status !== p.status : p.status === 'succeeded';
    }).length,
    pendingUncharged: payments.filter((p) => p.status === 'pending' && !chargeByKey.has(p.key))
      .length,
    invoicesChargedTwice: invoices.chargedTwice,
    invoicesOff: invoices.off,
  };
}

export async function paymentCrashProbe(options: {
  embedded: EmbeddedDatabase;
  step: (message: string) => void;
}): Promise<{ rounds: CrashRound[]; check: CrashCheck }> {
  const { step } = options;
  const connectionString = await freshDatabase(options.embedded);
  const pool = createPool(connectionString, undefined, 10);
  const logger = createLogger('silent');
  const jobs = createJobQueue(connectionString, logger);
  let server: PorticoProcess | null = null;
  try {
    await runMigrations(pool);
    await jobs.start();
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: path.resolve('data', 'bench-crash'),
      DATABASE_URL: connectionString,
    });
    // This process's own context, for the setup (through Portico's use cases and the sandbox's
    // tokenization) and for reading the sandbox's ledger at the end.
    const context: AppContext = { config, pool, jobs, logger };
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    step(`Starting Portico from source on ${baseUrl}`);
    server = startServer(connectionString, port, {});
    await ready(server);

    step(`Creating ${organizationCount} organizations with ${rounds} open invoices each`);
    const profileId = (
      await pool.query<{ id: string }>(
        `SELECT id FROM access_profiles WHERE name = 'Billing Admin'`,
      )
    ).rows[0]!.id;
    const serviceCategoryId = (
      await pool.query<{ id: string }>(
        `SELECT id FROM service_categories WHERE archived_at IS NULL ORDER BY position LIMIT 1`,
      )
    ).rows[0]!.id;
    const issueDate = await businessToday(pool);
    const cardAuthorization = (await authorizationTexts(createDb(pool))).card;
    const payers: Payer[] = [];
    for (let index = 0; index < organizationCount; index++) {
      const payer = await createPayer({
        context,
        index,
        serviceCategoryId,
        profileId,
        issueDate,
        cardAuthorization,
        invoicesPerPayer: rounds,
      });
      payers.push(await withCsrf(baseUrl, payer));
    }

    const done: CrashRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const latencyMs = [0, 50, 300][Math.floor(Math.random() * 3)]!;
      const fault = Math.random() < 0.5 ? ('timeout' as const) : ('none' as const);
      const killAfterMs = Math.floor(100 + Math.random() * 1_500);
      if (round > 0 || latencyMs !== 0 || fault !== 'none') {
        await server.stop();
        server = startServer(connectionString, port, {
          SANDBOX_LATENCY_MS: String(latencyMs),
          SANDBOX_FAULT: fault,
        });
        await ready(server);
      }
      step(
        `Round ${round + 1}/${rounds}: latency ${latencyMs} ms, fault ${fault}, SIGKILL after ${killAfterMs} ms`,
      );
      const requests = payers.map((payer) => payRequest(payer, round));
      const answers = fire(baseUrl, requests);
      await sleep(killAfterMs);
      server.child.kill('SIGKILL');
      await server.exited;
      const before = await answers;
      server = startServer(connectionString, port, {
        SANDBOX_LATENCY_MS: String(latencyMs),
        SANDBOX_FAULT: fault,
      });
      await ready(server);
      // A browser that lost the answer sends the same request again, with the same key.
      const lost = requests.filter((_, index) => before[index] === 'lost');
      const retried = await fire(baseUrl, lost);
      done.push({ latencyMs, fault, killAfterMs, before: tally(before), retried: tally(retried) });
    }

    step('Restarting without faults and waiting for the reconciliation job');
    await server.stop();
    server = startServer(connectionString, port, {});
    await ready(server);
    const deadline = Date.now() + settleTimeoutMs;
    let result = await check(context);
    while (result.statusesOff > 0 && Date.now() < deadline) {
      await sleep(5_000);
      result = await check(context);
    }
    return { rounds: done, check: result };
  } finally {
    await server?.stop();
    await jobs.stop({ graceful: false, wait: true }).catch(() => {});
    await pool.end();
  }
}

/** Prints the report; answers whether the ledger, the payments and the invoices agree. */
export function printCrashReport(result: { rounds: CrashRound[]; check: CrashCheck }): boolean {
  console.log('\nPayments under SIGKILL (each round: one payment per organization, then a kill)\n');
  for (const [index, round] of result.rounds.entries()) {
    console.log(
      `  round ${index + 1}: latency ${round.latencyMs} ms, fault ${round.fault}, killed after ` +
        `${round.killAfterMs} ms; answers ${JSON.stringify(round.before)}; ` +
        `lost ones sent again: ${JSON.stringify(round.retried)}`,
    );
  }
  const c = result.check;
  const agree =
    c.chargesUnmatched === 0 &&
    c.statusesOff === 0 &&
    c.invoicesChargedTwice === 0 &&
    c.invoicesOff === 0 &&
    c.chargedCents === c.paidCents;
  console.log(
    `\nSandbox ledger: ${c.charges} charges (${c.succeededCharges} succeeded, ${c.chargedCents} cents); ` +
      `Portico payments ${JSON.stringify(c.payments)} (${c.paidCents} cents succeeded).`,
  );
  console.log(
    `  ${c.chargesUnmatched} charges without a matching payment, ${c.statusesOff} payments whose ` +
      `status differs from their charge, ${c.invoicesChargedTwice} invoices charged twice or ` +
      `overpaid, ${c.invoicesOff} invoices whose paid amount differs from their payments; ` +
      `${c.pendingUncharged} payments pending that the processor never received (the job fails ` +
      `them after 10 minutes).`,
  );
  console.log(agree ? '  They agree: zero double charges.' : '  !!! THEY DISAGREE !!!');
  return agree;
}
