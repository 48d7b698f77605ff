import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../support/invoice-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

// The memo is an internal note (docs/decisions): staff read it in the console; the client
// never meets it, on any surface.
const memo = 'Internal: slow payer, call Ron before chasing ZQX-7731';
const secret = 'ZQX-7731';

let testApp: TestApp;
let billing: ApiClient;
let portal: ApiClient;
let demoCompany: string;
let invoiceId: string;
let messageId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  demoCompany = await organizationId(testApp, 'Demo Company');
  const pool = testApp.database.pool;
  // Demo Company wants New Invoice emails, sent to its Default Notification Emails.
  await pool.query(`UPDATE organizations SET new_invoice_emails = true WHERE id = $1`, [
    demoCompany,
  ]);
  ({ portal } = await signedInToPortal(testApp, demoCompany));
  const category = (await pool.query(`SELECT id FROM service_categories LIMIT 1`)).rows[0];
  const created = await billing.post('/api/invoices', {
    organizationId: demoCompany,
    issueDate: '2026-11-02',
    terms: 'Net 30',
    serviceCategoryId: category.id,
    taxRateId: null,
    memo,
    lines: [
      { description: 'Managed services', quantity: '1', unitPriceCents: 10_000, taxable: true },
    ],
  });
  expect(created.statusCode, created.body).toBe(201);
  invoiceId = created.json().invoice.id;
  const issued = await billing.post(`/api/invoices/${invoiceId}/issue`);
  expect(issued.statusCode, issued.body).toBe(200);
  const message = await pool.query(
    `SELECT id FROM email_messages WHERE organization_id = $1 AND template = 'new_invoice'
      ORDER BY created_at DESC LIMIT 1`,
    [demoCompany],
  );
  messageId = message.rows[0].id;
});
afterAll(async () => testApp.close());

describe('the invoice memo', () => {
  it('is kept for staff', async () => {
    const invoice = (await billing.get(`/api/invoices/${invoiceId}`)).json().invoice;
    expect(invoice.memo).toBe(memo);
  });

  it("never reaches the portal's invoice, its HTML page or its PDF", async () => {
    const json = await portal.get(`/api/portal/invoices/${invoiceId}`);
    expect(json.statusCode).toBe(200);
    expect(json.body).not.toContain(secret);
    const html = await portal.get(`/api/portal/invoices/${invoiceId}/html`);
    expect(html.statusCode).toBe(200);
    expect(html.body).not.toContain(secret);
    const pdf = await portal.get(`/api/portal/invoices/${invoiceId}/pdf`);
    expect(pdf.statusCode).toBe(200);
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain('Managed services');
    expect(text).not.toContain(secret);
  });

  it('is not printed on the invoice document staff preview and send, either', async () => {
    expect((await billing.get(`/api/invoices/${invoiceId}/html`)).body).not.toContain(secret);
    const pdf = await billing.get(`/api/invoices/${invoiceId}/pdf`);
    expect(await pdfText(pdf.rawPayload)).not.toContain(secret);
  });

  it('is neither in the New Invoice email nor in its PDF attachment', async () => {
    const email = (await billing.get(`/api/emails/${messageId}`)).json().email;
    expect(email.templateName).toBe('New Invoice');
    expect(`${email.subject}\n${email.html}\n${email.text}`).not.toContain(secret);
    const attachments = await testApp.database.pool.query(
      `SELECT content FROM email_attachments WHERE message_id = $1`,
      [messageId],
    );
    expect(attachments.rows).toHaveLength(1);
    const text = await pdfText(attachments.rows[0].content as Buffer);
    expect(text).toContain('Managed services');
    expect(text).not.toContain(secret);
  });

  it('is not in the Account Summary', async () => {
    const preview = await billing.get(`/api/organizations/${demoCompany}/account-summary/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).not.toContain(secret);
    const pdf = await billing.get(`/api/organizations/${demoCompany}/statement.pdf`);
    expect(await pdfText(pdf.rawPayload)).not.toContain(secret);
  });
});
