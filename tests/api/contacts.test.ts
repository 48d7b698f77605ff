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
  auditRowCount,
  errorOf,
  expectFieldErrors,
} from '../support/api-assertions.js';
import { insertManyContacts } from '../support/long-lists.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  contactCard,
  contactSearchResults,
  organizationContactsPage,
} from '../../src/shared/contract/contacts.js';
import type { organizationAuditPage } from '../../src/shared/contract/organizations.js';

type ContactRow = Answer<typeof organizationContactsPage>['contacts'][number];
type Contact = Answer<typeof contactCard>;
type AuditEvent = Answer<typeof organizationAuditPage>['events'][number];

let testApp: TestApp;
let admin: ApiClient;
let pawneeId: string;
let demoCompanyId: string;
let leslieId: string;
let aprilId: string;
const profiles: Record<string, string> = {};

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  pawneeId = await organizationId(testApp, 'Pawnee Parks Dept.');
  demoCompanyId = await organizationId(testApp, 'Demo Company');
  leslieId = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  aprilId = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
  for (const name of ['Billing Admin', 'Accounts Payable', 'User']) {
    profiles[name] = await accessProfileId(testApp, name);
  }
});
afterAll(async () => testApp.close());

async function contactsOf(orgId: string, query = ''): Promise<ContactRow[]> {
  const response = await admin.get(`/api/organizations/${orgId}/contacts?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ contacts: ContactRow[] }>().contacts;
}

async function card(id: string): Promise<Contact> {
  const response = await admin.get(`/api/contacts/${id}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ contact: Contact }>().contact;
}

async function audit(orgId: string): Promise<AuditEvent[]> {
  const response = await admin.get(`/api/organizations/${orgId}/audit?limit=200`);
  expect(response.statusCode).toBe(200);
  return response.json<Answer<typeof organizationAuditPage>>().events;
}

async function organization(orgId: string) {
  const response = await admin.get(`/api/organizations/${orgId}`);
  expect(response.statusCode).toBe(200);
  return response.json().organization;
}

async function newOrganization(name: string): Promise<string> {
  const response = await admin.post('/api/organizations', { name });
  expect(response.statusCode).toBe(201);
  return response.json().organization.id;
}

async function newContact(
  orgId: string,
  fields: { name: string; email: string; phone?: string },
  accessProfileId: string | null,
): Promise<Contact> {
  const response = await admin.post(`/api/organizations/${orgId}/contacts`, {
    ...fields,
    accessProfileId,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ contact: Contact }>().contact;
}

describe("an organization's contact list", () => {
  let orgId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    orgId = await newOrganization('Sorting Test Co');
    ids.amy = (
      await newContact(
        orgId,
        { name: 'Amy Zimmer', email: 'zzz.amy@sorting.example', phone: '555-0300' },
        profiles.User!,
      )
    ).id;
    ids.mia = (
      await newContact(
        orgId,
        { name: 'Mia Moss', email: 'aaa.mia@sorting.example', phone: '555-0100' },
        null,
      )
    ).id;
    ids.zed = (
      await newContact(
        orgId,
        { name: 'Zed Adams', email: 'mmm.zed@sorting.example', phone: '555-0200' },
        profiles['Billing Admin']!,
      )
    ).id;
    // Portal sign-in is not built yet: set the last logins the way it will.
    await testApp.database.pool.query(
      `UPDATE contacts SET last_login_at = CASE id
         WHEN $1::uuid THEN now() - interval '1 hour'
         WHEN $2::uuid THEN now() - interval '30 days' END
       WHERE id IN ($1::uuid, $2::uuid)`,
      [ids.mia, ids.amy],
    );
  });

  const names = (rows: ContactRow[]) => rows.map((c) => c.name);

  it('sorts by name by default', async () => {
    expect(names(await contactsOf(orgId))).toEqual(['Amy Zimmer', 'Mia Moss', 'Zed Adams']);
    expect(names(await contactsOf(orgId, 'sort=name'))).toEqual([
      'Amy Zimmer',
      'Mia Moss',
      'Zed Adams',
    ]);
  });

  it('sorts by email', async () => {
    expect(names(await contactsOf(orgId, 'sort=email'))).toEqual([
      'Mia Moss',
      'Zed Adams',
      'Amy Zimmer',
    ]);
  });

  it('sorts by last login, most recent first, never last', async () => {
    expect(names(await contactsOf(orgId, 'sort=lastLogin'))).toEqual([
      'Mia Moss',
      'Amy Zimmer',
      'Zed Adams',
    ]);
  });

  it('sorts by access profile name, with Revoke Access sorted by its name', async () => {
    const rows = await contactsOf(orgId, 'sort=profile');
    expect(rows.map((c) => [c.name, c.accessProfileName])).toEqual([
      ['Zed Adams', 'Billing Admin'],
      ['Mia Moss', 'Revoke Access'],
      ['Amy Zimmer', 'User'],
    ]);
    expect(rows[1]!.accessProfileId).toBeNull();
  });

  it('finds contacts by part of their name, email or phone, in any case', async () => {
    expect(names(await contactsOf(orgId, 'q=ZIMM'))).toEqual(['Amy Zimmer']);
    expect(names(await contactsOf(orgId, 'q=mmm.zed'))).toEqual(['Zed Adams']);
    expect(names(await contactsOf(orgId, 'q=555-0100'))).toEqual(['Mia Moss']);
    expect(names(await contactsOf(orgId, 'q=sorting.example&sort=email'))).toEqual([
      'Mia Moss',
      'Zed Adams',
      'Amy Zimmer',
    ]);
    expect(await contactsOf(orgId, 'q=%25')).toEqual([]);
    expect(await contactsOf(orgId, 'q=nobody')).toEqual([]);
  });

  it("shows only that organization's contacts", async () => {
    const pawnee = await contactsOf(pawneeId);
    expect(pawnee.map((c) => c.email).sort()).toEqual([
      'aludgate@pawnee-indiana.gov',
      'lknope@pawnee-indiana.gov',
    ]);
  });

  it('finds contacts across organizations by name or email', async () => {
    const response = await admin.get('/api/contacts?q=KNOPE');
    expect(response.statusCode).toBe(200);
    expect(response.json().contacts).toEqual([
      { id: leslieId, name: 'Leslie Knope', email: 'lknope@pawnee-indiana.gov' },
    ]);
  });
});

