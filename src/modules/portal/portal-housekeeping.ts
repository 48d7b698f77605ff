import type { Pool } from '../../platform/database.js';

/**
 * The portal's share of the nightly housekeeping (staff/housekeeping.job.ts): removes portal
 * sessions past their absolute limit or idle longer than `idleMinutes`
 * (PORTAL_SESSION_IDLE_MINUTES), and portal sign-in attempts older than a year.
 */
export async function removeExpiredPortalSessions(options: {
  pool: Pool;
  idleMinutes: number;
}): Promise<{ sessions: number; attempts: number }> {
  const sessions = await options.pool.query(
    `DELETE FROM portal_sessions
      WHERE expires_at < now() OR last_seen_at < now() - make_interval(mins => $1)`,
    [options.idleMinutes],
  );
  const attempts = await options.pool.query(
    `DELETE FROM contact_login_attempts WHERE attempted_at < now() - interval '1 year'`,
  );
  return { sessions: sessions.rowCount ?? 0, attempts: attempts.rowCount ?? 0 };
}
