import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInWithTemporaryPassword } from '../support/portal-client.js';
import type { LightMyRequestResponse } from 'fastify';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';

/**
 * Text JavaScript can hold but UTF-8 (and so PostgreSQL and JSON) cannot: a lone UTF-16
 * surrogate, as a JSON body may carry it with a "\ud800" escape. Every JSON route refuses it
 * with 400 naming the field, and nothing is stored. The routes come from the application's
 * route table, so a route added later is covered without touching this file.
 */
const loneSurrogate = '\ud800x';

let testApp: TestApp;
let admin: ApiClient;
let portal: ApiClient;
let before: Record<string, unknown[]>;

/** Every table, apart from what reading and signing in write (sessions, attempts, the queue). */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const tables = await testApp.database.pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        AND table_name NOT LIKE '%sessions' AND table_name NOT LIKE '%login_attempts'
        AND table_name NOT LIKE '%drizzle%'
      ORDER BY table_name`,
  );
  const result: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    // Ordered by the whole row: rows alike in their first column (a contact's organizations
    // made in one statement) come back in any order otherwise.
    result[name] = (
      await testApp.database.pool.query(`SELECT * FROM "${name}" t ORDER BY t::text`)
    ).rows;
  }
  return result;
}

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  // Every portal permission, in each of her organizations: a route refuses a contact without
  // its permission (403) before it reads the body, and the body is what this test is about.
  await testApp.database.pool.query(
    `UPDATE contact_organizations
        SET access_profile_id = (SELECT id FROM access_profiles WHERE name = 'Billing Admin')
      WHERE contact_id = (SELECT id FROM contacts WHERE email = 'lknope@pawnee-indiana.gov')`,
  );
  // A contact with a password of their own, signed in to the portal.
  portal = await signedInWithTemporaryPassword(testApp, admin, 'lknope@pawnee-indiana.gov');
  await organizationId(testApp, 'Pawnee Parks Dept.');
  before = await snapshot();
});
afterAll(async () => testApp.close());

interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string } };
}

/**
 * The paths of the text fields a zod schema takes (dot-separated, arrays at index 0), as a
 * client would fill them. Wrappers (optional, nullable, default, pipe) are seen through.
 */
function textPaths(schema: unknown, path: string[] = []): string[][] {
  if (!schema || typeof schema !== 'object' || !('_zod' in schema)) return [];
  const def = (schema as ZodLike)._zod.def;
  switch (def.type) {
    case 'string':
      return [path];
    case 'object':
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([key, value]) =>
        textPaths(value, [...path, key]),
      );
    case 'array':
      return textPaths(def.element, [...path, '0']);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return textPaths(def.innerType, path);
    case 'pipe':
      return textPaths(def.in, path);
    case 'union': {
      const found = (def.options as unknown[]).map((option) => textPaths(option, path));
      return found.find((paths) => paths.length > 0) ?? [];
    }
    default:
      return [];
  }
}

/** A body holding only the bad text, at the given path. */
function bodyWith(path: string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return loneSurrogate;
  if (/^\d+$/.test(head)) return [bodyWith(rest)];
  return { [head]: bodyWith(rest) };
}

/** Some uuid for each path placeholder: the text is refused before any id is looked at. */
const fillParams = (url: string) =>
  url.replace(/:\w+/g, () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f');

describe('a lone UTF-16 surrogate in a JSON body', () => {
  it('is refused with 400 naming the field, on every route that takes text', async () => {
    const cases = testApp.app.routeTable
      .filter((route) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method))
      .flatMap((route) => textPaths(route.schema.body).map((path) => ({ route, path })));
    // Sanity: the route table is read, and the text fields are found through the wrappers.
    expect(cases.length).toBeGreaterThan(40);
    expect(cases.map((c) => `${c.route.url} ${c.path.join('.')}`)).toContain(
      '/api/organizations/:id/notes notes',
    );

    const failures: string[] = [];
    for (const { route, path } of cases) {
      // Its guard wants a session whose TOTP code is due; it answers first, saying nothing
      // about the body (the check below runs for it all the same: it is one hook for all).
      if (route.url === '/api/auth/sign-in/totp') continue;
      const client = route.url.startsWith('/api/portal/') ? portal : admin;
      const field = path.join('.');
      const response: LightMyRequestResponse = await client.request(
        route.method as 'POST',
        fillParams(route.url),
        bodyWith(path),
      );
      const named = response.statusCode === 400 ? errorOf(response).fields.map((f) => f.field) : [];
      if (response.statusCode !== 400 || !named.includes(field)) {
        failures.push(
          `${route.method} ${route.url} ${field}: ${response.statusCode} ${response.body}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('is refused in complete, otherwise valid requests (which once failed on the audit row)', async () => {
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
    const branding = (await admin.get('/api/settings/branding')).json().branding;
    const categories = (await admin.get('/api/service-categories')).json();
    const category = categories.serviceCategories[0];
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/organizations', { name: `Pawnee ${loneSurrogate}` }, 'name'],
      ['PATCH', `/api/organizations/${pawnee}`, { city: loneSurrogate }, 'city'],
      ['PUT', `/api/organizations/${pawnee}/notes`, { notes: loneSurrogate }, 'notes'],
      [
        'POST',
        `/api/organizations/${pawnee}/contacts`,
        { name: loneSurrogate, email: 'lone@example.com', accessProfileId: null },
        'name',
      ],
      [
        'PUT',
        '/api/settings/branding',
        {
          mspName: branding.mspName || 'MSP',
          logoUrl: branding.logoUrl,
          brandColor: branding.brandColor || '#1c7ed6',
          supportEmail: branding.supportEmail,
          supportPhone: loneSurrogate,
          portalUrl: branding.portalUrl || 'https://portal.example.com',
        },
        'supportPhone',
      ],
      [
        'POST',
        '/api/invoices',
        {
          organizationId: pawnee,
          issueDate: '2026-11-02',
          terms: 'Net 30',
          serviceCategoryId: category.id,
          taxRateId: null,
          memo: `Thanks ${loneSurrogate}`,
          lines: [{ description: 'Support', quantity: '1', unitPriceCents: 100, taxable: false }],
        },
        'memo',
      ],
    ];
    for (const [method, url, body, field] of cases) {
      const response = await admin.request(method as 'POST', url, body);
      expectFieldErrors(response, [field]);
      expect(errorOf(response).fields.map((f) => f.field)).toEqual([field]);
    }
  });

  it('is named wherever it sits: a nested field, an array element, a key', async () => {
    const contact = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
    const nested = await admin.put(`/api/contacts/${contact}`, {
      name: 'April',
      email: 'aludgate@pawnee-indiana.gov',
      relations: [{ organizationId: 'x', accessProfileId: null }, { note: ['ok', loneSurrogate] }],
    });
    expectFieldErrors(nested, ['relations.1.note.1']);
    const key = await admin.post('/api/organizations', { name: 'Ok', [loneSurrogate]: 'x' });
    expect(key.statusCode, key.body).toBe(400);
    expect(errorOf(key).code).toBe('validation');
  });

  it('changed nothing in the database', async () => {
    const after = await snapshot();
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
  });
});