describe('creating a contact', () => {
  it('creates a contact with an access profile, shown in the list', async () => {
    const response = await admin.post(`/api/organizations/${pawneeId}/contacts`, {
      name: 'Ron Swanson',
      email: 'RSwanson@Pawnee-Indiana.gov',
      phone: '(317) 555-0199',
      accessProfileId: profiles['Accounts Payable'],
    });
    expect(response.statusCode, response.body).toBe(201);
    const contact = response.json<{ contact: Contact }>().contact;
    expect(contact).toMatchObject({
      name: 'Ron Swanson',
      email: 'rswanson@pawnee-indiana.gov',
      phone: '(317) 555-0199',
      relations: [
        {
          organizationId: pawneeId,
          accessProfileId: profiles['Accounts Payable'],
          accessProfileName: 'Accounts Payable',
          isDefaultNotification: false,
        },
      ],
    });
    const listed = (await contactsOf(pawneeId)).find((c) => c.id === contact.id);
    expect(listed).toMatchObject({ name: 'Ron Swanson', accessProfileName: 'Accounts Payable' });
    expect((await organization(pawneeId)).contactCount).toBe(3);
    const [latest] = await audit(pawneeId);
    expect(latest).toMatchObject({ action: 'contact.created', entityId: contact.id });
  });

  it('creates a contact with Revoke Access (no profile)', async () => {
    const contact = await newContact(
      pawneeId,
      { name: 'Jean-Ralphio Saperstein', email: 'jr@pawnee-indiana.gov' },
      null,
    );
    expect(contact.relations).toEqual([
      expect.objectContaining({ accessProfileId: null, accessProfileName: 'Revoke Access' }),
    ]);
    const listed = (await contactsOf(pawneeId)).find((c) => c.id === contact.id);
    expect(listed?.accessProfileName).toBe('Revoke Access');
  });

  it('can star the new contact as a Default Notification Email', async () => {
    const response = await admin.post(`/api/organizations/${demoCompanyId}/contacts`, {
      name: 'Donna Meagle',
      email: 'donna@example.com',
      accessProfileId: profiles.User,
      isDefaultNotification: true,
    });
    expect(response.statusCode).toBe(201);
    const defaults = (await organization(demoCompanyId)).defaultNotificationContacts;
    expect(defaults.map((c: { email: string }) => c.email)).toContain('donna@example.com');
  });

  it('refuses an email already used by any contact, in any case, and creates nothing', async () => {
    const before = await contactsOf(demoCompanyId);
    const auditBefore = await auditRowCount(testApp);
    for (const email of ['lknope@pawnee-indiana.gov', 'LKnope@PAWNEE-Indiana.gov']) {
      const response = await admin.post(`/api/organizations/${demoCompanyId}/contacts`, {
        name: 'Leslie Copy',
        email,
        accessProfileId: null,
      });
      expectFieldErrors(response, ['email'], 409);
      expect(errorOf(response).code).toBe('conflict');
      expect(errorOf(response).message).toContain('Leslie Knope');
    }
    expect(await contactsOf(demoCompanyId)).toEqual(before);
    const search = await admin.get('/api/contacts?q=Leslie%20Copy');
    expect(search.json().contacts).toEqual([]);
    expect(await auditRowCount(testApp)).toBe(auditBefore);
  });

  it('refuses an unknown access profile and creates nothing', async () => {
    const before = await contactsOf(demoCompanyId);
    const response = await admin.post(`/api/organizations/${demoCompanyId}/contacts`, {
      name: 'Orin',
      email: 'orin@example.com',
      accessProfileId: crypto.randomUUID(),
    });
    expectFieldErrors(response, ['accessProfileId']);
    expect(await contactsOf(demoCompanyId)).toEqual(before);
    expect((await admin.get('/api/contacts?q=orin@example.com')).json().contacts).toEqual([]);
  });

  it('answers simultaneous creates with the same new email with one 201 and the rest 409', async () => {
    for (let round = 0; round < 3; round++) {
      const email = `double.click.${round}@example.com`;
      const body = { name: 'Double Click', email, accessProfileId: null };
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          admin.post(`/api/organizations/${i % 2 ? demoCompanyId : pawneeId}/contacts`, body),
        ),
      );
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const conflict of responses.filter((r) => r.statusCode === 409)) {
        expectFieldErrors(conflict, ['email'], 409);
      }
      const search = await admin.get(`/api/contacts?q=${email}`);
      expect(search.json().contacts).toHaveLength(1);
    }
  });
});

