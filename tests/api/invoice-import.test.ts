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
      message: 'must not be negative',
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

  it('reads amounts and quantities as the console does: grouping, a currency symbol, ".5"', async () => {
    const csv = [
      header,
      'AMT-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Grouped,1,"1,234.56",no,,',
      'AMT-1,Import Test Co,2024-04-01,,Net 30,Hosting,,With symbol,1,"$1,234.56",no,,',
      'AMT-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Half a unit,.5,.5,no,,',
      'AMT-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Thousand units,"1,000",$2,no,,',
    ].join('\n');
    const response = await billing.post('/api/invoices/import', { csv });
    expect(response.statusCode, response.body).toBe(201);
    const invoice = (await billing.get(`/api/invoices/${response.json().invoices[0].id}`)).json()
      .invoice;
    expect(
      invoice.lines.map((l: { quantity: string; unitPriceCents: number; amountCents: number }) => [
        l.quantity,
        l.unitPriceCents,
        l.amountCents,
      ]),
    ).toEqual([
      ['1', 123_456, 123_456],
      ['1', 123_456, 123_456],
      ['0.5', 50, 25],
      ['1000', 200, 200_000],
    ]);
    expect(invoice.totalCents).toBe(123_456 * 2 + 25 + 200_000);
  });

  it('says why an amount is refused: negative, decimal comma, too many decimals', async () => {
    const before = await counts();
    const csv = [
      header,
      'NEG-1,Import Test Co,2024-04-01,,Net 30,Hosting,,Negative,1,-1,no,,',
      'NEG-2,Import Test Co,2024-04-01,,Net 30,Hosting,,Decimal comma,1,"1.234,56",no,,',
      'NEG-3,Import Test Co,2024-04-01,,Net 30,Hosting,,Fractions of a cent,1,1.234,no,,',
      'NEG-4,Import Test Co,2024-04-01,,Net 30,Hosting,,Not money,1,ten,no,,',
      'NEG-5,Import Test Co,2024-04-01,,Net 30,Hosting,,Negative quantity,-2,1.00,no,,',
    ].join('\n');
    const response = await billing.post('/api/invoices/import', { csv });
    expect(response.statusCode, response.body).toBe(400);
    const messages = Object.fromEntries(errorOf(response).fields.map((f) => [f.field, f.message]));
    expect(messages['line 2: unit_price']).toBe('must not be negative');
    expect(messages['line 3: unit_price']).toMatch(/comma as its decimal mark.*1,250\.00/);
    expect(messages['line 4: unit_price']).toBe('must have at most 2 decimals');
    expect(messages['line 5: unit_price']).toBe('must be an amount in USD such as 1,250.00');
    expect(messages['line 6: quantity']).toBe('must not be negative');
    expect(await counts()).toEqual(before);
  });

  it('reads a semicolon-separated file', async () => {
    const csv = [
      header.replace(/,/g, ';'),
      'SEMI-1;Import Test Co;2024-04-01;;Net 30;Hosting;;Grouped, with a comma;2;1,234.56;no;;',
    ].join('\r\n');
    const response = await billing.post('/api/invoices/import', { csv });
    expect(response.statusCode, response.body).toBe(201);
    const invoice = (await billing.get(`/api/invoices/${response.json().invoices[0].id}`)).json()
      .invoice;
    expect(invoice).toMatchObject({ number: 'SEMI-1', totalCents: 246_912 });
    expect(invoice.lines[0].description).toBe('Grouped, with a comma');
  });

  it('refuses a file whose columns are split by something it does not read, naming it', async () => {
    const response = await billing.post('/api/invoices/import', {
      csv: [header.replace(/,/g, '|'), 'X|Import Test Co'].join('\n'),
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(errorOf(response).fields[0]).toMatchObject({ field: 'csv' });
    expect(errorOf(response).fields[0]!.message).toMatch(/"\|"/);
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
