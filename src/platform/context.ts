import type { Config } from './config.js';
import type { Pool } from './database.js';
import type { JobQueue } from './jobs.js';
import type { Logger } from './logger.js';

/** What every route and job is given: the running installation's shared services. */
export interface AppContext {
  config: Config;
  pool: Pool;
  jobs: JobQueue;
  logger: Logger;
  /**
   * What time it is. Absent in production (the system clock); tests set a fixed instant, so
   * "today" in the MSP's time zone can be checked without faking the process's timers.
   */
  clock?: () => Date;
}

/** The current instant by the context's clock. */
export function currentTime(context: Pick<AppContext, 'clock'>): Date {
  return context.clock?.() ?? new Date();
}
