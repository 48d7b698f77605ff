import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedScaleInvoices } from '../../src/modules/demo/scale-invoices.js';
import {
  explainRecordedStatements,
  rowsDiscardedOf,
  type PlanNode,
} from '../support/query-plans.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * Finding an invoice by (part of) its number must read an index of numbers, not walk the whole
 * newest-first list filtering each row: at a million invoices that walk takes over a second.
 * The test records the SQL the staff list sends for a search and asks PostgreSQL how it ran it.
 */

let testApp: TestApp;
let readOnly: ApiClient;
const invoiceCount = 20_000;

/** Explains the invoice-list statements `request` sends (explainRecordedStatements). */
const explainListQueries = (request: () => Promise<unknown>) =>
  explainRecordedStatements(testApp.database.pool, /FROM invoices i\b/, request);

/** How many invoice rows the plans looked at and threw away. */
const rowsDiscarded = (plans: PlanNode[]) => rowsDiscardedOf(plans, 'invoices');

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
