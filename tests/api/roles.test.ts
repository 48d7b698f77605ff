import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import {
  accessProfileId,
  databaseSnapshot,
  errorOf,
  staffUserId,
} from '../support/api-assertions.js';
import type { StaffCapability } from '../../src/shared/contract/staff.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Route {
  method: Method;
  url: string;
  body?: unknown;
  capability: StaffCapability;
}

let testApp: TestApp;
let routes: Route[];
const ids: Record<string, string> = {};

beforeAll(async () => {
  testApp = await startTestApp();
  ids.pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  ids.demo = await organizationId(testApp, 'Demo Company');
  ids.leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  ids.april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
  ids.user = await accessProfileId(testApp, 'User');
  ids.billingAdmin = await accessProfileId(testApp, 'Billing Admin');
  ids.billingStaff = await staffUserId(testApp, 'billing@portico.test');
  routes = everyRoute();
});
afterAll(async () => testApp.close());

/** Every route but sign-in, each with a request that would succeed for a Master Admin. */
function everyRoute(): Route[] {
  const { pawnee, demo, leslie, april, user, billingAdmin, billingStaff } = ids;
  return [
    { method: 'GET', url: '/api/organizations', capability: 'read' },
    { method: 'GET', url: `/api/organizations/${pawnee}`, capability: 'read' },
    { method: 'GET', url: `/api/organizations/${pawnee}/audit`, capability: 'read' },
    { method: 'GET', url: `/api/organizations/${pawnee}/contacts`, capability: 'read' },
    { method: 'GET', url: '/api/contacts?q=knope', capability: 'read' },
    { method: 'GET', url: `/api/contacts/${leslie}`, capability: 'read' },
    { method: 'GET', url: '/api/access-profiles', capability: 'read' },
    {
      method: 'POST',
      url: '/api/organizations',
      body: { name: 'Role Test Co' },
      capability: 'manage_clients',
    },
    {
      method: 'PATCH',
      url: `/api/organizations/${pawnee}`,
      body: { city: 'Eagleton' },
      capability: 'manage_clients',
    },
    {
      method: 'PUT',
      url: `/api/organizations/${pawnee}/notes`,
      body: { notes: 'changed' },
      capability: 'manage_clients',
    },
    { method: 'POST', url: `/api/organizations/${pawnee}/archive`, capability: 'manage_clients' },
    { method: 'POST', url: `/api/organizations/${pawnee}/restore`, capability: 'manage_clients' },
    {
      method: 'POST',
      url: `/api/organizations/${pawnee}/contacts`,
      body: { name: 'Role Test', email: 'role.test@example.com', accessProfileId: user },
      capability: 'manage_clients',
    },
    {
      method: 'PUT',
      url: `/api/organizations/${pawnee}/default-notification-contacts/${april}`,
      body: { isDefault: true },
      capability: 'manage_clients',
    },
    {
      method: 'PUT',
      url: `/api/contacts/${leslie}`,
      body: {
        name: 'Leslie Changed',
        email: 'lknope@pawnee-indiana.gov',
        relations: [{ organizationId: pawnee, accessProfileId: null }],
      },
      capability: 'manage_clients',
    },
    {
      method: 'POST',
      url: `/api/contacts/${april}/relations`,
      body: { organizationId: demo, accessProfileId: user },
      capability: 'manage_clients',
    },
    {
      method: 'DELETE',
      url: `/api/contacts/${leslie}/relations/${demo}`,
      capability: 'manage_clients',
    },
    {
      method: 'POST',
      url: '/api/access-profiles',
      body: { name: 'Role Test Profile', permissions: ['view_invoices'] },
      capability: 'manage_settings',
    },
    {
      method: 'PATCH',
      url: `/api/access-profiles/${user}`,
      body: { name: 'Renamed User', permissions: [] },
      capability: 'manage_settings',
    },
    {
      method: 'DELETE',
      url: `/api/access-profiles/${user}?reassignTo=${billingAdmin}`,
      capability: 'manage_settings',
    },
    { method: 'GET', url: '/api/staff-users', capability: 'manage_staff' },
    {
      method: 'POST',
      url: '/api/staff-users',
      body: {
        email: 'role.test@portico.test',
        name: 'Role Test',
        role: 'master_admin',
        password: 'a-long-enough-password',
      },
      capability: 'manage_staff',
    },
    {
      method: 'PATCH',
      url: `/api/staff-users/${billingStaff}`,
      body: { role: 'master_admin' },
      capability: 'manage_staff',
    },
    {
      method: 'GET',
      url: `/api/staff-users/${billingStaff}/login-history`,
      capability: 'manage_staff',
    },
  ];
}

