/**
 * `npm run bench -- tickets`: the service ticket lists at 1,000,000 tickets over 10,000
 * organizations, each on the real app and on a bare Fastify server calling the same
 * data-access functions (the same SQL) through plain pg: the staff queue's first page (default
 * filters, what needs attention first), a page deep in the queue by its cursor, the queue
 * filtered by organization and by status + priority, the portal's open tickets for one
 * organization (a signed-in contact) and the staff search for a rare word. Then the search's
 * latency one request at a time (the aim: under 50 ms at the median), and each list's plan at
 * this size (EXPLAIN ANALYZE of the statements the list sends).
 *
 * A PostgreSQL of its own under ./data/bench-tickets (port 54353), database
 * `portico_bench_tickets`: seeded once (a few minutes), kept between runs. See README.md.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import type { AppContext } from '../src/platform/context.js';
import { loadConfig } from '../src/platform/config.js';
import {
  createPool,
  ensureDatabase,
  runMigrations,
  type EmbeddedDatabase,
  type Pool,
} from '../src/platform/database.js';
import { createJobQueue } from '../src/platform/jobs.js';
import { createLogger } from '../src/platform/logger.js';
import { hashPassword } from '../src/platform/passwords.js';
import { demoStaff, seedDemoData } from '../src/modules/demo/demo-data.js';
import { seedScaleData } from '../src/modules/demo/scale-data.js';
import { listPortalTickets, listStaffTickets } from '../src/modules/tickets/ticket-lists.js';
import { median } from './statistics.js';
import { rareWord, seedTickets } from './tickets-seed.js';

export const ticketsDataDir = path.resolve('data', 'bench-tickets');
export const ticketsPostgresPort = 54353;
const databaseName = 'portico_bench_tickets';
const scale = { organizations: 10_000, contacts: 100_000 };
/** BENCH_TICKETS=200000 measures another size (the seed adds what is missing, never removes). */
const ticketCount = Number(process.env.BENCH_TICKETS ?? 1_000_000);
/** BENCH_TICKETS_CASES="search,portal" runs only the cases whose name holds one of the words. */
const caseFilter = process.env.BENCH_TICKETS_CASES?.split(',').filter(Boolean);
/** BENCH_TICKETS_EXPLAIN=1 prints each list's whole plan instead of its scans and time. */
const explainWhole = process.env.BENCH_TICKETS_EXPLAIN === '1';
/** createPool's default, as npm start uses; the baseline gets the same. */
const poolSize = 20;
const connections = 32;
const warmupSeconds = 2;
/**
 * Each case's load is measured in rounds, the app and the baseline taking turns (the order
 * swapped every round), so a neighbour's load that comes or goes while it runs weighs on both
 * alike; the aim is judged on the median of the rounds' ratios (BENCH_TICKETS_ROUNDS).
 */
const rounds = Math.max(1, Number(process.env.BENCH_TICKETS_ROUNDS ?? 3));
const roundSeconds = 5;
const pageSize = 25;
/** The later page: reached by following nextCursor from the first page. */
const deepPage = 200;
/** Sequential requests timed for the search's latency (after 20 unmeasured). */
const sequentialRequests = 200;
const aims = { minThroughputRatio: 0.6, maxSearchMedianMs: 50 };
const portalPassword = 'Benchmark portal password 1';

export interface TicketCase {
  name: string;
  target: 'app' | 'baseline';
  /** Over all rounds. */
  requestsPerSecond: number;
  /** Each round's, in order. */
  roundRates: number[];
  p50: number;
  p99: number;
  failures: number;
}

export interface TicketLatency {
  name: string;
  target: 'app' | 'baseline';
  median: number;
  p99: number;
  matches: number;
}

export interface TicketPlan {
  name: string;
  /** Per statement the list sent: its scans and PostgreSQL's execution time. */
  statements: { scans: string[]; executionMs: number; plan: string[] }[];
}

export interface TicketBenchResult {
  tickets: number;
  entries: number;
  organizations: number;
  seedSeconds: number | null;
  cases: TicketCase[];
  latencies: TicketLatency[];
  plans: TicketPlan[];
}

