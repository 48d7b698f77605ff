import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { accessProfileId, errorOf, expectFieldErrors } from '../support/api-assertions.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  invoiceDetail,
  invoiceListPage,
  invoiceListRow,
} from '../../src/shared/contract/invoices.js';
import type { organizationAuditPage } from '../../src/shared/contract/organizations.js';

type Invoice = Answer<typeof invoiceDetail>;
type ListRow = Answer<typeof invoiceListRow>;

let testApp: TestApp;
let admin: ApiClient;
let billing: ApiClient;
let readOnly: ApiClient;
let pawnee: string;
let demoCompany: string;
const categories: Record<string, string> = {};
let salesTax: string;

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  demoCompany = await organizationId(testApp, 'Demo Company');
  const list = await readOnly.get('/api/service-categories');
  expect(list.statusCode).toBe(200);
  for (const c of list.json().serviceCategories) categories[c.name] = c.id;
  const rate = await admin.post('/api/tax-rates', {
    name: 'Test Sales Tax',
    ratePercent: '7.25',
  });
  expect(rate.statusCode, rate.body).toBe(201);
  salesTax = rate.json().taxRate.id;
});
afterAll(async () => testApp.close());

function body(overrides: Record<string, unknown> = {}) {
  return {
    organizationId: pawnee,
    issueDate: '2024-03-01',
    terms: 'Net 30',
    serviceCategoryId: categories['Managed Services'],
    taxRateId: salesTax,
    memo: 'March services',
    lines: [
      { description: 'Managed workstations', quantity: '12', unitPriceCents: 4500, taxable: true },
      { description: 'Consulting hours', quantity: '1.5', unitPriceCents: 15_000, taxable: false },
      { description: 'Backup storage (GB)', quantity: '0.3333', unitPriceCents: 99, taxable: true },
    ],
    ...overrides,
  };
}

async function create(overrides: Record<string, unknown> = {}): Promise<Invoice> {
  const response = await billing.post('/api/invoices', body(overrides));
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ invoice: Invoice }>().invoice;
}

