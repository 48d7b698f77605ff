/**
 * npm run chaos -- autopay [--timeouts]: kills AutoPay's workers at random moments and proves
 * nothing was charged twice or missed (bench/autopay-chaos.ts). On DATABASE_URL's server when
 * it is set (a database `portico_chaos_autopay`, `…_timeouts` with --timeouts, is created
 * there afresh), else on an embedded PostgreSQL of its own under ./data/chaos (port 54360;
 * ./data/chaos-timeouts and 54361 with --timeouts). Loopback only. Exit code 0 only when
 * the three figures are 0. See bench/README.md.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../src/platform/database.js';
import { createLogger } from '../src/platform/logger.js';
import { autopayChaos, printChaosReport } from './autopay-chaos.js';

const usage = 'Usage: npm run chaos -- autopay [--timeouts]';
/** Past this, the run stops with an error instead of hanging. */
const overallTimeoutMs = 50 * 60_000;

function step(message: string) {
  console.log(`- ${message}`);
}

async function main(): Promise<boolean> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { timeouts: { type: 'boolean', default: false } },
  });
  if (positionals[0] !== 'autopay') {
    console.error(usage);
    process.exit(2);
  }
  const cleanups: (() => Promise<unknown>)[] = [];
  const timer = setTimeout(() => {
    console.error(`\nThe chaos run took longer than ${overallTimeoutMs / 60_000} minutes.`);
    process.exit(2);
  }, overallTimeoutMs);
  timer.unref();
  try {
    let admin: string;
    let connectionString: (database: string) => string;
    const external = process.env.DATABASE_URL;
    if (external) {
      step('On DATABASE_URL’s server');
      admin = external;
      connectionString = (database) => {
        const url = new URL(external);
        url.pathname = `/${database}`;
        return url.toString();
      };
    } else {
      // One per mode: the two modes may run at once.
      const dataDir = values.timeouts ? 'data/chaos-timeouts' : 'data/chaos';
      const port = values.timeouts ? 54361 : 54360;
      step(`Starting PostgreSQL on 127.0.0.1:${port} (./${dataDir})`);
      const embedded = await startEmbeddedPostgres({
        dataDir,
        port,
        logger: createLogger('warn'),
      });
      cleanups.push(() => embedded.stop());
      admin = embedded.connectionString('postgres');
      connectionString = embedded.connectionString;
    }
    const result = await autopayChaos({
      adminConnectionString: admin,
      connectionString,
      timeouts: values.timeouts,
      step,
    });
    return printChaosReport(result);
  } finally {
    clearTimeout(timer);
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('while stopping:', error));
    }
  }
}

main().then(
  (agree) => process.exit(agree ? 0 : 1),
  (error: unknown) => {
    console.error('\nThe chaos run failed:', error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
