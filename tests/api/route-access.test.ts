import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { RegisteredRoute } from '../../src/platform/http/app.js';
import type { RouteAccess } from '../../src/platform/http/route-access.js';
import { capabilitiesOf, type StaffCapability } from '../../src/modules/staff/staff-roles.js';
import { portalPermissions } from '../../src/modules/access-profiles/access-profiles.schema.js';
import { emailTemplateKeys } from '../../src/modules/email/templates/index.js';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type DemoRole,
  type TestApp,
} from '../support/test-app.js';
import { databaseSnapshot, errorOf } from '../support/api-assertions.js';

/**
 * Every /api route, read from the application's route table, checked against the access policy
 * it declares (src/platform/http/route-access.ts): a route added later is checked without
 * touching this file, and a route that declares no policy fails the first test.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Guarded<Audience extends RouteAccess['audience']> = RegisteredRoute & {
  access: Extract<RouteAccess, { audience: Audience }>;
};

let testApp: TestApp;
let routes: RegisteredRoute[];
let staff: Record<DemoRole, ApiClient>;
/** A contact of organization A (Pawnee) whose profile the tests change. */
let portal: ApiClient;
let profileId: string;
const ids = { orgA: '', orgB: '', invoiceA: '', invoiceB: '' };

/** A valid value for each path parameter: guards and schemas answer before any lookup. */
const exampleParams: Record<string, () => string> = {
  id: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  contactId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  organizationId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  attachmentId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  paymentId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  methodId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  refundId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  scheduledPaymentId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  ticketId: () => '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f',
  key: () => emailTemplateKeys[0]!,
};

function urlOf(route: RegisteredRoute, params: Record<string, string> = {}): string {
  return route.url.replace(/:(\w+)/g, (_, name: string) => {
    const example = params[name] ?? exampleParams[name]?.();
    if (example === undefined) throw new Error(`${label(route)}: add an example for :${name}`);
    return example;
  });
}

const label = (route: RegisteredRoute) => `${route.method} ${route.url}`;
const changes = (route: RegisteredRoute) => route.method !== 'GET';
const is =
  <Audience extends RouteAccess['audience']>(audience: Audience) =>
  (route: RegisteredRoute): route is Guarded<Audience> =>
    route.access?.audience === audience;

function send(client: ApiClient, route: RegisteredRoute, body?: unknown, url = urlOf(route)) {
  return client.request(route.method as Method, url, changes(route) ? (body ?? {}) : undefined);
}

/** Collects "route: status body" for each answer that is not the expected status and code. */
async function refusals(
  client: ApiClient,
  selected: RegisteredRoute[],
  status: number,
  code: string,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const route of selected) {
    const response = await send(client, route);
    if (response.statusCode !== status || errorOf(response).code !== code) {
      wrong.push(`${label(route)}: ${response.statusCode} ${response.body.slice(0, 200)}`);
    }
  }
  return wrong;
}

interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string } };
}

/** The first key of an object schema, seen through wrappers; undefined for other schemas. */
function firstKey(schema: unknown): string | undefined {
  if (!schema || typeof schema !== 'object' || !('_zod' in schema)) return undefined;
  const def = (schema as ZodLike)._zod.def;
  if (def.type === 'object') return Object.keys(def.shape as Record<string, unknown>)[0];
  if (def.type === 'pipe') return firstKey(def.in);
  if ('innerType' in def) return firstKey(def.innerType);
  return undefined;
}

async function signInContact(email: string, password: string): Promise<ApiClient> {
  const client = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await client.post('/api/portal/sign-in', { email, password });
  expect(signIn.statusCode, signIn.body).toBe(200);
  return client;
}

