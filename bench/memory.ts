/**
 * The memory case of npm run bench: the resident memory of Portico as `npm start` runs it (the
 * compiled server under plain node, with its embedded PostgreSQL) at rest after start, under a
 * bounded loopback load by a signed-in Master Admin, and at rest again after it. Figures come
 * from /proc (Linux), so they are what the kernel holds for these processes, nothing estimated.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { demoStaff } from '../src/modules/demo/demo-data.js';

/** What the issue asks: Portico and its PostgreSQL together, at rest after start. */
export const memoryAimMb = 250;

const dataDir = path.resolve('data', 'bench-memory');
const postgresPort = 54351;
/** Seconds left for the start's after-work (pg-boss maintenance, first schedules) to finish. */
const settleSeconds = 10;
const loadSeconds = 10;
const connections = 8;

/** One reading: the server's node process, and every PostgreSQL process it started. */
export interface MemorySample {
  nodeRssMb: number;
  postgresRssMb: number;
  /** Proportional set size: shared memory (shared_buffers) split between the processes. */
  postgresPssMb: number;
  postgresProcesses: number;
}

export interface MemoryResult {
  samples: { moment: string; sample: MemorySample }[];
  /** The node process's peak RSS over the whole run (VmHWM). */
  nodePeakMb: number;
  load: { requests: number; non2xx: number; errors: number; seconds: number; routes: string[] };
}

export async function memoryBenchmark(options: {
  step: (message: string) => void;
}): Promise<MemoryResult> {
  const { step } = options;
  step('Building the console, the portal and the server (npm run build)');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');

  await rm(dataDir, { recursive: true, force: true });
  const port = await freePort();
  step(`Starting node dist/src/main.js on 127.0.0.1:${port} (DATA_DIR ${dataDir})`);
  const server = startServer({ port });
  try {
    await server.ready;
    const pid = server.child.pid!;
    step(`Started; resting ${settleSeconds} s`);
    await sleep(settleSeconds * 1000);
    const samples: MemoryResult['samples'] = [];
    samples.push({ moment: 'at rest after start', sample: await steadySample(pid) });

    const appUrl = `http://127.0.0.1:${port}`;
    const cookie = await signIn(appUrl);
    const routes = await loadRoutes(appUrl, cookie);
    step(`Load: ${connections} connections for ${loadSeconds} s over ${routes.length} routes`);
    let peak: MemorySample | null = null;
    const watcher = setInterval(() => {
      const now = readMemory(pid);
      if (!peak || total(now) > total(peak)) peak = now;
    }, 250);
    const result = await autocannon({
      url: appUrl,
      connections,
      duration: loadSeconds,
      workers: 1,
      headers: { cookie },
      requests: routes.map((route) => ({ method: 'GET', path: route })),
    });
    clearInterval(watcher);
    if (peak) samples.push({ moment: 'highest during load', sample: peak });
    samples.push({ moment: 'right after load', sample: readMemory(pid) });
    step(`Resting ${settleSeconds} s`);
    await sleep(settleSeconds * 1000);
    samples.push({ moment: 'at rest after load', sample: await steadySample(pid) });

    return {
      samples,
      nodePeakMb: statusKb(pid, 'VmHWM') / 1024,
      load: {
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        seconds: result.duration,
        routes,
      },
    };
  } finally {
    step('Stopping');
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function printMemoryReport(result: MemoryResult) {
  const header = ['moment', 'Portico (node) RSS', 'PostgreSQL RSS', 'PostgreSQL PSS', 'together'];
  const mb = (value: number) => `${value.toFixed(0)} MB`;
  const rows = result.samples.map(({ moment, sample }) => [
    moment,
    mb(sample.nodeRssMb),
    `${mb(sample.postgresRssMb)} (${sample.postgresProcesses})`,
    mb(sample.postgresPssMb),
    mb(total(sample)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  console.log(`\nResident memory (npm start's server and its embedded PostgreSQL)\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const { load } = result;
  console.log(
    `\nLoad: ${load.requests} requests in ${load.seconds} s (${(load.requests / load.seconds).toFixed(0)}/s), ` +
      `${load.non2xx + load.errors} failed, over:\n  ${load.routes.join('\n  ')}`,
  );
  console.log(`Node's peak RSS over the run (VmHWM): ${mb(result.nodePeakMb)}`);
  const atRest = result.samples[0]!.sample;
  const met = total(atRest) < memoryAimMb;
  console.log(
    `\nAim: together under ${memoryAimMb} MB at rest after start: ${mb(total(atRest))} ` +
      (met ? 'met' : 'NOT MET'),
  );
  console.log(
    `("together" is node's RSS plus PostgreSQL's PSS: RSS counts the shared buffers once per\n` +
      `process that touched them, PSS splits them, so the PSS sum is what the processes hold.)`,
  );
  if (load.non2xx + load.errors > 0) {
    console.log(
      `\n  !!! WARNING: ${load.non2xx} non-2xx responses, ${load.errors} connection errors: ` +
        `the load did not do the intended work. !!!`,
    );
  }
}

function total(sample: MemorySample): number {
  return sample.nodeRssMb + sample.postgresPssMb;
}

/** Five readings a second apart; the median by total, so one passing burst does not count. */
async function steadySample(pid: number): Promise<MemorySample> {
  const readings: MemorySample[] = [];
  for (let i = 0; i < 5; i++) {
    if (i) await sleep(1000);
    readings.push(readMemory(pid));
  }
  return readings.sort((a, b) => total(a) - total(b))[2]!;
}

function readMemory(nodePid: number): MemorySample {
  const postgres = descendants(nodePid).filter((pid) => command(pid) === 'postgres');
  let postgresRss = 0;
  let postgresPss = 0;
  for (const pid of postgres) {
    const rollup = smapsRollupKb(pid);
    postgresRss += rollup.Rss ?? 0;
    postgresPss += rollup.Pss ?? 0;
  }
  return {
    nodeRssMb: statusKb(nodePid, 'VmRSS') / 1024,
    postgresRssMb: postgresRss / 1024,
    postgresPssMb: postgresPss / 1024,
    postgresProcesses: postgres.length,
  };
}

/** Every process under `root` (children, their children…), from each process's parent id. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while the list was read.
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

function smapsRollupKb(pid: number): Record<string, number> {
  try {
    const values: Record<string, number> = {};
    for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
      const match = /^(\w+):\s+(\d+) kB/.exec(line);
      if (match) values[match[1]!] = Number(match[2]);
    }
    return values;
  } catch {
    return {}; // The process ended between the listing and the reading.
  }
}

/** `node dist/src/main.js`, as `npm start` runs it after its build, on its own data and ports. */
function startServer(options: { port: number }) {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'PUBLIC_URL', 'SMTP_URL', 'NODE_ENV']) delete env[name];
  const child: ChildProcess = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...env,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(options.port),
      EMBEDDED_PG_PORT: String(postgresPort),
      LOCAL_SMTP_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No start in 90 s:\n${output}`)), 90_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Portico is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Portico ended (exit ${code}) before it was ready:\n${output}`));
    });
  });
  ready.catch(() => {});
  return {
    child,
    ready,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const stopped = await Promise.race([exited.then(() => true), sleep(30_000, false)]);
      if (!stopped) child.kill('SIGKILL');
    },
  };
}

