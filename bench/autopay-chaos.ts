/**
 * `npm run chaos -- autopay [--timeouts]`: the proof that AutoPay charges nothing twice and
 * misses nothing when its workers die. On a database of its own (`portico_chaos_autopay`,
 * created afresh), 10,000 invoices due today across 2,000 organizations, each with a saved
 * sandbox card and AutoPay "all services, on the due date". Two Portico processes (from source,
 * as `npm run dev` runs them) work the AutoPay run job and the reconciliation job; each is
 * SIGKILLed at a random moment and started again, at least 100 times in all. The sandbox answers
 * a charge `SANDBOX_ANSWER_LATENCY_MS` after making it, so a kill often falls between the
 * processor's charge and Portico's write. Then, with no more kills, the run and the
 * reconciliation go on until every payment is final, and the sandbox's ledger is compared with
 * Portico's payments and invoices. See bench/README.md.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPool, runMigrations, type Pool } from '../src/platform/database.js';
import { createJobQueue, type JobQueue } from '../src/platform/jobs.js';
import { createLogger } from '../src/platform/logger.js';
import { reconcileJobName } from '../src/modules/payments/reconciliation.js';
import { autopayRunJobName } from '../src/modules/autopay/autopay-run.js';
import { businessToday } from '../src/modules/settings/business-date.js';
import { startPorticoFromSource, type PorticoProcess } from '../tests/support/portico-process.js';
import { seedAutopayData, type AutopaySeed } from './autopay-seed.js';
import {
  checkAutopayLedger,
  ledgerAgrees,
  printLedgerCheck,
  type AutopayLedgerCheck,
} from './autopay-ledger.js';

const organizations = Number(process.env.CHAOS_ORGS ?? 2_000);
const invoices = Number(process.env.CHAOS_INVOICES ?? 10_000);
/** Kills before the chaos stops (across both workers). */
const minimumKills = Number(process.env.CHAOS_KILLS ?? 100);
/** One organization in this many has a card that declines (soft or hard). */
const declineEvery = 50;
/**
 * When a worker is killed: once it is ready and charges are being made (a charge recorded by
 * the processor since it was ready; at most `chargingWaitMs` later), after a random delay in
 * this range (ms). A kill while the process is still starting would test little.
 */
const lifeMs = { min: 200, max: 4_000 };
const chargingWaitMs = 30_000;
/** The sandbox's delays: before recording a charge, and between recording and answering. */
const latencyMs = 20;
const answerLatencyMs = 250;
/** The workers' reconciliation windows (PAYMENT_CONFIRM_AFTER_SECONDS, …_UNREACHED_…). */
const confirmAfterSeconds = 10;
const unreachedAfterMinutes = 1;
/**
 * The chaos stops after this long even with fewer kills (two chaos runs side by side on two
 * loaded cores made 88 and 91 kills in 18 minutes: a worker's start then takes seconds).
 * Settling gets at most this long after
 * it: a payment written but never sent to the processor (its worker died in between) waits for
 * the reconciliation job to fail it as never received, `unreachedAfterMinutes` after it was
 * written (src/modules/payments/reconciliation.ts), before AutoPay tries the invoice again.
 */
const chaosLimitMs = 30 * 60_000;
const settleLimitMs = 10 * 60_000;

export interface ChaosOptions {
  /** The bench's PostgreSQL (or DATABASE_URL's server): an admin connection and a database. */
  adminConnectionString: string;
  connectionString: (database: string) => string;
  /** The sandbox's timeout fault: every charge is made and its answer lost. */
  timeouts: boolean;
  step: (message: string) => void;
}

export interface ChaosResult {
  seed: AutopaySeed;
  timeouts: boolean;
  kills: number;
  /** Starts that failed (the first line the process printed), each followed by another. */
  failedStarts: string[];
  /** Kills after which charges the killed worker had made were still unwritten. */
  killsInWindow: number;
  /** Charges the processor had made whose payment was pending when its worker died. */
  chargesCaughtInWindow: number;
  chaosSeconds: number;
  settleSeconds: number;
  check: AutopayLedgerCheck;
}

/** The chaos run's database: one per mode, so both modes may run at once on one server. */
export function chaosDatabaseName(timeouts: boolean): string {
  return timeouts ? 'portico_chaos_autopay_timeouts' : 'portico_chaos_autopay';
}

/** Waits until the processor records a charge made after `since`, or `timeoutMs` passes. */
async function chargingAfter(pool: Pool, since: Date, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await pool.query(`SELECT 1 FROM sandbox_charges WHERE created_at > $1 LIMIT 1`, [
      since,
    ]);
    if (found.rows.length > 0) return;
    await sleep(200);
  }
}