beforeAll(async () => {
  testApp = await startTestApp();
  routes = testApp.app.routeTable.filter(
    (route) => route.url.startsWith('/api/') && route.method !== 'HEAD',
  );
  staff = {
    master_admin: await signedInAs(testApp.app, 'master_admin'),
    billing: await signedInAs(testApp.app, 'billing'),
    read_only: await signedInAs(testApp.app, 'read_only'),
  };
  const admin = staff.master_admin;
  ids.orgA = await organizationId(testApp, 'Pawnee Parks Dept.');
  ids.orgB = await organizationId(testApp, 'Demo Company');
  const issued = async (organization: string) =>
    (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM invoices WHERE organization_id = $1 AND state = 'issued' LIMIT 1`,
        [organization],
      )
    ).rows[0]!.id;
  ids.invoiceA = await issued(ids.orgA);
  ids.invoiceB = await issued(ids.orgB);

  // A contact of organization A only, with a profile of its own (every permission to start).
  const profile = await admin.post('/api/access-profiles', {
    name: 'Route Access Check',
    permissions: [...portalPermissions],
  });
  expect(profile.statusCode, profile.body).toBe(201);
  profileId = profile.json().profile?.id ?? profile.json().accessProfile.id;
  const contact = await admin.post(`/api/organizations/${ids.orgA}/contacts`, {
    name: 'Route Check',
    email: 'route.check@pawnee-indiana.gov',
    accessProfileId: profileId,
  });
  expect(contact.statusCode, contact.body).toBe(201);
  const contactId: string = contact.json().contact.id;
  const temporary = await admin.post(`/api/contacts/${contactId}/temporary-password`, {
    password: 'Temporary 12345 x',
  });
  expect(temporary.statusCode, temporary.body).toBe(204);
  portal = await signInContact('route.check@pawnee-indiana.gov', 'Temporary 12345 x');
  const changed = await portal.post('/api/portal/change-password', {
    currentPassword: 'Temporary 12345 x',
    newPassword: 'Lil Sebastian forever 5000',
    newPasswordConfirmation: 'Lil Sebastian forever 5000',
  });
  expect(changed.statusCode, changed.body).toBe(200);
});
afterAll(async () => testApp.close());

describe('the route table', () => {
  it('gives every /api route an access policy', () => {
    expect(routes.length).toBeGreaterThan(80);
    expect(routes.filter((route) => route.access === null).map(label)).toEqual([]);
    // Sanity: each kind of policy is read from its guard.
    expect(routes.filter(is('public')).map(label)).toContain('POST /api/auth/sign-in');
    expect(routes.filter(is('staff')).length).toBeGreaterThan(60);
    expect(routes.filter(is('portal')).length).toBeGreaterThan(10);
  });
});

describe('without a session', () => {
  it('every route but the public ones answers 401, and nothing changes', async () => {
    const anonymous = new ApiClient(testApp.app);
    const guarded = routes.filter((route) => !is('public')(route));
    const before = await databaseSnapshot(testApp);
    expect(await refusals(anonymous, guarded, 401, 'unauthenticated')).toEqual([]);
    expect(await databaseSnapshot(testApp)).toEqual(before);
  });
});

describe('staff roles', () => {
  for (const role of ['billing', 'read_only'] as const) {
    it(`${role}: every staff route needing a capability the role lacks answers 403`, async () => {
      const lacking = routes
        .filter(is('staff'))
        .filter(
          (route) => !capabilitiesOf(role).includes(route.access.capability as StaffCapability),
        );
      expect(lacking.length).toBeGreaterThan(role === 'billing' ? 10 : 30);
      const before = await databaseSnapshot(testApp);
      expect(await refusals(staff[role], lacking, 403, 'forbidden')).toEqual([]);
      expect(await databaseSnapshot(testApp)).toEqual(before);
    });
  }

  it('each role reads every staff route its capabilities allow, refused by no guard', async () => {
    const wrong: string[] = [];
    for (const role of ['master_admin', 'billing', 'read_only'] as const) {
      const allowed = routes
        .filter(is('staff'))
        .filter((route) => !changes(route))
        .filter((route) =>
          capabilitiesOf(role).includes(route.access.capability as StaffCapability),
        );
      for (const route of allowed) {
        const response = await send(staff[role], route);
        // An example id may name nothing (404); a guard's 401 or 403 is the fault.
        if (response.statusCode === 401 || response.statusCode === 403) {
          wrong.push(`${role}, ${label(route)}: ${response.statusCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a staff session is not a portal session: portal routes answer 401', async () => {
    const portalRoutes = routes.filter(is('portal'));
    expect(await refusals(staff.master_admin, portalRoutes, 401, 'unauthenticated')).toEqual([]);
  });

  it('a TOTP step route answers 401 to a staff user already signed in', async () => {
    const pending = routes.filter(is('staff_pending'));
    expect(pending.map(label)).toEqual(['POST /api/auth/sign-in/totp']);
    expect(await refusals(staff.master_admin, pending, 401, 'unauthenticated')).toEqual([]);
  });
});