interface Target {
  name: string;
  path: string;
  cookie: string;
  /** The list function the baseline calls, and EXPLAIN runs on. */
  list: (pool: Pool) => Promise<unknown>;
}

/** The statements a list sent, for EXPLAIN: what the clients of `recordingPool` were asked. */
const recorded: { text: string; values: unknown[] }[] = [];

/** A pg client that notes every statement it sends (text and values) in `recorded`. */
class RecordingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [first, second] = args as [unknown, unknown];
    if (typeof first === 'string') {
      recorded.push({ text: first, values: Array.isArray(second) ? second : [] });
    } else if (first && typeof first === 'object' && 'text' in first) {
      const config = first as { text: string; values?: unknown[] };
      recorded.push({
        text: config.text,
        values: Array.isArray(second) ? second : (config.values ?? []),
      });
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  return (await pool.query<{ n: number }>(sql, params)).rows[0]!.n;
}

function setCookies(response: Response): string[] {
  return response.headers.getSetCookie().map((header) => header.split(';')[0]!);
}

/** Signs in as the demo Master Admin, as the console does: CSRF token first. */
async function staffCookie(appUrl: string): Promise<string> {
  const admin = demoStaff.find((s) => s.role === 'master_admin')!;
  const session = await fetch(`${appUrl}/api/auth/session`);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const response = await fetch(`${appUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: {
      cookie: setCookies(session).join('; '),
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  if (response.status !== 200) throw new Error(`staff sign-in failed: ${await response.text()}`);
  const cookie = setCookies(response).find((c) => c.startsWith('portico_staff='));
  if (!cookie) throw new Error('staff sign-in gave no portico_staff cookie');
  return cookie;
}

/**
 * The contact who opened the most open tickets of the organization with the most, given an
 * access profile with Service Tickets (only that) and a password, signed in to the portal.
 */
async function portalSession(
  pool: Pool,
  appUrl: string,
): Promise<{ cookie: string; organizationId: string; openTickets: number }> {
  const target = (
    await pool.query<{ organizationId: string; contactId: string; email: string; n: number }>(
      `SELECT t.organization_id AS "organizationId", c.id AS "contactId", c.email, count(*)::int AS n
         FROM tickets t JOIN contacts c ON c.id = t.opened_by_contact_id
        WHERE t.closed_at IS NULL
        GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1, 2 LIMIT 1`,
    )
  ).rows[0]!;
  const profileName = 'Benchmark: Service Tickets';
  await pool.query(
    `INSERT INTO access_profiles (name, permissions)
     SELECT $1, ARRAY['service_tickets'] WHERE NOT EXISTS (
       SELECT 1 FROM access_profiles WHERE lower(name) = lower($1))`,
    [profileName],
  );
  await pool.query(
    `UPDATE contact_organizations
        SET access_profile_id = (SELECT id FROM access_profiles WHERE lower(name) = lower($3))
      WHERE contact_id = $1 AND organization_id = $2`,
    [target.contactId, target.organizationId, profileName],
  );
  await pool.query(
    'UPDATE contacts SET password_hash = $2, must_change_password = false WHERE id = $1',
    [target.contactId, await hashPassword(portalPassword)],
  );
  const session = await fetch(`${appUrl}/api/portal/session`);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const response = await fetch(`${appUrl}/api/portal/sign-in`, {
    method: 'POST',
    headers: {
      cookie: setCookies(session).join('; '),
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ email: target.email, password: portalPassword }),
  });
  if (response.status !== 200) throw new Error(`portal sign-in failed: ${await response.text()}`);
  const cookie = setCookies(response).find((c) => c.startsWith('portico_portal='));
  if (!cookie) throw new Error('portal sign-in gave no portico_portal cookie');
  return { cookie, organizationId: target.organizationId, openTickets: target.n };
}

/** Demo data, the organizations and contacts, then the tickets: each only when missing. */
async function seed(pool: Pool, step: (message: string) => void): Promise<number | null> {
  await seedDemoData({ pool, logger: createLogger('warn') });
  const organizations = await count(pool, 'SELECT count(*)::int AS n FROM organizations');
  if (organizations < scale.organizations) {
    step(`Seeding ${scale.organizations} organizations and ${scale.contacts} contacts`);
    await seedScaleData({ pool, ...scale, progress: true });
  }
  const existing = await count(pool, 'SELECT count(*)::int AS n FROM tickets');
  if (existing >= ticketCount) {
    step(`Seeding skipped: the bench database holds ${existing} tickets`);
    return null;
  }
  step(`Seeding ${ticketCount - existing} tickets (to ${ticketCount}) with their timelines`);
  const started = performance.now();
  await seedTickets({ pool, tickets: ticketCount - existing, progress: true });
  const seconds = (performance.now() - started) / 1000;
  step(`Seeding took ${seconds.toFixed(1)} s`);
  return seconds;
}

/**
 * A bare server (no plugins, no session, no validation) answering each case's path with the
 * same list function the app's route calls, so both send the same SQL.
 */
async function startBaseline(pool: Pool, targets: Target[]) {
  const app = Fastify({ logger: false });
  app.get('/*', async (request, reply) => {
    // Looked up at each request: the latency part adds a case after the start.
    const target = targets.find((t) => t.path === request.url);
    if (!target) return reply.status(404).send({ error: 'not a benchmark case' });
    return target.list(pool);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
}

async function getJson<T>(url: string, cookie: string): Promise<T> {
  const response = await fetch(url, { headers: { cookie } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Follows nextCursor from the first page of the queue to page `page`; answers its cursor. */
async function cursorOfPage(appUrl: string, cookie: string, page: number): Promise<string> {
  let cursor: string | null = null;
  for (let reached = 1; reached < page; reached++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const body = await getJson<{ nextCursor: string | null }>(
      `${appUrl}/api/tickets?limit=${pageSize}${query}`,
      cookie,
    );
    if (!body.nextCursor) throw new Error(`the queue ended at page ${reached}`);
    cursor = body.nextCursor;
  }
  return cursor!;
}

/**
 * The statements `list` sends (on a pool of recording clients), each EXPLAIN ANALYZEd on the
 * bench database. Only reads are explained: EXPLAIN ANALYZE runs the statement.
 */
async function explain(pool: Pool, recordingPool: Pool, target: Target): Promise<TicketPlan> {
  recorded.length = 0;
  await target.list(recordingPool);
  const statements = recorded.filter((s) => /^\s*(select|with)\b/i.test(s.text));
  const plans: TicketPlan['statements'] = [];
  for (const statement of statements) {
    const result = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
      statement.values,
    );
    const plan = result.rows.map((row) => row['QUERY PLAN']);
    const scans = plan
      .map(
        (line) =>
          /(Seq Scan on \S+|Index Only Scan using \S+|Index Scan(?: Backward)? using \S+|Bitmap Index Scan on \S+)/.exec(
            line,
          )?.[1],
      )
      .filter((scan): scan is string => Boolean(scan));
    const time = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)?.[1]).find(Boolean);
    plans.push({ scans: [...new Set(scans)], executionMs: Number(time ?? NaN), plan });
  }
  return { name: target.name, statements: plans };
}

/** `requests` requests one after the other, after 20 unmeasured: median and p99, ms. */
async function sequentialLatency(url: string, cookie: string) {
  for (let i = 0; i < 20; i++) await getJson(url, cookie);
  const times: number[] = [];
  let matches = 0;
  for (let i = 0; i < sequentialRequests; i++) {
    const started = performance.now();
    const body = await getJson<{ tickets: unknown[] }>(url, cookie);
    times.push(performance.now() - started);
    matches = body.tickets.length;
  }
  times.sort((a, b) => a - b);
  const at = (share: number) =>
    times[Math.min(times.length - 1, Math.floor(share * times.length))]!;
  return { median: at(0.5), p99: at(0.99), matches };
}

export async function ticketBenchmark(options: {
  embedded: EmbeddedDatabase;
  step: (message: string) => void;
}): Promise<TicketBenchResult> {
  const { embedded, step } = options;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await ensureDatabase(embedded.connectionString('postgres'), databaseName);
    const connectionString = embedded.connectionString(databaseName);
    const pool = createPool(connectionString, undefined, poolSize);
    cleanups.push(() => pool.end());
    await runMigrations(pool);
    const seedSeconds = await seed(pool, step);

    const jobs = createJobQueue(connectionString, createLogger('warn'));
    await jobs.start();
    cleanups.push(() => jobs.stop({ graceful: false, wait: true }));
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: ticketsDataDir,
      DATABASE_URL: connectionString,
    });
    const context: AppContext = { config, pool, jobs, logger: createLogger('silent') };
    const app = await buildApp(context);
    cleanups.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const staff = await staffCookie(appUrl);
    const portal = await portalSession(pool, appUrl);

    const baselinePool = createPool(connectionString, undefined, poolSize);
    cleanups.push(() => baselinePool.end());
    const recordingPool = new pg.Pool({ connectionString, max: 1, Client: RecordingClient });
    cleanups.push(() => recordingPool.end());

    const busiest = (
      await pool.query<{ id: string; n: number }>(
        `SELECT organization_id AS id, count(*)::int AS n FROM tickets WHERE closed_at IS NULL
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
      )
    ).rows[0]!;
    step(`Walking the queue to page ${deepPage} by nextCursor`);
    const deepCursor = await cursorOfPage(appUrl, staff, deepPage);
    const cases: Target[] = [
      {
        name: 'staff queue, first page',
        path: `/api/tickets?limit=${pageSize}`,
        cookie: staff,
        list: (p) => listStaffTickets({ pool: p, query: { status: 'open', limit: pageSize } }),
      },
      {
        name: `staff queue, page ${deepPage} (cursor)`,
        path: `/api/tickets?limit=${pageSize}&cursor=${encodeURIComponent(deepCursor)}`,
        cookie: staff,
        list: (p) =>
          listStaffTickets({
            pool: p,
            query: { status: 'open', limit: pageSize, cursor: deepCursor },
          }),
      },
      {
        name: `staff queue, organization (${busiest.n} open)`,
        path: `/api/tickets?organizationId=${busiest.id}&limit=${pageSize}`,
        cookie: staff,
        list: (p) =>
          listStaffTickets({
            pool: p,
            query: { status: 'open', organizationId: busiest.id, limit: pageSize },
          }),
      },
      {
        name: 'staff queue, status=new&priority=critical',
        path: `/api/tickets?status=new&priority=critical&limit=${pageSize}`,
        cookie: staff,
        list: (p) =>
          listStaffTickets({
            pool: p,
            query: { status: 'new', priority: 'critical', limit: pageSize },
          }),
      },
      {
        name: `portal open tickets (${portal.openTickets} open)`,
        path: `/api/portal/tickets?state=open&limit=${pageSize}`,
        cookie: portal.cookie,
        list: (p) =>
          listPortalTickets({
            pool: p,
            organizationId: portal.organizationId,
            query: { state: 'open', limit: pageSize },
          }),
      },
      {
        name: `staff search q=${rareWord}`,
        path: `/api/tickets?q=${rareWord}&limit=${pageSize}`,
        cookie: staff,
        list: (p) =>
          listStaffTickets({ pool: p, query: { status: 'open', q: rareWord, limit: pageSize } }),
      },
      {
        // Among the closed tickets (850,000): walked newest first testing each for the word,
        // this took 19 s (decision 49).
        name: `staff search closed q=${rareWord}`,
        path: `/api/tickets?status=closed&q=${rareWord}&limit=${pageSize}`,
        cookie: staff,
        list: (p) =>
          listStaffTickets({ pool: p, query: { status: 'closed', q: rareWord, limit: pageSize } }),
      },
    ];
    const targets = cases.filter(
      (t) => !caseFilter || caseFilter.some((word) => t.name.includes(word)),
    );

    const baseline = await startBaseline(baselinePool, targets);
    cleanups.push(() => baseline.close());
    step(`App on ${appUrl}, baseline on ${baseline.url}`);

    // Both must answer 200 with the same tickets, or the comparison means nothing.
    for (const target of targets) {
      const [appBody, baseBody] = await Promise.all([
        getJson<{ tickets: unknown[] }>(appUrl + target.path, target.cookie),
        getJson<{ tickets: unknown[] }>(baseline.url + target.path, ''),
      ]);
      if (JSON.stringify(appBody) !== JSON.stringify(baseBody)) {
        console.warn(`  WARNING: ${target.name}: the app and the baseline answer differently`);
      }
      step(`Checked ${target.name}: both 200, ${appBody.tickets.length} tickets`);
    }

    const plans: TicketPlan[] = [];
    for (const target of targets) plans.push(await explain(pool, recordingPool, target));

    const measured: TicketCase[] = [];
    for (const target of targets) {
      const kinds = {
        app: [appUrl + target.path, { cookie: target.cookie }],
        baseline: [baseline.url + target.path, {}],
      } as const;
      const load = (kind: keyof typeof kinds, duration: number) =>
        autocannon({
          url: kinds[kind][0],
          headers: kinds[kind][1],
          connections,
          duration,
          workers: 1,
        });
      step(`Load: ${target.name}, ${warmupSeconds} s warm-up each`);
      await load('app', warmupSeconds);
      await load('baseline', warmupSeconds);
      const totals = {
        app: {
          requests: 0,
          seconds: 0,
          failures: 0,
          p50: [] as number[],
          p99: [] as number[],
          rates: [] as number[],
        },
        baseline: {
          requests: 0,
          seconds: 0,
          failures: 0,
          p50: [] as number[],
          p99: [] as number[],
          rates: [] as number[],
        },
      };
      for (let round = 0; round < rounds; round++) {
        const order =
          round % 2 === 0 ? (['app', 'baseline'] as const) : (['baseline', 'app'] as const);
        step(
          `Load: ${target.name}, round ${round + 1} of ${rounds} (${order.join(', then ')}, ${roundSeconds} s each)`,
        );
        for (const kind of order) {
          const result = await load(kind, roundSeconds);
          const total = totals[kind];
          total.requests += result.requests.total;
          total.seconds += result.duration;
          total.failures += result.non2xx + result.errors;
          total.p50.push(result.latency.p50);
          total.p99.push(result.latency.p99);
          total.rates.push(result.requests.total / result.duration);
        }
      }
      for (const kind of ['app', 'baseline'] as const) {
        const total = totals[kind];
        measured.push({
          name: target.name,
          target: kind,
          requestsPerSecond: total.requests / total.seconds,
          roundRates: total.rates,
          p50: median(total.p50),
          p99: Math.max(...total.p99),
          failures: total.failures,
        });
      }
    }

    // The search as one user meets it: one request at a time. And common words beside it,
    // which match tens of thousands of tickets (for reading the rare word's figure, and what a
    // search costs past the matches it sorts itself: decision 49).
    const latencies: TicketLatency[] = [];
    const searches = [rareWord, 'printer', 'warehouse'].filter(
      (word) => !caseFilter || caseFilter.some((w) => 'search'.includes(w) || word.includes(w)),
    );
    for (const [word, status] of searches.flatMap((w) =>
      (['open', 'closed'] as const).map((status) => [w, status] as const),
    )) {
      const closed = status === 'closed';
      const searchPath = `/api/tickets?${closed ? 'status=closed&' : ''}q=${word}&limit=${pageSize}`;
      const searchTarget: Target = {
        name: `staff search ${closed ? 'closed ' : ''}q=${word}`,
        path: searchPath,
        cookie: staff,
        list: (p) => listStaffTickets({ pool: p, query: { status, q: word, limit: pageSize } }),
      };
      if (!targets.some((t) => t.path === searchPath)) {
        targets.push(searchTarget);
        plans.push(await explain(pool, recordingPool, searchTarget));
      }
      step(`Latency: ${searchTarget.name}, ${sequentialRequests} requests one at a time`);
      // The baseline too: on a busy machine a request's floor is far above its SQL's time.
      latencies.push({
        name: searchTarget.name,
        target: 'app',
        ...(await sequentialLatency(appUrl + searchPath, staff)),
      });
      latencies.push({
        name: searchTarget.name,
        target: 'baseline',
        ...(await sequentialLatency(baseline.url + searchPath, '')),
      });
    }

    const totals = (
      await pool.query<{ tickets: number; entries: number; organizations: number }>(
        `SELECT (SELECT count(*)::int FROM tickets) AS tickets,
                (SELECT count(*)::int FROM ticket_entries) AS entries,
                (SELECT count(DISTINCT organization_id)::int FROM tickets) AS organizations`,
      )
    ).rows[0]!;
    return { ...totals, seedSeconds, cases: measured, latencies, plans };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('while stopping:', error));
    }
  }
}

