import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitWithNextStatement, withTransaction } from '../../src/platform/database.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Pipelined transactions (withTransaction's `pipelined`, Pay Selected's): BEGIN goes out with
 * the first statement and COMMIT with the one announced as last. What the transaction commits
 * or rolls back must be exactly what a transaction with BEGIN and COMMIT of their own would.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.pool.query(`CREATE TABLE pipelined (id int PRIMARY KEY, note text NOT NULL)`);
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

const pipelined = { pipelined: true };

async function notes(): Promise<string[]> {
  const result = await database.pool.query<{ note: string }>(
    `SELECT note FROM pipelined ORDER BY id`,
  );
  return result.rows.map((row) => row.note);
}

/** The transaction status of every idle pooled connection: each must be idle, none in a block. */
async function pooledConnectionsIdle(): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: database.pool.totalCount || 1 }, () => database.pool.connect()),
  );
  try {
    for (const client of clients) {
      const status = await client.query<{ open: boolean }>(
        `SELECT now() <> statement_timestamp() AS open`,
      );
      // Outside a transaction block each statement is its own transaction.
      expect(status.rows[0]!.open).toBe(false);
    }
  } finally {
    for (const client of clients) client.release();
  }
}

describe('pipelined transactions', () => {
  it('commits what its statements wrote, in one transaction', async () => {
    const seen = await withTransaction(
      database.pool,
      async ({ client, db }) => {
        await client.query(`INSERT INTO pipelined VALUES (1, 'first')`);
        // Drizzle on the same client is in the same transaction.
        await db.execute(`INSERT INTO pipelined VALUES (2, 'second')`);
        const inside = await client.query<{ same: boolean }>(
          `SELECT count(DISTINCT xmin::text) = 1 AS same FROM pipelined`,
        );
        commitWithNextStatement({ client });
        await client.query(`INSERT INTO pipelined VALUES (3, 'third')`);
        return inside.rows[0]!.same;
      },
      pipelined,
    );
    expect(seen).toBe(true);
    expect(await notes()).toEqual(['first', 'second', 'third']);
    await pooledConnectionsIdle();
  });

  it('a last statement that fails rolls back the whole transaction, with its own error', async () => {
    const failed = await withTransaction(
      database.pool,
      async ({ client }) => {
        await client.query(`INSERT INTO pipelined VALUES (4, 'kept?')`);
        commitWithNextStatement({ client });
        await client.query(`INSERT INTO pipelined VALUES (1, 'a duplicate key')`);
      },
      pipelined,
    ).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: '23505', constraint: 'pipelined_pkey' });
    expect(await notes()).toEqual(['first', 'second', 'third']);
    await pooledConnectionsIdle();
  });

  it('an earlier failure caught by the work still rolls back: the COMMIT reports it', async () => {
    const failed = await withTransaction(
      database.pool,
      async ({ client }) => {
        await client.query(`INSERT INTO pipelined VALUES (5, 'kept?')`);
        await client.query(`INSERT INTO pipelined VALUES (1, 'a duplicate key')`).catch(() => {});
        commitWithNextStatement({ client });
        await client.query(`SELECT 1`);
      },
      pipelined,
    ).catch((error: unknown) => error);
    expect(String(failed)).toMatch(/current transaction is aborted|rolled back/);
    expect(await notes()).toEqual(['first', 'second', 'third']);
    await pooledConnectionsIdle();
  });

  it('an error thrown by the work between statements rolls back, as without pipelining', async () => {
    const failed = await withTransaction(
      database.pool,
      async ({ client }) => {
        await client.query(`INSERT INTO pipelined VALUES (6, 'kept?')`);
        throw new Error('refused after the first statement');
      },
      pipelined,
    ).catch((error: unknown) => error);
    expect(String(failed)).toMatch(/refused after the first statement/);
    expect(await notes()).toEqual(['first', 'second', 'third']);
    await pooledConnectionsIdle();
  });

  it('nothing may be sent after the statement that carried COMMIT', async () => {
    const failed = await withTransaction(
      database.pool,
      async ({ client }) => {
        commitWithNextStatement({ client });
        await client.query(`INSERT INTO pipelined VALUES (7, 'committed')`);
        await client.query(`INSERT INTO pipelined VALUES (8, 'outside the transaction')`);
      },
      pipelined,
    ).catch((error: unknown) => error);
    expect(String(failed)).toMatch(/after its pipelined transaction committed/);
    expect(await notes()).toEqual(['first', 'second', 'third', 'committed']);
    await pooledConnectionsIdle();
  });

  it('plans its statements for any values, and only inside the transaction', async () => {
    const inside = await withTransaction(
      database.pool,
      async ({ client }) => {
        commitWithNextStatement({ client });
        return (await client.query<{ plan_cache_mode: string }>(`SHOW plan_cache_mode`)).rows[0]!
          .plan_cache_mode;
      },
      pipelined,
    );
    expect(inside).toBe('force_generic_plan');
    // Every other statement on these connections keeps PostgreSQL's own choice.
    const clients = await Promise.all(
      Array.from({ length: database.pool.totalCount }, () => database.pool.connect()),
    );
    try {
      for (const client of clients) {
        const shown = await client.query<{ plan_cache_mode: string }>(`SHOW plan_cache_mode`);
        expect(shown.rows[0]!.plan_cache_mode).toBe('auto');
      }
    } finally {
      for (const client of clients) client.release();
    }
    // A transaction without pipelining is left to PostgreSQL too.
    const plain = await withTransaction(database.pool, async ({ client }) => {
      return (await client.query<{ plan_cache_mode: string }>(`SHOW plan_cache_mode`)).rows[0]!
        .plan_cache_mode;
    });
    expect(plain).toBe('auto');
  });

  it('a client back in the pool runs statements one by one again', async () => {
    await withTransaction(
      database.pool,
      async ({ client }) => {
        commitWithNextStatement({ client });
        await client.query(`SELECT 1`);
      },
      pipelined,
    );
    const clients = await Promise.all(
      Array.from({ length: database.pool.totalCount }, () => database.pool.connect()),
    );
    try {
      for (const client of clients) {
        expect((client as unknown as { pipeline: boolean }).pipeline).toBe(false);
        expect(Object.hasOwn(client, 'query')).toBe(false);
      }
    } finally {
      for (const client of clients) client.release();
    }
  });
});
