import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { expectFieldErrors, staffUserId } from '../support/api-assertions.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  organizationAuditPage,
  organizationListPage,
} from '../../src/shared/contract/organizations.js';

type ListBody = Answer<typeof organizationListPage>;
type AuditPage = Answer<typeof organizationAuditPage>;
type AuditEvent = AuditPage['events'][number];

let testApp: TestApp;
let admin: ApiClient;
let pawneeId: string;
let demoCompanyId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  pawneeId = await organizationId(testApp, 'Pawnee Parks Dept.');
  demoCompanyId = await organizationId(testApp, 'Demo Company');
});
afterAll(async () => testApp.close());

async function list(query = ''): Promise<ListBody> {
  const response = await admin.get(`/api/organizations?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ListBody>();
}

/** Follows nextCursor from the first page to the last, as the console's list does. */
async function walkPages(query: string, limit: number) {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  const totals = new Set<number>();
  let cursor: string | null = null;
  do {
    const page: ListBody = await list(
      `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    ids.push(...page.organizations.map((o) => o.id));
    pageSizes.push(page.organizations.length);
    totals.add(page.total);
    cursor = page.nextCursor;
    if (pageSizes.length > 200) throw new Error('the cursor never ends');
  } while (cursor);
  return { ids, pageSizes, totals: [...totals] };
}

/** The order the list must follow, straight from the database. */
async function databaseOrder(orderBy: string, where = 'archived_at IS NULL'): Promise<string[]> {
  const result = await testApp.database.pool.query(
    `SELECT id FROM organizations WHERE ${where} ORDER BY ${orderBy}`,
  );
  return result.rows.map((r: { id: string }) => r.id);
}