async function detail(id: string): Promise<Invoice> {
  const response = await readOnly.get(`/api/invoices/${id}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ invoice: Invoice }>().invoice;
}

async function issue(id: string): Promise<Invoice> {
  const response = await billing.post(`/api/invoices/${id}/issue`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ invoice: Invoice }>().invoice;
}

/** Everything an invoice action could change. */
async function snapshot() {
  const pool = testApp.database.pool;
  return {
    invoices: (await pool.query('SELECT * FROM invoices ORDER BY id')).rows,
    lines: (await pool.query('SELECT * FROM invoice_lines ORDER BY id')).rows,
    audit: (await pool.query('SELECT * FROM audit_events ORDER BY id')).rows,
    organizations: (await pool.query('SELECT * FROM organizations ORDER BY id')).rows,
    categories: (await pool.query('SELECT * FROM service_categories ORDER BY id')).rows,
    taxRates: (await pool.query('SELECT * FROM tax_rates ORDER BY id')).rows,
  };
}

async function audit(orgId: string) {
  const response = await admin.get(`/api/organizations/${orgId}/audit?limit=200`);
  expect(response.statusCode).toBe(200);
  return response.json<Answer<typeof organizationAuditPage>>().events;
}

describe('service categories and tax rates', () => {
  it('lists the seeded categories and lets settings managers add, rename and archive', async () => {
    expect(Object.keys(categories)).toEqual(
      expect.arrayContaining(['Managed Services', 'Hosting', 'Help Desk', 'Projects']),
    );
    const created = await admin.post('/api/service-categories', { name: 'Cloud Backup' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().serviceCategory.id;
    expect(created.json().serviceCategory).toMatchObject({
      name: 'Cloud Backup',
      archivedAt: null,
    });
    expectFieldErrors(
      await admin.post('/api/service-categories', { name: 'cloud backup' }),
      ['name'],
      409,
    );
    expectFieldErrors(
      await admin.patch(`/api/service-categories/${id}`, { name: 'HOSTING' }),
      ['name'],
      409,
    );
    const renamed = await admin.patch(`/api/service-categories/${id}`, {
      name: 'Cloud Backups',
      position: 9,
      archived: true,
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().serviceCategory).toMatchObject({ name: 'Cloud Backups', position: 9 });
    expect(renamed.json().serviceCategory.archivedAt).not.toBeNull();
    // Billing can invoice but not configure.
    expect((await billing.post('/api/service-categories', { name: 'Nope' })).statusCode).toBe(403);
    expect(
      (await readOnly.patch(`/api/service-categories/${id}`, { archived: false })).statusCode,
    ).toBe(403);
    // An archived category cannot be put on a new invoice.
    expectFieldErrors(await billing.post('/api/invoices', body({ serviceCategoryId: id })), [
      'serviceCategoryId',
    ]);
  });

  it('keeps tax rates in parts per million and shows them as percentages', async () => {
    const list = await readOnly.get('/api/tax-rates');
    expect(list.json().taxRates).toContainEqual(
      expect.objectContaining({ name: 'Test Sales Tax', ratePpm: 72_500, ratePercent: '7.25' }),
    );
    const nyc = await admin.post('/api/tax-rates', { name: 'NYC', ratePercent: '8.875' });
    expect(nyc.json().taxRate).toMatchObject({ ratePpm: 88_750, ratePercent: '8.875' });
    for (const ratePercent of ['100.5', '-1', '7.123456', 'seven']) {
      expectFieldErrors(
        await admin.post('/api/tax-rates', { name: `Bad ${ratePercent}`, ratePercent }),
        ['ratePercent'],
      );
    }
    expectFieldErrors(
      await admin.post('/api/tax-rates', { name: 'test sales tax', ratePercent: '1' }),
      ['name'],
      409,
    );
    const changed = await admin.patch(`/api/tax-rates/${nyc.json().taxRate.id}`, {
      ratePercent: '9',
      archived: true,
    });
    expect(changed.json().taxRate).toMatchObject({ ratePpm: 90_000, ratePercent: '9.00' });
    expectFieldErrors(
      await billing.post('/api/invoices', body({ taxRateId: nyc.json().taxRate.id })),
      ['taxRateId'],
    );
    expect((await billing.post('/api/tax-rates', { name: 'X', ratePercent: '1' })).statusCode).toBe(
      403,
    );
  });
});

describe('writing an invoice', () => {
  it('creates a draft with its totals worked out to the cent', async () => {
    const invoice = await create();
    expect(invoice.number).toMatch(/^INV-\d{4,}$/);
    // 12 × 45.00 = 540.00; 1.5 × 150.00 = 225.00; 0.3333 × 0.99 = 0.329967 → 0.33
    expect(invoice.lines.map((l) => [l.position, l.quantity, l.amountCents])).toEqual([
      [1, '12', 54_000],
      [2, '1.5', 22_500],
      [3, '0.3333', 33],
    ]);
    expect(invoice).toMatchObject({
      state: 'draft',
      status: 'draft',
      organizationName: 'Pawnee Parks Dept.',
      currency: 'USD',
      dueDate: '2024-03-31',
      serviceCategoryName: 'Managed Services',
      taxRateName: 'Test Sales Tax',
      taxRatePpm: 72_500,
      subtotalCents: 76_533,
      // 7.25 % of the taxable 540.33 = 39.173925 → 39.17
      taxCents: 3_917,
      totalCents: 80_450,
      amountPaidCents: 0,
      balanceCents: 80_450,
      daysOverdue: 0,
      memo: 'March services',
      issuedAt: null,
    });
    const events = await audit(pawnee);
    expect(events[0]).toMatchObject({
      action: 'invoice.created',
      entityId: invoice.id,
      entityLabel: invoice.number,
    });
  });

  it('numbers invoices from the sequence, or as given', async () => {
    const a = await create();
    const b = await create();
    expect(Number(b.number.slice(4))).toBeGreaterThan(Number(a.number.slice(4)));
    const named = await create({ number: 'PAWNEE-0001', dueDate: '2024-03-05', terms: 'Net 15' });
    expect(named).toMatchObject({ number: 'PAWNEE-0001', dueDate: '2024-03-05' });
    expect((await create({ terms: 'Due on receipt', taxRateId: null })).dueDate).toBe('2024-03-01');
  });

  it('invoices in the organization’s currency', async () => {
    const org = await admin.post('/api/organizations', { name: 'Maple Leaf IT' });
    const id = org.json().organization.id;
    const billingSet = await billing.put(`/api/organizations/${id}/billing`, {
      currency: 'cad',
      newInvoiceEmails: false,
    });
    expect(billingSet.statusCode, billingSet.body).toBe(200);
    expect(billingSet.json().billing).toEqual({ currency: 'CAD', newInvoiceEmails: false });
    expect((await create({ organizationId: id })).currency).toBe('CAD');
    // Once it has an invoice, the currency is fixed; the email setting is not.
    const before = await snapshot();
    expectFieldErrors(
      await billing.put(`/api/organizations/${id}/billing`, {
        currency: 'USD',
        newInvoiceEmails: true,
      }),
      ['currency'],
      409,
    );
    expect(await snapshot()).toEqual(before);
    const emailsOn = await billing.put(`/api/organizations/${id}/billing`, {
      currency: 'CAD',
      newInvoiceEmails: true,
    });
    expect(emailsOn.statusCode).toBe(200);
    expectFieldErrors(
      await billing.put(`/api/organizations/${id}/billing`, {
        currency: 'XYZ',
        newInvoiceEmails: true,
      }),
      ['currency'],
    );
    expect((await audit(id)).map((e) => e.action)).toContain('organization.billing_updated');
    expect(
      (
        await readOnly.put(`/api/organizations/${id}/billing`, {
          currency: 'CAD',
          newInvoiceEmails: true,
        })
      ).statusCode,
    ).toBe(403);
  });

  it('refuses bad input with the field named, and changes nothing', async () => {
    await create({ number: 'DUPLICATE-1' });
    const archived = await admin.post('/api/organizations', { name: 'Gone Fishing LLC' });
    const archivedId = archived.json().organization.id;
    expect((await admin.post(`/api/organizations/${archivedId}/archive`)).statusCode).toBeLessThan(
      300,
    );
    const line = { description: 'x', quantity: '1', unitPriceCents: 100, taxable: true };
    const cases: [Record<string, unknown>, string, number][] = [
      [{ lines: [{ ...line, quantity: '-1' }] }, 'lines.0.quantity', 400],
      [{ lines: [line, { ...line, quantity: '1.23456' }] }, 'lines.1.quantity', 400],
      [{ lines: [{ ...line, quantity: 'two' }] }, 'lines.0.quantity', 400],
      [{ lines: [{ ...line, unitPriceCents: -5 }] }, 'lines.0.unitPriceCents', 400],
      [{ lines: [{ ...line, unitPriceCents: 1.5 }] }, 'lines.0.unitPriceCents', 400],
      [{ lines: [{ ...line, description: '' }] }, 'lines.0.description', 400],
      [{ lines: [{ ...line, description: 'x'.repeat(4_001) }] }, 'lines.0.description', 400],
      [{ lines: [] }, 'lines', 400],
      [{ lines: Array.from({ length: 501 }, () => line) }, 'lines', 400],
      [{ serviceCategoryId: '00000000-0000-4000-8000-000000000000' }, 'serviceCategoryId', 400],
      [{ taxRateId: '00000000-0000-4000-8000-000000000000' }, 'taxRateId', 400],
      [{ dueDate: '2024-02-28' }, 'dueDate', 400],
      [{ issueDate: '2024-02-30' }, 'issueDate', 400],
      [{ issueDate: 'yesterday' }, 'issueDate', 400],
      [{ dueDate: '03/01/2024' }, 'dueDate', 400],
      [{ terms: 'Net 90' }, 'terms', 400],
      [{ number: 'DUPLICATE-1' }, 'number', 409],
      [{ organizationId: archivedId }, 'organizationId', 409],
    ];
    const before = await snapshot();
    for (const [overrides, field, status] of cases) {
      expectFieldErrors(await billing.post('/api/invoices', body(overrides)), [field], status);
    }
    const unknownOrg = await billing.post(
      '/api/invoices',
      body({ organizationId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(unknownOrg.statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('edits a draft wholesale, and nothing but a draft', async () => {
    const draft = await create();
    const edited = await billing.put(
      `/api/invoices/${draft.id}`,
      body({
        organizationId: demoCompany,
        taxRateId: null,
        terms: 'Net 45',
        serviceCategoryId: categories.Hosting,
        lines: [{ description: 'Hosting', quantity: '2', unitPriceCents: 2_999, taxable: true }],
      }),
    );
    expect(edited.statusCode, edited.body).toBe(200);
    const after = edited.json<{ invoice: Invoice }>().invoice;
    expect(after).toMatchObject({
      number: draft.number,
      organizationName: 'Demo Company',
      dueDate: '2024-04-15',
      serviceCategoryName: 'Hosting',
      taxRateId: null,
      taxCents: 0,
      subtotalCents: 5_998,
      totalCents: 5_998,
    });
    expect(after.lines).toHaveLength(1);
    const lineCount = await testApp.database.pool.query(
      'SELECT count(*)::int AS n FROM invoice_lines WHERE invoice_id = $1',
      [draft.id],
    );
    expect(lineCount.rows[0].n).toBe(1);

    // A bad edit leaves the draft as it was.
    const before = await snapshot();
    expectFieldErrors(
      await billing.put(
        `/api/invoices/${draft.id}`,
        body({
          lines: [{ description: 'a', quantity: '1', unitPriceCents: 1, taxable: true }],
          dueDate: '2020-01-01',
        }),
      ),
      ['dueDate'],
    );
    expect(await snapshot()).toEqual(before);

    await issue(draft.id);
    const refused = await billing.put(`/api/invoices/${draft.id}`, body());
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).message).toBe('only a draft can be edited');
    expect(await detail(draft.id)).toMatchObject({
      totalCents: 5_998,
      organizationId: demoCompany,
    });
  });

  it('issues a draft once', async () => {
    const draft = await create({ issueDate: '2020-01-01', dueDate: '2020-01-31' });
    const issued = await issue(draft.id);
    expect(issued).toMatchObject({
      state: 'issued',
      status: 'open',
      balanceCents: issued.totalCents,
    });
    expect(issued.issuedAt).not.toBeNull();
    expect(issued.daysOverdue).toBeGreaterThan(1000);
    expect((await billing.post(`/api/invoices/${draft.id}/issue`)).statusCode).toBe(409);
    expect((await audit(pawnee)).map((e) => e.action)).toContain('invoice.issued');
  });

  it('derives paid and partially paid from the amount paid', async () => {
    const invoice = await issue((await create()).id);
    const pool = testApp.database.pool;
    await pool.query('UPDATE invoices SET amount_paid_cents = 100 WHERE id = $1', [invoice.id]);
    expect(await detail(invoice.id)).toMatchObject({
      status: 'partially_paid',
      balanceCents: invoice.totalCents - 100,
    });
    const before = await snapshot();
    const refused = await billing.post(`/api/invoices/${invoice.id}/void`, { reason: 'oops' });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).message).toBe('a paid or partially paid invoice cannot be voided');
    expect(await snapshot()).toEqual(before);
    await pool.query('UPDATE invoices SET amount_paid_cents = total_cents WHERE id = $1', [
      invoice.id,
    ]);
    expect(await detail(invoice.id)).toMatchObject({
      status: 'paid',
      balanceCents: 0,
      daysOverdue: 0,
    });
    // An invoice of nothing is paid once issued.
    const free = await issue(
      (
        await create({
          lines: [{ description: 'Courtesy', quantity: '1', unitPriceCents: 0, taxable: true }],
        })
      ).id,
    );
    expect(free).toMatchObject({ status: 'paid', totalCents: 0 });
  });

  it('voids an unpaid invoice with a reason, once', async () => {
    const invoice = await issue((await create()).id);
    expectFieldErrors(await billing.post(`/api/invoices/${invoice.id}/void`, { reason: ' ' }), [
      'reason',
    ]);
    const voided = await billing.post(`/api/invoices/${invoice.id}/void`, {
      reason: 'Billed twice',
    });
    expect(voided.statusCode, voided.body).toBe(200);
    expect(voided.json().invoice).toMatchObject({
      state: 'void',
      status: 'void',
      voidReason: 'Billed twice',
    });
    const again = await billing.post(`/api/invoices/${invoice.id}/void`, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect((await audit(pawnee)).find((e) => e.entityId === invoice.id)?.action).toBe(
      'invoice.voided',
    );
  });

  it('deletes drafts only', async () => {
    const draft = await create();
    const issued = await issue((await create()).id);
    expect((await billing.delete(`/api/invoices/${issued.id}`)).statusCode).toBe(409);
    expect((await billing.delete(`/api/invoices/${draft.id}`)).statusCode).toBe(204);
    expect((await readOnly.get(`/api/invoices/${draft.id}`)).statusCode).toBe(404);
    expect((await billing.delete(`/api/invoices/${draft.id}`)).statusCode).toBe(404);
  });

  it('lets Read Only staff look but not change anything', async () => {
    const draft = await create();
    const before = await snapshot();
    const attempts = [
      await readOnly.post('/api/invoices', body()),
      await readOnly.put(`/api/invoices/${draft.id}`, body()),
      await readOnly.post(`/api/invoices/${draft.id}/issue`),
      await readOnly.post(`/api/invoices/${draft.id}/void`, { reason: 'x' }),
      await readOnly.delete(`/api/invoices/${draft.id}`),
      await readOnly.post('/api/invoices/import', { csv: 'invoice_number\nX' }),
    ];
    for (const response of attempts) expect(response.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
    expect((await readOnly.get(`/api/invoices/${draft.id}`)).statusCode).toBe(200);
    expect((await new ApiClient(testApp.app).get('/api/invoices')).statusCode).toBe(401);
  });
});

describe('the invoice list', () => {
  let listOrg: string;
  const made: Record<string, Invoice> = {};

  beforeAll(async () => {
    listOrg = (await admin.post('/api/organizations', { name: 'List Test Co' })).json().organization
      .id;
    const one = { description: 'Item', quantity: '1', unitPriceCents: 10_000, taxable: false };
    for (let day = 1; day <= 12; day++) {
      const issueDate = `2023-05-${String(day).padStart(2, '0')}`;
      made[day] = await create({
        organizationId: listOrg,
        issueDate,
        taxRateId: null,
        number: `LIST-${day}`,
        serviceCategoryId: day % 2 ? categories.Hosting : categories['Help Desk'],
        lines: [one],
      });
    }
    // Two on the same day, to page across a tie.
    made[13] = await create({
      organizationId: listOrg,
      issueDate: '2023-05-12',
      number: 'LIST-13',
      taxRateId: null,
      lines: [one],
    });
    for (const day of [1, 2, 3, 4, 5, 6, 7, 8]) await issue(made[day]!.id);
    await billing.post(`/api/invoices/${made[8]!.id}/void`, { reason: 'test' });
    const pool = testApp.database.pool;
    await pool.query('UPDATE invoices SET amount_paid_cents = 2500 WHERE id = $1', [made[6]!.id]);
    await pool.query('UPDATE invoices SET amount_paid_cents = total_cents WHERE id = $1', [
      made[7]!.id,
    ]);
  });

  async function list(query: string): Promise<Answer<typeof invoiceListPage>> {
    const response = await readOnly.get(`/api/invoices?organizationId=${listOrg}&${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  const numbers = (rows: ListRow[]) => rows.map((r) => r.number);

  it('pages newest first with cursors, ties included', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const result = await list(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...numbers(result.invoices));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toHaveLength(13);
    expect(new Set(seen).size).toBe(13);
    expect(seen.slice(2)).toEqual([
      'LIST-11',
      'LIST-10',
      'LIST-9',
      'LIST-8',
      'LIST-7',
      'LIST-6',
      'LIST-5',
      'LIST-4',
      'LIST-3',
      'LIST-2',
      'LIST-1',
    ]);
    expect(new Set(seen.slice(0, 2))).toEqual(new Set(['LIST-12', 'LIST-13']));
    expectFieldErrors(await readOnly.get('/api/invoices?cursor=bogus'), ['cursor']);
  });

  it('filters by status, category, due dates, overdue and number', async () => {
    expect(numbers((await list('status=draft')).invoices)).toHaveLength(5);
    expect(numbers((await list('status=void')).invoices)).toEqual(['LIST-8']);
    expect(numbers((await list('status=paid')).invoices)).toEqual(['LIST-7']);
    expect(numbers((await list('status=partially_paid')).invoices)).toEqual(['LIST-6']);
    const open = (await list('status=open')).invoices;
    expect(numbers(open)).toEqual(['LIST-5', 'LIST-4', 'LIST-3', 'LIST-2', 'LIST-1']);
    for (const row of open) expect(row.daysOverdue).toBeGreaterThan(0);
    // The overdue list reads most overdue first.
    const overdue = ['LIST-1', 'LIST-2', 'LIST-3', 'LIST-4', 'LIST-5', 'LIST-6'];
    expect(numbers((await list('overdue=true')).invoices)).toEqual(overdue);
    const firstTwo = await list('overdue=true&limit=2');
    expect(numbers(firstTwo.invoices)).toEqual(overdue.slice(0, 2));
    const nextTwo = await list(`overdue=true&limit=2&cursor=${firstTwo.nextCursor}`);
    expect(numbers(nextTwo.invoices)).toEqual(overdue.slice(2, 4));
    const hosting = (await list(`serviceCategoryId=${categories.Hosting}`)).invoices;
    expect(hosting.every((r) => r.serviceCategoryName === 'Hosting')).toBe(true);
    expect(hosting).toHaveLength(6);
    expect(numbers((await list('dueFrom=2023-06-03&dueTo=2023-06-05')).invoices)).toEqual([
      'LIST-6',
      'LIST-5',
      'LIST-4',
    ]);
    expect(numbers((await list('q=list-1')).invoices).sort()).toEqual([
      'LIST-1',
      'LIST-10',
      'LIST-11',
      'LIST-12',
      'LIST-13',
    ]);
    expectFieldErrors(await readOnly.get('/api/invoices?status=overdue'), ['status']);
    expectFieldErrors(await readOnly.get('/api/invoices?dueFrom=2023-13-01'), ['dueFrom']);
  });
});

