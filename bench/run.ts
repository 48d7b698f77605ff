/**
 * npm run bench: loads the organization list and an organization's contacts on the real app
 * and on a bare baseline running the same SQL, at 10,000 organizations and 100,000 contacts.
 * Everything runs on loopback, on a PostgreSQL of its own under ./data/bench. See README.md.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { createJobQueue } from '../src/platform/jobs.js';
import { loadConfig } from '../src/platform/config.js';
import { createLogger } from '../src/platform/logger.js';
import {
  createPool,
  ensureDatabase,
  runMigrations,
  startEmbeddedPostgres,
  type Pool,
} from '../src/platform/database.js';
import { buildApp } from '../src/app.js';
import type { AppContext } from '../src/platform/context.js';
import { demoStaff, seedDemoData } from '../src/modules/demo/demo-data.js';
import { seedScaleData } from '../src/modules/demo/scale-data.js';
import { startBaseline } from './baseline.js';
import { mailBenchmark, printMailReport, type MailResult } from './mail.js';
import { invoiceBenchmark, printInvoiceReport, type InvoiceResult } from './invoices.js';
import { memoryBenchmark, printMemoryReport } from './memory.js';
import { paymentBenchmark, printPaymentReport } from './payments.js';
import { paymentCrashProbe, printCrashReport } from './payment-crash-probe.js';
import { autopayBenchmark, printAutopayReport } from './autopay-bench.js';
import {
  printTicketReport,
  ticketBenchmark,
  ticketsDataDir,
  ticketsPostgresPort,
} from './tickets.js';
import { median } from './statistics.js';

const dataDir = path.resolve('data', 'bench');
const postgresPort = 54350;
/** The AutoPay benchmark's own PostgreSQL (./data/bench-autopay). */
const autopayPostgresPort = 54352;
const databaseName = 'portico_bench';
const scale = { organizations: 10_000, contacts: 100_000 };
/** The app's pool size (createPool's default, as npm start uses); the baseline gets the same. */
const poolSize = 20;

const connections = 32;
const warmupSeconds = 2;
const durationSeconds = 10;
/** Matches one company stem ("Harbor"): about a thirtieth of the organizations. */
const searchTerm = 'harb';

const aims = { minThroughputRatio: 0.6, maxP99Ms: 50 };
/** Account Summaries in the mail case. */
const mailMessages = Number(process.env.BENCH_MAIL_MESSAGES ?? 5_000);
/**
 * `npm run bench -- http` (or `mail`, `invoices`) runs one part only. `memory` runs only on
 * request: it starts the compiled server as `npm start` does, with a PostgreSQL of its own.
 * `payments` runs only on request too: it pays invoices, so it works on a database of its own
 * (created afresh each run) next to the others; so does `payments-crash`, the probe that kills
 * the server while it takes payments. `autopay` too: the daily AutoPay run over 100,000 invoices.
 * `tickets` too: the service ticket lists at 1,000,000 tickets, on a PostgreSQL of its own.
 */
const only = process.argv[2] as
  | 'mail'
  | 'http'
  | 'invoices'
  | 'memory'
  | 'payments'
  | 'payments-crash'
  | 'autopay'
  | 'tickets'
  | undefined;
/**
 * The whole run is bounded: past this, it stops with an error instead of hanging. The tickets'
 * first run seeds 1,000,000 tickets, which takes up to a quarter of an hour on a busy machine.
 */
const overallTimeoutMs = (only === 'tickets' ? 40 : 20) * 60_000;

type Cleanup = () => Promise<unknown>;