async function audit(id: string): Promise<AuditEvent[]> {
  const response = await admin.get(`/api/organizations/${id}/audit?limit=200`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<AuditPage>().events;
}

async function details(id: string) {
  const response = await admin.get(`/api/organizations/${id}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().organization;
}

function tamper(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('organization list: search', () => {
  it('finds "Pawnee Parks Dept." by a partial, case-insensitive term', async () => {
    for (const term of ['parks', 'PAWNEE', 'Parks Dep', 'wnee pa']) {
      const body = await list(`q=${encodeURIComponent(term)}`);
      expect(body.organizations.map((o) => o.name)).toContain('Pawnee Parks Dept.');
      for (const o of body.organizations) {
        expect(o.name.toLowerCase()).toContain(term.toLowerCase());
      }
      expect(body.total).toBe(body.organizations.length);
    }
  });

  it('finds nothing for a term no name contains', async () => {
    const body = await list('q=zzzz-no-such-company');
    expect(body.organizations).toEqual([]);
    expect(body.total).toBe(0);
    expect(body.nextCursor).toBeNull();
  });

  it('treats LIKE wildcards in the search as literal characters', async () => {
    for (const term of ['%', '_', 'P%s', 'Pawn_e', '\\']) {
      const body = await list(`q=${encodeURIComponent(term)}`);
      expect(body.organizations, term).toEqual([]);
      expect(body.total, term).toBe(0);
    }
    const created = await admin.post('/api/organizations', { name: '50% Off_Deals \\ Co' });
    expect(created.statusCode).toBe(201);
    for (const term of ['%', '_', '50%', 'off_d', '\\']) {
      const body = await list(`q=${encodeURIComponent(term)}`);
      expect(
        body.organizations.map((o) => o.name),
        term,
      ).toEqual(['50% Off_Deals \\ Co']);
    }
  });

  it('ignores a search of only spaces', async () => {
    const all = await list('limit=200');
    const spaces = await list('q=%20%20&limit=200');
    expect(spaces.total).toBe(all.total);
  });
});

describe('organization list: sort and keyset pagination', () => {
  it('sorts by name ascending and descending', async () => {
    const asc = await list('sort=name&direction=asc&limit=200');
    expect(asc.organizations.map((o) => o.id)).toEqual(await databaseOrder('lower(name), id'));
    const desc = await list('sort=name&direction=desc&limit=200');
    expect(desc.organizations.map((o) => o.id)).toEqual(
      await databaseOrder('lower(name) DESC, id DESC'),
    );
    expect(desc.organizations.map((o) => o.id)).toEqual(
      [...asc.organizations].reverse().map((o) => o.id),
    );
  });

  it('sorts by name by default, ascending', async () => {
    const body = await list('limit=200');
    expect(body.organizations.map((o) => o.id)).toEqual(await databaseOrder('lower(name), id'));
  });

  it('sorts by date created, in both directions', async () => {
    const asc = await list('sort=createdAt&limit=200');
    expect(asc.organizations.map((o) => o.id)).toEqual(await databaseOrder('created_at, id'));
    const desc = await list('sort=createdAt&direction=desc&limit=200');
    expect(desc.organizations.map((o) => o.id)).toEqual(
      await databaseOrder('created_at DESC, id DESC'),
    );
  });

  it('sorts by last portal login, most recent first, never-logged-in last', async () => {
    const body = await list('sort=lastLogin&direction=desc&limit=200');
    expect(body.organizations.slice(0, 2).map((o) => o.name)).toEqual([
      'Pawnee Parks Dept.',
      'Demo Company',
    ]);
    expect(body.organizations.map((o) => o.id)).toEqual(
      await databaseOrder("coalesce(last_login_at, '-infinity') DESC, id DESC"),
    );
  });

  const orders: [string, string][] = [
    ['sort=name&direction=asc', 'lower(name), id'],
    ['sort=name&direction=desc', 'lower(name) DESC, id DESC'],
    ['sort=createdAt&direction=asc', 'created_at, id'],
    ['sort=createdAt&direction=desc', 'created_at DESC, id DESC'],
    ['sort=lastLogin&direction=asc', "coalesce(last_login_at, '-infinity'), id"],
    ['sort=lastLogin&direction=desc', "coalesce(last_login_at, '-infinity') DESC, id DESC"],
  ];
  for (const [query, orderBy] of orders) {
    it(`walks every page of 7 (${query}) and sees every active organization once, in order`, async () => {
      const expected = await databaseOrder(orderBy);
      expect(expected.length).toBeGreaterThan(50);
      const walked = await walkPages(query, 7);
      expect(walked.ids).toEqual(expected);
      expect(new Set(walked.ids).size).toBe(walked.ids.length);
      expect(walked.totals).toEqual([expected.length]);
      expect(walked.pageSizes.length).toBe(Math.ceil(expected.length / 7));
      expect(walked.pageSizes.slice(0, -1).every((n) => n === 7)).toBe(true);
    });
  }

  it('ends on a full last page without handing out a cursor to an empty page', async () => {
    const divisor = (n: number) => [13, 12, 11, 10, 9, 8, 6, 5, 4, 3, 2].find((d) => n % d === 0);
    let total = (await list()).total;
    if (!divisor(total)) {
      expect((await admin.post('/api/organizations', { name: 'Round Number Co' })).statusCode).toBe(
        201,
      );
      total += 1;
    }
    const limit = divisor(total)!;
    const walked = await walkPages('sort=name', limit);
    expect(walked.pageSizes.every((n) => n === limit)).toBe(true);
    expect(walked.ids.length).toBe(total);
  });

  it('pages through a search result with its own total', async () => {
    const walked = await walkPages('q=a&sort=createdAt', 7);
    const expected = await databaseOrder(
      'created_at, id',
      "archived_at IS NULL AND lower(name) LIKE '%a%'",
    );
    expect(walked.ids).toEqual(expected);
    expect(walked.totals).toEqual([expected.length]);
  });

  it('refuses a cursor it did not give out with 400 naming "cursor"', async () => {
    const first = await list('sort=name&limit=7');
    const nameCursor = first.nextCursor!;
    const tampered: [string, string][] = [
      ['sort=name', 'not-a-cursor'],
      ['sort=name', tamper(['pawnee', 'not-a-uuid'])],
      ['sort=name', tamper({ key: 'pawnee' })],
      ['sort=name', tamper(['pawnee', '-'.repeat(36)])],
      ['sort=createdAt', tamper(['yesterday-ish', crypto.randomUUID()])],
      ['sort=lastLogin', tamper(['2026-13-45 99:99:99+00', crypto.randomUUID()])],
      // A real cursor, given to a sort whose key is a date.
      ['sort=createdAt', nameCursor],
      ['sort=name', nameCursor.slice(0, -3)],
      ['sort=name', 'x'.repeat(501)],
    ];
    for (const [query, cursor] of tampered) {
      const response = await admin.get(
        `/api/organizations?${query}&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(response.statusCode, `${query} ${cursor}: ${response.body}`).toBe(400);
      expectFieldErrors(response, ['cursor']);
    }
  });
});

