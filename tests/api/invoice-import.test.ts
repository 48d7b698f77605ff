import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/api-assertions.js';

let testApp: TestApp;
let billing: ApiClient;
let orgId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  const admin = await signedInAs(testApp.app, 'master_admin');
  orgId = (await admin.post('/api/organizations', { name: 'Import Test Co' })).json().organization
    .id;
  const rate = await admin.post('/api/tax-rates', { name: 'Import Tax', ratePercent: '10' });
  expect(rate.statusCode).toBe(201);
});
afterAll(async () => testApp.close());

async function counts() {
  const result = await testApp.database.pool.query(
    `SELECT (SELECT count(*)::int FROM invoices) AS invoices,
            (SELECT count(*)::int FROM invoice_lines) AS lines,
            (SELECT count(*)::int FROM audit_events) AS audit`,
  );
  return result.rows[0];
}

const header =
  'Invoice_Number,Organization,Issue_Date,Due_Date,Terms,Service_Category,Tax_Rate,Description,Quantity,Unit_Price,Taxable,External_Reference,State';

describe('importing invoices from CSV', () => {
  it('imports every invoice, grouping rows by number', async () => {
    const csv = [
      header,
      'IMP-1,import test co,2024-04-01,,Net 30,Hosting,Import Tax,Web hosting,2,1250.00,yes,PSA-1,',
      'IMP-1,Import Test Co,2024-04-01,,Net 30,Hosting,Import Tax,"Setup, one time",1,99.99,no,PSA-1,',
      '',
      `IMP-2,${orgId},2024-04-02,2024-04-10,Due on receipt,help desk,,Tickets,0.5,80,,,draft`,
    ].join('\n');
    const response = await billing.post('/api/invoices/import', { csv });
    expect(response.statusCode, response.body).toBe(201);
    const result = response.json();
    expect(result.imported).toBe(2);
    expect(result.invoices.map((i: { number: string }) => i.number)).toEqual(['IMP-1', 'IMP-2']);

    const first = (await billing.get(`/api/invoices/${result.invoices[0].id}`)).json().invoice;
    expect(first).toMatchObject({
      state: 'issued',
      status: 'open',
      dueDate: '2024-05-01',
      serviceCategoryName: 'Hosting',
      taxRateName: 'Import Tax',
      subtotalCents: 259_999,
      taxCents: 25_000,
      totalCents: 284_999,
      externalReference: 'PSA-1',
    });
    expect(first.lines.map((l: { description: string }) => l.description)).toEqual([
      'Web hosting',
      'Setup, one time',
    ]);
    const second = (await billing.get(`/api/invoices/${result.invoices[1].id}`)).json().invoice;
    expect(second).toMatchObject({
      state: 'draft',
      dueDate: '2024-04-10',
      totalCents: 4_000,
      taxRateId: null,
    });
  });

  it('names every bad row by line and column, and imports nothing', async () => {
    const before = await counts();
    const csv = [
      header,
      'BAD-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Good line,1,10.00,yes,,',
      'BAD-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Bad quantity,-2,10.00,yes,,',
      'BAD-2,Nobody Inc,2024-13-01,,Net 99,Plumbing,No Such Tax,,1.23456,ten,maybe,,paid',
      'IMP-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Taken number,1,1.00,yes,,',
      'BAD-3,Import Test Co,2024-04-05,2024-04-01,Net 30,Hosting,,Due too early,1,1.00,yes,,',
      'BAD-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Split group,1,1.00,yes,,',
    ].join('\n');
    const response = await billing.post('/api/invoices/import', { csv });
    expect(response.statusCode, response.body).toBe(400);
    const error = errorOf(response);
    expect(error.message).toBe('5 rows have errors; nothing was imported');
    const fields = error.fields.map((f) => f.field);
    expect(error.fields).toContainEqual({
      field: 'line 3: quantity',
      message: 'must be a number with up to 4 decimals, not negative',
    });
    for (const field of [
      'line 4: organization',
      'line 4: issue_date',
      'line 4: terms',
      'line 4: service_category',
      'line 4: tax_rate',
      'line 4: description',
      'line 4: quantity',
      'line 4: unit_price',
      'line 4: taxable',
      'line 4: state',
      'line 5: invoice_number',
      'line 6: due_date',
      'line 7: invoice_number',
    ]) {
      expect(fields).toContain(field);
    }
    expect(fields.some((f) => f.startsWith('line 2'))).toBe(false);
    expect(await counts()).toEqual(before);
  });

  it('refuses a file without its columns or rows', async () => {
    const before = await counts();
    for (const csv of ['invoice_number,organization\nX,Y', header, 'a,b\n"unclosed']) {
      const response = await billing.post('/api/invoices/import', { csv });
      expect(response.statusCode, response.body).toBe(400);
      expect(errorOf(response).fields[0]!.field).toBe('csv');
    }
    expect(await counts()).toEqual(before);
  });
});
