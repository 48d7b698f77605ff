import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../support/global-setup.js';
import {
  freePort,
  startPorticoFromSource,
  type PorticoProcess,
} from '../support/portico-process.js';

/**
 * Two Portico processes (a web process and a worker, or two replicas behind a balancer) started
 * at the same moment on one fresh database: both run the start-up SQL (migrations, the job
 * queue's schema, its queues and schedules, the demo data) at once. Both must come up, and the
 * database must hold the demo data once.
 */

const adminUrl = inject('adminDatabaseUrl');
const databases: string[] = [];
const running: PorticoProcess[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new database with nothing in it: not cloned from the migrated template. */
async function emptyDatabase(): Promise<string> {
  const name = `portico_start_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  return withDatabase(adminUrl, name);
}

afterAll(async () => {
  await Promise.all(running.splice(0).map((process) => process.stop()));
  for (const name of databases) {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
});

describe('two starts at the same moment on one fresh database', () => {
  it('both come up, and the demo data is there once', { timeout: 240_000 }, async () => {
    // Two rounds: one pair may by chance not overlap in the statements that collide (without
    // the start-up lock, every pair of a probe of six failed, in the migrations, the queue
    // creation or the demo staff).
    for (let round = 0; round < 2; round++) {
      const databaseUrl = await emptyDatabase();
      const pair = await Promise.all(
        [0, 1].map(async () =>
          startPorticoFromSource({
            DATABASE_URL: databaseUrl,
            PORT: String(await freePort()),
            // Errors too, so a failed start says why in the assertion's message.
            LOG_LEVEL: 'error',
          }),
        ),
      );
      running.push(...pair);
      const outcomes = await Promise.all(
        pair.map((process) =>
          process.waitFor('Portico is running', 120_000).then(
            () => 'running',
            () => process.output(),
          ),
        ),
      );
      expect(outcomes, `round ${round + 1}`).toEqual(['running', 'running']);
      const check = new pg.Client({ connectionString: databaseUrl });
      await check.connect();
      try {
        const organizations = await check.query<{ name: string; n: number }>(
          `SELECT name, count(*)::int AS n FROM organizations GROUP BY name HAVING count(*) > 1`,
        );
        expect(organizations.rows).toEqual([]);
        const staff = await check.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM staff_users`,
        );
        expect(staff.rows[0]!.n).toBeGreaterThan(0);
      } finally {
        await check.end();
      }
      await Promise.all(running.splice(0).map((process) => process.stop()));
    }
  });
});
