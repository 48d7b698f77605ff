import { expect } from 'vitest';
import type { Pool } from '../../src/platform/database.js';

/** A node of PostgreSQL's `EXPLAIN (ANALYZE, FORMAT JSON)` plan, the fields the tests read. */
export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** The plan's nodes, the root first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/**
 * Runs `request` while recording the statements sent through `pool.query` whose text matches
 * `statement` (a list's own SQL), then explains each and answers all their plans' nodes.
 * A test database holds thousands of rows, not a million: reading them all is cheap, so the
 * planner would rightly scan the table. Costing scans (and with `sorted`, sorts) out of reach
 * plans as for a large table, and shows whether an index serves the list (in its order).
 */
export async function explainRecordedStatements(
  pool: Pool,
  statement: RegExp,
  request: () => Promise<unknown>,
  options = { sorted: false },
): Promise<PlanNode[]> {
  const recorded: { sql: string; params: unknown[] }[] = [];
  const query = pool.query.bind(pool);
  pool.query = ((sql: unknown, params?: unknown[]) => {
    if (typeof sql === 'string' && statement.test(sql)) {
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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    if (options.sorted) await client.query('SET LOCAL enable_sort = off');
    for (const { sql, params } of recorded) {
      const result = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      plans.push(...planNodes(result.rows[0]['QUERY PLAN'][0].Plan as PlanNode));
    }
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
  return plans;
}

/** How many rows of `table` (its own scans and its `<table>_` indexes) the plans threw away. */
export function rowsDiscardedOf(plans: PlanNode[], table: string): number {
  return plans
    .filter((p) => p['Relation Name'] === table || p['Index Name']?.startsWith(`${table}_`))
    .reduce(
      (sum, p) =>
        sum +
        ((p['Rows Removed by Filter'] ?? 0) + (p['Rows Removed by Index Recheck'] ?? 0)) *
          (p['Actual Loops'] ?? 1),
      0,
    );
}
