import { lt, or, sql } from 'drizzle-orm';
import { createDb, type Pool } from '../../platform/database.js';
import type { JobDefinition } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { staffLoginAttempts, staffSessions } from './staff.schema.js';

export const housekeepingJobName = 'housekeeping';

/**
 * One module's share of the nightly housekeeping: it removes its own expired rows (each module
 * writes only its own tables) and says how many sessions and sign-in attempts went.
 */
export type Housekeeping = () => Promise<{ sessions?: number; attempts?: number }>;

/** Removes expired and idle staff sessions, and staff sign-in attempts older than a year. */
export async function removeExpiredStaffSessions(options: {
  pool: Pool;
  idleMinutes: number;
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
  return { sessions: sessions.rowCount ?? 0, attempts: attempts.rowCount ?? 0 };
}

/**
 * The nightly housekeeping job: staff's expired rows, then each other module's (`others`, given
 * by the composition root src/jobs.ts: portal sessions and attempts, used or expired emailed
 * links). Logs how many sessions and sign-in attempts went in all.
 */
export function housekeepingJob(options: {
  pool: Pool;
  idleMinutes: number;
  logger: Logger;
  others: Housekeeping[];
}): JobDefinition {
  return {
    name: housekeepingJobName,
    cron: '17 3 * * *',
    handle: async () => {
      const removed = await removeExpiredStaffSessions(options);
      for (const housekeeping of options.others) {
        const more = await housekeeping();
        removed.sessions += more.sessions ?? 0;
        removed.attempts += more.attempts ?? 0;
      }
      options.logger.info(removed, 'housekeeping removed expired rows');
    },
  };
}