function send(client: ApiClient, route: Route) {
  return client.request(
    route.method,
    route.url,
    route.method === 'GET' || route.method === 'DELETE' ? undefined : (route.body ?? {}),
  );
}

const label = (route: Route) => `${route.method} ${route.url.replace(/[0-9a-f-]{36}/g, ':id')}`;

/** Sends each route and checks the status; then checks the database did not change. */
async function expectRefused(client: ApiClient, selected: Route[], status: number, code: string) {
  const before = await databaseSnapshot(testApp);
  for (const route of selected) {
    const response = await send(client, route);
    expect(response.statusCode, `${label(route)}: ${response.body}`).toBe(status);
    expect(errorOf(response).code, label(route)).toBe(code);
  }
  expect(await databaseSnapshot(testApp)).toEqual(before);
}

describe('Read Only staff', () => {
  it('can read organizations, contacts and access profiles', async () => {
    const readOnly = await signedInAs(testApp.app, 'read_only');
    for (const route of routes.filter((r) => r.capability === 'read')) {
      const response = await send(readOnly, route);
      expect(response.statusCode, `${label(route)}: ${response.body}`).toBe(200);
    }
  });

  it('gets 403 on every state-changing route and changes nothing', async () => {
    const readOnly = await signedInAs(testApp.app, 'read_only');
    const changes = routes.filter((r) => r.capability !== 'read' && r.method !== 'GET');
    expect(changes.length).toBe(15);
    await expectRefused(readOnly, changes, 403, 'forbidden');
  });

  it('gets 403 on the staff user list and login history', async () => {
    const readOnly = await signedInAs(testApp.app, 'read_only');
    await expectRefused(
      readOnly,
      routes.filter((r) => r.capability === 'manage_staff' && r.method === 'GET'),
      403,
      'forbidden',
    );
  });

  it('gets 403, not a validation error, when the request is also malformed', async () => {
    const readOnly = await signedInAs(testApp.app, 'read_only');
    const malformed: Route[] = [
      { method: 'POST', url: '/api/organizations', body: {}, capability: 'manage_clients' },
      {
        method: 'PATCH',
        url: '/api/organizations/not-an-id',
        body: { name: 5 },
        capability: 'manage_clients',
      },
      {
        method: 'PUT',
        url: `/api/contacts/${ids.leslie}`,
        body: { relations: 'all' },
        capability: 'manage_clients',
      },
      { method: 'POST', url: '/api/access-profiles', body: {}, capability: 'manage_settings' },
      { method: 'POST', url: '/api/staff-users', body: {}, capability: 'manage_staff' },
    ];
    await expectRefused(readOnly, malformed, 403, 'forbidden');
  });
});

