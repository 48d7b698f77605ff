import PgBoss from 'pg-boss';
import type { PoolClient } from './database.js';
import type { Logger } from './logger.js';

export type JobQueue = PgBoss;

export interface JobDefinition<Data extends object = object> {
  name: string;
  /** A cron expression (UTC) when the job also runs on a schedule. */
  cron?: string;
  /** How many jobs of this queue one process works on at once (default 1). */
  concurrency?: number;
  /** How often an idle worker looks for new jobs (default 2 s). */
  pollingIntervalSeconds?: number;
  handle: (data: Data) => Promise<void>;
}

export function createJobQueue(connectionString: string, logger: Logger): JobQueue {
  const boss = new PgBoss({ connectionString, schema: 'pgboss', max: 5 });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  return boss;
}

/** Creates the queues (and schedules) every worker and sender relies on. */
export async function registerQueues(boss: JobQueue, jobs: JobDefinition[]): Promise<void> {
  for (const job of jobs) {
    await boss.createQueue(job.name);
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
  }
}

export async function startWorkers(
  boss: JobQueue,
  jobs: JobDefinition[],
  logger: Logger,
): Promise<void> {
  for (const job of jobs) {
    // pg-boss 10 hands a worker a batch and fails the whole batch if the handler throws, so
    // each worker takes one job at a time and concurrency comes from several workers.
    for (let i = 0; i < (job.concurrency ?? 1); i++) {
      await boss.work<object>(
        job.name,
        { batchSize: 1, pollingIntervalSeconds: job.pollingIntervalSeconds ?? 2 },
        async ([item]) => {
          if (!item) return;
          const log = logger.child({ job: job.name, jobId: item.id });
          log.debug('job started');
          await job.handle(item.data);
          log.debug('job finished');
        },
      );
    }
  }
}

/**
 * Enqueues a job on the caller's transaction: it exists only if the change that caused it
 * commits.
 */
export async function enqueueInTransaction(
  boss: JobQueue,
  client: PoolClient,
  name: string,
  data: object,
  options: PgBoss.SendOptions = {},
): Promise<string | null> {
  return boss.send(name, data, {
    ...options,
    db: { executeSql: (text, values) => client.query(text, values) },
  });
}
