import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import { openDatabase } from './platform/runtime.js';
import { AppError } from './platform/errors.js';
import { StartupError } from './platform/startup-error.js';
import { minimumPasswordLength } from './platform/passwords.js';
import { systemActor } from './modules/audit/audit.js';
import { staffRoles, type StaffRole } from './modules/staff/staff.schema.js';
import { createStaffUser } from './modules/staff/staff.service.js';
import { seedScaleData } from './modules/demo/scale-data.js';
import { seedScaleInvoices } from './modules/demo/scale-invoices.js';

const usage = `Usage: npm run portico -- <command> [options]

Commands:
  staff:create --email <email> --name <name> --role <master_admin|billing|read_only>
               [--password <password>]   (asked for when omitted; at least ${minimumPasswordLength} characters)
  seed:scale   [--orgs 10000] [--contacts 100000] [--invoices 0]
               fills the database with realistic organizations, contacts and invoices
               (up to 1,000,000 and more) for benchmarks

The database is the one npm start uses: DATABASE_URL, or the embedded one under DATA_DIR
(the one Portico is running, when it runs; else started for the command and stopped after).`;

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').trim();
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question('Password: ');
  rl.close();
  return answer.trim();
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      orgs: { type: 'string' },
      contacts: { type: 'string' },
      invoices: { type: 'string' },
    },
  });
  if (command !== 'staff:create' && command !== 'seed:scale') {
    console.error(usage);
    process.exit(command ? 1 : 0);
  }

  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  // `npm start` may be running on the same DATA_DIR (its start-up hint prints this command):
  // then its embedded PostgreSQL is the database, used while it runs and left running.
  const database = await openDatabase(config, logger, { useRunning: true });
  try {
    if (command === 'staff:create') {
      const email = values.email?.trim().toLowerCase();
      const role = values.role as StaffRole | undefined;
      if (!email || !/^[^@\s]+@[^@\s]+$/.test(email))
        throw AppError.validation('--email', 'is required and must be an email address');
      if (!values.name?.trim()) throw AppError.validation('--name', 'is required');
      if (!role || !staffRoles.includes(role))
        throw AppError.validation('--role', `must be one of ${staffRoles.join(', ')}`);
      const password = values.password ?? (await readPassword());
      if (password.length < minimumPasswordLength)
        throw AppError.validation(
          '--password',
          `must be at least ${minimumPasswordLength} characters`,
        );
      const user = await createStaffUser({
        pool: database.pool,
        actor: systemActor,
        email,
        name: values.name.trim(),
        role,
        password,
      });
      console.log(`Created staff user ${user.email} (${user.role}).`);
    } else {
      const organizations = Number(values.orgs ?? 10_000);
      const contacts = Number(values.contacts ?? 100_000);
      if (!Number.isInteger(organizations) || organizations < 1)
        throw AppError.validation('--orgs', 'must be a whole number above 0');
      if (!Number.isInteger(contacts) || contacts < 0)
        throw AppError.validation('--contacts', 'must be a whole number');
      const invoices = Number(values.invoices ?? 0);
      if (!Number.isInteger(invoices) || invoices < 0) {
        throw AppError.validation('--invoices', 'must be a whole number');
      }
      await seedScaleData({ pool: database.pool, organizations, contacts, progress: true });
      await seedScaleInvoices({ pool: database.pool, invoices, progress: true });
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof AppError || error instanceof ConfigError || error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error('Failed:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
