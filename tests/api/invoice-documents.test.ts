import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/platform/database.js';
import { hashPassword } from '../../src/platform/passwords.js';
import {
  invoiceHtml,
  invoicePdf,
  loadInvoiceDocument,
} from '../../src/modules/invoices/invoice-document.js';
import { getBrand } from '../../src/modules/settings/settings.service.js';
import { insertInvoice, pdfPageCount, pdfText } from '../support/invoice-fixtures.js';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

let testApp: TestApp;
let billing: ApiClient;
let readOnly: ApiClient;
let pawnee: string;
let demoCompany: string;
let invoiceId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  demoCompany = await organizationId(testApp, 'Demo Company');
  invoiceId = await insertInvoice(testApp.database.pool, {
    organizationId: pawnee,
    number: 'INV-T-1001',
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    terms: 'Net 30',
    taxName: 'Indiana Sales',
    taxRatePpm: 70_000,
    amountPaidCents: 5_000,
    memo: 'Thanks! <script>alert(1)</script>',
    lines: [
      { description: 'Managed workstations', quantity: 15_000, unitPriceCents: 4_000 },
      { description: 'Backup storage (GB) & <b>more</b>', quantity: 21_250, unitPriceCents: 199 },
      { description: 'Labour', quantity: 20_000, unitPriceCents: 12_500, taxable: false },
    ],
  });
});
afterAll(async () => testApp.close());

describe('the invoice document', () => {
  it('renders a PDF with the invoice number, bill-to, lines and totals', async () => {
    const invoice = await loadInvoiceDocument(testApp.database.pool, invoiceId);
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const pdf = await invoicePdf(invoice, brand, { compress: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfPageCount(pdf)).toBe(1);
    const text = await pdfText(pdf);
    for (const expected of [
      'Invoice INV-T-1001',
      'Pawnee Parks Dept.',
      'Managed workstations',
      '1.5',
      '2.125',
      '$60.00',
      'Tax (Indiana Sales, 7%)',
      'Balance due',
      'Partially paid',
      'Managed Services',
    ]) {
      expect(text).toContain(expected);
    }
    // 60.00 + 4.23 + 250.00 = 314.23; tax 7 % of 64.23 = 4.50; total 318.73; paid 50.00.
    expect(text).toContain('$318.73');
    expect(text).toContain('$268.73');
  });

  it('renders a branded, escaped HTML page with the same content', async () => {
    const response = await readOnly.get(`/api/invoices/${invoiceId}/html`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const html = response.body;
    expect(html).toMatch(/^<!doctype html>/);
    for (const expected of [
      'INV-T-1001',
      'Pawnee Parks Dept.',
      '2026-12-01',
      'Net 30',
      'Managed Services',
      '>1.5<',
      '>2.125<',
      'Tax (Indiana Sales, 7%)',
      '$318.73',
      '$268.73',
      'Partially paid',
      '#1c7ed6',
    ]) {
      expect(html).toContain(expected);
    }
    expect(html).not.toContain('<script>');
    // The memo is an internal note: never on the client's document.
    expect(html).not.toContain('alert(1)');
    expect(html).toContain('Backup storage (GB) &amp; &lt;b&gt;more&lt;/b&gt;');
  });

  it('serves the PDF inline to staff, named by the invoice number', async () => {
    const response = await readOnly.get(`/api/invoices/${invoiceId}/pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('inline; filename="INV-T-1001.pdf"');
    expect(response.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(response.rawPayload.length).toBeGreaterThan(1_000);
    expect(pdfPageCount(response.rawPayload)).toBe(1);
    expect(response.rawPayload.toString('latin1')).toContain('%%EOF');
  });

  it('paginates an invoice with many lines', async () => {
    const invoice = await loadInvoiceDocument(testApp.database.pool, invoiceId);
    const many = {
      ...invoice,
      lines: Array.from({ length: 120 }, (_, i) => ({ ...invoice.lines[0]!, position: i })),
    };
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    expect(pdfPageCount(await invoicePdf(many, brand, { compress: false }))).toBeGreaterThan(1);
    expect(invoiceHtml(many, brand).match(/<tr>/g)!.length).toBeGreaterThanOrEqual(120);
  });

  it('answers 404 for an unknown invoice, 400 for a malformed id, 401 signed out', async () => {
    expect(
      (await billing.get('/api/invoices/00000000-0000-4000-8000-000000000000/pdf')).statusCode,
    ).toBe(404);
    expect((await billing.get('/api/invoices/nope/html')).statusCode).toBe(400);
    expect(
      (await new ApiClient(testApp.app).get(`/api/invoices/${invoiceId}/pdf`)).statusCode,
    ).toBe(401);
  });
});

describe('the portal invoice document', () => {
  const password = 'Waffles at JJs Diner 1972';
  let portal: ApiClient;

  beforeAll(async () => {
    const leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
    // Her password, as if set from her Welcome Email (whose link only her inbox receives).
    await testApp.database.pool.query('UPDATE contacts SET password_hash = $2 WHERE id = $1', [
      leslie,
      await hashPassword(password),
    ]);
    portal = new ApiClient(testApp.app, '/api/portal/session');
    const signIn = await portal.post('/api/portal/sign-in', {
      email: 'lknope@pawnee-indiana.gov',
      password,
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    // She acts for Demo Company first (as Accounts Payable, who may view invoices).
    expect(signIn.json().current.organizationName).toBe('Demo Company');
  });

  it('serves an issued invoice of the organization the contact acts for', async () => {
    const own = await insertInvoice(testApp.database.pool, {
      organizationId: demoCompany,
      number: 'INV-T-2001',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    });
    const pdf = await portal.get(`/api/portal/invoices/${own}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe('inline; filename="INV-T-2001.pdf"');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const html = await portal.get(`/api/portal/invoices/${own}/html`);
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('INV-T-2001');
    expect(html.body).toContain('Demo Company');
  });

  it("answers 404 for a draft and for another organization's invoice", async () => {
    const draft = await insertInvoice(testApp.database.pool, {
      organizationId: demoCompany,
      number: 'INV-T-2002',
      state: 'draft',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    });
    for (const as of ['pdf', 'html']) {
      expect((await portal.get(`/api/portal/invoices/${draft}/${as}`)).statusCode).toBe(404);
      // Pawnee's invoice, while she acts for Demo Company.
      expect((await portal.get(`/api/portal/invoices/${invoiceId}/${as}`)).statusCode).toBe(404);
    }
    // Staff sessions do not reach portal routes.
    expect((await billing.get(`/api/portal/invoices/${invoiceId}/pdf`)).statusCode).toBe(401);
  });
});
