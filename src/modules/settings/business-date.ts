import { calendarDateIn, type DateDisplay } from '../../shared/dates.js';
import { currentTime, type AppContext } from '../../platform/context.js';
import type { Pool, PoolClient } from '../../platform/database.js';

/** serverTimeZone's last answer and the TZ it was for: resolving it costs a formatter. */
let serverZone: { tz: string | undefined; zone: string } | null = null;

/** The server's own time zone (TZ, else the system's): the MSP time zone until one is chosen. */
export function serverTimeZone(): string {
  // Read on every payment while no MSP time zone is chosen; TZ may be changed while running.
  if (!serverZone || serverZone.tz !== process.env.TZ) {
    serverZone = { tz: process.env.TZ, zone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  }
  return serverZone.zone;
}

/** Reads the MSP's time zone off the settings row: the chosen one, else the server's. */
export async function mspTimeZone(db: Pool | PoolClient): Promise<string> {
  const result = await db.query<{ timeZone: string | null }>(
    'SELECT time_zone AS "timeZone" FROM settings WHERE id = 1',
  );
  if (!result.rows[0]) throw new Error('The settings row is missing: run the migrations');
  return result.rows[0].timeZone ?? serverTimeZone();
}

/**
 * Today as a business date ("YYYY-MM-DD"): the calendar date it is now in the MSP's time zone
 * (Configuration > Billing). Every "today" on the server comes from here: due dates, overdue,
 * aging, statements, Invoice Due notices. Given the settings it answers at once; given a pool
 * or a client it reads the time zone first. `now` is the clock, for tests and for jobs that
 * run for a given moment.
 */
export function businessToday(settings: Pick<DateDisplay, 'timeZone'>, now?: Date): string;
export function businessToday(db: Pool | PoolClient, now?: Date): Promise<string>;
export function businessToday(
  source: Pick<DateDisplay, 'timeZone'> | Pool | PoolClient,
  now: Date = new Date(),
): string | Promise<string> {
  if ('timeZone' in source && typeof source.timeZone === 'string') {
    return calendarDateIn(now, source.timeZone);
  }
  return mspTimeZone(source as Pool | PoolClient).then((timeZone) => calendarDateIn(now, timeZone));
}

/** Today in the MSP's time zone by the context's clock: what routes and jobs pass on. */
export function businessTodayFor(context: Pick<AppContext, 'pool' | 'clock'>): Promise<string> {
  return businessToday(context.pool, currentTime(context));
}
