import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAccountStatement } from '../../src/modules/statements/account-statement.js';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

let testApp: TestApp;
let billing: ApiClient;
let portal: ApiClient;
let demoCompany: string;
let voided: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  demoCompany = await organizationId(testApp, 'Demo Company');
  ({ portal } = await signedInToPortal(testApp, demoCompany));
  // $75.00 billed, nothing paid: $75.00 was due when it was voided.
  voided = await insertInvoice(testApp.database.pool, {
    organizationId: demoCompany,
    number: 'INV-V-1',
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 7_500 }],
  });
  const response = await billing.post(`/api/invoices/${voided}/void`, { reason: 'Billed twice' });
  expect(response.statusCode, response.body).toBe(200);
});
afterAll(async () => testApp.close());

describe('a void invoice', () => {
  it('owes nothing in the staff and the portal invoice answers', async () => {
    const staff = (await billing.get(`/api/invoices/${voided}`)).json().invoice;
    expect(staff).toMatchObject({ status: 'void', totalCents: 7_500, balanceCents: 0 });
    const client = (await portal.get(`/api/portal/invoices/${voided}`)).json().invoice;
    expect(client).toMatchObject({ status: 'void', balanceCents: 0 });
    const list = (await billing.get(`/api/invoices?organizationId=${demoCompany}`)).json();
    const row = list.invoices.find((invoice: { id: string }) => invoice.id === voided);
    expect(row).toMatchObject({ status: 'void', balanceCents: 0 });
  });

  it('shows no balance due on its HTML page and its PDF, staff and portal alike', async () => {
    for (const client of [billing, portal]) {
      const base = client === billing ? '/api/invoices' : '/api/portal/invoices';
      const html = (await client.get(`${base}/${voided}/html`)).body;
      expect(html).not.toMatch(/Balance due<\/td><td class="num">\$75\.00/);
      expect(html).toMatch(/Balance due<\/td><td class="num">\$0\.00</);
      expect(html).toContain('This invoice is void. Nothing is due.');
      const pdf = await client.get(`${base}/${voided}/pdf`);
      expect(pdf.statusCode).toBe(200);
      const text = await pdfText(pdf.rawPayload);
      expect(text).not.toMatch(/Balance due \$75\.00/);
      expect(text).toMatch(/Balance due \$0\.00/);
      expect(text).toContain('This invoice is void. Nothing is due.');
    }
  });

  it('is not on the statement', async () => {
    const statement = await buildAccountStatement({
      pool: testApp.database.pool,
      organizationId: demoCompany,
      asOf: '2026-12-31',
    });
    expect(statement.openInvoices.map((invoice) => invoice.number)).not.toContain('INV-V-1');
    const pdf = await billing.get(`/api/organizations/${demoCompany}/statement.pdf`);
    expect(await pdfText(pdf.rawPayload)).not.toContain('INV-V-1');
  });
});
