import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startPortico, type PorticoProcess } from '../support/portico-process.js';
import { createTestDatabase } from '../support/test-database.js';

let folder = '';
const running: PorticoProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** A staff user's browser, over real HTTP: cookies kept, the CSRF token sent on changes. */
class StaffBrowser {
  private cookies = new Map<string, string>();
  private csrf = '';

  constructor(private readonly base: string) {}

  async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrf }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      this.cookies.set(name!, value.join('='));
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async signIn(email: string, password: string) {
    this.csrf = (await this.call<{ csrfToken: string }>('GET', '/api/auth/session')).csrfToken;
    await this.call('POST', '/api/auth/sign-in', { email, password });
    this.csrf = (await this.call<{ csrfToken: string }>('GET', '/api/auth/session')).csrfToken;
  }

  /**
   * Sends an organization's Account Summary from the console and answers the hrefs of the
   * message that arrives in the local mailbox.
   */
  async accountSummaryLinks(organizationName: string, toContact?: string): Promise<string[]> {
    const { organizations } = await this.call<{ organizations: { id: string; name: string }[] }>(
      'GET',
      `/api/organizations?q=${encodeURIComponent(organizationName)}`,
    );
    const organization = organizations.find((o) => o.name === organizationName)!;
    type Mailbox = { messages: { id: number; subject: string }[] };
    const before = (await this.call<Mailbox>('GET', '/api/local-mailbox')).messages.length;
    if (toContact) {
      // To one contact (the contact's Email menu): not the same email as the organization's.
      const { contacts } = await this.call<{ contacts: { id: string; email: string }[] }>(
        'GET',
        `/api/organizations/${organization.id}/contacts`,
      );
      const contact = contacts.find((c) => c.email === toContact)!;
      await this.call('POST', `/api/contacts/${contact.id}/emails`, {
        organizationId: organization.id,
        kind: 'account_summary',
      });
    } else {
      await this.call('POST', `/api/organizations/${organization.id}/send-account-summary`, {});
    }
    let html = '';
    await expect
      .poll(
        async () => {
          const { messages } = await this.call<Mailbox>('GET', '/api/local-mailbox');
          const arrived = messages.find(
            (m, index) => index < messages.length - before && m.subject.includes(organizationName),
          );
          if (!arrived) return false;
          html = (
            await this.call<{ message: { html: string } }>(
              'GET',
              `/api/local-mailbox/${arrived.id}`,
            )
          ).message.html;
          return true;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);
    // Where each link leads, without its query (the ?org= parameter is email-links.test's).
    return [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.split('?')[0]!);
  }
}

async function startOn(dataDir: string, port: number, pgPort: number) {
  const portico = startPortico({
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
  });
  running.push(portico);
  await portico.waitFor('Portico is running');
  const browser = new StaffBrowser(`http://127.0.0.1:${port}`);
  await browser.signIn('admin@portico.test', 'portico-admin-demo');
  return { portico, browser };
}

