import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedScaleInvoices } from '../../src/modules/demo/scale-invoices.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * Finding an invoice by (part of) its number must read an index of numbers, not walk the whole
 * newest-first list filtering each row: at a million invoices that walk takes over a second.
 * The test records the SQL the staff list sends for a search and asks PostgreSQL how it ran it.
 */

let testApp: TestApp;
let readOnly: ApiClient;
const invoiceCount = 20_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Runs `request` while recording the invoice-list statements it sends, then explains them. */
async function explainListQueries(request: () => Promise<unknown>) {
  const pool = testApp.database.pool;
  const recorded: { sql: string; params: unknown[] }[] = [];
  const query = pool.query.bind(pool);
  pool.query = ((sql: unknown, params?: unknown[]) => {
    if (typeof sql === 'string' && /FROM invoices i\b/.test(sql)) {
      recorded.push({ sql, params: params ?? [] });
    }
    return query(sql as string, params);
  }) as typeof pool.query;
  try {
    await request();
  } finally {
    pool.query = query;
  }
  expect(recorded.length).toBeGreaterThan(0);
  const plans: PlanNode[] = [];
  // A test database holds thousands of invoices, not a million: reading them all is cheap here,
  // so the planner would rightly scan the table. Costing a scan out of reach plans as for a
  // large table, and shows whether an index serves the search or only the whole list's walk.
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    for (const { sql, params } of recorded) {
      const result = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      plans.push(...nodes(result.rows[0]['QUERY PLAN'][0].Plan as PlanNode));
    }
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
  return plans;
}

/** How many invoice rows the plans looked at and threw away. */
const rowsDiscarded = (plans: PlanNode[]) =>
  plans
    .filter((p) => p['Relation Name'] === 'invoices' || p['Index Name']?.startsWith('invoices_'))
    .reduce(
      (sum, p) =>
        sum +
        ((p['Rows Removed by Filter'] ?? 0) + (p['Rows Removed by Index Recheck'] ?? 0)) *
          (p['Actual Loops'] ?? 1),
      0,
    );

beforeAll(async () => {
  testApp = await startTestApp();
  readOnly = await signedInAs(testApp.app, 'read_only');
  await seedScaleInvoices({ pool: testApp.database.pool, invoices: invoiceCount, progress: false });
  await testApp.database.pool.query('ANALYZE invoices');
}, 120_000);
afterAll(async () => testApp.close());

describe('finding an invoice by its number', () => {
  it('reads the number index for a rare term instead of walking the list', async () => {
    const { number } = (
      await testApp.database.pool.query<{ number: string }>(
        `SELECT number FROM invoices WHERE number LIKE 'S%' ORDER BY issue_date, id LIMIT 1`,
      )
    ).rows[0]!;
    // The oldest invoice: a walk newest first would reach it last.
    const term = number.slice(number.indexOf('-')).toLowerCase();
    let found: { number: string }[] = [];
    const plans = await explainListQueries(async () => {
      const response = await readOnly.get(`/api/invoices?q=${encodeURIComponent(term)}&limit=25`);
      expect(response.statusCode, response.body).toBe(200);
      found = response.json().invoices;
    });
    expect(found.map((i) => i.number)).toContain(number);
    expect(rowsDiscarded(plans)).toBeLessThan(100);
    expect(plans.some((p) => p['Index Name'] === 'invoices_number_trgm_idx')).toBe(true);
  });

  it('still finds a page of a common term quickly, and nothing for an absent one', async () => {
    const common = await readOnly.get('/api/invoices?q=s&limit=25');
    expect(common.statusCode).toBe(200);
    expect(common.json().invoices).toHaveLength(25);

    const plans = await explainListQueries(async () => {
      const none = await readOnly.get('/api/invoices?q=no-such-number&limit=25');
      expect(none.statusCode).toBe(200);
      expect(none.json().invoices).toEqual([]);
    });
    expect(rowsDiscarded(plans)).toBeLessThan(100);
  });
});