async function freshDatabase(adminConnectionString: string, databaseName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminConnectionString });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await admin.end();
  }
}

/** A Portico process (web server and every job worker) on the chaos database. */
function startWorker(connectionString: string, timeouts: boolean): PorticoProcess {
  return startPorticoFromSource({
    DATABASE_URL: connectionString,
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: path.resolve('data', 'chaos'),
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    PAYMENT_GATEWAY: 'sandbox',
    SANDBOX_LATENCY_MS: String(latencyMs),
    SANDBOX_ANSWER_LATENCY_MS: String(answerLatencyMs),
    SANDBOX_FAULT: timeouts ? 'timeout' : 'none',
    // The reconciliation's windows, shortened (their minimums are 5 s and 1 minute): a payment
    // that lost its answer is asked about after 10 s, and one its worker died before sending
    // is failed as never received after a minute, so AutoPay tries that invoice again soon.
    PAYMENT_CONFIRM_AFTER_SECONDS: String(confirmAfterSeconds),
    PAYMENT_UNREACHED_AFTER_MINUTES: String(unreachedAfterMinutes),
  });
}

/** Pending payments whose charge the processor has made, with when it was made. */
async function chargedButUnwritten(pool: Pool, before: Date): Promise<Set<string>> {
  const rows = await pool.query<{ id: string }>(
    `SELECT p.id FROM payments p JOIN sandbox_charges c ON c.idempotency_key = p.idempotency_key
      WHERE p.status = 'pending' AND c.created_at < $1`,
    [before],
  );
  return new Set(rows.rows.map((r) => r.id));
}

/** Seeded invoices still open with no final word: nothing paid them, nothing failed them. */
/** What is left to settle, in words: invoices not paid or failed yet, payments not final. */
async function openWork(pool: Pool): Promise<string> {
  const check = await checkAutopayLedger(pool, 'A');
  return `${check.invoicesMissed} invoices not paid or failed yet, ${check.paymentsNotFinal} payments not final`;
}

/** Sends a run of AutoPay when none is waiting (a run in a killed worker stays active). */
async function triggerRun(boss: JobQueue): Promise<void> {
  const queued = await boss.getQueueSize(autopayRunJobName);
  if (queued === 0) await boss.send(autopayRunJobName, {});
}