describe('saving a contact card', () => {
  it('saves name, email, phone and the profile of every related company at once', async () => {
    const response = await admin.put(`/api/contacts/${leslieId}`, {
      name: 'Leslie Knope-Wyatt',
      email: 'Leslie@Pawnee-Indiana.gov',
      phone: '(317) 555-0111',
      relations: [
        { organizationId: pawneeId, accessProfileId: profiles['Accounts Payable'] },
        { organizationId: demoCompanyId, accessProfileId: null },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);

    const saved = await card(leslieId);
    expect(saved).toMatchObject({
      name: 'Leslie Knope-Wyatt',
      email: 'leslie@pawnee-indiana.gov',
      phone: '(317) 555-0111',
    });
    const byOrg = new Map(saved.relations.map((r) => [r.organizationId, r]));
    expect(byOrg.get(pawneeId)).toMatchObject({ accessProfileName: 'Accounts Payable' });
    expect(byOrg.get(demoCompanyId)).toMatchObject({
      accessProfileId: null,
      accessProfileName: 'Revoke Access',
    });
    expect(response.json().contact).toEqual(saved);

    // Both organizations' logs show the change to their contact.
    const pawneeActions = (await audit(pawneeId))
      .filter((e) => e.entityId === leslieId)
      .map((e) => e.action);
    expect(pawneeActions.slice(0, 2).sort()).toEqual([
      'contact.access_profile_changed',
      'contact.updated',
    ]);
    const demoEvents = (await audit(demoCompanyId)).filter((e) => e.entityId === leslieId);
    expect(
      demoEvents
        .slice(0, 2)
        .map((e) => e.action)
        .sort(),
    ).toEqual(['contact.access_revoked', 'contact.updated']);
    const updated = demoEvents.find((e) => e.action === 'contact.updated')!;
    expect(updated.before).toMatchObject({ name: 'Leslie Knope', phone: '(317) 555-0101' });
    expect(updated.after).toMatchObject({ name: 'Leslie Knope-Wyatt', phone: '(317) 555-0111' });
    const revoked = demoEvents.find((e) => e.action === 'contact.access_revoked')!;
    expect(revoked.entityLabel).toBe('Leslie Knope-Wyatt');
    expect(revoked.before).toEqual({
      accessProfileId: profiles['Accounts Payable'],
      accessProfile: 'Accounts Payable',
    });
    expect(revoked.after).toEqual({ accessProfileId: null, accessProfile: 'Revoke Access' });
  });

  it('writes no audit rows when nothing changed', async () => {
    const current = await card(leslieId);
    const auditBefore = await auditRowCount(testApp);
    const response = await admin.put(`/api/contacts/${leslieId}`, {
      name: current.name,
      email: current.email,
      phone: current.phone,
      relations: current.relations.map((r) => ({
        organizationId: r.organizationId,
        accessProfileId: r.accessProfileId,
      })),
    });
    expect(response.statusCode).toBe(200);
    expect(await auditRowCount(testApp)).toBe(auditBefore);
  });

  async function expectNothingChanged(request: () => Promise<{ statusCode: number }>) {
    const before = await card(leslieId);
    const auditBefore = await auditRowCount(testApp);
    await request();
    expect(await card(leslieId)).toEqual(before);
    expect(await auditRowCount(testApp)).toBe(auditBefore);
  }

  it('refuses a relation to a company the contact is not related to, and changes nothing', async () => {
    const otherOrg = await newOrganization('Unrelated Co');
    await expectNothingChanged(async () => {
      const response = await admin.put(`/api/contacts/${leslieId}`, {
        name: 'Should Not Save',
        email: 'leslie@pawnee-indiana.gov',
        phone: '1',
        relations: [
          { organizationId: pawneeId, accessProfileId: profiles.User },
          { organizationId: otherOrg, accessProfileId: profiles.User },
        ],
      });
      expectFieldErrors(response, ['relations.1.organizationId']);
      return response;
    });
  });

  it('refuses an unknown access profile on one relation, and changes nothing', async () => {
    await expectNothingChanged(async () => {
      const response = await admin.put(`/api/contacts/${leslieId}`, {
        name: 'Should Not Save',
        email: 'leslie@pawnee-indiana.gov',
        phone: '2',
        relations: [
          { organizationId: pawneeId, accessProfileId: profiles.User },
          { organizationId: demoCompanyId, accessProfileId: crypto.randomUUID() },
        ],
      });
      expectFieldErrors(response, ['relations.1.accessProfileId']);
      return response;
    });
  });

  it("refuses another contact's email with 409 on email, and changes nothing", async () => {
    await expectNothingChanged(async () => {
      const response = await admin.put(`/api/contacts/${leslieId}`, {
        name: 'Should Not Save',
        email: 'ALUDGATE@pawnee-indiana.gov',
        phone: '3',
        relations: [{ organizationId: pawneeId, accessProfileId: profiles.User }],
      });
      expectFieldErrors(response, ['email'], 409);
      return response;
    });
  });

  it('refuses the same company twice in one save, and changes nothing', async () => {
    await expectNothingChanged(async () => {
      const response = await admin.put(`/api/contacts/${leslieId}`, {
        name: 'Should Not Save',
        email: 'leslie@pawnee-indiana.gov',
        phone: '4',
        relations: [
          { organizationId: pawneeId, accessProfileId: profiles.User },
          { organizationId: pawneeId, accessProfileId: profiles['Billing Admin'] },
        ],
      });
      expectFieldErrors(response, ['relations.1.organizationId']);
      return response;
    });
  });

  it('answers 404 for a contact that does not exist', async () => {
    const response = await admin.put(`/api/contacts/${crypto.randomUUID()}`, {
      name: 'Nobody',
      email: 'nobody@example.com',
      relations: [],
    });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });
});

describe('relating a contact to another organization', () => {
  it('relates April to Demo Company with her own profile there, then refuses doing it twice', async () => {
    const response = await admin.post(`/api/contacts/${aprilId}/relations`, {
      organizationId: demoCompanyId,
      accessProfileId: profiles['Accounts Payable'],
    });
    expect(response.statusCode, response.body).toBe(201);
    const relations = response.json<{ contact: Contact }>().contact.relations;
    expect(relations.map((r) => [r.organizationName, r.accessProfileName]).sort()).toEqual([
      ['Demo Company', 'Accounts Payable'],
      ['Pawnee Parks Dept.', 'User'],
    ]);
    const listed = (await contactsOf(demoCompanyId)).find((c) => c.id === aprilId);
    expect(listed?.accessProfileName).toBe('Accounts Payable');
    const [latest] = await audit(demoCompanyId);
    expect(latest).toMatchObject({ action: 'contact.related', entityId: aprilId });

    const before = await card(aprilId);
    const again = await admin.post(`/api/contacts/${aprilId}/relations`, {
      organizationId: demoCompanyId,
      accessProfileId: profiles.User,
    });
    expectFieldErrors(again, ['organizationId'], 409);
    expect(await card(aprilId)).toEqual(before);
  });

  it('answers 404 for an unknown organization or contact', async () => {
    const unknownOrg = await admin.post(`/api/contacts/${aprilId}/relations`, {
      organizationId: crypto.randomUUID(),
      accessProfileId: null,
    });
    expect(unknownOrg.statusCode).toBe(404);
    const unknownContact = await admin.post(`/api/contacts/${crypto.randomUUID()}/relations`, {
      organizationId: demoCompanyId,
      accessProfileId: null,
    });
    expect(unknownContact.statusCode).toBe(404);
  });

  it('refuses an unknown access profile when relating', async () => {
    const orgId = await newOrganization('Relate Profile Check Co');
    const response = await admin.post(`/api/contacts/${aprilId}/relations`, {
      organizationId: orgId,
      accessProfileId: crypto.randomUUID(),
    });
    expectFieldErrors(response, ['accessProfileId']);
    expect((await card(aprilId)).relations.map((r) => r.organizationId)).not.toContain(orgId);
  });
});

describe('removing a relation', () => {
  it('removes April from Demo Company, then answers 404 to a second removal', async () => {
    const response = await admin.delete(`/api/contacts/${aprilId}/relations/${demoCompanyId}`);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await contactsOf(demoCompanyId)).map((c) => c.id)).not.toContain(aprilId);
    expect((await card(aprilId)).relations.map((r) => r.organizationName)).toEqual([
      'Pawnee Parks Dept.',
    ]);
    const [latest] = await audit(demoCompanyId);
    expect(latest).toMatchObject({ action: 'contact.relation_removed', entityId: aprilId });

    const again = await admin.delete(`/api/contacts/${aprilId}/relations/${demoCompanyId}`);
    expect(again.statusCode).toBe(404);
    expect(errorOf(again).code).toBe('not_found');
  });
});