describe('Billing staff', () => {
  it('gets 403 on every access profile change and every staff user route', async () => {
    const billing = await signedInAs(testApp.app, 'billing');
    const refused = routes.filter(
      (r) => r.capability === 'manage_settings' || r.capability === 'manage_staff',
    );
    expect(refused.length).toBe(7);
    await expectRefused(billing, refused, 403, 'forbidden');
  });

  it('can read everything a Read Only user can', async () => {
    const billing = await signedInAs(testApp.app, 'billing');
    for (const route of routes.filter((r) => r.capability === 'read')) {
      expect((await send(billing, route)).statusCode, label(route)).toBe(200);
    }
  });

  it('can create and change organizations and contacts', async () => {
    const billing = await signedInAs(testApp.app, 'billing');
    const expectStatus = async (response: { statusCode: number; body: string }, status: number) =>
      expect(response.statusCode, response.body).toBe(status);

    const created = await billing.post('/api/organizations', { name: 'Billing Made Co' });
    await expectStatus(created, 201);
    const org = created.json().organization.id;
    await expectStatus(await billing.patch(`/api/organizations/${org}`, { city: 'Pawnee' }), 200);
    await expectStatus(await billing.put(`/api/organizations/${org}/notes`, { notes: 'n' }), 200);
    await expectStatus(await billing.post(`/api/organizations/${org}/archive`), 200);
    await expectStatus(await billing.post(`/api/organizations/${org}/restore`), 200);

    const contact = await billing.post(`/api/organizations/${org}/contacts`, {
      name: 'Billing Contact',
      email: 'billing.contact@example.com',
      accessProfileId: ids.user,
    });
    await expectStatus(contact, 201);
    const contactId = contact.json().contact.id;
    await expectStatus(
      await billing.put(`/api/organizations/${org}/default-notification-contacts/${contactId}`, {
        isDefault: true,
      }),
      200,
    );
    await expectStatus(
      await billing.put(`/api/contacts/${contactId}`, {
        name: 'Billing Contact Renamed',
        email: 'billing.contact@example.com',
        relations: [{ organizationId: org, accessProfileId: null }],
      }),
      200,
    );
    await expectStatus(
      await billing.post(`/api/contacts/${contactId}/relations`, {
        organizationId: ids.demo,
        accessProfileId: ids.user,
      }),
      201,
    );
    await expectStatus(
      await billing.delete(`/api/contacts/${contactId}/relations/${ids.demo}`),
      204,
    );

    const audit = await billing.get(`/api/organizations/${org}/audit`);
    const billingId = await staffUserId(testApp, 'billing@portico.test');
    for (const event of audit.json().events) expect(event.actorId).toBe(billingId);
  });
});

describe('anonymous callers', () => {
  it('get 401 on every route, reads included, and change nothing', async () => {
    const anonymous = new ApiClient(testApp.app);
    expect(routes.length).toBe(24);
    await expectRefused(anonymous, routes, 401, 'unauthenticated');
  });

  it('get 401, not a validation error or a 404, for malformed requests and unknown ids', async () => {
    const anonymous = new ApiClient(testApp.app);
    const malformed: Route[] = [
      {
        method: 'POST',
        url: '/api/organizations',
        body: { name: 5 },
        capability: 'manage_clients',
      },
      { method: 'GET', url: '/api/organizations/not-an-id', capability: 'read' },
      { method: 'GET', url: `/api/organizations/${crypto.randomUUID()}`, capability: 'read' },
      { method: 'GET', url: '/api/organizations?sort=bogus', capability: 'read' },
      { method: 'GET', url: '/api/contacts', capability: 'read' },
      {
        method: 'PATCH',
        url: `/api/staff-users/${ids.billingStaff}`,
        body: { role: 'owner' },
        capability: 'manage_staff',
      },
    ];
    await expectRefused(anonymous, malformed, 401, 'unauthenticated');
  });

  it('get 401 after signing out, with the old session cookie', async () => {
    const admin = await signedInAs(testApp.app, 'master_admin');
    expect((await admin.get('/api/staff-users')).statusCode).toBe(200);
    await admin.post('/api/auth/sign-out');
    await expectRefused(
      admin,
      routes.filter((r) => r.method === 'GET'),
      401,
      'unauthenticated',
    );
  });
});

describe('Master Admin', () => {
  it('can use every route', async () => {
    const admin = await signedInAs(testApp.app, 'master_admin');
    for (const route of routes) {
      const response = await send(admin, route);
      expect(response.statusCode, `${label(route)}: ${response.body}`).toBeGreaterThanOrEqual(200);
      expect(response.statusCode, `${label(route)}: ${response.body}`).toBeLessThan(300);
    }
  });
});