describe('the portal', () => {
  const password = 'Correct horse battery staple 7';
  let owner: ApiClient;
  let ownInvoices: Invoice[];
  let otherIssued: Invoice;
  let ownDraft: Invoice;

  let portalOrg: string;

  beforeAll(async () => {
    const pool = testApp.database.pool;
    // An organization of its own, so the demo data's invoices do not count.
    portalOrg = (await admin.post('/api/organizations', { name: 'Portal Test Co' })).json()
      .organization.id;
    const contact = await billing.post(`/api/organizations/${portalOrg}/contacts`, {
      name: 'Pat Portal',
      email: 'pat@portal-test.example',
      accessProfileId: await accessProfileId(testApp, 'Billing Admin'),
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const hash = await hashPassword(password);
    await pool.query('UPDATE contacts SET password_hash = $1 WHERE email = ANY($2)', [
      hash,
      ['pat@portal-test.example', 'aludgate@pawnee-indiana.gov'],
    ]);
    const item = (cents: number) => [
      { description: 'Service', quantity: '1', unitPriceCents: cents, taxable: false },
    ];
    const today = new Date().toISOString().slice(0, 10);
    ownInvoices = [];
    ownInvoices.push(
      await issue(
        (
          await create({
            organizationId: portalOrg,
            issueDate: '2024-01-01',
            taxRateId: null,
            lines: item(10_000),
          })
        ).id,
      ),
    );
    ownInvoices.push(
      await issue(
        (
          await create({
            organizationId: portalOrg,
            issueDate: '2024-02-01',
            taxRateId: null,
            lines: item(20_000),
          })
        ).id,
      ),
    );
    ownInvoices.push(
      await issue(
        (
          await create({
            organizationId: portalOrg,
            issueDate: today,
            terms: 'Net 60',
            taxRateId: null,
            lines: item(40_000),
          })
        ).id,
      ),
    );
    const paid = await issue(
      (
        await create({
          organizationId: portalOrg,
          issueDate: '2024-03-01',
          taxRateId: null,
          lines: item(5_000),
        })
      ).id,
    );
    await pool.query('UPDATE invoices SET amount_paid_cents = total_cents WHERE id = $1', [
      paid.id,
    ]);
    await pool.query('UPDATE invoices SET amount_paid_cents = 5000 WHERE id = $1', [
      ownInvoices[1]!.id,
    ]);
    ownInvoices.push(paid);
    ownDraft = await create({ organizationId: portalOrg, taxRateId: null, lines: item(777) });
    otherIssued = await issue((await create()).id);

    owner = new ApiClient(testApp.app, '/api/portal/session');
    const signIn = await owner.post('/api/portal/sign-in', {
      email: 'pat@portal-test.example',
      password,
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    expect(signIn.json().current.organizationId).toBe(portalOrg);
  });

  it('shows open invoices oldest due first, with totals that add up', async () => {
    const response = await owner.get('/api/portal/invoices');
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    const open = result.invoices as (ListRow & { currency: string })[];
    expect(open.map((i) => i.id)).toEqual(ownInvoices.slice(0, 3).map((i) => i.id));
    expect(open.map((i) => i.balanceCents)).toEqual([10_000, 15_000, 40_000]);
    expect(open.map((i) => i.status)).toEqual(['open', 'partially_paid', 'open']);
    const sum = open.reduce((a, i) => a + i.balanceCents, 0);
    const pastDue = open.filter((i) => i.daysOverdue > 0).reduce((a, i) => a + i.balanceCents, 0);
    expect(result.totals).toEqual({ balanceCents: sum, pastDueCents: pastDue, currency: 'USD' });
    expect(pastDue).toBe(25_000);
    expect(result.oldestOpen).toEqual({ number: ownInvoices[0]!.number, dueDate: '2024-01-31' });
    expect(open.map((i) => i.id)).not.toContain(ownDraft.id);
  });

  it('shows invoices paid in full in the history', async () => {
    const response = await owner.get('/api/portal/invoice-history');
    expect(response.statusCode).toBe(200);
    expect(response.json().invoices.map((i: ListRow) => i.id)).toEqual([ownInvoices[3]!.id]);
  });

  it('opens its own invoices, never a draft or another organization’s', async () => {
    const own = await owner.get(`/api/portal/invoices/${ownInvoices[0]!.id}`);
    expect(own.statusCode, own.body).toBe(200);
    const invoice = own.json().invoice;
    expect(invoice).toMatchObject({ number: ownInvoices[0]!.number, totalCents: 10_000 });
    expect(invoice.lines).toHaveLength(1);
    expect(invoice).not.toHaveProperty('memo');
    expect((await owner.get(`/api/portal/invoices/${otherIssued.id}`)).statusCode).toBe(404);
    expect((await owner.get(`/api/portal/invoices/${ownDraft.id}`)).statusCode).toBe(404);
    const history = await owner.get('/api/portal/invoice-history');
    expect(JSON.stringify(history.json())).not.toContain(otherIssued.id);
  });

  it('refuses a contact whose access profile cannot view invoices', async () => {
    const april = new ApiClient(testApp.app, '/api/portal/session');
    const signIn = await april.post('/api/portal/sign-in', {
      email: 'aludgate@pawnee-indiana.gov',
      password,
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    expect((await april.get('/api/portal/invoices')).statusCode).toBe(403);
    expect((await april.get('/api/portal/invoice-history')).statusCode).toBe(403);
    expect((await april.get(`/api/portal/invoices/${otherIssued.id}`)).statusCode).toBe(403);
    expect(
      (await new ApiClient(testApp.app, '/api/portal/session').get('/api/portal/invoices'))
        .statusCode,
    ).toBe(401);
  });
});