describe('links in emails', () => {
  it(
    'follow the port of each start, and a portal URL a staff user set in Branding wins',
    { timeout: 120_000 },
    async () => {
      folder = await mkdtemp(path.join(tmpdir(), 'portico-public-url-'));
      await chmod(folder, 0o755);
      const dataDir = path.join(folder, 'data');
      const pgPort = await freePort();

      const firstPort = await freePort();
      const first = await startOn(dataDir, firstPort, pgPort);
      expect(await first.browser.accountSummaryLinks('Pawnee Parks Dept.')).toContain(
        `http://localhost:${firstPort}/portal`,
      );
      expect(await first.portico.stop()).toBe(0);

      // The same data folder on another port: the links move with it.
      const secondPort = await freePort();
      const second = await startOn(dataDir, secondPort, pgPort);
      const links = await second.browser.accountSummaryLinks('Demo Company');
      expect(links).toContain(`http://localhost:${secondPort}/portal`);
      expect(links.join(' ')).not.toContain(`:${firstPort}`);

      // Branding's portal URL, set on purpose, overrides the address of the start.
      const { branding, defaultPortalUrl } = await second.browser.call<{
        branding: Record<string, unknown>;
        defaultPortalUrl: string;
      }>('GET', '/api/settings/branding');
      // Configuration > Branding shows no Portal URL of its own, and the address in force.
      expect(branding.portalUrl).toBe('');
      expect(defaultPortalUrl).toBe(`http://localhost:${secondPort}/portal`);
      await second.browser.call('PUT', '/api/settings/branding', {
        mspName: branding.mspName,
        logoUrl: branding.logoUrl,
        brandColor: branding.brandColor,
        supportEmail: branding.supportEmail,
        supportPhone: branding.supportPhone,
        portalUrl: 'https://billing.northwind.example/portal',
      });
      // (To one contact: the same organization's summary twice within 10 seconds is one email.)
      const overridden = await second.browser.accountSummaryLinks(
        'Pawnee Parks Dept.',
        'lknope@pawnee-indiana.gov',
      );
      expect(overridden).toContain('https://billing.northwind.example/portal');
      expect(overridden.join(' ')).not.toContain('localhost');
    },
  );

  it(
    'PUBLIC_URL sets the address links use when Portico sits behind a proxy',
    { timeout: 120_000 },
    async () => {
      const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'portico-public-url-')), 'data');
      await chmod(path.dirname(dataDir), 0o755);
      const port = await freePort();
      const portico = startPortico({
        DATA_DIR: dataDir,
        PORT: String(port),
        EMBEDDED_PG_PORT: String(await freePort()),
        PUBLIC_URL: 'https://portico.northwind.example/',
      });
      running.push(portico);
      await portico.waitFor('Portico is running');
      const browser = new StaffBrowser(`http://127.0.0.1:${port}`);
      await browser.signIn('admin@portico.test', 'portico-admin-demo');
      expect(await browser.accountSummaryLinks('Pawnee Parks Dept.')).toContain(
        'https://portico.northwind.example/portal',
      );
      await portico.stop();
      await rm(path.dirname(dataDir), { recursive: true, force: true });
    },
  );
});

describe('the migration for the portal URL', () => {
  it('clears a portal URL the demo seed stored, and keeps one a staff user set', async () => {
    const migrations = path.resolve(import.meta.dirname, '../../drizzle');
    const journal = JSON.parse(await readFile(path.join(migrations, 'meta/_journal.json'), 'utf8'));
    const tag = (journal.entries as { tag: string }[])
      .map((e) => e.tag)
      .find((t) => t.endsWith('_portal-url-follows-public-url'));
    expect(tag, 'a migration named *_portal-url-follows-public-url').toBeTruthy();
    const sql = await readFile(path.join(migrations, `${tag}.sql`), 'utf8');
    const statements = sql.split('--> statement-breakpoint');

    const database = await createTestDatabase();
    try {
      const run = async () => {
        for (const statement of statements) await database.pool.query(statement);
        return (await database.pool.query('SELECT portal_url FROM settings')).rows[0].portal_url;
      };
      // Seeded by an earlier version on port 4123, never touched in Configuration > Branding.
      await database.pool.query(`UPDATE settings SET portal_url = 'http://localhost:4123/portal'`);
      expect(await run()).toBe('');

      // The same address, but entered by a staff user (the audit log says so): kept.
      await database.pool.query(`UPDATE settings SET portal_url = 'http://localhost:4123/portal'`);
      await database.pool.query(
        `INSERT INTO audit_events (actor_kind, actor_label, action, entity_type, entity_id, before, after)
         VALUES ('staff', 'Admin', 'settings.branding_updated', 'settings', '1',
                 '{"portalUrl": "http://localhost:3000/portal"}', '{"portalUrl": "http://localhost:4123/portal"}')`,
      );
      expect(await run()).toBe('http://localhost:4123/portal');
    } finally {
      await database.drop();
    }
  });
});
