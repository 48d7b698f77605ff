/**
 * The invoice cases of npm run bench: the portal's open invoices and the staff invoice list
 * with filters, at 100,000 and then 1,000,000 invoices, each against a bare Fastify server
 * calling the same data-access functions (the same SQL) through plain pg; and statement PDFs
 * rendered per second.
 */
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import autocannon from 'autocannon';
import type { Pool } from '../src/platform/database.js';
import { createDb } from '../src/platform/database.js';
import { hashPassword } from '../src/platform/passwords.js';
import { seedScaleInvoices } from '../src/modules/demo/scale-invoices.js';
import { listInvoices } from '../src/modules/invoices/invoice-list.js';
import { portalOpenInvoices } from '../src/modules/invoices/portal-invoices.js';
import { buildAccountStatement } from '../src/modules/statements/account-statement.js';
import { statementPdf } from '../src/modules/statements/statement-pdf.js';
import { getBrand } from '../src/modules/settings/settings.service.js';
import { businessToday } from '../src/modules/settings/business-date.js';
import { loadConfig } from '../src/platform/config.js';

export interface InvoiceCase {
  size: number;
  name: string;
  target: 'app' | 'baseline';
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

export interface InvoiceResult {
  cases: InvoiceCase[];
  pdfs: { count: number; renderPerSecond: number; buildAndRenderPerSecond: number };
}

/** BENCH_INVOICE_SIZES="200000" measures other sizes (comma-separated). */
const sizes = process.env.BENCH_INVOICE_SIZES
  ? process.env.BENCH_INVOICE_SIZES.split(',').map(Number)
  : [100_000, 1_000_000];
/** BENCH_INVOICE_CASES="search" runs only the cases whose name contains one of these words. */
const caseFilter = process.env.BENCH_INVOICE_CASES?.split(',').filter(Boolean);
const portalPassword = 'Benchmark portal password 1';
const staffListQuery = 'status=open&overdue=true&limit=25';

async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  return (await pool.query<{ n: number }>(sql, params)).rows[0]!.n;
}