describe('Default Notification Emails', () => {
  const star = (orgId: string, contact: string, isDefault: boolean) =>
    admin.put(`/api/organizations/${orgId}/default-notification-contacts/${contact}`, {
      isDefault,
    });
  const defaultEmails = async (orgId: string) =>
    (await organization(orgId)).defaultNotificationContacts.map((c: { id: string }) => c.id);

  it('stars and unstars a contact, shown on the details page and audited', async () => {
    expect(await defaultEmails(pawneeId)).not.toContain(aprilId);
    const on = await star(pawneeId, aprilId, true);
    expect(on.statusCode).toBe(200);
    expect(on.json()).toEqual({ isDefault: true });
    expect(await defaultEmails(pawneeId)).toContain(aprilId);
    expect((await contactsOf(pawneeId)).find((c) => c.id === aprilId)?.isDefaultNotification).toBe(
      true,
    );
    let [latest] = await audit(pawneeId);
    expect(latest).toMatchObject({
      action: 'contact.default_notification_added',
      entityId: aprilId,
      before: { isDefaultNotification: false },
      after: { isDefaultNotification: true },
    });

    const off = await star(pawneeId, aprilId, false);
    expect(off.statusCode).toBe(200);
    expect(await defaultEmails(pawneeId)).not.toContain(aprilId);
    [latest] = await audit(pawneeId);
    expect(latest).toMatchObject({
      action: 'contact.default_notification_removed',
      entityId: aprilId,
    });
  });

  it('answers 404 for a contact that is not related to the organization', async () => {
    const before = await defaultEmails(demoCompanyId);
    const response = await star(demoCompanyId, aprilId, true);
    expect(response.statusCode).toBe(404);
    expect(await defaultEmails(demoCompanyId)).toEqual(before);
  });
});