/** Each round's app rate over the baseline's of the same round. */
function roundRatios(app: TicketCase, base: TicketCase): number[] {
  return app.roundRates.map((rate, round) => rate / base.roundRates[round]!);
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)} %`;
}

function mark(met: boolean): string {
  return met ? 'met' : 'NOT MET';
}

/** Prints the figures and the aims; answers whether every request answered 2xx. */
export function printTicketReport(result: TicketBenchResult): boolean {
  console.log(
    `\nService tickets: ${result.tickets.toLocaleString('en-US')} tickets, ` +
      `${result.entries.toLocaleString('en-US')} timeline entries, over ` +
      `${result.organizations.toLocaleString('en-US')} organizations` +
      (result.seedSeconds === null ? '' : ` (seeded in ${result.seedSeconds.toFixed(0)} s)`),
  );
  console.log(
    `${connections} connections; per case ${warmupSeconds} s of warm-up each, then ${rounds} rounds ` +
      `of ${roundSeconds} s each, the app and the baseline taking turns; app vs a bare server ` +
      "calling the same list functions. app/baseline: the median of the rounds' ratios (each round's)\n",
  );
  const width = Math.max(4, ...result.cases.map((c) => c.name.length));
  console.log(`${'case'.padEnd(width)}  target    req/s  p50 ms  p99 ms  non-2xx  app/baseline`);
  console.log(`${'-'.repeat(width)}  --------  -----  ------  ------  -------  ------------`);
  for (const c of result.cases) {
    const base = result.cases.find((b) => b.name === c.name && b.target === 'baseline');
    const ratios = c.target === 'app' && base ? roundRatios(c, base) : [];
    const ratio = ratios.length
      ? `${percent(median(ratios))} (${ratios.map(percent).join(', ')})`
      : '';
    console.log(
      `${c.name.padEnd(width)}  ${c.target.padEnd(8)}  ${c.requestsPerSecond.toFixed(0).padStart(5)}  ` +
        `${c.p50.toFixed(1).padStart(6)}  ${c.p99.toFixed(1).padStart(6)}  ` +
        `${String(c.failures).padStart(7)}  ${ratio.padStart(12)}`,
    );
  }

  console.log(`\nSearch, one request at a time (${sequentialRequests} after 20 unmeasured):`);
  for (const l of result.latencies) {
    console.log(
      `  ${l.name} on ${l.target}: median ${l.median.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms ` +
        `(${l.matches} tickets on the first page)`,
    );
  }

  console.log('\nPlans at this size (EXPLAIN ANALYZE of the statements each list sends):');
  for (const plan of result.plans) {
    console.log(`  ${plan.name}:`);
    for (const statement of plan.statements) {
      console.log(
        `    ${statement.executionMs.toFixed(2)} ms: ${statement.scans.join(', ') || '(no table scan)'}`,
      );
      if (explainWhole) for (const line of statement.plan) console.log(`      ${line}`);
    }
  }

  console.log(
    `\nAims: app >= ${aims.minThroughputRatio * 100} % of the baseline's throughput; ` +
      `the rare word's search under ${aims.maxSearchMedianMs} ms at the median`,
  );
  for (const app of result.cases.filter((c) => c.target === 'app')) {
    const base = result.cases.find((b) => b.name === app.name && b.target === 'baseline')!;
    const ratio = median(roundRatios(app, base));
    console.log(
      `  ${app.name}: throughput ${(ratio * 100).toFixed(0)} % ${mark(ratio >= aims.minThroughputRatio)}`,
    );
  }
  const rare = result.latencies.find((l) => l.name.endsWith(rareWord) && l.target === 'app');
  if (rare) {
    console.log(
      `  ${rare.name}: median ${rare.median.toFixed(1)} ms ${mark(rare.median < aims.maxSearchMedianMs)}`,
    );
  }
  const failures = result.cases.filter((c) => c.failures > 0);
  for (const f of failures) {
    console.log(
      `\n  !!! WARNING: ${f.name} on ${f.target}: ${f.failures} non-2xx responses or errors. ` +
        'These numbers do not measure the intended work. !!!',
    );
  }
  return failures.length === 0;
}