interface Measurement {
  caseName: string;
  target: 'app' | 'baseline';
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function main() {
  const cleanups: Cleanup[] = [];
  const timer = setTimeout(() => {
    console.error(
      `\nThe benchmark took longer than ${overallTimeoutMs / 60_000} minutes: stopping.`,
    );
    process.exit(2);
  }, overallTimeoutMs);
  timer.unref();

  try {
    if (only === 'memory') {
      printMemoryReport(await memoryBenchmark({ step }));
      return;
    }
    const logger = createLogger('warn');
    if (only === 'autopay') {
      // A PostgreSQL of its own: the run takes minutes, and may overlap another bench's.
      const autopayDir = path.resolve('data', 'bench-autopay');
      step(`Starting PostgreSQL on 127.0.0.1:${autopayPostgresPort} (${autopayDir})`);
      const own = await startEmbeddedPostgres({
        dataDir: autopayDir,
        port: autopayPostgresPort,
        logger,
      });
      cleanups.push(() => own.stop());
      if (!printAutopayReport(await autopayBenchmark({ embedded: own, step }))) {
        throw new Error('the sandbox ledger and Portico’s payments disagree (see above)');
      }
      return;
    }
    if (only === 'tickets') {
      // A PostgreSQL of its own: 1,000,000 tickets are seeded once and kept, apart from the
      // other benches' data, and the run may overlap theirs.
      step(`Starting PostgreSQL on 127.0.0.1:${ticketsPostgresPort} (${ticketsDataDir})`);
      const own = await startEmbeddedPostgres({
        dataDir: ticketsDataDir,
        port: ticketsPostgresPort,
        logger,
      });
      cleanups.push(() => own.stop());
      if (!printTicketReport(await ticketBenchmark({ embedded: own, step }))) {
        throw new Error('some requests failed (see above)');
      }
      return;
    }
    step(`Starting PostgreSQL on 127.0.0.1:${postgresPort} (${dataDir})`);
    const embedded = await startEmbeddedPostgres({ dataDir, port: postgresPort, logger });
    cleanups.push(() => embedded.stop());
    if (only === 'payments') {
      if (!printPaymentReport(await paymentBenchmark({ embedded, step }))) {
        throw new Error('the sandbox ledger and Portico’s payments disagree (see above)');
      }
      return;
    }
    if (only === 'payments-crash') {
      if (!printCrashReport(await paymentCrashProbe({ embedded, step }))) {
        throw new Error('the sandbox ledger and Portico’s payments disagree (see above)');
      }
      return;
    }
    await ensureDatabase(embedded.connectionString('postgres'), databaseName);
    const connectionString = embedded.connectionString(databaseName);
    // No logger for the pools: at shutdown pg-pool resolves end() before its sockets close, and
    // the server stopping then makes each idle client log a warning (with the whole client).
    const pool = createPool(connectionString, undefined, poolSize);
    cleanups.push(() => pool.end());
    await runMigrations(pool);

    await seed(pool, logger);

    // The job queue as npm start configures it, without the nightly schedules.
    const jobs = createJobQueue(connectionString, logger);
    await jobs.start();
    cleanups.push(() => jobs.stop({ graceful: false, wait: true }));

    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      DATABASE_URL: connectionString,
    });
    const context: AppContext = { config, pool, jobs, logger: createLogger('silent') };
    const app = await buildApp(context);
    cleanups.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const cookie = await signIn(appUrl);

    const baselinePool = createPool(connectionString, undefined, poolSize);
    cleanups.push(() => baselinePool.end());
    const baseline = await startBaseline(baselinePool);
    cleanups.push(() => baseline.close());
    step(`App on ${appUrl}, baseline on ${baseline.url}`);

    const organizationId = await busiestOrganization(pool);
    const cases = [
      {
        name: `org search q=${searchTerm}`,
        path: `/api/organizations?q=${searchTerm}&sort=name&limit=25`,
      },
      {
        name: `org contacts (${organizationId.contacts})`,
        path: `/api/organizations/${organizationId.id}/contacts?sort=name`,
      },
    ];

    const appHeaders = { cookie };
    for (const c of cases) {
      await checkSameAnswer(appUrl + c.path, appHeaders, baseline.url + c.path, c.name);
    }

    const measurements: Measurement[] = [];
    for (const c of only && only !== 'http' ? [] : cases) {
      for (const target of ['app', 'baseline'] as const) {
        const url = (target === 'app' ? appUrl : baseline.url) + c.path;
        const headers = target === 'app' ? appHeaders : {};
        step(`Load: ${c.name} on ${target} (${warmupSeconds} s warm-up, ${durationSeconds} s)`);
        await load(url, headers, warmupSeconds);
        const result = await load(url, headers, durationSeconds);
        measurements.push({
          caseName: c.name,
          target,
          requestsPerSecond: result.requests.total / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors,
        });
      }
    }