describe('a long contact list, paged', () => {
  const count = 250;
  let orgId: string;

  interface Page {
    contacts: ContactRow[];
    total: number;
    nextCursor: string | null;
  }

  async function page(query: string): Promise<Page> {
    const response = await admin.get(`/api/organizations/${orgId}/contacts?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  }

  /** Every contact the list gives, following its cursors to the end. */
  async function everyPage(query: string): Promise<{ rows: ContactRow[]; pages: number }> {
    const rows: ContactRow[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const next = await page(`${query}${suffix}`);
      rows.push(...next.contacts);
      cursor = next.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    return { rows, pages };
  }

  // Names, emails, logins and profiles in different orders, with ties on every sort key, so
  // each order and each tie-break shows.
  beforeAll(async () => {
    orgId = await newOrganization('Paging Contacts Co');
    await insertManyContacts(testApp.database.pool, {
      organizationId: orgId,
      prefix: 'Paging Contact',
      tag: 'pager',
      count,
      profileIds: [profiles['Billing Admin']!, profiles['Accounts Payable']!, profiles.User!],
    });
  });

  const byId = (a: ContactRow, b: ContactRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byName = (a: ContactRow, b: ContactRow) =>
    text(a.name.toLowerCase(), b.name.toLowerCase()) || byId(a, b);
  const orders: Record<string, (a: ContactRow, b: ContactRow) => number> = {
    name: byName,
    email: (a, b) => text(a.email.toLowerCase(), b.email.toLowerCase()) || byId(a, b),
    lastLogin: (a, b) => {
      if (a.lastLoginAt !== b.lastLoginAt) {
        if (a.lastLoginAt === null) return 1;
        if (b.lastLoginAt === null) return -1;
        return Date.parse(b.lastLoginAt) - Date.parse(a.lastLoginAt);
      }
      return byName(a, b);
    },
    profile: (a, b) =>
      text(a.accessProfileName.toLowerCase(), b.accessProfileName.toLowerCase()) || byName(a, b),
  };

  for (const sort of ['name', 'email', 'lastLogin', 'profile']) {
    it(`reaches all ${count} contacts sorted by ${sort}, each once, by following the cursors`, async () => {
      const first = await page(`sort=${sort}`);
      expect(first.total).toBe(count);
      expect(first.nextCursor).toEqual(expect.any(String));
      const { rows, pages } = await everyPage(`sort=${sort}&limit=40`);
      expect(pages).toBe(Math.ceil(count / 40));
      expect(rows).toHaveLength(count);
      expect(new Set(rows.map((c) => c.id)).size).toBe(count);
      expect(rows.map((c) => c.id)).toEqual([...rows].sort(orders[sort]).map((c) => c.id));
    });
  }

  it('pages a Find Contact search, keeping its sort, and counts only the matches', async () => {
    // "Paging Contact 01xx" by name: 0100 to 0124, two contacts each.
    const first = await page('q=contact 01&sort=name&limit=7');
    expect(first.total).toBe(50);
    const { rows } = await everyPage('q=contact 01&sort=name&limit=7');
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((c) => c.id)).size).toBe(50);
    for (const row of rows) expect(row.name).toMatch(/^Paging Contact 01\d\d$/);
    expect(rows.map((c) => c.id)).toEqual([...rows].sort(byName).map((c) => c.id));
  });

  it('says which found contacts are already related to an organization, past its first page', async () => {
    // Relate Existing Contact marks these; the last by name is far past the first page.
    const found = await admin.get(
      `/api/contacts?q=${encodeURIComponent('paging contact 0124')}&organizationId=${orgId}`,
    );
    expect(found.statusCode, found.body).toBe(200);
    const rows = found.json<Answer<typeof contactSearchResults>>().contacts;
    expect(rows).toHaveLength(2);
    expect(rows.map((c) => c.isRelated)).toEqual([true, true]);
    const elsewhere = await admin.get(`/api/contacts?q=paging&organizationId=${pawneeId}&limit=5`);
    expect(elsewhere.json().contacts.map((c: { isRelated: boolean }) => c.isRelated)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expectFieldErrors(await admin.get('/api/contacts?q=paging&organizationId=nope'), [
      'organizationId',
    ]);
  });

  it('answers 400 naming cursor for a cursor it did not give out, or one from another sort', async () => {
    const byName = await page('sort=name&limit=10');
    const fromNameSort = encodeURIComponent(byName.nextCursor!);
    expectFieldErrors(
      await admin.get(`/api/organizations/${orgId}/contacts?sort=email&cursor=${fromNameSort}`),
      ['cursor'],
    );
    const forged = Buffer.from(
      JSON.stringify(['contacts:lastLogin', '["not a time","x"]', byName.contacts[0]!.id]),
    ).toString('base64url');
    for (const cursor of ['garbage', 'W10', forged]) {
      expectFieldErrors(
        await admin.get(`/api/organizations/${orgId}/contacts?sort=lastLogin&cursor=${cursor}`),
        ['cursor'],
      );
    }
  });
});