describe('portal profiles', () => {
  it('a portal session is not a staff session: staff routes answer 401', async () => {
    const staffRoutes = routes.filter((route) => is('staff')(route) || is('staff_pending')(route));
    const before = await databaseSnapshot(testApp);
    expect(await refusals(portal, staffRoutes, 401, 'unauthenticated')).toEqual([]);
    expect(await databaseSnapshot(testApp)).toEqual(before);
  });

  it('a profile lacking a permission gets 403 on each route needing it, and only there', async () => {
    const admin = staff.master_admin;
    const portalRoutes = routes.filter(is('portal')).filter((route) => !changes(route));
    const wrong: string[] = [];
    for (const permission of portalPermissions) {
      const others = portalPermissions.filter((p) => p !== permission);
      const patched = await admin.patch(`/api/access-profiles/${profileId}`, {
        name: 'Route Access Check',
        permissions: others,
      });
      expect(patched.statusCode, patched.body).toBe(200);
      for (const route of portalRoutes) {
        const needs = route.access.permission === permission;
        const response = await send(portal, route, undefined, urlOf(route, { id: ids.invoiceA }));
        const refused = response.statusCode === 403 && errorOf(response).code === 'forbidden';
        if (needs !== refused) {
          wrong.push(`without ${permission}, ${label(route)}: ${response.statusCode}`);
        }
      }
    }
    const restored = await admin.patch(`/api/access-profiles/${profileId}`, {
      name: 'Route Access Check',
      permissions: [...portalPermissions],
    });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(wrong).toEqual([]);
  });

  it('before a temporary password is changed, only the password change is open', async () => {
    const admin = staff.master_admin;
    const contact = await admin.post(`/api/organizations/${ids.orgA}/contacts`, {
      name: 'Route Check Temporary',
      email: 'route.temporary@pawnee-indiana.gov',
      accessProfileId: profileId,
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const temporary = await admin.post(
      `/api/contacts/${contact.json().contact.id}/temporary-password`,
      { password: 'Temporary 12345 y' },
    );
    expect(temporary.statusCode, temporary.body).toBe(204);
    const client = await signInContact('route.temporary@pawnee-indiana.gov', 'Temporary 12345 y');
    const closed = routes
      .filter(is('portal'))
      .filter((route) => !route.access.duringPasswordChange);
    expect(closed.length).toBeGreaterThan(10);
    expect(await refusals(client, closed, 403, 'password_change_required')).toEqual([]);
  });

  it('staff viewing the portal as a contact get 403 on each change not allowed while viewing', async () => {
    const viewer = await signedInAs(testApp.app, 'read_only');
    const contact = await testApp.database.pool.query<{ id: string }>(
      `SELECT id FROM contacts WHERE email = 'route.check@pawnee-indiana.gov'`,
    );
    const opened = await viewer.post(`/api/contacts/${contact.rows[0]!.id}/view-portal`, {
      organizationId: ids.orgA,
    });
    expect(opened.statusCode, opened.body).toBe(200);
    const readOnly = routes
      .filter(is('portal'))
      .filter((route) => changes(route) && !route.access.whileViewing);
    expect(readOnly.map(label)).toContain('POST /api/portal/change-password');
    const before = await databaseSnapshot(testApp);
    expect(await refusals(viewer, readOnly, 403, 'forbidden')).toEqual([]);
    expect(await databaseSnapshot(testApp)).toEqual(before);
  });

  it("another organization's ids are not found", async () => {
    const withId = routes.filter(is('portal')).filter((route) => route.url.includes(':id'));
    expect(withId.length).toBeGreaterThanOrEqual(3);
    const wrong: string[] = [];
    for (const route of withId) {
      const own = await send(portal, route, undefined, urlOf(route, { id: ids.invoiceA }));
      const other = await send(portal, route, undefined, urlOf(route, { id: ids.invoiceB }));
      if (own.statusCode !== 200 || other.statusCode !== 404) {
        wrong.push(`${label(route)}: own ${own.statusCode}, other's ${other.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
    // A body naming another organization: the company switch.
    const switched = await portal.post('/api/portal/switch-organization', {
      organizationId: ids.orgB,
    });
    expect(switched.statusCode, switched.body).toBe(404);
  });
});

/** The signed-in client each kind of route is meant for (a TOTP step has none here). */
function clientFor(route: RegisteredRoute): ApiClient | undefined {
  if (is('staff')(route)) return staff.master_admin;
  if (is('portal')(route)) return portal;
  if (is('public')(route)) return new ApiClient(testApp.app);
  return undefined;
}

describe('state-changing requests', () => {
  it('without a CSRF token answer 403, sign-in included, and change nothing', async () => {
    const changing = routes.filter(changes);
    expect(changing.length).toBeGreaterThan(40);
    const before = await databaseSnapshot(testApp);
    const wrong: string[] = [];
    for (const route of changing) {
      const client = clientFor(route) ?? staff.master_admin;
      const response: LightMyRequestResponse = await testApp.app.inject({
        method: route.method as Method,
        url: urlOf(route),
        headers: { cookie: client.cookieHeader(), 'content-type': 'application/json' },
        payload: '{}',
      });
      if (response.statusCode !== 403 || !/CSRF/.test(errorOf(response).message)) {
        wrong.push(`${label(route)}: ${response.statusCode} ${response.body.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await databaseSnapshot(testApp)).toEqual(before);
  });

  it('with a malformed body or id answer 400 naming the field, for the caller they are for', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const client = clientFor(route);
      // The TOTP step's guard wants a session whose code is due; it answers first.
      if (!client) continue;
      const key = firstKey(route.schema.body);
      const cases: { url: string; body: unknown; field: string }[] = [];
      // [[]] is no string, number, boolean, object or list of any of them.
      if (key !== undefined) cases.push({ url: urlOf(route), body: { [key]: [[]] }, field: key });
      if (route.url.includes(':id')) {
        cases.push({ url: urlOf(route, { id: 'not-an-id' }), body: {}, field: 'id' });
      }
      for (const { url, body, field } of cases) {
        checked += 1;
        const response = await send(client, route, body, url);
        const named =
          response.statusCode === 400 ? errorOf(response).fields.map((f) => f.field) : [];
        if (!named.some((name) => name === field || name.startsWith(`${field}.`))) {
          wrong.push(
            `${label(route)} ${field}: ${response.statusCode} ${response.body.slice(0, 200)}`,
          );
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
    expect(wrong).toEqual([]);
  });
});
