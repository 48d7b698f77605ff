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
  /** Closes the pool and, when embedded, stops the PostgreSQL server. */
  close: () => Promise<void>;
}

/**
 * Opens Portico's database: the one at DATABASE_URL, or else an embedded PostgreSQL under
 * DATA_DIR, started here. Migrations are applied either way.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<DatabaseRuntime> {
  let connectionString = config.DATABASE_URL;
  let stopEmbedded = async () => {};
  if (!connectionString) {
    const embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.EMBEDDED_PG_PORT,
      logger,
    });
    stopEmbedded = embedded.stop;
    await ensureDatabase(embedded.connectionString('postgres'), embeddedDatabaseName);
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
    close: async () => {
      await pool.end().catch((error: unknown) => logger.warn({ err: error }, 'closing the pool'));
      await stopEmbedded();
    },
  };
}
