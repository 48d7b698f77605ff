import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import path from 'node:path';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

export interface PorticoProcess {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr together. */
  output: () => string;
  /** Resolves when the output contains `text`; rejects when the process ends first. */
  waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<void>;
  /** The exit code, once the process has ended. */
  exited: Promise<number | null>;
  /** Ctrl-C as a terminal sends it; resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/**
 * The command `npm start` runs once its build is done (the last step of the `start` script,
 * `node dist/src/main.js`), as the program and arguments to spawn: `node` is this Node.js.
 */
export function startCommand(): { program: string; args: string[] } {
  const scripts = (
    JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const [program, ...args] = scripts.start!.split('&&').at(-1)!.trim().split(/\s+/);
  return { program: program === 'node' ? process.execPath : program!, args };
}

/**
 * Runs the compiled server as `npm start` does (without building again: `npm test` built it,
 * `npm run build` builds it), in a process of its own (in this repository, or in the copy at
 * `cwd`), with the given environment on top of a clean one: no DATABASE_URL, PUBLIC_URL or
 * SMTP_URL leak in from the test run.
 */
export function startPortico(
  env: Record<string, string>,
  options: { cwd?: string } = {},
): PorticoProcess {
  const { program, args } = startCommand();
  if (!existsSync(path.join(options.cwd ?? repositoryRoot, args[0]!))) {
    throw new Error(`${args[0]} is missing: run npm run build (npm test builds it first)`);
  }
  return spawnProcess(program, args, env, options);
}

/**
 * Runs the server from its TypeScript source (`node --import tsx src/main.ts`, what `npm run
 * dev` runs without the watcher), with the same clean environment as `startPortico`: for
 * scripts that start, kill and restart it without a build.
 */
export function startPorticoFromSource(
  env: Record<string, string>,
  options: { cwd?: string } = {},
): PorticoProcess {
  return spawnProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], env, options);
}

/**
 * Runs `npm run portico -- <args>` (src/cli.ts) in a process of its own, with the given
 * environment on top of the same clean one as `startPortico`.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
): PorticoProcess {
  // The command line stays on tsx, as `npm run portico` does.
  return spawnProcess(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], env, options);
}

function spawnProcess(
  program: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string },
): PorticoProcess {
  const inherited = { ...process.env };
  for (const name of ['DATABASE_URL', 'PUBLIC_URL', 'SMTP_URL', 'NODE_ENV', 'VITEST']) {
    delete inherited[name];
  }
  const child = spawn(program, args, {
    cwd: options.cwd ?? repositoryRoot,
    env: { ...inherited, LOG_LEVEL: 'warn', LOCAL_SMTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      for (const listener of listeners) listener();
      resolve(code);
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));

  const waitFor = (text: string | RegExp, timeoutMs = 45_000) =>
    new Promise<void>((resolve, reject) => {
      const found = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`Timed out waiting for ${String(text)}; output:\n${output}`));
      }, timeoutMs);
      const check = () => {
        if (found()) {
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        } else if (ended || child.exitCode !== null) {
          clearTimeout(timer);
          listeners.delete(check);
          reject(new Error(`Portico ended before printing ${String(text)}; output:\n${output}`));
        }
      };
      listeners.add(check);
      check();
    });

  return {
    child,
    output: () => output,
    waitFor,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}
