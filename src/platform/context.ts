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
}
