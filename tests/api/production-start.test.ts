import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  startCommand,
  startPortico,
  type PorticoProcess,
} from '../support/portico-process.js';

const repository = path.resolve(import.meta.dirname, '../..');
const webDist = path.join(repository, 'web', 'dist');

interface ManifestChunk {
  file: string;
  src?: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

/**
 * Every file a page of the built web app loads: its entry, what it imports, their CSS; with
 * `lazy: false`, only what the page loads at once (what its HTML names), not the chunks it
 * imports later on demand (Stripe's payment form, loaded only while Stripe runs).
 */
function filesOfPage(page: string, options: { lazy: boolean } = { lazy: true }): string[] {
  const manifest = JSON.parse(
    readFileSync(path.join(webDist, '.vite', 'manifest.json'), 'utf8'),
  ) as Record<string, ManifestChunk>;
  expect(manifest[page], `the manifest has no ${page}`).toBeDefined();
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key]!;
    if (files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    const lazy = options.lazy ? (chunk.dynamicImports ?? []) : [];
    for (const next of [...(chunk.imports ?? []), ...lazy]) visit(next);
  };
  visit(page);
  return [...files];
}

/** The source modules a built script holds, as repository paths, from its source map. */
function modulesOf(file: string): string[] {
  const mapFile = path.join(webDist, `${file}.map`);
  // The bundler's own runtime (module loading glue) is the one script built from no module.
  if (!existsSync(mapFile) && /^assets\/rolldown-runtime-[\w-]+\.js$/.test(file)) return [];
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[] };
  return map.sources.map((source) =>
    path.relative(repository, path.resolve(path.dirname(mapFile), source)),
  );
}

/** The script and style URLs an HTML page asks the browser for. */
function urlsInHtml(page: string): string[] {
  const html = readFileSync(path.join(webDist, page), 'utf8');
  return [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((match) => match[1]!);
}

/** True for the staff console's own code: its pages, its router and layout, its entry. */
function isConsoleModule(module: string): boolean {
  return (
    module.startsWith('web/src/features/') ||
    module === 'web/src/main.tsx' ||
    (module.startsWith('web/src/app/') && module !== 'web/src/app/base-providers.tsx')
  );
}

describe('the built web app', () => {
  it('gives the portal a page of its own that loads none of the console', () => {
    const portalFiles = filesOfPage('portal/index.html');
    // What the portal's HTML asks for is exactly what the manifest says the page loads at once.
    expect(urlsInHtml('portal/index.html').sort()).toEqual(
      filesOfPage('portal/index.html', { lazy: false }).sort(),
    );
    const portalModules = portalFiles.filter((f) => f.endsWith('.js')).flatMap(modulesOf);
    expect(portalModules).toContain('web/src/portal/pages/sign-in-page.tsx');
    expect(portalModules).toContain('web/src/portal/pages/invoice-pages.tsx');
    expect(portalModules.filter(isConsoleModule)).toEqual([]);

    // The console is whole (its pages are there) and carries no portal page either.
    const consoleModules = filesOfPage('index.html')
      .filter((f) => f.endsWith('.js'))
      .flatMap(modulesOf);
    expect(consoleModules).toContain('web/src/features/organizations/organizations-page.tsx');
    expect(consoleModules).toContain('web/src/features/invoices/invoices-page.tsx');
    expect(consoleModules.filter((m) => m.startsWith('web/src/portal/pages/'))).toEqual([]);
  });
});

describe('npm start', () => {
  const running: PorticoProcess[] = [];
  const folders: string[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((portico) => portico.stop()));
    await Promise.all(folders.splice(0).map((f) => rm(f, { recursive: true, force: true })));
  });

  it('builds, then runs the compiled server with plain node', () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(repository, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const steps = scripts.start!.split('&&').map((step) => step.trim());
    expect(steps).toEqual(['npm run build --silent', 'node dist/src/main.js']);
    expect(scripts.build).toContain('npm run build:server');
    expect(scripts['build:server']).toBe('tsc -p tsconfig.build.json');
  });

  it(
    'serves with a node process and PostgreSQL only: no tsx, no esbuild',
    { timeout: 120_000 },
    async () => {
      const folder = await mkdtemp(path.join(tmpdir(), 'portico-production-'));
      folders.push(folder);
      const [web, postgres] = await Promise.all([freePort(), freePort()]);
      const portico = startPortico({
        DATA_DIR: path.join(folder, 'data'),
        PORT: String(web),
        EMBEDDED_PG_PORT: String(postgres),
      });
      running.push(portico);
      await portico.waitFor('Portico is running');

      const server = portico.child.pid!;
      expect(commandLine(server)).toEqual([process.execPath, ...startCommand().args]);
      expect(commandLine(server)).toEqual([process.execPath, 'dist/src/main.js']);
      const everything = [server, ...descendants(server)].map((pid) => ({
        pid,
        name: processName(pid),
        command: commandLine(pid).join(' '),
      }));
      expect(everything.filter((p) => /tsx|esbuild/.test(p.command))).toEqual([]);
      // Nothing else runs beside it but its PostgreSQL server.
      expect(everything.filter((p) => p.pid !== server && p.name !== 'postgres')).toEqual([]);
      expect(everything.some((p) => p.name === 'postgres')).toBe(true);

      // The compiled server finds the migrations (it answers from the database) and both pages.
      const session = await fetch(`http://127.0.0.1:${web}/api/auth/session`);
      expect(session.status).toBe(200);
      const portalPage = await (await fetch(`http://127.0.0.1:${web}/portal/sign-in`)).text();
      expect(portalPage).toContain(`/${filesOfPage('portal/index.html')[0]}`);
      const consolePage = await (await fetch(`http://127.0.0.1:${web}/organizations`)).text();
      expect(consolePage).toContain(`/${filesOfPage('index.html')[0]}`);
    },
  );
});

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function processName(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/** Every process started under `root`, read from each process's parent id in /proc. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // It ended while the list was read.
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
