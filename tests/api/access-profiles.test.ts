import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { auditRowCount, errorOf, expectFieldErrors } from '../support/api-assertions.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  accessProfileBody,
  accessProfileList,
  PortalPermission,
} from '../../src/shared/contract/access-profiles.js';
import type { organizationContactsPage } from '../../src/shared/contract/contacts.js';

type ProfileList = Answer<typeof accessProfileList>;
type Profile = ProfileList['accessProfiles'][number];

let testApp: TestApp;
let admin: ApiClient;
let pawneeId: string;

// Spelled out, not imported: the test pins the names clients and stored profiles depend on.
const allPermissions: PortalPermission[] = [
  'view_invoices',
  'pay_invoices',
  'view_payment_history',
  'manage_payment_methods',
  'manage_autopay',
  'schedule_payments',
  'view_credits',
  'service_tickets',
];

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  pawneeId = await organizationId(testApp, 'Pawnee Parks Dept.');
});
afterAll(async () => testApp.close());

async function profiles(): Promise<Profile[]> {
  const response = await admin.get('/api/access-profiles');
  expect(response.statusCode).toBe(200);
  return response.json<ProfileList>().accessProfiles;
}

async function profileNamed(name: string): Promise<Profile> {
  const found = (await profiles()).find((p) => p.name === name);
  if (!found) throw new Error(`no profile named ${name}`);
  return found;
}

async function createProfile(
  name: string,
  permissions: PortalPermission[] = [],
): Promise<Answer<typeof accessProfileBody>> {
  const response = await admin.post('/api/access-profiles', { name, permissions });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ accessProfile: Answer<typeof accessProfileBody> }>().accessProfile;
}

