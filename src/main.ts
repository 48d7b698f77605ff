import { ConfigError, loadConfig } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import { openDatabase } from './platform/runtime.js';
import { createJobQueue, registerQueues, startWorkers } from './platform/jobs.js';
import { buildApp } from './platform/http/app.js';
import { allJobs } from './jobs.js';
import { seedDemoData } from './modules/demo/demo-data.js';
import { startMail } from './modules/email/mail-runtime.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  const jobs = createJobQueue(database.connectionString, logger);
  await jobs.start();
  const context = { config, pool: database.pool, jobs, logger };
  const mail = await startMail(config, database.pool, logger);
  const definitions = allJobs(context, mail);
  await registerQueues(jobs, definitions);
  await startWorkers(jobs, definitions, logger);

  const demo = config.SEED_DEMO
    ? await seedDemoData({
        pool: database.pool,
        logger,
        portalUrl: `http://localhost:${config.PORT}/portal`,
      })
    : null;

  const app = await buildApp(context);
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = `http://${config.HOST === '0.0.0.0' || config.HOST === '127.0.0.1' ? 'localhost' : config.HOST}:${config.PORT}`;
  printBanner(address, demo, mail.localSmtp?.port ?? null);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const step = (name: string, work: Promise<unknown>) =>
      work.catch((error: unknown) => logger.warn({ err: error }, `while stopping: ${name}`));
    await step('web server', app.close());
    await step('job workers', jobs.stop({ graceful: true, wait: true }));
    await step('mail', mail.close());
    await step('database', database.close());
    logger.info('stopped');
    process.exit(0);
  };
  // Stop in order: web server, workers, mail, then the database they were using.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
}

function printBanner(
  address: string,
  demo: Awaited<ReturnType<typeof seedDemoData>> | null,
  localSmtpPort: number | null,
) {
  const lines = [``, `  Portico is running at ${address}`, ``];
  if (localSmtpPort !== null) {
    lines.push(
      `  Mail goes to the local SMTP server on 127.0.0.1:${localSmtpPort} (no SMTP_URL set);`,
      `  read it in the console under Configuration > Local Mailbox.`,
      ``,
    );
  }
  if (demo?.staffLogins.length) {
    lines.push(demo.created ? '  Demo data created. Staff sign-in:' : '  Demo staff sign-in:');
    for (const login of demo.staffLogins) {
      lines.push(`    ${login.role.padEnd(13)} ${login.email}  /  ${login.password}`);
    }
    lines.push('');
  }
  lines.push('  Press Ctrl-C to stop.', '');
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error('Portico could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