    let pages: PageDepth | null = null;
    if (!only || only === 'http') {
      step('Keyset pagination: following nextCursor to page 500');
      pages = await pageDepth(appUrl, cookie);
    }
    let mail: MailResult | null = null;
    if (!only || only === 'mail') {
      mail = await mailBenchmark({ pool, context, appUrl, cookie, messages: mailMessages, step });
    }

    let invoices: InvoiceResult | null = null;
    if (!only || only === 'invoices') {
      invoices = await invoiceBenchmark({
        pool,
        appUrl,
        staffCookie: cookie,
        connections,
        warmupSeconds,
        durationSeconds,
        step,
      });
    }

    if (pages) printReport(measurements, pages);
    if (mail) printMailReport(mail);
    if (invoices) printInvoiceReport(invoices);
  } finally {
    clearTimeout(timer);
    step('Stopping');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('while stopping:', error));
    }
  }
}

function step(message: string) {
  console.log(`- ${message}`);
}

/** Demo data, then the scale data unless an earlier run left it in place. */
async function seed(pool: Pool, logger: ReturnType<typeof createLogger>) {
  await seedDemoData({ pool, logger });
  const counts = await pool.query<{ organizations: number; contacts: number }>(
    `SELECT (SELECT count(*)::int FROM organizations) AS organizations,
            (SELECT count(*)::int FROM contacts) AS contacts`,
  );
  const { organizations, contacts } = counts.rows[0]!;
  if (organizations >= scale.organizations && contacts >= scale.contacts) {
    step(
      `Seeding skipped: the bench database holds ${organizations} organizations, ${contacts} contacts`,
    );
    return;
  }
  step(`Seeding ${scale.organizations} organizations and ${scale.contacts} contacts`);
  const started = performance.now();
  await seedScaleData({ pool, ...scale, progress: true });
  step(`Seeding took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function setCookies(response: Response): string[] {
  return response.headers.getSetCookie().map((header) => header.split(';')[0]!);
}

/** Signs in as the demo Master Admin, as the browser does: CSRF token first. */
async function signIn(appUrl: string): Promise<string> {
  const admin = demoStaff.find((s) => s.role === 'master_admin')!;
  const session = await fetch(`${appUrl}/api/auth/session`);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const csrfCookies = setCookies(session);
  const response = await fetch(`${appUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: {
      cookie: csrfCookies.join('; '),
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  if (response.status !== 200) {
    throw new Error(`Sign-in failed (${response.status}): ${await response.text()}`);
  }
  const sessionCookie = setCookies(response).find((c) => c.startsWith('portico_staff='));
  if (!sessionCookie) throw new Error('Sign-in gave no portico_staff cookie');
  return sessionCookie;
}

/** The organization with the most contacts: the heaviest contact list (at most 200 rows). */
async function busiestOrganization(pool: Pool) {
  const result = await pool.query<{ id: string; contacts: number }>(
    `SELECT organization_id AS id, count(*)::int AS contacts FROM contact_organizations
      GROUP BY organization_id ORDER BY count(*) DESC, organization_id LIMIT 1`,
  );
  return result.rows[0]!;
}

/** Both targets must answer 200 with the same rows, or the comparison is meaningless. */
async function checkSameAnswer(
  appUrl: string,
  appHeaders: Record<string, string>,
  baselineUrl: string,
  name: string,
) {
  const [app, base] = await Promise.all([
    fetch(appUrl, { headers: appHeaders }),
    fetch(baselineUrl),
  ]);
  const [appBody, baseBody] = [await app.text(), await base.text()];
  if (app.status !== 200 || base.status !== 200) {
    throw new Error(`${name}: app answered ${app.status}, baseline ${base.status}: ${appBody}`);
  }
  if (appBody !== baseBody) {
    console.warn(`  WARNING: ${name}: the app and the baseline answer differently`);
  }
  const parsed = JSON.parse(appBody) as { total?: number; contacts?: unknown[] };
  const size =
    parsed.total !== undefined ? `${parsed.total} matches` : `${parsed.contacts?.length} rows`;
  step(`Checked ${name}: both 200, ${size}, ${appBody.length} bytes`);
}

function load(url: string, headers: Record<string, string>, duration: number) {
  // One worker thread generates the load, so it does not share the servers' event loop.
  return autocannon({ url, headers, connections, duration, workers: 1 });
}

interface PageDepth {
  pageReached: number;
  page1Median: number;
  deepMedian: number;
  requests: number;
}

/**
 * Walks the unfiltered list (status=all, sort=name, 20 a page) to page 500, then times page 1
 * and page 500, one request at a time, alternating.
 */
async function pageDepth(appUrl: string, cookie: string): Promise<PageDepth> {
  const base = `${appUrl}/api/organizations?sort=name&limit=20&status=all`;
  const get = async (url: string) => {
    const response = await fetch(url, { headers: { cookie } });
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    return (await response.json()) as { nextCursor: string | null };
  };
  let cursor: string | null = null;
  let page = 1;
  let body = await get(base);
  while (page < 500 && body.nextCursor) {
    cursor = body.nextCursor;
    body = await get(`${base}&cursor=${encodeURIComponent(cursor)}`);
    page += 1;
  }
  const deepUrl = cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base;
  const requests = 200;
  for (let i = 0; i < 20; i++) {
    await get(base);
    await get(deepUrl);
  }
  // Alternate the two, so a burst of other work on the machine hits both alike.
  const latencies = { first: [] as number[], deep: [] as number[] };
  const time = async (url: string, into: number[]) => {
    const started = performance.now();
    await get(url);
    into.push(performance.now() - started);
  };
  for (let i = 0; i < requests; i++) {
    await time(base, latencies.first);
    await time(deepUrl, latencies.deep);
  }
  return {
    pageReached: page,
    page1Median: median(latencies.first),
    deepMedian: median(latencies.deep),
    requests,
  };
}

function printReport(measurements: Measurement[], pages: PageDepth) {
  const header = ['case', 'target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'app/baseline'];
  const rows = measurements.map((m) => {
    const base = measurements.find((b) => b.caseName === m.caseName && b.target === 'baseline');
    const ratio =
      m.target === 'app' && base
        ? `${((m.requestsPerSecond / base.requestsPerSecond) * 100).toFixed(0)} %`
        : '';
    return [
      m.caseName,
      m.target,
      m.requestsPerSecond.toFixed(0),
      m.p50.toFixed(1),
      m.p99.toFixed(1),
      String(m.non2xx + m.errors),
      ratio,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  console.log(
    `\nResults (${connections} connections, ${durationSeconds} s per target after ${warmupSeconds} s warm-up)\n`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));

  console.log(
    `\nAims: app throughput >= ${aims.minThroughputRatio * 100} % of baseline, app p99 < ${aims.maxP99Ms} ms`,
  );
  for (const app of measurements.filter((m) => m.target === 'app')) {
    const base = measurements.find((b) => b.caseName === app.caseName && b.target === 'baseline')!;
    const ratio = app.requestsPerSecond / base.requestsPerSecond;
    const throughputMet = ratio >= aims.minThroughputRatio;
    const latencyMet = app.p99 < aims.maxP99Ms;
    console.log(
      `  ${app.caseName}: throughput ${(ratio * 100).toFixed(0)} % ${mark(throughputMet)}, ` +
        `p99 ${app.p99.toFixed(1)} ms ${mark(latencyMet)}`,
    );
  }
  const failures = measurements.filter((m) => m.non2xx + m.errors > 0);
  for (const m of failures) {
    console.log(
      `\n  !!! WARNING: ${m.caseName} on ${m.target}: ${m.non2xx} non-2xx responses, ` +
        `${m.errors} connection errors. These numbers do not measure the intended work. !!!`,
    );
  }

  console.log(
    `\nPage ${pages.pageReached} vs page 1 (organizations, sort=name, status=all, limit=20; ` +
      `median of ${pages.requests} sequential requests):`,
  );
  console.log(
    `  page 1 ${pages.page1Median.toFixed(2)} ms, page ${pages.pageReached} ` +
      `${pages.deepMedian.toFixed(2)} ms (x${(pages.deepMedian / pages.page1Median).toFixed(2)})`,
  );
  if (pages.pageReached < 500) {
    console.log(`  (the list ended at page ${pages.pageReached})`);
  }
}

function mark(met: boolean): string {
  return met ? 'met' : 'NOT MET';
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      '\nThe benchmark failed:',
      error instanceof Error ? (error.stack ?? error.message) : error,
    );
    process.exit(1);
  },
);
