import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInWithTemporaryPassword } from '../support/portal-client.js';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { errorOf, staffUserId } from '../support/api-assertions.js';

/**
 * Every list that pages with a cursor, found from the application's route table (so a new
 * list is covered at once), refuses a cursor it did not give out with 400 naming `cursor`:
 * never a 500 from a sort key or id that does not cast.
 */
let testApp: TestApp;
let admin: ApiClient;
let billing: ApiClient;
let portal: ApiClient;
let pawnee: string;
let april: string;
let billingStaff: string;

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  billing = await signedInAs(testApp.app, 'billing');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
  billingStaff = await staffUserId(testApp, 'billing@portico.test');
  // Login histories with a second page: the billing user signs in again, April tries twice.
  await signedInAs(testApp.app, 'billing');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    await new ApiClient(testApp.app, '/api/portal/session').post('/api/portal/sign-in', {
      email: 'aludgate@pawnee-indiana.gov',
      password: 'not her password at all',
    });
  }
  // A contact signed in to the portal, for the portal's lists: every portal permission in
  // each of her organizations, so no list refuses her before reading its cursor.
  await testApp.database.pool.query(
    `UPDATE contact_organizations
        SET access_profile_id = (SELECT id FROM access_profiles WHERE name = 'Billing Admin')
      WHERE contact_id = (SELECT id FROM contacts WHERE email = 'lknope@pawnee-indiana.gov')`,
  );
  portal = await signedInWithTemporaryPassword(testApp, admin, 'lknope@pawnee-indiana.gov');
  // Two messages to April for Pawnee (two senders, so neither is taken for a double click),
  // so both email histories have a second page.
  for (const sender of [admin, billing]) {
    const sent = await sender.post(`/api/contacts/${april}/emails`, {
      organizationId: pawnee,
      kind: 'welcome',
    });
    expect(sent.statusCode, sent.body).toBe(202);
  }
});
afterAll(async () => testApp.close());

interface ZodLike {
  _zod: { def: { type: string; shape?: Record<string, unknown>; in?: unknown } };
}

/** Whether a route's query schema takes a `cursor`. */
function takesCursor(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object' || !('_zod' in schema)) return false;
  const def = (schema as ZodLike)._zod.def;
  if (def.type === 'pipe') return takesCursor(def.in);
  return def.type === 'object' && def.shape !== undefined && 'cursor' in def.shape;
}

/**
 * The list's URL with its placeholders filled: Pawnee for organizations, April for contacts,
 * the billing user for staff users.
 */
function listUrl(url: string): string {
  if (url.startsWith('/api/staff-users/')) return url.replace(':id', billingStaff);
  return url.replace(':id', url.startsWith('/api/contacts/') ? april : pawnee);
}

/** Lists that need more than a cursor: what each is asked for besides it. */
const requiredQuery: Record<string, string> = {
  // A day of the Payments Calendar: its AutoPay charges, a page at a time.
  '/api/payments-calendar/day': 'date=2026-12-15&',
};
const withQuery = (url: string, query: string) => `${url}?${requiredQuery[url] ?? ''}${query}`;

const clientFor = (url: string) => (url.startsWith('/api/portal/') ? portal : admin);

const base64 = (text: string) => Buffer.from(text).toString('base64url');

describe('keyset cursors on every list', () => {
  it('refuse crafted cursors with 400 naming cursor', async () => {
    const lists = testApp.app.routeTable
      .filter((route) => route.method === 'GET' && takesCursor(route.schema.querystring))
      .map((route) => listUrl(route.url));
    // The lists this was written against; more are fine.
    for (const known of [
      '/api/organizations',
      `/api/organizations/${pawnee}/contacts`,
      `/api/organizations/${pawnee}/emails`,
      `/api/contacts/${april}/emails`,
      '/api/invoices',
      `/api/contacts/${april}/login-history`,
      `/api/staff-users/${billingStaff}/login-history`,
    ]) {
      expect(lists).toContain(known);
    }

    // A real cursor from each list (its first page of one row), to replay elsewhere and to
    // tamper with.
    const real = new Map<string, string>();
    for (const url of lists) {
      const page = await clientFor(url).get(withQuery(url, 'limit=1'));
      expect(page.statusCode, `${url}: ${page.body}`).toBe(200);
      const next = page.json<{ nextCursor?: string | null }>().nextCursor;
      if (next) real.set(url, next);
    }
    for (const url of [
      `/api/organizations/${pawnee}/emails`,
      `/api/contacts/${april}/emails`,
      `/api/contacts/${april}/login-history`,
      `/api/staff-users/${billingStaff}/login-history`,
    ]) {
      expect(real.has(url), `${url} gave a cursor`).toBe(true);
    }

    const failures: string[] = [];
    for (const url of lists) {
      const crafted = [
        'garbage!!',
        base64('not json'),
        base64('{"a":1}'),
        base64('[1,2,3]'),
        base64('["emails","2026-11-22 17:15:58+00"]'),
        base64(JSON.stringify(['emails', 'not a time', '0b9f6a56-2f6c-4c1e-9a43-3f1e6b2d1c9a'])),
        base64(JSON.stringify(['emails', '2026-11-22 17:15:58+00', '-'.repeat(36)])),
        ...[...real].filter(([other]) => other !== url).map(([, cursor]) => cursor),
      ];
      // This list's own cursor with its sort key or id replaced.
      const own = real.get(url);
      const decoded: unknown = own ? JSON.parse(Buffer.from(own, 'base64url').toString()) : null;
      if (Array.isArray(decoded) && decoded.length === 3) {
        const [scope, sortKey, id] = decoded as [string, string, string];
        crafted.push(
          base64(JSON.stringify([scope, 'nul\u0000', id])),
          base64(JSON.stringify([scope, sortKey, '-'.repeat(36)])),
          base64(JSON.stringify([scope, sortKey, 'g'.repeat(36)])),
          base64(JSON.stringify([scope, 42, id])),
        );
        // A sort key of the wrong type for this list: any text is a place in a list sorted
        // by name, but not in one sorted by time or date, or by several keys.
        if (/^\d{4}-\d{2}-\d{2}/.test(sortKey)) {
          crafted.push(
            base64(JSON.stringify([scope, 'garbage', id])),
            base64(
              JSON.stringify([scope, sortKey.replace(/^\d{4}-\d{2}-\d{2}/, '2026-13-45'), id]),
            ),
          );
        } else if (sortKey.startsWith('[')) {
          const keys = JSON.parse(sortKey) as string[];
          crafted.push(
            base64(JSON.stringify([scope, 'garbage', id])),
            base64(JSON.stringify([scope, JSON.stringify([...keys, 'extra']), id])),
            base64(JSON.stringify([scope, JSON.stringify(keys.map(() => 7)), id])),
          );
        }
      }
      for (const cursor of crafted) {
        const response = await clientFor(url).get(
          withQuery(url, `cursor=${encodeURIComponent(cursor)}`),
        );
        const fields =
          response.statusCode === 400 ? errorOf(response).fields.map((f) => f.field) : [];
        if (!fields.includes('cursor')) {
          failures.push(`${url} cursor=${cursor}: ${response.statusCode} ${response.body}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
