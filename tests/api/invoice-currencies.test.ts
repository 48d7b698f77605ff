import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/database.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { queueNewInvoiceEmail } from '../../src/modules/invoices/invoice-emails.js';
import { pdfText } from '../support/invoice-fixtures.js';
import { errorOf } from '../support/api-assertions.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * Amounts are integer minor units of the organization's currency, and a currency's minor unit
 * is ISO 4217's: JPY has none (150 is ¥150), USD has cents (150 is $1.50), KWD has three digits
 * (1500 is KWD 1.500). Every place that shows or reads an amount must agree.
 */

let testApp: TestApp;
let billing: ApiClient;
let readOnly: ApiClient;
let categoryId: string;
const orgs: Record<string, string> = {};

/** An organization billed in `currency`, with a Default Notification Emails contact. */
async function organization(name: string, currency: string): Promise<string> {
  const pool = testApp.database.pool;
  const id: string = (
    await pool.query(
      `INSERT INTO organizations (name, currency, new_invoice_emails) VALUES ($1, $2, true)
       RETURNING id`,
      [name, currency],
    )
  ).rows[0].id;
  const contact = (
    await pool.query(`INSERT INTO contacts (name, email) VALUES ($1, $2) RETURNING id`, [
      `${currency} Contact`,
      `${currency.toLowerCase()}@currency.example`,
    ])
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification)
     VALUES ($1, $2, true)`,
    [contact, id],
  );
  return id;
}

/** An issued invoice of one line, quantity 1, at `unitPriceCents` minor units. */
async function issuedInvoice(organizationId: string, number: string, unitPriceCents: number) {
  const created = await billing.post('/api/invoices', {
    organizationId,
    number,
    issueDate: '2026-11-01',
    terms: 'Net 30',
    serviceCategoryId: categoryId,
    taxRateId: null,
    lines: [{ description: 'Support', quantity: '1', unitPriceCents, taxable: false }],
  });
  expect(created.statusCode, created.body).toBe(201);
  const id: string = created.json().invoice.id;
  const issued = await billing.post(`/api/invoices/${id}/issue`);
  expect(issued.statusCode, issued.body).toBe(200);
  return id;
}

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  const categories = (await readOnly.get('/api/service-categories')).json().serviceCategories;
  categoryId = categories[0].id;
  orgs.JPY = await organization('Kyoto Systems KK', 'JPY');
  orgs.USD = await organization('Dollar Networks', 'USD');
  orgs.KWD = await organization('Gulf Managed IT', 'KWD');
});
afterAll(async () => testApp.close());

// What 150 (and 1500) minor units read as, in each currency.
const expected = {
  JPY: { minor: 150, shown: '¥150', wrong: ['¥2', '¥1.50'] },
  USD: { minor: 150, shown: '$1.50', wrong: ['$150'] },
  KWD: { minor: 1500, shown: 'KWD 1.500', wrong: ['KWD 15.00', 'KWD 15.000'] },
} as const;

/** Any space Intl puts between a code and the number counts as one. */
const spaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('amounts in currencies whose minor unit is not the cent', () => {
  it('shows them in the currency’s own digits on the invoice page and PDF', async () => {
    for (const [currency, { minor, shown, wrong }] of Object.entries(expected)) {
      const id = await issuedInvoice(orgs[currency]!, `CUR-DOC-${currency}`, minor);
      const invoice = (await readOnly.get(`/api/invoices/${id}`)).json().invoice;
      expect(invoice).toMatchObject({ currency, totalCents: minor });

      const html = spaces((await readOnly.get(`/api/invoices/${id}/html`)).body);
      expect(html, currency).toContain(shown);
      for (const bad of wrong) expect(html, currency).not.toContain(`${bad}<`);

      const pdf = await readOnly.get(`/api/invoices/${id}/pdf`);
      expect(pdf.statusCode).toBe(200);
      const text = spaces(await pdfText(pdf.rawPayload));
      expect(text, currency).toContain(shown);
    }
  });

  it('writes them so in the New Invoice email and the account statement', async () => {
    const id = await issuedInvoice(orgs.JPY!, 'CUR-MAIL-JPY', 150);
    const messageId = await withTransaction(testApp.database.pool, (tx) =>
      queueNewInvoiceEmail(tx, testApp.context, { invoiceId: id, actor: systemActor }),
    );
    const email = (await billing.get(`/api/emails/${messageId}`)).json().email;
    expect(email.subject).toContain('¥150');
    expect(email.text).toContain('¥150');
    expect(email.text).not.toContain('¥2');

    const summary = await readOnly.get(`/api/organizations/${orgs.JPY}/account-summary/preview`);
    expect(summary.statusCode, summary.body).toBe(200);
    expect(summary.json().text).toContain('¥150');

    const statement = await readOnly.get(`/api/organizations/${orgs.JPY}/statement.pdf`);
    expect(statement.statusCode).toBe(200);
    const text = await pdfText(statement.rawPayload);
    expect(text).toContain('¥150');
    expect(text).not.toMatch(/¥\d+\.\d\d/);
  });

  it('reads an imported unit price in the organization’s currency', async () => {
    const header =
      'invoice_number,organization,issue_date,terms,service_category,description,quantity,unit_price';
    const row = (number: string, org: string, price: string) =>
      `${number},${org},2026-11-01,Net 30,Managed Services,Support,1,"${price}"`;
    const imported = await billing.post('/api/invoices/import', {
      csv: [
        header,
        row('CUR-IMP-JPY', 'Kyoto Systems KK', '150'),
        row('CUR-IMP-JPY2', 'Kyoto Systems KK', '¥1,500'),
        row('CUR-IMP-KWD', 'Gulf Managed IT', '1.5'),
        row('CUR-IMP-USD', 'Dollar Networks', '1.50'),
      ].join('\n'),
    });
    expect(imported.statusCode, imported.body).toBe(201);
    const totals: Record<string, [string, number]> = {};
    for (const { id, number } of imported.json().invoices) {
      const invoice = (await readOnly.get(`/api/invoices/${id}`)).json().invoice;
      totals[number] = [invoice.currency, invoice.totalCents];
    }
    expect(totals).toEqual({
      'CUR-IMP-JPY': ['JPY', 150],
      'CUR-IMP-JPY2': ['JPY', 1500],
      'CUR-IMP-KWD': ['KWD', 1500],
      'CUR-IMP-USD': ['USD', 150],
    });

    const refused = await billing.post('/api/invoices/import', {
      csv: [header, row('CUR-IMP-BAD', 'Kyoto Systems KK', '1.50')].join('\n'),
    });
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).fields).toContainEqual({
      field: 'line 2: unit_price',
      message: 'must be a whole number, such as 1,250',
    });
  });
});

describe('the currencies an organization may be billed in', () => {
  const put = (id: string, currency: string, newInvoiceEmails = true) =>
    billing.put(`/api/organizations/${id}/billing`, { currency, newInvoiceEmails });

  it('are ISO 4217 currencies from Portico’s list; others are refused naming currency', async () => {
    const id = await organization('Budapest Hosting Kft', 'EUR');
    for (const refused of ['CLF', 'XAU', 'XXX', 'XTS', 'ABC', 'US', 'DEM']) {
      const answer = await put(id, refused);
      expect(answer.statusCode, refused).toBe(400);
      expect(errorOf(answer).fields, refused).toEqual([
        { field: 'currency', message: expect.stringMatching(/currencies Portico offers/) },
      ]);
    }
    const chosen = await put(id, 'huf');
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect(chosen.json().billing).toEqual({ currency: 'HUF', newInvoiceEmails: true });
  });

  it('keep a currency chosen before the list readable and billable, but not chosen anew', async () => {
    const legacy = await organization('Santiago Indexed SpA', 'CLF');
    // Its own currency may be sent back unchanged with the rest of the billing settings.
    const kept = await put(legacy, 'CLF', false);
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json().billing).toEqual({ currency: 'CLF', newInvoiceEmails: false });
    // Its amounts read in ISO's four digits.
    const id = await issuedInvoice(legacy, 'CUR-CLF-1', 12_345);
    const html = spaces((await readOnly.get(`/api/invoices/${id}/html`)).body);
    expect(html).toContain('CLF 1.2345');
  });

  it('read and show a forint amount in its two ISO digits everywhere on the server', async () => {
    const id = await organization('Pest Managed IT Zrt', 'HUF');
    const invoice = await issuedInvoice(id, 'CUR-HUF-1', 125_000);
    const html = spaces((await readOnly.get(`/api/invoices/${invoice}/html`)).body);
    expect(html).toContain('HUF 1,250.00');
    expect(html).not.toContain('HUF 125,000');
    const pdf = spaces(
      await pdfText((await readOnly.get(`/api/invoices/${invoice}/pdf`)).rawPayload),
    );
    expect(pdf).toContain('HUF 1,250.00');
    expect(pdf).not.toContain('HUF 125,000');

    const imported = await billing.post('/api/invoices/import', {
      csv: [
        'invoice_number,organization,issue_date,terms,service_category,description,quantity,unit_price',
        'CUR-HUF-IMP,Pest Managed IT Zrt,2026-11-01,Net 30,Managed Services,Support,1,"1,250"',
      ].join('\n'),
    });
    expect(imported.statusCode, imported.body).toBe(201);
    const [made] = imported.json().invoices;
    expect((await readOnly.get(`/api/invoices/${made.id}`)).json().invoice).toMatchObject({
      currency: 'HUF',
      totalCents: 125_000,
    });
  });
});
