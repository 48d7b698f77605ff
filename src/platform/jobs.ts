import PgBoss from 'pg-boss';
import type { PoolClient } from './database.js';
import type { Logger } from './logger.js';

export type JobQueue = PgBoss;

export interface JobDefinition<Data extends object = object> {
  name: string;
  /** A cron expression (UTC) when the job also runs on a schedule. */
  cron?: string;
  /** How many jobs of this queue one process works on side by side (default 1). */
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
    const batchSize = job.concurrency ?? 1;
    let workerId = '';
    workerId = await boss.work<object>(
      job.name,
      { batchSize, pollingIntervalSeconds: job.pollingIntervalSeconds ?? 2 },
      async (batch) => {
        // The jobs of a batch run side by side. pg-boss completes the whole batch when this
        // returns, so each failure is reported on its own job (to be retried) first.
        const outcomes = await Promise.allSettled(batch.map((item) => job.handle(item.data)));
        for (const [index, outcome] of outcomes.entries()) {
          if (outcome.status === 'fulfilled') continue;
          const item = batch[index]!;
          const reason =
            outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
          logger.warn({ job: job.name, jobId: item.id, reason }, 'job failed');
          await boss.fail(job.name, item.id, { message: reason });
        }
        // A full batch means more are waiting: fetch again at once instead of after the
        // polling interval (pg-boss 10 otherwise pauses between batches).
        if (batch.length === batchSize) boss.notifyWorker(workerId);
      },
    );
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
