// A separate process running only the email delivery worker, so a test can kill it mid-send.
import PgBoss from 'pg-boss';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { createPool } from '../../src/platform/database.js';
import { startWorkers } from '../../src/platform/jobs.js';
import { createMailTransport } from '../../src/modules/email/mail-transport.js';
import { emailJobs } from '../../src/modules/email/email.jobs.js';
import { sendEmailJobName } from '../../src/modules/email/email-queue.js';

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const logger = createLogger('silent');
  const connectionString = process.env.WORKER_DATABASE_URL!;
  const pool = createPool(connectionString, logger, 2);
  const jobs = new PgBoss({
    connectionString,
    schema: 'pgboss',
    supervise: false,
    schedule: false,
    max: 2,
  });
  await jobs.start();
  const transport = createMailTransport(config, Number(process.env.WORKER_SMTP_PORT));
  const definitions = emailJobs({ config, pool, jobs, logger, transport }).filter(
    (job) => job.name === sendEmailJobName,
  );
  await startWorkers(jobs, definitions, logger);
  process.send?.('ready');
}

void main();
