import type { AddressInfo } from 'node:net';
import { ConfigError, defaultPublicUrl, loadConfig } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import { openDatabase, type DatabaseRuntime } from './platform/runtime.js';
import { withStartUpLock } from './platform/start-up-lock.js';
import { explainListenError, startupFailureText } from './platform/startup-error.js';
import { createJobQueue, startWorkers } from './platform/jobs.js';
import { buildApp } from './app.js';
import { allJobs, registerJobs } from './jobs.js';
import { seedDemoData } from './modules/demo/demo-data.js';
import { startMail } from './modules/email/mail-runtime.js';
import { anyStaffUserExists } from './modules/staff/staff.service.js';

/** Something started that must be stopped again: on Ctrl-C, and when a later step fails. */
interface Started {
  name: string;
  close: () => Promise<unknown>;
}

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
  // Newest last; stopped newest first, so the web server goes before the workers, the workers
  // before mail, and all of them before the database they use.
  const started: Started[] = [];
  const stopStarted = async () => {
    for (const { name, close } of started.splice(0).reverse()) {
      await close().catch((error: unknown) =>
        logger.warn({ err: error }, `while stopping: ${name}`),
      );
    }
  };

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await stopStarted();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));

  try {
    const database = await openDatabase(config, logger);
    started.push({ name: 'database', close: database.close });
    const mail = await startMail(config, database.pool, logger).catch((error: unknown) => {
      throw explainListenError(error, {
        what: 'The local SMTP server',
        host: '127.0.0.1',
        port: config.LOCAL_SMTP_PORT,
        variable: 'LOCAL_SMTP_PORT',
      });
    });
    started.push({ name: 'mail', close: mail.close });
    const jobs = createJobQueue(database.connectionString, logger);
    const context = { config, pool: database.pool, jobs, logger };
    const definitions = allJobs(context, mail);
    // The start-up SQL (the queue's schema, queues and schedules, the demo data) under the
    // start-up lock, as the migrations were: a process started at the same moment on the same
    // database would otherwise deadlock in pg-boss's queue creation or insert the demo staff
    // twice (docs/decisions/0043-start-up-lock.md).
    const demo = await withStartUpLock(database.pool, async () => {
      await jobs.start();
      started.push({
        name: 'job workers',
        close: async () => {
          await jobs.stop({ graceful: true, wait: true });
          // A query pg-boss still had running (its first maintenance, right after a start)
          // fails when the database stops next: expected then, and no reason for an error line.
          jobs.removeAllListeners('error');
          jobs.on('error', (error) => logger.debug({ err: error }, 'job queue, while stopping'));
        },
      });
      await registerJobs(context, definitions);
      return config.SEED_DEMO ? seedDemoData({ pool: database.pool, logger }) : null;
    });
    await startWorkers(jobs, definitions, logger);
    const needsStaffUser = !(await anyStaffUserExists({ pool: database.pool }));

    const app = await buildApp(context);
    started.push({ name: 'web server', close: () => app.close() });
    await app.listen({ host: config.HOST, port: config.PORT }).catch((error: unknown) => {
      throw explainListenError(error, {
        what: 'The web server',
        host: config.HOST,
        port: config.PORT,
        variable: 'PORT',
      });
    });
    const port = (app.server.address() as AddressInfo).port;
    // PORT=0 takes a free port: links follow the one taken, unless PUBLIC_URL says otherwise.
    if (config.PORT === 0 && config.PUBLIC_URL === defaultPublicUrl(config)) {
      config.PUBLIC_URL = defaultPublicUrl({ HOST: config.HOST, PORT: port });
    }
    printBanner({
      address: defaultPublicUrl({ HOST: config.HOST, PORT: port }),
      publicUrl: config.PUBLIC_URL,
      demo,
      localSmtpPort: mail.localSmtp?.port ?? null,
      embedded: database.embedded,
      needsStaffUser,
    });
  } catch (error) {
    // A failed start leaves nothing running: no database server, no port held.
    await stopStarted();
    throw error;
  }
}

function printBanner(options: {
  address: string;
  publicUrl: string;
  demo: Awaited<ReturnType<typeof seedDemoData>> | null;
  localSmtpPort: number | null;
  embedded: DatabaseRuntime['embedded'];
  needsStaffUser: boolean;
}) {
  const { demo, localSmtpPort, embedded } = options;
  const lines = [``, `  Portico is running at ${options.address}`, ``];
  if (options.publicUrl !== options.address) {
    lines.push(`  Links in emails use ${options.publicUrl} (PUBLIC_URL).`, ``);
  }
  if (embedded?.movedBecause) {
    lines.push(
      `  The embedded PostgreSQL keeps its files in ${embedded.clusterDir} (${embedded.movedBecause}).`,
      ``,
    );
  }
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
  if (options.needsStaffUser) {
    lines.push(
      '  No staff user exists yet. Create the first one (it asks for a password):',
      '    npm run portico -- staff:create --email you@example.com --name "Your Name" --role master_admin',
      '',
    );
  }
  lines.push('  Press Ctrl-C to stop.', '');
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(`Portico could not start: ${startupFailureText(error)}`);
  process.exit(1);
});