export async function autopayChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { step, timeouts } = options;
  const databaseName = chaosDatabaseName(timeouts);
  await freshDatabase(options.adminConnectionString, databaseName);
  const connectionString = options.connectionString(databaseName);
  const pool = createPool(connectionString, undefined, 5);
  const boss = createJobQueue(connectionString, createLogger('silent'));
  const workers: (PorticoProcess | null)[] = [null, null];
  let stopping = false;
  try {
    await runMigrations(pool);
    const dueDate = await businessToday(pool);
    step(`Seeding ${invoices} invoices due ${dueDate} across ${organizations} organizations`);
    let started = performance.now();
    const seed = await seedAutopayData({
      pool,
      organizations,
      invoices,
      dueDate,
      declineEvery,
    });
    step(
      `Seeded in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
        `(${seed.softDeclines} cards decline softly, ${seed.hardDeclines} hard)`,
    );
    // The run may start at any hour the chaos is run (Configuration > Billing's run time).
    await pool.query(`UPDATE settings SET autopay_run_time = '00:00' WHERE id = 1`);
    await boss.start();

    let kills = 0;
    const failedStarts: string[] = [];
    let killsInWindow = 0;
    let chargesCaughtInWindow = 0;
    const windowChecks: Promise<void>[] = [];
    let lastKillAt = new Date();

    /** One worker's life: start, work a random while, SIGKILL; again until the chaos ends. */
    const lives = async (slot: number) => {
      while (!stopping) {
        const worker = startWorker(connectionString, timeouts);
        workers[slot] = worker;
        const ready = await worker.waitFor('Portico is running', 120_000).then(
          () => true,
          () => false,
        );
        if (!ready) {
          // A start can fail (two starting at once can deadlock in their start-up SQL): like a
          // crash, the worker is started again.
          failedStarts.push(worker.output().trim().split('\n')[0] ?? '');
          workers[slot] = null;
          await sleep(500);
          continue;
        }
        await chargingAfter(pool, new Date(), chargingWaitMs);
        const life = lifeMs.min + Math.random() * (lifeMs.max - lifeMs.min);
        await sleep(life);
        if (stopping) break;
        worker.child.kill('SIGKILL');
        await worker.exited;
        workers[slot] = null;
        kills += 1;
        const killedAt = new Date();
        const since = lastKillAt;
        lastKillAt = killedAt;
        // Charges made before the kill and still unwritten once the other worker has had the
        // time to write its own answers: the killed worker's, caught between the gateway call
        // and the write (in timeout mode every answer is lost, so all are).
        const first = await chargedButUnwritten(pool, killedAt);
        windowChecks.push(
          (async () => {
            await sleep(answerLatencyMs + latencyMs + 500);
            const second = await chargedButUnwritten(pool, killedAt);
            const caught = await pool.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM payments p
                 JOIN sandbox_charges c ON c.idempotency_key = p.idempotency_key
                WHERE p.id = ANY($1::uuid[]) AND c.created_at >= $2`,
              [[...first].filter((id) => second.has(id)), since],
            );
            const n = caught.rows[0]!.n;
            if (n > 0) killsInWindow += 1;
            chargesCaughtInWindow += n;
          })(),
        );
      }
    };

    step(
      `Chaos: two workers, each SIGKILLed ${lifeMs.min}–${lifeMs.max} ms after charges are ` +
        `made once it is ready, ` +
        `until ${minimumKills} kills; sandbox ${latencyMs} ms before a charge, ` +
        `${answerLatencyMs} ms before its answer${timeouts ? ', timeout fault on (answers lost)' : ''}`,
    );
    started = performance.now();
    const chaos = [lives(0), lives(1)];
    let reported = 0;
    while (performance.now() - started < chaosLimitMs) {
      await triggerRun(boss);
      await sleep(1_000);
      if (kills >= reported + 10) {
        reported = kills - (kills % 10);
        step(`  ${kills} kills: ${await openWork(pool)}`);
      }
      if (kills >= minimumKills) break;
    }
    stopping = true;
    await Promise.all(chaos);
    await Promise.all(windowChecks);
    const chaosSeconds = (performance.now() - started) / 1000;

    step('No more kills: both workers run the AutoPay run and the reconciliation until settled');
    for (const [slot, worker] of workers.entries()) {
      if (worker) continue;
      // Started one after the other: two starts at once can deadlock in their start-up SQL.
      for (let tries = 0; tries < 5 && !workers[slot]; tries++) {
        const next = startWorker(connectionString, timeouts);
        const ready = await next.waitFor('Portico is running', 120_000).then(
          () => true,
          () => false,
        );
        if (ready) workers[slot] = next;
        else failedStarts.push(next.output().trim().split('\n')[0] ?? '');
      }
    }
    started = performance.now();
    let check = await checkAutopayLedger(pool, 'A');
    while (performance.now() - started < settleLimitMs) {
      if (check.paymentsNotFinal === 0 && check.invoicesMissed === 0) break;
      await triggerRun(boss);
      // The job asks about up to 200 payments a pass, every minute: ask again at once.
      if ((await boss.getQueueSize(reconcileJobName)) === 0) await boss.send(reconcileJobName, {});
      await sleep(3_000);
      check = await checkAutopayLedger(pool, 'A');
    }
    const settleSeconds = (performance.now() - started) / 1000;
    return {
      seed,
      timeouts,
      kills,
      failedStarts,
      killsInWindow,
      chargesCaughtInWindow,
      chaosSeconds,
      settleSeconds,
      check,
    };
  } finally {
    stopping = true;
    await Promise.all(workers.map((w) => w?.stop()));
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await pool.end();
  }
}

/** Prints the report; answers whether the three figures are 0 and the ledger agrees. */
export function printChaosReport(result: ChaosResult): boolean {
  console.log(
    `\nAutoPay under SIGKILL${result.timeouts ? ' (sandbox timeout fault on)' : ''}: ` +
      `${result.seed.invoices} invoices due across ${result.seed.organizations} organizations, ` +
      `two workers\n`,
  );
  console.log(
    `  ${result.kills} kills in ${result.chaosSeconds.toFixed(0)} s; ${result.killsInWindow} of ` +
      `them left ${result.chargesCaughtInWindow} charges made at the processor and not yet ` +
      `written by Portico; settled ${result.settleSeconds.toFixed(0)} s after the last kill`,
  );
  if (result.failedStarts.length > 0) {
    const reasons = [...new Set(result.failedStarts)].join('; ');
    console.log(
      `  ${result.failedStarts.length} worker starts failed and were made again: ${reasons}`,
    );
  }
  printLedgerCheck(result.check);
  const agree = ledgerAgrees(result.check);
  console.log(
    agree ? '\n  All three are 0: nothing charged twice, nothing missed.' : '\n  !!! FAILED !!!',
  );
  return agree;
}