function setCookies(response: Response): string[] {
  return response.headers.getSetCookie().map((header) => header.split(';')[0]!);
}

/** Signs in as the demo Master Admin, as the browser does: CSRF token first. */
async function signIn(appUrl: string): Promise<string> {
  const admin = demoStaff.find((s) => s.role === 'master_admin')!;
  const session = await fetch(`${appUrl}/api/auth/session`);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const response = await fetch(`${appUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: {
      cookie: setCookies(session).join('; '),
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  if (response.status !== 200) {
    throw new Error(`Sign-in failed (${response.status}): ${await response.text()}`);
  }
  const sessionCookie = setCookies(response).find((c) => c.startsWith('portico_staff='));
  if (!sessionCookie) throw new Error('Sign-in gave no portico_staff cookie');
  return sessionCookie;
}

/**
 * What a staff member's day asks for: the console page, the organization list, one
 * organization's contacts, the invoice list and a statement PDF (fonts, pdfkit). Each is
 * checked to answer 200 first, so the load measures the work and not errors.
 */
async function loadRoutes(appUrl: string, cookie: string): Promise<string[]> {
  const list = await fetch(`${appUrl}/api/organizations?sort=name&limit=25`, {
    headers: { cookie },
  });
  const { organizations } = (await list.json()) as { organizations: { id: string }[] };
  const organizationId = organizations[0]?.id;
  if (!organizationId) throw new Error('The demo data holds no organization');
  const routes = [
    '/organizations',
    '/api/auth/session',
    '/api/organizations?sort=name&limit=25',
    `/api/organizations/${organizationId}/contacts?sort=name`,
    '/api/invoices?limit=25',
    `/api/organizations/${organizationId}/statement.pdf`,
  ];
  for (const route of routes) {
    const response = await fetch(appUrl + route, { headers: { cookie } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${route} answered ${response.status}`);
  }
  return routes;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