/** A bare server doing the same database work as the two app routes. */
async function startBaseline(pool: Pool, organizationId: string) {
  const app = Fastify({ logger: false });
  // The app's first page: the default page size, and the totals over every open invoice.
  app.get('/api/portal/invoices', async () =>
    portalOpenInvoices({ pool, organizationId, limit: 25 }),
  );
  app.get<{ Querystring: { q?: string } }>('/api/invoices', async (request) =>
    request.query.q
      ? listInvoices({ pool, search: request.query.q, limit: 25 })
      : listInvoices({ pool, status: 'open', overdue: true, limit: 25 }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
}

/** The contact of the organization with the most open invoices, able to see them, signed in. */
async function portalCookie(
  pool: Pool,
  appUrl: string,
): Promise<{ cookie: string; organizationId: string }> {
  const target = (
    await pool.query<{ organizationId: string; contactId: string; email: string }>(
      `SELECT i.organization_id AS "organizationId", c.id AS "contactId", c.email
         FROM invoices i
         JOIN contact_organizations co ON co.organization_id = i.organization_id
         JOIN contacts c ON c.id = co.contact_id
        WHERE i.state = 'issued' AND i.total_cents > i.amount_paid_cents
        GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1, 2 LIMIT 1`,
    )
  ).rows[0]!;
  await pool.query(
    `UPDATE contact_organizations SET access_profile_id = (SELECT id FROM access_profiles WHERE name = 'Billing Admin')
      WHERE contact_id = $1 AND organization_id = $2`,
    [target.contactId, target.organizationId],
  );
  await pool.query(
    `UPDATE contact_organizations SET access_profile_id = NULL WHERE contact_id = $1 AND organization_id <> $2`,
    [target.contactId, target.organizationId],
  );
  await pool.query(
    'UPDATE contacts SET password_hash = $2, must_change_password = false WHERE id = $1',
    [target.contactId, await hashPassword(portalPassword)],
  );
  const session = await fetch(`${appUrl}/api/portal/session`);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const csrf = session.headers.getSetCookie().map((h) => h.split(';')[0]!);
  const response = await fetch(`${appUrl}/api/portal/sign-in`, {
    method: 'POST',
    headers: {
      cookie: csrf.join('; '),
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ email: target.email, password: portalPassword }),
  });
  if (response.status !== 200) throw new Error(`portal sign-in failed: ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((h) => h.split(';')[0]!)
    .find((c) => c.startsWith('portico_portal='));
  if (!cookie) throw new Error('portal sign-in gave no cookie');
  return { cookie, organizationId: target.organizationId };
}

export async function invoiceBenchmark(options: {
  pool: Pool;
  appUrl: string;
  staffCookie: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  step: (message: string) => void;
}): Promise<InvoiceResult> {
  const { pool, step } = options;
  const cases: InvoiceCase[] = [];
  for (const size of sizes) {
    let existing = await count(pool, 'SELECT count(*)::int AS n FROM invoices');
    if (existing > size) {
      // An earlier run left more: start the small case from the right size.
      step(`Invoices: trimming ${existing - size} invoices (to ${size})`);
      await pool.query(
        `DELETE FROM invoices WHERE id IN (
           SELECT id FROM invoices WHERE number LIKE 'S%' ORDER BY created_at, id LIMIT $1)`,
        [existing - size],
      );
      existing = await count(pool, 'SELECT count(*)::int AS n FROM invoices');
    }
    if (existing < size) {
      step(`Invoices: seeding ${size - existing} invoices (to ${size})`);
      const started = performance.now();
      await seedScaleInvoices({ pool, invoices: size - existing, progress: true });
      step(`Invoices: seeding took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await pool.query('VACUUM ANALYZE invoices');
    const portal = await portalCookie(pool, options.appUrl);
    const baseline = await startBaseline(pool, portal.organizationId);
    try {
      // Find invoice with a rare term: one number of the oldest invoices, which a walk of the
      // newest-first list would reach last.
      const rareNumber = (
        await pool.query<{ number: string }>(
          `SELECT number FROM invoices ORDER BY issue_date, id LIMIT 1`,
        )
      ).rows[0]!.number;
      const targets = [
        { name: 'portal open invoices', path: '/api/portal/invoices', cookie: portal.cookie },
        {
          name: `staff list ${staffListQuery}`,
          path: `/api/invoices?${staffListQuery}`,
          cookie: options.staffCookie,
        },
        {
          name: 'staff list search q=<one number>',
          path: `/api/invoices?q=${encodeURIComponent(rareNumber)}&limit=25`,
          cookie: options.staffCookie,
        },
      ].filter((t) => !caseFilter || caseFilter.some((word) => t.name.includes(word)));
      for (const target of targets) {
        for (const [kind, url, headers] of [
          ['app', options.appUrl + target.path, { cookie: target.cookie }],
          ['baseline', baseline.url + target.path, {}],
        ] as const) {
          step(`Invoices (${size}): ${target.name} on ${kind}`);
          const run = (duration: number) =>
            autocannon({ url, headers, connections: options.connections, duration, workers: 1 });
          await run(options.warmupSeconds);
          const result = await run(options.durationSeconds);
          cases.push({
            size,
            name: target.name,
            target: kind,
            requestsPerSecond: result.requests.total / result.duration,
            p50: result.latency.p50,
            p99: result.latency.p99,
            non2xx: result.non2xx + result.errors,
          });
        }
      }
    } finally {
      await baseline.close();
    }
  }

  step('Statement PDFs: building and rendering 100');
  const organizations = (
    await pool.query<{ id: string }>(
      `SELECT organization_id AS id FROM invoices WHERE state = 'issued' AND total_cents > amount_paid_cents
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 100`,
    )
  ).rows;
  const brand = await getBrand(createDb(pool), loadConfig());
  const asOf = await businessToday(pool);
  const started = performance.now();
  const statements = [];
  for (const { id } of organizations)
    statements.push(await buildAccountStatement({ pool, organizationId: id, asOf }));
  const built = performance.now();
  for (const statement of statements) await statementPdf(statement, brand);
  const rendered = performance.now();
  return {
    cases,
    pdfs: {
      count: statements.length,
      renderPerSecond: statements.length / ((rendered - built) / 1000),
      buildAndRenderPerSecond: statements.length / ((rendered - started) / 1000),
    },
  };
}

export function printInvoiceReport(result: InvoiceResult) {
  console.log('\nInvoices (32 connections; app vs a bare server running the same SQL)\n');
  console.log(
    'invoices   case                                  target    req/s  p50 ms  p99 ms  non-2xx  app/baseline',
  );
  console.log(
    '---------  ------------------------------------  --------  -----  ------  ------  -------  ------------',
  );
  for (const c of result.cases) {
    const base = result.cases.find(
      (b) => b.size === c.size && b.name === c.name && b.target === 'baseline',
    );
    const ratio =
      c.target === 'app' && base
        ? `${((c.requestsPerSecond / base.requestsPerSecond) * 100).toFixed(0)} %`
        : '';
    console.log(
      `${String(c.size).padEnd(9)}  ${c.name.padEnd(36)}  ${c.target.padEnd(8)}  ${c.requestsPerSecond.toFixed(0).padStart(5)}  ` +
        `${c.p50.toFixed(1).padStart(6)}  ${c.p99.toFixed(1).padStart(6)}  ${String(c.non2xx).padStart(7)}  ${ratio.padStart(12)}`,
    );
  }
  console.log(
    '\nAims: app >= 60 % of baseline throughput, p99 < 50 ms, p99 growing < 1.3x from 100,000 to 1,000,000',
  );
  for (const name of [...new Set(result.cases.map((c) => c.name))]) {
    const small = result.cases.find(
      (c) => c.name === name && c.target === 'app' && c.size === sizes[0],
    );
    const large = result.cases.find(
      (c) => c.name === name && c.target === 'app' && c.size === sizes[1],
    );
    const base = result.cases.find(
      (c) => c.name === name && c.target === 'baseline' && c.size === sizes[1],
    );
    if (!small || !large || !base) continue;
    const ratio = large.requestsPerSecond / base.requestsPerSecond;
    const growth = large.p99 / small.p99;
    console.log(
      `  ${name}: throughput ${(ratio * 100).toFixed(0)} % ${ratio >= 0.6 ? 'met' : 'NOT MET'}, ` +
        `p99 ${large.p99.toFixed(1)} ms ${large.p99 < 50 ? 'met' : 'NOT MET'}, ` +
        `p99 growth x${growth.toFixed(2)} ${growth < 1.3 ? 'met' : 'NOT MET'}`,
    );
  }
  const failures = result.cases.filter((c) => c.non2xx > 0);
  for (const f of failures)
    console.log(
      `  !!! WARNING: ${f.name} on ${f.target} at ${f.size}: ${f.non2xx} non-2xx or errors !!!`,
    );
  console.log(
    `\nStatement PDFs: ${result.pdfs.renderPerSecond.toFixed(0)} per second rendered; ` +
      `${result.pdfs.buildAndRenderPerSecond.toFixed(0)} per second built from the database and rendered (${result.pdfs.count} organizations with the most open invoices)`,
  );
}
