import type { Config } from './config.js';
import {
  createPool,
  ensureDatabase,
  runMigrations,
  startEmbeddedPostgres,
  type Pool,
} from './database.js';
import type { Logger } from './logger.js';

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
 * DATA_DIR, started here. Migrations are applied either way. A failure stops what was started.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<DatabaseRuntime> {
  let connectionString = config.DATABASE_URL;
  let stopEmbedded = async () => {};
  let embeddedPlace: DatabaseRuntime['embedded'] = null;
  if (!connectionString) {
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
    await runMigrations(pool);
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