describe('organization list: archived status', () => {
  it('lists archived organizations on their own, and everything with status=all', async () => {
    const sweetums = (await list('q=Sweetums')).organizations[0]!;
    const archived = await admin.post(`/api/organizations/${sweetums.id}/archive`);
    expect(archived.statusCode).toBe(200);
    expect(archived.json().organization.archivedAt).not.toBeNull();

    const active = await list('limit=200');
    const onlyArchived = await list('status=archived&limit=200');
    const all = await list('status=all&limit=200');
    expect(active.organizations.map((o) => o.id)).not.toContain(sweetums.id);
    expect(onlyArchived.organizations.map((o) => o.id)).toEqual([sweetums.id]);
    expect(onlyArchived.total).toBe(1);
    expect(all.total).toBe(active.total + 1);
    expect(all.organizations.map((o) => o.id)).toContain(sweetums.id);

    const restored = await admin.post(`/api/organizations/${sweetums.id}/restore`);
    expect(restored.statusCode).toBe(200);
    expect(restored.json().organization.archivedAt).toBeNull();
    expect((await list('limit=200')).organizations.map((o) => o.id)).toContain(sweetums.id);
    expect((await list('status=archived')).total).toBe(0);
  });
});

describe('organization details', () => {
  it('shows Pawnee with its contact count and Default Notification Emails', async () => {
    const pawnee = await details(pawneeId);
    expect(pawnee).toMatchObject({
      id: pawneeId,
      name: 'Pawnee Parks Dept.',
      addressLine1: '1 Main St',
      city: 'Pawnee',
      region: 'IN',
      postalCode: '47555',
      contactCount: 2,
    });
    expect(pawnee.notes).toMatch(/Bob from accounting/);
    expect(pawnee.lastLoginAt).not.toBeNull();
    expect(pawnee.defaultNotificationContacts).toEqual([
      expect.objectContaining({ name: 'Leslie Knope', email: 'lknope@pawnee-indiana.gov' }),
    ]);
  });

  it('shows Demo Company with Leslie counted but only Demo Owner as a default recipient', async () => {
    const demo = await details(demoCompanyId);
    expect(demo.contactCount).toBe(2);
    expect(demo.defaultNotificationContacts.map((c: { email: string }) => c.email)).toEqual([
      'demo@example.com',
    ]);
  });

  it('lists the same contact count as the details page', async () => {
    const row = (await list('q=pawnee')).organizations.find((o) => o.id === pawneeId)!;
    expect(row.contactCount).toBe(2);
  });
});

