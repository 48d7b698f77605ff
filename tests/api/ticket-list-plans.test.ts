import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rareWord, seedTickets } from '../../bench/tickets-seed.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * The ticket lists must read along an index, in the order they answer, at any size: at
 * 1,000,000 tickets (npm run bench -- tickets) sorting the closed tickets took over half a
 * second, and a rare word among open tickets a tenth of one, while the index reads take a
 * fraction of a millisecond. The test records the SQL a list sends and asks PostgreSQL how it
 * ran it.
 */

let testApp: TestApp;
let readOnly: ApiClient;
const ticketCount = 20_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * Runs `request` while recording the ticket-list statements it sends, then explains them;
 * `sorted` costs sorting out of reach too (for a list whose index should give its order).
 */
async function explainListQueries(request: () => Promise<unknown>, options = { sorted: false }) {
  const pool = testApp.database.pool;
  const recorded: { sql: string; params: unknown[] }[] = [];
  const query = pool.query.bind(pool);
  pool.query = ((sql: unknown, params?: unknown[]) => {
    if (typeof sql === 'string' && /FROM tickets t\b/.test(sql)) {
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
  // Thousands of tickets, not a million: reading them all and sorting them is cheap here, so
  // the planner would rightly do it. Costing scans (and sorts) out of reach plans as for a
  // large table, and shows whether an index serves the list (in its order).
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    if (options.sorted) await client.query('SET LOCAL enable_sort = off');
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

/** How many ticket rows the plans looked at and threw away. */
const rowsDiscarded = (plans: PlanNode[]) =>
  plans
    .filter((p) => p['Relation Name'] === 'tickets' || p['Index Name']?.startsWith('tickets_'))
    .reduce(
      (sum, p) =>
        sum +
        ((p['Rows Removed by Filter'] ?? 0) + (p['Rows Removed by Index Recheck'] ?? 0)) *
          (p['Actual Loops'] ?? 1),
      0,
    );

const sorts = (plans: PlanNode[]) => plans.filter((p) => p['Node Type'].includes('Sort'));
const indexesRead = (plans: PlanNode[]) =>
  plans.map((p) => p['Index Name']).filter((name) => name?.startsWith('tickets_'));

async function list(
  path: string,
): Promise<{ tickets: { number: string; status: string; priority: string }[] }> {
  const response = await readOnly.get(path);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

beforeAll(async () => {
  testApp = await startTestApp();
  readOnly = await signedInAs(testApp.app, 'read_only');
  await seedTickets({ pool: testApp.database.pool, tickets: ticketCount, progress: false });
}, 180_000);
afterAll(async () => testApp.close());

describe('the ticket lists read an index in their order', () => {
  it('lists closed tickets, last closed first, along the closed index without sorting them', async () => {
    let page: { tickets: { status: string }[] } = { tickets: [] };
    const plans = await explainListQueries(
      async () => {
        page = await list('/api/tickets?status=closed&limit=25');
      },
      { sorted: true },
    );
    expect(page.tickets).toHaveLength(25);
    expect(page.tickets.every((t) => t.status === 'closed')).toBe(true);
    expect(sorts(plans)).toEqual([]);
    expect(indexesRead(plans)).toContain('tickets_closed_idx');
  });

  it("lists an organization's open and closed tickets along its indexes without sorting them", async () => {
    const { organizationId } = (
      await testApp.database.pool.query<{ organizationId: string }>(
        `SELECT organization_id AS "organizationId" FROM tickets
          GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
      )
    ).rows[0]!;
    for (const [state, index] of [
      ['open', 'tickets_organization_open_idx'],
      ['closed', 'tickets_organization_closed_idx'],
    ] as const) {
      let page: { tickets: unknown[] } = { tickets: [] };
      const plans = await explainListQueries(
        async () => {
          page = await list(`/api/organizations/${organizationId}/tickets?state=${state}&limit=25`);
        },
        { sorted: true },
      );
      expect(page.tickets.length, state).toBeGreaterThan(0);
      expect(sorts(plans), state).toEqual([]);
      expect(indexesRead(plans), state).toContain(index);
    }
  });

  it('filters open tickets by status and priority along the queue index, in its order', async () => {
    for (const filter of ['status=resolved&priority=low', 'priority=low', 'status=resolved']) {
      let page: { tickets: { status: string; priority: string }[] } = { tickets: [] };
      const plans = await explainListQueries(async () => {
        page = await list(`/api/tickets?${filter}&limit=25`);
      });
      expect(page.tickets, filter).toHaveLength(25);
      for (const ticket of page.tickets) {
        if (filter.includes('status=')) expect(ticket.status, filter).toBe('resolved');
        if (filter.includes('priority=')) expect(ticket.priority, filter).toBe('low');
      }
      // Low and resolved come last in the queue: a walk filtering the columns reads nearly
      // every open ticket first (140,000 at 1,000,000).
      expect(rowsDiscarded(plans), filter).toBeLessThan(100);
      expect(indexesRead(plans), filter).toEqual(['tickets_queue_idx']);
    }
  });

  it('finds a rare word among open tickets through the search index alone', async () => {
    let page: { tickets: { status: string }[] } = { tickets: [] };
    const plans = await explainListQueries(async () => {
      page = await list(`/api/tickets?q=${rareWord}&limit=25`);
    });
    expect(page.tickets).toHaveLength(1);
    expect(page.tickets[0]!.status).not.toBe('closed');
    // Not ANDed with every open ticket of the queue index: at 1,000,000 tickets that bitmap
    // alone took 60-100 ms.
    expect(indexesRead(plans)).toEqual(['tickets_open_search_idx']);
    expect(rowsDiscarded(plans)).toBeLessThan(100);
  });
});
