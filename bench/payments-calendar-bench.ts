/**
 * How long a day of staff's Payments Calendar takes at scale:
 * `node --import tsx bench/payments-calendar-bench.ts`. 100,000 open invoices across 10,000
 * organizations (each with a saved sandbox card and AutoPay "all services, on the due date"),
 * seeded as the AutoPay benchmark seeds them (bench/autopay-seed.ts), their due dates spread
 * over the 30 days from today, on a PostgreSQL of its own (./data/bench-calendar, port 54363),
 * seeded once and kept. It times, three times each (the median is printed): the first page of
 * one day's AutoPay charges, the next page, the first page of the next run's day (today), and
 * the month grid's summary. Sizes:
 * BENCH_CALENDAR_ORGS, BENCH_CALENDAR_INVOICES. Say the load average beside the figures: the
 * machine is shared.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createPool,
  ensureDatabase,
  runMigrations,
  startEmbeddedPostgres,
} from '../src/platform/database.js';
import { createLogger } from '../src/platform/logger.js';
import { paymentsCalendar, paymentsCalendarDay } from '../src/modules/autopay/payments-calendar.js';
import { addDays } from '../src/modules/invoices/invoice-math.js';
import { businessToday } from '../src/modules/settings/business-date.js';
import { seedAutopayData } from './autopay-seed.js';

const organizations = Number(process.env.BENCH_CALENDAR_ORGS ?? 10_000);
const invoices = Number(process.env.BENCH_CALENDAR_INVOICES ?? 100_000);
const spreadDays = 30;

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; answer: T }> {
  const runs: { seconds: number; answer: T }[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const answer = await work();
    runs.push({ seconds: (performance.now() - started) / 1000, answer });
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return runs[1]!;
}

async function main() {
  const logger = createLogger('warn');
  const embedded = await startEmbeddedPostgres({
    dataDir: path.resolve('data', 'bench-calendar'),
    port: 54363,
    logger,
  });
  const name = `portico_bench_calendar_${organizations}_${invoices}`;
  await ensureDatabase(embedded.connectionString('postgres'), name);
  const pool = createPool(embedded.connectionString(name), undefined, 20);
  try {
    await runMigrations(pool);
    const today = await businessToday(pool);
    const seeded = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoices`);
    if (seeded.rows[0]!.n < invoices) {
      console.log(`Seeding ${invoices} invoices across ${organizations} organizations…`);
      await seedAutopayData({ pool, organizations, invoices, dueDate: today, declineEvery: 0 });
    }
    // Due dates spread over the 30 days from today, afresh each time (today moves).
    await pool.query(
      `UPDATE invoices SET due_date = $1::date + (abs(hashtext(id::text)) % $2),
                           issue_date = $1::date + (abs(hashtext(id::text)) % $2) - 30`,
      [today, spreadDays],
    );
    await pool.query('ANALYZE');
    const date = addDays(today, 7);
    const first = await timed(() => paymentsCalendarDay(pool, { date, limit: 50 }));
    const cursor = first.answer.nextCursor ?? undefined;
    const next = await timed(() => paymentsCalendarDay(pool, { date, limit: 50, cursor }));
    // The next run's day (today here: no run has finished) also lists every try dated before
    // it that the run will charge, so it plans the organizations of every earlier date too.
    const nextRunDay = await timed(() => paymentsCalendarDay(pool, { date: today, limit: 50 }));
    const month = await timed(() =>
      paymentsCalendar(pool, { from: today, through: addDays(today, 34) }),
    );
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(', ');
    console.log(
      [
        `Payments Calendar, ${invoices} open invoices across ${organizations} organizations`,
        `  a day (${date}, ${first.answer.autopayTotal} AutoPay charges): first page ${first.seconds.toFixed(2)} s, next page ${next.seconds.toFixed(2)} s`,
        `  the next run's day (${today}, ${nextRunDay.answer.autopayTotal} AutoPay charges): first page ${nextRunDay.seconds.toFixed(2)} s`,
        `  the month grid (35 days, ${month.answer.days.length} days with something): ${month.seconds.toFixed(2)} s`,
        `  (median of 3; load average ${load})`,
      ].join('\n'),
    );
  } finally {
    await pool.end();
    await embedded.stop();
  }
}

await main();
