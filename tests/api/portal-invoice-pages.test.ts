import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';
import { accessProfileId, expectFieldErrors } from '../support/api-assertions.js';
import { insertManyInvoices } from '../support/long-lists.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  portalInvoiceRow,
  portalOpenInvoicesPage,
  portalPaidInvoicesPage,
} from '../../src/shared/contract/portal-invoices.js';

type Row = Answer<typeof portalInvoiceRow>;
type OpenPage = Answer<typeof portalOpenInvoicesPage>;
type HistoryPage = Answer<typeof portalPaidInvoicesPage>;

const count = 1050;
const password = 'Correct horse battery staple 7';
let testApp: TestApp;
let portal: ApiClient;

beforeAll(async () => {
  testApp = await startTestApp();
  const pool = testApp.database.pool;
  const admin = await signedInAs(testApp.app, 'master_admin');
  // An organization of its own, so the demo data's invoices do not count.
  const orgId = (await admin.post('/api/organizations', { name: 'Many Invoices Co' })).json()
    .organization.id as string;
  const contact = await admin.post(`/api/organizations/${orgId}/contacts`, {
    name: 'Morgan Many',
    email: 'morgan@many-invoices.example',
    accessProfileId: await accessProfileId(testApp, 'Billing Admin'),
  });
  expect(contact.statusCode, contact.body).toBe(201);
  await pool.query('UPDATE contacts SET password_hash = $1 WHERE email = $2', [
    await hashPassword(password),
    'morgan@many-invoices.example',
  ]);
  await insertManyInvoices(pool, { organizationId: orgId, prefix: 'MANY', count, paid: true });
  portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', {
    email: 'morgan@many-invoices.example',
    password,
  });
  expect(signIn.statusCode, signIn.body).toBe(200);
});
afterAll(async () => testApp.close());

/** Every page of a portal list, following its cursors to the end. */
async function everyPage<T extends { invoices: Row[]; nextCursor: string | null }>(
  path: string,
  limit: number,
): Promise<T[]> {
  const pages: T[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await portal.get(`${path}?limit=${limit}${suffix}`);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json<T>();
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return pages;
}

const byId = (a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe("the portal's invoice lists, paged", () => {
  it(`reaches all ${count} open invoices, oldest due first, each once, with totals over all of them`, async () => {
    const pages = await everyPage<OpenPage>('/api/portal/invoices', 200);
    expect(pages).toHaveLength(Math.ceil(count / 200));
    const rows = pages.flatMap((page) => page.invoices);
    expect(rows).toHaveLength(count);
    expect(new Set(rows.map((r) => r.id)).size).toBe(count);
    const sorted = [...rows].sort((a, b) =>
      a.dueDate !== b.dueDate ? (a.dueDate < b.dueDate ? -1 : 1) : byId(a, b),
    );
    expect(rows.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
    expect(rows.at(-1)!.dueDate).toBe('2099-01-07');

    // The tiles count every open invoice, whichever page is asked for.
    const balanceCents = rows.reduce((sum, r) => sum + r.balanceCents, 0);
    const pastDueCents = rows
      .filter((r) => r.dueDate < '2099-01-01')
      .reduce((sum, r) => sum + r.balanceCents, 0);
    expect(balanceCents).toBeGreaterThan(1000 * count);
    for (const page of pages) {
      expect(page.total).toBe(count);
      expect(page.totals).toEqual({ balanceCents, pastDueCents, currency: 'USD' });
      // The first in the list's order (several share the oldest due date).
      expect(page.oldestOpen).toEqual({ number: rows[0]!.number, dueDate: '2024-01-01' });
    }
  });

  it('shows the first page of open invoices without a cursor, and says there are more', async () => {
    const response = await portal.get('/api/portal/invoices');
    expect(response.statusCode).toBe(200);
    const page = response.json<OpenPage>();
    expect(page.invoices.length).toBeGreaterThan(0);
    expect(page.invoices.length).toBeLessThan(count);
    expect(page.total).toBe(count);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it(`reaches all ${count} paid invoices in Invoice History, newest first, each once`, async () => {
    const pages = await everyPage<HistoryPage>('/api/portal/invoice-history', 150);
    expect(pages).toHaveLength(Math.ceil(count / 150));
    const rows = pages.flatMap((page) => page.invoices);
    expect(rows).toHaveLength(count);
    expect(new Set(rows.map((r) => r.id)).size).toBe(count);
    for (const page of pages) expect(page.total).toBe(count);
    const sorted = [...rows].sort((a, b) =>
      a.issueDate !== b.issueDate ? (a.issueDate > b.issueDate ? -1 : 1) : byId(a, b),
    );
    expect(rows.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
  });

  it('answers 400 naming cursor for a cursor the list did not give out', async () => {
    const open = (await portal.get('/api/portal/invoices?limit=5')).json<OpenPage>();
    const history = (await portal.get('/api/portal/invoice-history?limit=5')).json<HistoryPage>();
    const forged = (scope: string) =>
      Buffer.from(JSON.stringify([scope, '2024-02-30', open.invoices[0]!.id])).toString(
        'base64url',
      );
    for (const [path, cursor] of [
      ['/api/portal/invoices', 'garbage'],
      ['/api/portal/invoices', history.nextCursor!],
      ['/api/portal/invoice-history', open.nextCursor!],
      ['/api/portal/invoices', forged('portal-invoices:open')],
      ['/api/portal/invoice-history', forged('portal-invoices:paid')],
    ] as const) {
      expectFieldErrors(await portal.get(`${path}?cursor=${encodeURIComponent(cursor)}`), [
        'cursor',
      ]);
    }
    expectFieldErrors(await portal.get('/api/portal/invoices?limit=0'), ['limit']);
  });
});