async function newContactWith(
  orgId: string,
  name: string,
  accessProfileId: string | null,
): Promise<string> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@profiles.example`;
  const response = await admin.post(`/api/organizations/${orgId}/contacts`, {
    name,
    email,
    accessProfileId,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().contact.id;
}

async function profileInList(orgId: string, contact: string): Promise<string | undefined> {
  const response = await admin.get(`/api/organizations/${orgId}/contacts`);
  const rows = response.json<Answer<typeof organizationContactsPage>>().contacts;
  return rows.find((c) => c.id === contact)?.accessProfileName;
}

describe('the access profile list', () => {
  it('has the three seeded profiles with their permissions', async () => {
    const response = await admin.get('/api/access-profiles');
    expect(response.statusCode).toBe(200);
    const body = response.json<ProfileList>();
    expect(body.permissions).toEqual(allPermissions);
    const byName = new Map(body.accessProfiles.map((p) => [p.name, p]));
    expect([...byName.keys()]).toEqual(['Accounts Payable', 'Billing Admin', 'User']);
    expect(byName.get('Billing Admin')!.permissions).toEqual(allPermissions);
    expect(byName.get('Accounts Payable')!.permissions).toEqual([
      'view_invoices',
      'pay_invoices',
      'view_payment_history',
      'manage_payment_methods',
      'schedule_payments',
    ]);
    expect(byName.get('User')!.permissions).toEqual(['service_tickets']);
  });

  it('counts the contact relations holding each profile', async () => {
    const result = await testApp.database.pool.query(
      `SELECT p.name, count(co.contact_id)::int AS n FROM access_profiles p
         LEFT JOIN contact_organizations co ON co.access_profile_id = p.id GROUP BY p.name`,
    );
    const expected = Object.fromEntries(result.rows.map((r) => [r.name, r.n]));
    for (const profile of await profiles()) {
      expect(profile.contactCount, profile.name).toBe(expected[profile.name]);
    }
  });
});

describe('creating and changing a profile', () => {
  it('creates a profile, listed with its permissions once each', async () => {
    const created = await createProfile('Viewer', [
      'view_invoices',
      'view_invoices',
      'view_credits',
    ]);
    expect(created).toMatchObject({
      name: 'Viewer',
      permissions: ['view_invoices', 'view_credits'],
    });
    const listed = await profileNamed('Viewer');
    expect(listed).toMatchObject({
      id: created.id,
      permissions: ['view_invoices', 'view_credits'],
      contactCount: 0,
    });
  });

  it('creates a profile with no permissions at all', async () => {
    const created = await createProfile('Nothing Yet');
    expect(created.permissions).toEqual([]);
  });

  it('renames a profile and changes its permissions', async () => {
    const viewer = await profileNamed('Viewer');
    const renamed = await admin.patch(`/api/access-profiles/${viewer.id}`, {
      name: 'Invoice Viewer',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().accessProfile).toMatchObject({
      name: 'Invoice Viewer',
      permissions: ['view_invoices', 'view_credits'],
    });
    const changed = await admin.patch(`/api/access-profiles/${viewer.id}`, {
      permissions: ['view_invoices', 'view_payment_history'],
    });
    expect(changed.statusCode).toBe(200);
    expect(await profileNamed('Invoice Viewer')).toMatchObject({
      id: viewer.id,
      permissions: ['view_invoices', 'view_payment_history'],
    });
    expect((await profiles()).map((p) => p.name)).not.toContain('Viewer');
  });

  it('refuses a name already used, in any case, with 409 on name', async () => {
    const before = await profiles();
    const auditBefore = await auditRowCount(testApp);
    const duplicate = await admin.post('/api/access-profiles', {
      name: 'billing ADMIN',
      permissions: [],
    });
    expectFieldErrors(duplicate, ['name'], 409);
    expect(errorOf(duplicate).code).toBe('conflict');

    const viewer = await profileNamed('Invoice Viewer');
    const rename = await admin.patch(`/api/access-profiles/${viewer.id}`, { name: ' USER ' });
    expectFieldErrors(rename, ['name'], 409);
    expect(await profiles()).toEqual(before);
    expect(await auditRowCount(testApp)).toBe(auditBefore);
  });

  it('lets a profile be renamed to a different case of its own name', async () => {
    const viewer = await profileNamed('Invoice Viewer');
    const response = await admin.patch(`/api/access-profiles/${viewer.id}`, {
      name: 'invoice viewer',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().accessProfile.name).toBe('invoice viewer');
  });

  it('refuses the built-in name "Revoke Access" with 400, for a new profile or a rename', async () => {
    const before = await profiles();
    for (const name of ['Revoke Access', 'revoke access', '  REVOKE ACCESS  ']) {
      const created = await admin.post('/api/access-profiles', { name, permissions: [] });
      expectFieldErrors(created, ['name']);
      expect(errorOf(created).message).toContain('Revoke Access');
    }
    const user = await profileNamed('User');
    const renamed = await admin.patch(`/api/access-profiles/${user.id}`, { name: 'Revoke Access' });
    expectFieldErrors(renamed, ['name']);
    expect(await profiles()).toEqual(before);
  });

  it('refuses an unknown permission with 400 naming permissions', async () => {
    const before = await profiles();
    const created = await admin.post('/api/access-profiles', {
      name: 'Superuser',
      permissions: ['view_invoices', 'delete_everything'],
    });
    const fields = expectFieldErrors(created, []);
    expect(fields.map((f) => f.field)).toEqual(['permissions.1']);
    expect(fields[0]!.message).toContain('view_invoices');

    const user = await profileNamed('User');
    const changed = await admin.patch(`/api/access-profiles/${user.id}`, {
      permissions: ['be_admin'],
    });
    expect(expectFieldErrors(changed, [])[0]!.field).toMatch(/^permissions/);

    const notAList = await admin.post('/api/access-profiles', {
      name: 'Superuser',
      permissions: 'view_invoices',
    });
    expectFieldErrors(notAList, ['permissions']);
    expect(await profiles()).toEqual(before);
  });

  it('answers 404 when changing a profile that does not exist', async () => {
    const response = await admin.patch(`/api/access-profiles/${crypto.randomUUID()}`, {
      name: 'Ghost',
    });
    expect(response.statusCode).toBe(404);
  });

  it('answers simultaneous creates of the same name with one 201 and the rest 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        admin.post('/api/access-profiles', { name: 'Race Profile', permissions: [] }),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect((await profiles()).filter((p) => p.name === 'Race Profile')).toHaveLength(1);
  });
});

describe('a change to a profile applies at once to every contact holding it', () => {
  it('shows the new name on every contact holding the renamed profile', async () => {
    const user = await profileNamed('User');
    const april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
    expect(await profileInList(pawneeId, april)).toBe('User');

    const response = await admin.patch(`/api/access-profiles/${user.id}`, {
      name: 'Portal User',
    });
    expect(response.statusCode).toBe(200);
    expect(await profileInList(pawneeId, april)).toBe('Portal User');
    const card = (await admin.get(`/api/contacts/${april}`)).json().contact;
    expect(card.relations[0]).toMatchObject({
      accessProfileId: user.id,
      accessProfileName: 'Portal User',
    });

    const held = await testApp.database.pool.query(
      `SELECT DISTINCT coalesce(p.name, 'Revoke Access') AS name FROM contact_organizations co
         LEFT JOIN access_profiles p ON p.id = co.access_profile_id
        WHERE co.access_profile_id = $1`,
      [user.id],
    );
    expect(held.rows).toEqual([{ name: 'Portal User' }]);
    expect((await profileNamed('Portal User')).contactCount).toBeGreaterThan(1);
  });
});

describe('deleting a profile', () => {
  it('refuses to delete a profile in use without reassignTo, and deletes nothing', async () => {
    const temp = await createProfile('Temporary A', ['view_invoices']);
    const orgId = (await admin.post('/api/organizations', { name: 'Profile Delete Co' })).json()
      .organization.id;
    const holders = [
      await newContactWith(orgId, 'Holder One', temp.id),
      await newContactWith(orgId, 'Holder Two', temp.id),
    ];
    const auditBefore = await auditRowCount(testApp);

    const response = await admin.delete(`/api/access-profiles/${temp.id}`);
    expectFieldErrors(response, ['reassignTo'], 409);
    expect(errorOf(response).message).toContain('Temporary A');
    expect(await profileNamed('Temporary A')).toMatchObject({ id: temp.id, contactCount: 2 });
    for (const holder of holders) expect(await profileInList(orgId, holder)).toBe('Temporary A');
    expect(await auditRowCount(testApp)).toBe(auditBefore);

    const accountsPayable = await profileNamed('Accounts Payable');
    const moved = await admin.delete(
      `/api/access-profiles/${temp.id}?reassignTo=${accountsPayable.id}`,
    );
    expect(moved.statusCode, moved.body).toBe(204);
    expect((await profiles()).map((p) => p.id)).not.toContain(temp.id);
    for (const holder of holders) {
      expect(await profileInList(orgId, holder)).toBe('Accounts Payable');
    }
    const audit = (await admin.get(`/api/organizations/${orgId}/audit`)).json().events;
    const changes = audit.filter(
      (e: { action: string }) => e.action === 'contact.access_profile_changed',
    );
    expect(changes).toHaveLength(2);
    expect(changes[0].after).toMatchObject({ accessProfileId: accountsPayable.id });
  });

  it('moves the contacts to Revoke Access with reassignTo=revoke, then deletes', async () => {
    const temp = await createProfile('Temporary B');
    const orgId = (await admin.post('/api/organizations', { name: 'Profile Revoke Co' })).json()
      .organization.id;
    const holder = await newContactWith(orgId, 'Holder Three', temp.id);

    const response = await admin.delete(`/api/access-profiles/${temp.id}?reassignTo=revoke`);
    expect(response.statusCode, response.body).toBe(204);
    expect((await profiles()).map((p) => p.id)).not.toContain(temp.id);
    expect(await profileInList(orgId, holder)).toBe('Revoke Access');
    const card = (await admin.get(`/api/contacts/${holder}`)).json().contact;
    expect(card.relations[0].accessProfileId).toBeNull();
  });

  it('refuses to reassign to the profile itself, an unknown profile, or a bad value', async () => {
    const temp = await createProfile('Temporary C');
    const orgId = (await admin.post('/api/organizations', { name: 'Profile Bad Move Co' })).json()
      .organization.id;
    const holder = await newContactWith(orgId, 'Holder Four', temp.id);
    const before = await profiles();

    for (const reassignTo of [temp.id, crypto.randomUUID(), 'nobody', 'REVOKE']) {
      const response = await admin.delete(
        `/api/access-profiles/${temp.id}?reassignTo=${reassignTo}`,
      );
      expectFieldErrors(response, ['reassignTo']);
    }
    expect(await profiles()).toEqual(before);
    expect(await profileInList(orgId, holder)).toBe('Temporary C');
  });

  it('deletes an unused profile with 204, then answers 404', async () => {
    const unused = await createProfile('Unused Profile');
    const response = await admin.delete(`/api/access-profiles/${unused.id}`);
    expect(response.statusCode).toBe(204);
    expect((await profiles()).map((p) => p.id)).not.toContain(unused.id);
    expect((await admin.delete(`/api/access-profiles/${unused.id}`)).statusCode).toBe(404);
  });
});
