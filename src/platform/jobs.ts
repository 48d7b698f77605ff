import PgBoss from 'pg-boss';
import { sql, type SQL } from 'drizzle-orm';
import type { PoolClient } from './database.js';
import type { Logger } from './logger.js';

export type JobQueue = PgBoss;

export interface JobDefinition<Data extends object = object> {
  name: string;
  /**
   * A cron expression when the job also runs on a schedule, read on the MSP's clock: in the
   * time zone `registerQueues` is given (docs/decisions/0015-business-dates.md).
   */
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

/**
 * Creates the queues every worker and sender relies on, and schedules the jobs that have a
 * cron in `timeZone` (an IANA name: the MSP's, which the caller reads from the settings;
 * UTC when not given, for queues used without their schedule).
 */
export async function registerQueues(
  boss: JobQueue,
  jobs: JobDefinition[],
  options: { timeZone?: string } = {},
): Promise<void> {
  for (const job of jobs) {
    await boss.createQueue(job.name);
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: options.timeZone ?? 'UTC' });
  }
}

/**
 * Moves every schedule (pg-boss's schedule table, shared by all processes) to `timeZone`, an
 * IANA name, keeping its cron: what a change of the MSP's time zone does. pg-boss writes its
 * schedules on its own connection, so this runs after the change commits; every start
 * schedules again from the setting (registerQueues), which covers a process that stopped in
 * between.
 */
export async function moveSchedulesToTimeZone(boss: JobQueue, timeZone: string): Promise<void> {
  for (const schedule of await boss.getSchedules()) {
    await boss.schedule(schedule.name, schedule.cron, schedule.data ?? {}, {
      ...schedule.options,
      tz: timeZone,
    });
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
 * The INSERT pg-boss would send to enqueue this job (`boss.send` with these arguments), as a
 * `sql` statement to put in one of the caller's (a common table expression) on the caller's
 * transaction: the job and the change that causes it are one round trip, and commit together
 * (Pay Selected's outcome, docs/decisions/0040-pay-selected-round-trips.md). pg-boss builds the
 * text and its values; nothing is sent here. Throws when pg-boss would send anything but one
 * statement (an option such as singletonNextSlot may try twice): use enqueueInTransaction then.
 */
export async function jobInsert(
  boss: JobQueue,
  name: string,
  data: object,
  options: PgBoss.SendOptions = {},
): Promise<SQL> {
  const sent: { text: string; values: unknown[] }[] = [];
  await boss.send(name, data, {
    ...options,
    db: {
      executeSql: async (text, values) => {
        sent.push({ text, values: values ?? [] });
        return { rows: [{ id: null }] };
      },
    },
  });
  const [insert] = sent;
  if (sent.length !== 1 || !insert) {
    throw new Error(`pg-boss would send ${sent.length} statements to enqueue ${name}`);
  }
  // Its $n placeholders become the template's parameters (renumbered within the statement).
  const chunks: SQL[] = [];
  let at = 0;
  for (const match of insert.text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(insert.text.slice(at, match.index)));
    chunks.push(sql`${sql.param(insert.values[Number(match[1]) - 1])}`);
    at = match.index + match[0].length;
  }
  chunks.push(sql.raw(insert.text.slice(at)));
  return sql.join(chunks);
}

/** A name for each statement text pg-boss sends through enqueueInTransaction. */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `pgboss-${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
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
    // Named: pg-boss sends the same insert text every time, planned once per connection.
    db: { executeSql: (text, values) => client.query({ name: statementName(text), text, values }) },
  });
}
