import type { Pool } from './database.js';

/**
 * The advisory lock key every Portico process takes around its start-up SQL: a fixed number
 * (the first 8 bytes of sha256("portico:start-up"), as a signed bigint). It lies outside the
 * 32-bit range of the `hashtext` keys Portico's other advisory locks use (per scheduled
 * payment, per email), so none of them collides with it.
 */
export const startUpLockKey = '6099680288523647069';

/**
 * Runs `work` (the start-up SQL: migrations, the job queue's schema, queues and schedules, the
 * demo data) while this process holds the installation's start-up lock, a PostgreSQL session
 * advisory lock on `startUpLockKey` taken on a connection of `pool` kept for it. Two processes
 * started at the same moment on one fresh database (a web process and a worker, two replicas)
 * otherwise run the same DDL and inserts at once, and one fails with "deadlock detected" or a
 * duplicate key on `CREATE EXTENSION` (docs/decisions/0043-start-up-lock.md). The second waits
 * for the first to finish, then finds everything done. The lock is released when `work` ends,
 * failed or not, and by PostgreSQL if the process dies holding it.
 */
export async function withStartUpLock<T>(pool: Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [startUpLockKey]);
    try {
      return await work();
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1::bigint)', [startUpLockKey])
        .catch((error: unknown) => {
          // The connection is closed below instead, which releases the lock as well.
          broken = error instanceof Error ? error : new Error(String(error));
        });
    }
  } finally {
    client.release(broken);
  }
}
