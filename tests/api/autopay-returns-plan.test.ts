import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAutopayReturns } from '../../src/modules/autopay/autopay-returns.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { organizationId, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The returned AutoPay debits job (`autopay.returns`, decision 44) runs every minute. Its work
 * is a handful of returned debits among every payment ever made: it must find them through an
 * index of its own, not by reading the payments table each minute. The test records the SQL the
 * job sends and asks PostgreSQL how it runs it, on a payments table large enough (and analysed)
 * that the planner reads all of it when no index serves the job: no planner setting is changed.
 */

let testApp: TestApp;
const paymentCount = 30_000;
const returnedCount = 3;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

beforeAll(async () => {
  testApp = await startTestApp();
  const pool = testApp.database.pool;
  const organization = await organizationId(testApp, 'Demo Company');
  const invoiceId = await insertInvoice(pool, {
    organizationId: organization,
    number: 'INV-RETURNS-PLAN',
    state: 'issued',
    issueDate: '2026-01-01',
    dueDate: '2026-01-31',
  });
  // A year of AutoPay payments of one invoice (one cycle a day, for the request keys' sake),
  // each with its charged try, and a few returned by the bank whose tries still say charged.
  await pool.query(
    `WITH made AS (
       INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                             method_type, method_label, request_key, created_at, updated_at)
       SELECT 'P-PLAN-' || n, $1, 'autopay',
              CASE WHEN n <= $4 THEN 'returned' ELSE 'succeeded' END, 1000, 'USD', 'ach',
              'Bank account •••• 6789',
              'autopay:' || $2::text || ':' || (date '2000-01-01' + n)::text || ':1',
              now() - n * interval '1 minute', now() - n * interval '1 minute'
         FROM generate_series(1, $3::int) AS n
       RETURNING id, request_key)
     INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                   run_date, payment_id, amount_cents, outcome)
     SELECT $1::uuid, $2::uuid, split_part(request_key, ':', 3)::date, 1,
            split_part(request_key, ':', 3)::date, id, 1000, 'charged'
       FROM made`,
    [organization, invoiceId, paymentCount, returnedCount],
  );
  await pool.query(
    `UPDATE payments SET failure_code = 'insufficient_funds' WHERE status = 'returned'`,
  );
  await pool.query('ANALYZE payments');
  await pool.query('ANALYZE autopay_attempts');
}, 120_000);
afterAll(async () => testApp.close());

describe('the returned AutoPay debits job', () => {
  it('finds the returned debits through its own index, without reading the payments table', async () => {
    const pool = testApp.database.pool;
    const recorded: { sql: string; params: unknown[] }[] = [];
    const query = pool.query.bind(pool);
    pool.query = ((sql: unknown, params?: unknown[]) => {
      if (typeof sql === 'string' && /FROM payments p\b/.test(sql)) {
        recorded.push({ sql, params: params ?? [] });
      }
      return query(sql as string, params);
    }) as typeof pool.query;
    let changed = 0;
    try {
      changed = await recordAutopayReturns(testApp.context);
    } finally {
      pool.query = query;
    }
    // It still does its work: each returned debit's try is recorded, once.
    expect(changed).toBe(returnedCount);
    expect(await recordAutopayReturns(testApp.context)).toBe(0);

    expect(recorded).toHaveLength(1);
    const { sql, params } = recorded[0]!;
    const explained = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    const plan = nodes(explained.rows[0]['QUERY PLAN'][0].Plan as PlanNode);
    const onPayments = plan.filter(
      (p) => p['Relation Name'] === 'payments' || p['Index Name']?.startsWith('payments_'),
    );
    const summary = onPayments.map((p) => `${p['Node Type']} ${p['Index Name'] ?? ''}`.trim());
    expect(summary).toEqual(['Index Scan payments_autopay_returned_idx']);
    // The index holds the returned AutoPay debits alone: nothing read and thrown away.
    expect(onPayments[0]!['Actual Rows']).toBe(returnedCount);
    expect(onPayments[0]!['Rows Removed by Filter'] ?? 0).toBe(0);
  });
});