describe('creating and editing an organization', () => {
  it('creates an organization that is then in the list and has a details page', async () => {
    const response = await admin.post('/api/organizations', {
      name: '  Eagleton Recreation Center  ',
      city: 'Eagleton',
      region: 'IN',
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json().organization;
    expect(created).toMatchObject({
      name: 'Eagleton Recreation Center',
      city: 'Eagleton',
      region: 'IN',
      country: 'US',
      notes: '',
      archivedAt: null,
    });

    const found = await list('q=eagleton%20recreation');
    expect(found.organizations.map((o) => o.id)).toEqual([created.id]);
    const shown = await details(created.id);
    expect(shown.contactCount).toBe(0);
    expect(shown.defaultNotificationContacts).toEqual([]);

    const events = await audit(created.id);
    expect(events.map((e) => e.action)).toEqual(['organization.created']);
  });

  it('edits name and address, and the audit log shows only what changed', async () => {
    const created = (await admin.post('/api/organizations', { name: 'Gryzzl West' })).json()
      .organization;
    const response = await admin.patch(`/api/organizations/${created.id}`, {
      name: 'Gryzzl Pacific',
      addressLine1: '1 Cloud Way',
      city: 'Pawnee',
      country: 'US',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().organization).toMatchObject({
      name: 'Gryzzl Pacific',
      addressLine1: '1 Cloud Way',
      city: 'Pawnee',
    });
    expect(await details(created.id)).toMatchObject({ name: 'Gryzzl Pacific', city: 'Pawnee' });
    expect((await list('q=gryzzl%20pacific')).total).toBe(1);
    expect((await list('q=gryzzl%20west')).total).toBe(0);

    const [latest] = await audit(created.id);
    expect(latest).toMatchObject({
      action: 'organization.updated',
      before: { name: 'Gryzzl West', addressLine1: '', city: '' },
      after: { name: 'Gryzzl Pacific', addressLine1: '1 Cloud Way', city: 'Pawnee' },
    });
    expect(latest!.before).not.toHaveProperty('country');
  });

  it('edits one field and leaves the others alone', async () => {
    const before = await details(demoCompanyId);
    const response = await admin.patch(`/api/organizations/${demoCompanyId}`, {
      postalCode: '58104',
    });
    expect(response.statusCode).toBe(200);
    const after = await details(demoCompanyId);
    expect(after).toMatchObject({ ...before, postalCode: '58104', updatedAt: after.updatedAt });
  });
});

describe('Organization Notes', () => {
  it('saves the notes, rereads them, and audits before and after with the staff user', async () => {
    const previous = (await details(pawneeId)).notes;
    const notes = 'Bob from accounting left. Ask for Ron.\nNo calls before 10.';
    const response = await admin.put(`/api/organizations/${pawneeId}/notes`, { notes });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ notes });
    expect((await details(pawneeId)).notes).toBe(notes);

    const [latest] = await audit(pawneeId);
    expect(latest).toMatchObject({
      action: 'organization.notes_updated',
      actorKind: 'staff',
      actorId: await staffUserId(testApp, 'admin@portico.test'),
      before: { notes: previous },
      after: { notes },
    });
    expect(latest!.actorLabel).toContain('admin@portico.test');
  });

  it('records the Billing user who changed the notes as the actor', async () => {
    const billing = await signedInAs(testApp.app, 'billing');
    const response = await billing.put(`/api/organizations/${pawneeId}/notes`, {
      notes: 'Changed by Ben',
    });
    expect(response.statusCode).toBe(200);
    const [latest] = await audit(pawneeId);
    expect(latest!.actorId).toBe(await staffUserId(testApp, 'billing@portico.test'));
    expect(latest!.actorLabel).toContain('Ben Wyatt');
  });

  it('does not write an audit row when the notes did not change', async () => {
    const notes = (await details(pawneeId)).notes;
    const countBefore = (await audit(pawneeId)).length;
    expect((await admin.put(`/api/organizations/${pawneeId}/notes`, { notes })).statusCode).toBe(
      200,
    );
    expect((await audit(pawneeId)).length).toBe(countBefore);
  });

  it('accepts exactly 10,000 characters and refuses 10,001, keeping the old notes', async () => {
    const exact = 'n'.repeat(10_000);
    expect(
      (await admin.put(`/api/organizations/${demoCompanyId}/notes`, { notes: exact })).statusCode,
    ).toBe(200);
    expect((await details(demoCompanyId)).notes).toBe(exact);

    const tooLong = await admin.put(`/api/organizations/${demoCompanyId}/notes`, {
      notes: 'x'.repeat(10_001),
    });
    expectFieldErrors(tooLong, ['notes']);
    expect((await details(demoCompanyId)).notes).toBe(exact);
  });

  it('lets the notes be cleared', async () => {
    expect(
      (await admin.put(`/api/organizations/${demoCompanyId}/notes`, { notes: '' })).statusCode,
    ).toBe(200);
    expect((await details(demoCompanyId)).notes).toBe('');
  });
});

describe('archiving and restoring', () => {
  it('takes an archived organization out of the default list and brings it back on restore', async () => {
    const created = (await admin.post('/api/organizations', { name: 'Snakehole Lounge' })).json()
      .organization;
    expect((await list('q=snakehole%20lounge')).total).toBe(1);

    const archived = await admin.post(`/api/organizations/${created.id}/archive`);
    expect(archived.statusCode).toBe(200);
    expect((await list('q=snakehole%20lounge')).total).toBe(0);
    expect((await list('q=snakehole%20lounge&status=archived')).total).toBe(1);
    expect((await details(created.id)).archivedAt).not.toBeNull();

    // Archiving twice changes nothing and writes no second audit row.
    expect((await admin.post(`/api/organizations/${created.id}/archive`)).statusCode).toBe(200);

    const restored = await admin.post(`/api/organizations/${created.id}/restore`);
    expect(restored.statusCode).toBe(200);
    expect((await list('q=snakehole%20lounge')).total).toBe(1);
    expect((await details(created.id)).archivedAt).toBeNull();

    const actions = (await audit(created.id)).map((e) => e.action);
    expect(actions).toEqual([
      'organization.restored',
      'organization.archived',
      'organization.created',
    ]);
  });
});

describe('organization audit log', () => {
  it('pages from newest to oldest with a cursor', async () => {
    const created = (await admin.post('/api/organizations', { name: 'Audit Paging Co' })).json()
      .organization;
    for (const notes of ['one', 'two', 'three']) {
      await admin.put(`/api/organizations/${created.id}/notes`, { notes });
    }
    const first = await admin.get(`/api/organizations/${created.id}/audit?limit=2`);
    expect(first.statusCode).toBe(200);
    const page1 = first.json<AuditPage>();
    expect(page1.events.map((e) => (e.after as Record<string, unknown> | null)?.notes)).toEqual([
      'three',
      'two',
    ]);
    const second = await admin.get(
      `/api/organizations/${created.id}/audit?limit=2&cursor=${page1.nextCursor}`,
    );
    const page2 = second.json<AuditPage>();
    expect(page2.events.map((e) => e.action)).toEqual([
      'organization.notes_updated',
      'organization.created',
    ]);
    expect(page2.nextCursor).toBeNull();
  });

  it('shows only the events of that organization', async () => {
    for (const event of await audit(pawneeId)) expect(event.organizationId).toBe(pawneeId);
  });
});
