import { lt, or, sql } from 'drizzle-orm';
import { createDb, type Pool } from '../../platform/database.js';
import type { JobDefinition } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { staffLoginAttempts, staffSessions } from './staff.schema.js';

export const housekeepingJobName = 'housekeeping';

/**
 * Removes expired and idle sessions (staff and portal), used or expired emailed links, and
 * sign-in attempts older than a year.
 */
export async function removeExpiredSessions(options: {
  pool: Pool;
  idleMinutes: number;
  portalIdleMinutes: number;
}): Promise<{ sessions: number; attempts: number }> {
  const db = createDb(options.pool);
  const sessions = await db
    .delete(staffSessions)
    .where(
      or(
        lt(staffSessions.expiresAt, sql`now()`),
        lt(staffSessions.lastSeenAt, sql`now() - make_interval(mins => ${options.idleMinutes})`),
      ),
    );
  const attempts = await db
    .delete(staffLoginAttempts)
    .where(lt(staffLoginAttempts.attemptedAt, sql`now() - interval '1 year'`));
  const portal = await options.pool.query(
    `DELETE FROM portal_sessions
      WHERE expires_at < now() OR last_seen_at < now() - make_interval(mins => $1)`,
    [options.portalIdleMinutes],
  );
  const portalAttempts = await options.pool.query(
    `DELETE FROM contact_login_attempts WHERE attempted_at < now() - interval '1 year'`,
  );
  await options.pool.query(
    `DELETE FROM contact_tokens WHERE expires_at < now() - interval '30 days'`,
  );
  return {
    sessions: (sessions.rowCount ?? 0) + (portal.rowCount ?? 0),
    attempts: (attempts.rowCount ?? 0) + (portalAttempts.rowCount ?? 0),
  };
}

export function housekeepingJob(options: {
  pool: Pool;
  idleMinutes: number;
  portalIdleMinutes: number;
  logger: Logger;
}): JobDefinition {
  return {
    name: housekeepingJobName,
    cron: '17 3 * * *',
    handle: async () => {
      const removed = await removeExpiredSessions(options);
      options.logger.info(removed, 'housekeeping removed expired rows');
    },
  };
}
