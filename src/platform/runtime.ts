import type { Config } from './config.js';
import {
  createPool,
  ensureDatabase,
  findRunningEmbeddedPostgres,
  runMigrations,
  startEmbeddedPostgres,
  type Pool,
} from './database.js';
import type { Logger } from './logger.js';
import { withStartUpLock } from './start-up-lock.js';
import { StartupError } from './startup-error.js';

export const embeddedDatabaseName = 'portico';

export interface DatabaseRuntime {
  connectionString: string;
  pool: Pool;
  /**
   * Where the embedded PostgreSQL keeps its files, and why not under DATA_DIR (null when it
   * is); null with DATABASE_URL.
   */
  embedded: { clusterDir: string; movedBecause: string | null } | null;
  /** Closes the pool and, when embedded, stops the PostgreSQL server. */
  close: () => Promise<void>;
}

/**
 * Opens Portico's database: the one at DATABASE_URL, or else an embedded PostgreSQL under
 * DATA_DIR, started here. With `useRunning` (the CLI, run in a second terminal while
 * `npm start` runs), an embedded PostgreSQL already running for DATA_DIR is used as it is, and
 * left running at `close`; one is started only when none runs. `npm start` does not share: a
 * second start on a data folder in use stops with one sentence. Migrations are applied either
 * way. A failure stops what was started.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: { useRunning?: boolean } = {},
): Promise<DatabaseRuntime> {
  let connectionString = config.DATABASE_URL;
  let stopEmbedded = async () => {};
  let embeddedPlace: DatabaseRuntime['embedded'] = null;
  const running =
    !connectionString && options.useRunning
      ? await findRunningEmbeddedPostgres({ dataDir: config.DATA_DIR })
      : null;
  if (running) {
    // Its owner created the database at its start; asked again in case that start is still
    // under way. Nothing here stops the server: it belongs to the process that started it.
    try {
      await ensureDatabase(running.connectionString('postgres'), embeddedDatabaseName);
    } catch (error) {
      const reason = error instanceof Error && error.message ? error.message : String(error);
      throw new StartupError(
        `The embedded PostgreSQL running on the data folder ${running.clusterDir} (process ${running.pid}) does not answer on 127.0.0.1 port ${running.port} (${reason}); wait for Portico to finish starting, or stop it and run this command again.`,
      );
    }
    connectionString = running.connectionString(embeddedDatabaseName);
    embeddedPlace = { clusterDir: running.clusterDir, movedBecause: null };
    logger.info(
      { pid: running.pid, port: running.port },
      'using the embedded PostgreSQL already running',
    );
  } else if (!connectionString) {
    const embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.EMBEDDED_PG_PORT,
      logger,
    });
    stopEmbedded = embedded.stop;
    embeddedPlace = { clusterDir: embedded.clusterDir, movedBecause: embedded.movedBecause };
    try {
      await ensureDatabase(embedded.connectionString('postgres'), embeddedDatabaseName);
    } catch (error) {
      await stopEmbedded();
      throw error;
    }
    connectionString = embedded.connectionString(embeddedDatabaseName);
    logger.info({ port: config.EMBEDDED_PG_PORT }, 'embedded PostgreSQL started');
  }
  const pool = createPool(connectionString, logger);
  try {
    // Under the start-up lock: a process starting at the same moment migrates after this one.
    await withStartUpLock(pool, () => runMigrations(pool));
  } catch (error) {
    await pool.end();
    await stopEmbedded();
    throw error;
  }
  return {
    connectionString,
    pool,
    embedded: embeddedPlace,
    close: async () => {
      await pool.end().catch((error: unknown) => logger.warn({ err: error }, 'closing the pool'));
      await stopEmbedded();
    },
  };
}
