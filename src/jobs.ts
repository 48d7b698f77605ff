import type { AppContext } from './platform/context.js';
import type { JobDefinition } from './platform/jobs.js';
import { housekeepingJob } from './modules/staff/housekeeping.job.js';

/** Every background job Portico runs; later modules add theirs here. */
export function allJobs(context: Omit<AppContext, 'jobs'>): JobDefinition[] {
  return [
    housekeepingJob({
      pool: context.pool,
      idleMinutes: context.config.SESSION_IDLE_MINUTES,
      logger: context.logger,
    }),
  ];
}
