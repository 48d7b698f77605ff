import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  isListening,
  runCli,
  startPortico,
  type PorticoProcess,
} from '../support/portico-process.js';

// Each test starts the real `npm start` process (embedded PostgreSQL included), one or twice.
const slow = { timeout: 120_000 };

const running: PorticoProcess[] = [];
const folders: string[] = [];

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'portico-start-'));
  // mkdtemp makes it private (0700); open it as a clone in /srv or /home would be.
  await chmod(folder, 0o755);
  folders.push(folder);
  return folder;
}

function start(env: Record<string, string>, cwd?: string): PorticoProcess {
  const started = startPortico(env, { cwd });
  running.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((process) => process.stop()));
  await Promise.all(folders.splice(0).map((f) => rm(f, { recursive: true, force: true })));
});

/** The lines a person reads when the start fails: what stderr and stdout said, trimmed. */
function failureLines(process: PorticoProcess): string[] {
  return process
    .output()
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

describe('npm start', () => {
  it(
    'refuses a second start on a data folder in use with one sentence, and the first keeps running',
    slow,
    async () => {
      const dataDir = path.join(await tempFolder(), 'data');
      const [webA, pgA, webB, pgB] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
        freePort(),
      ]);
      const first = start({ DATA_DIR: dataDir, PORT: String(webA), EMBEDDED_PG_PORT: String(pgA) });
      await first.waitFor('Portico is running');

      const second = start({
        DATA_DIR: dataDir,
        PORT: String(webB),
        EMBEDDED_PG_PORT: String(pgB),
      });
      expect(await second.exited).toBe(1);
      const lines = failureLines(second);
      expect(lines, lines.join('\n')).toHaveLength(1);
      expect(lines[0]).not.toContain('undefined');
      expect(lines[0]).toMatch(/^Portico could not start: /);
      expect(lines[0]).toContain('already running');
      expect(lines[0]).toContain(path.join(dataDir, 'postgres'));
      expect(lines[0]).toMatch(/stop it|DATA_DIR/);
      // Nothing of the second start is left, and the first still answers.
      expect(await isListening(webB)).toBe(false);
      expect(await isListening(pgB)).toBe(false);
      const session = await fetch(`http://127.0.0.1:${webA}/api/auth/session`);
      expect(session.status).toBe(200);
    },
  );

  it('stops its own database and names the port when the web port is taken', slow, async () => {
    const [web, pgA, pgB] = await Promise.all([freePort(), freePort(), freePort()]);
    const first = start({
      DATA_DIR: path.join(await tempFolder(), 'data'),
      PORT: String(web),
      EMBEDDED_PG_PORT: String(pgA),
    });
    await first.waitFor('Portico is running');

    const secondDataDir = path.join(await tempFolder(), 'data');
    const second = start({
      DATA_DIR: secondDataDir,
      PORT: String(web),
      EMBEDDED_PG_PORT: String(pgB),
    });
    expect(await second.exited).toBe(1);
    const lines = failureLines(second);
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(/^Portico could not start: /);
    expect(lines[0]).toContain(`port ${web}`);
    expect(lines[0]).toContain('PORT');
    // Its embedded PostgreSQL was stopped again: nothing listens, no lock file is left.
    expect(await isListening(pgB)).toBe(false);
    expect(existsSync(path.join(secondDataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, with a data folder the postgres user cannot enter, says where the database went',
    slow,
    async () => {
      const privateParent = await tempFolder();
      await chmod(privateParent, 0o700);
      const dataDir = path.join(privateParent, 'data');
      const portico = start({
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(await freePort()),
      });
      await portico.waitFor('Portico is running');
      const where = /PostgreSQL keeps its files in (\S+) /.exec(portico.output())?.[1];
      expect(where, portico.output()).toBeTruthy();
      folders.push(path.dirname(where!));
      expect(where!.startsWith(privateParent)).toBe(false);
      const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      expect(statSync(where!).uid).toBe(postgresUid);
      expect(existsSync(path.join(where!, 'PG_VERSION'))).toBe(true);
      expect(await portico.stop()).toBe(0);

      // The next start finds the same cluster (the demo data is there: no "created").
      const again = start({
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(await freePort()),
      });
      await again.waitFor('Portico is running');
      expect(again.output()).toContain(`PostgreSQL keeps its files in ${where} `);
      expect(again.output()).toContain('Demo staff sign-in:');
    },
  );

  it.runIf(process.getuid?.() === 0)(
    "as root, in a clone inside a private folder (root's home, say), runs and says where PostgreSQL went",
    slow,
    async () => {
      // A built clone (dist/, as npm start leaves it) in a folder only root may enter: its
      // node_modules (hard links: instant) too.
      const privateParent = await tempFolder();
      await chmod(privateParent, 0o700);
      const clone = path.join(privateParent, 'portico');
      const repository = path.resolve(import.meta.dirname, '../..');
      await mkdir(clone);
      for (const entry of ['dist', 'drizzle', 'package.json']) {
        await cp(path.join(repository, entry), path.join(clone, entry), { recursive: true });
      }
      execFileSync('cp', ['-al', path.join(repository, 'node_modules'), clone]);
      const env = async () => ({
        DATA_DIR: path.join(clone, 'data'),
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(await freePort()),
      });

      const portico = start(await env(), clone);
      await portico.waitFor('Portico is running');
      const said = /PostgreSQL keeps its files in (\S+) \((.+)\)/.exec(portico.output());
      expect(said, portico.output()).toBeTruthy();
      const [, where, why] = said!;
      folders.push(path.dirname(where!));
      expect(where!.startsWith(privateParent)).toBe(false);
      expect(why).toContain('programs run from /var/lib/portico/postgresql-');
      expect(await portico.stop()).toBe(0);

      // The next start finds the same cluster, and the copied programs.
      const again = start(await env(), clone);
      await again.waitFor('Portico is running');
      expect(again.output()).toContain(`PostgreSQL keeps its files in ${where} `);
      expect(again.output()).toContain('Demo staff sign-in:');
    },
  );

  it(
    'without demo data and without staff users, says how to create the first staff user',
    slow,
    async () => {
      const portico = start({
        DATA_DIR: path.join(await tempFolder(), 'data'),
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(await freePort()),
        SEED_DEMO: 'false',
      });
      await portico.waitFor('Press Ctrl-C to stop.');
      expect(portico.output()).toContain('No staff user exists yet');
      expect(portico.output()).toContain(
        'npm run portico -- staff:create --email you@example.com --name "Your Name" --role master_admin',
      );
    },
  );

  it(
    "runs the hint's staff:create in a second terminal while Portico runs, and the new user signs in",
    slow,
    async () => {
      const env = {
        DATA_DIR: path.join(await tempFolder(), 'data'),
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(await freePort()),
        SEED_DEMO: 'false',
      };
      const portico = start(env);
      await portico.waitFor('Press Ctrl-C to stop.');
      expect(portico.output()).toContain('No staff user exists yet');

      // The command the hint prints, with the same environment, while Portico keeps running.
      const user = { email: 'first@example.com', password: 'first admin of portico' };
      const create = runCli(
        [
          'staff:create',
          '--email',
          user.email,
          '--name',
          'First Admin',
          '--role',
          'master_admin',
          '--password',
          user.password,
        ],
        env,
      );
      expect(await create.exited, create.output()).toBe(0);
      expect(create.output()).toContain(`Created staff user ${user.email} (master_admin).`);

      // The running Portico knows the user at once: the database is the one it uses.
      const base = `http://127.0.0.1:${env.PORT}`;
      const csrf = await fetch(`${base}/api/auth/csrf`);
      const cookie = csrf.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const signIn = await fetch(`${base}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie },
        body: JSON.stringify(user),
      });
      expect(signIn.status, await signIn.clone().text()).toBe(200);
      expect(((await signIn.json()) as { user: { email: string } }).user.email).toBe(user.email);
      // Portico's database is still up: the command left the server it found running.
      expect(await isListening(Number(env.EMBEDDED_PG_PORT))).toBe(true);
      expect((await fetch(`${base}/api/auth/session`)).status).toBe(200);
    },
  );
});
