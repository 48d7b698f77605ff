import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// One server process renders every document. A letter drawn inside another (Y in Ÿ, O in Ó,
// U in Ü, A in Ä) must still be copyable, searchable text in every document rendered after
// one that had the accented letter. This file is its own process: the document with the
// accented letters is the first one it renders.

let testApp: TestApp;
let readOnly: ApiClient;
let accented: { organization: string; invoice: string };
let plain: { organization: string; invoice: string };

async function organization(name: string, currency: string): Promise<string> {
  return (
    await testApp.database.pool.query(
      `INSERT INTO organizations (name, address_line1, city, region, postal_code, currency)
       VALUES ($1, 'Ulica Ogrodowa 1', 'Łódź', 'PL', '90-001', $2) RETURNING id`,
      [name, currency],
    )
  ).rows[0].id;
}

beforeAll(async () => {
  testApp = await startTestApp();
  readOnly = await signedInAs(testApp.app, 'read_only');
  const pool = testApp.database.pool;
  const accentedOrganization = await organization('ŁÓDŹ … Ÿ … ÄÖÜ', 'USD');
  accented = {
    organization: accentedOrganization,
    invoice: await insertInvoice(pool, {
      organizationId: accentedOrganization,
      number: 'INV-ŸÓÜ-1',
      issueDate: '2026-11-01',
      dueDate: '2099-12-01',
      lines: [{ description: 'ŁÓDŹ … Ÿ … ÄÖÜ', quantity: 10_000, unitPriceCents: 5_000 }],
    }),
  };
  const plainOrganization = await organization('YEARLY Yubikey Users', 'HUF');
  plain = {
    organization: plainOrganization,
    invoice: await insertInvoice(pool, {
      organizationId: plainOrganization,
      number: 'BULK-00008',
      issueDate: '2026-11-01',
      dueDate: '2099-12-01',
      lines: [{ description: 'YEARLY Yubikey', quantity: 10_000, unitPriceCents: 120_000 }],
    }),
  };
  await pool.query(`UPDATE invoices SET currency = 'HUF' WHERE id = $1`, [plain.invoice]);
});
afterAll(async () => testApp.close());

async function documentText(url: string): Promise<string> {
  const response = await readOnly.get(url);
  expect(response.statusCode).toBe(200);
  return pdfText(response.rawPayload);
}

const invoiceUrl = (id: string) => `/api/invoices/${id}/pdf`;
const statementUrl = (id: string) => `/api/organizations/${id}/statement.pdf`;

describe('PDF text after a document with accented capitals', () => {
  it('reads every letter of later invoices and statements, the same each time', async () => {
    // First: the document whose accented capitals are drawn from plain letters.
    const accentedInvoice = await documentText(invoiceUrl(accented.invoice));
    const accentedStatement = await documentText(statementUrl(accented.organization));
    expect(accentedInvoice).toContain('\nŁÓDŹ … Ÿ … ÄÖÜ\n');
    expect(accentedStatement).toContain('INV-ŸÓÜ-1');

    const invoice = await documentText(invoiceUrl(plain.invoice));
    const invoiceLines = invoice.split('\n');
    expect(invoiceLines).toContain('YEARLY Yubikey Users');
    expect(invoiceLines).toContain('Ulica Ogrodowa 1');
    expect(invoiceLines).toContain('Status Open');
    expect(invoiceLines).toContain('Invoice number BULK-00008');
    expect(invoiceLines).toContain('YEARLY Yubikey 1 HUF 1,200.00 HUF 1,200.00');
    expect(invoiceLines).toContain('Invoice BULK-00008 · Northwind Managed IT Page 1 of 1');

    const statement = await documentText(statementUrl(plain.organization));
    const statementLines = statement.split('\n');
    expect(statementLines).toContain('YEARLY Yubikey Users');
    expect(statementLines).toContain('Total due HUF 1,200.00');
    expect(statementLines.some((line) => line.startsWith('BULK-00008 '))).toBe(true);

    // The same documents again read exactly as they did the first time.
    expect(await documentText(invoiceUrl(accented.invoice))).toBe(accentedInvoice);
    expect(await documentText(statementUrl(accented.organization))).toBe(accentedStatement);
    expect(await documentText(invoiceUrl(plain.invoice))).toBe(invoice);
    expect(await documentText(statementUrl(plain.organization))).toBe(statement);
  });
});
