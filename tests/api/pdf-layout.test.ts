import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/platform/database.js';
import {
  invoicePdf,
  loadInvoiceDocument,
  type InvoiceDocument,
} from '../../src/modules/invoices/invoice-document.js';
import type { Brand } from '../../src/modules/settings/brand.js';
import { getBrand } from '../../src/modules/settings/settings.service.js';
import { buildAccountStatement } from '../../src/modules/statements/account-statement.js';
import { statementPdf } from '../../src/modules/statements/statement-pdf.js';
import { insertInvoice, pdfPages, type PdfPage } from '../support/invoice-fixtures.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

let testApp: TestApp;
let billing: ApiClient;
let brand: Brand;
let invoice: InvoiceDocument;
let pawnee: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  const id = await insertInvoice(testApp.database.pool, {
    organizationId: pawnee,
    number: 'INV-L-1',
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    taxName: 'Indiana Sales',
    taxRatePpm: 70_000,
    amountPaidCents: 1_000,
  });
  invoice = await loadInvoiceDocument(testApp.database.pool, id);
});
afterAll(async () => testApp.close());

/** The footer sits in the bottom margin: its baseline is below this many points from the bottom. */
const footerTop = 45;

/** Checks what every multi-page document owes its reader; answers the pages. */
async function checkPages(pdf: Buffer, documentLabel: string): Promise<PdfPage[]> {
  const pages = await pdfPages(pdf);
  for (const page of pages) {
    const pageLabel = `Page ${page.number} of ${pages.length}`;
    const footer = page.items.filter((item) => item.y < footerTop);
    // The footer names the page and the document, and nothing else reaches into it.
    expect(footer.map((item) => item.text)).toHaveLength(2);
    expect(footer.map((item) => item.text)).toContain(pageLabel);
    expect(footer.some((item) => item.text.startsWith(documentLabel))).toBe(true);
    expect(
      page.items.filter((item) => item.y >= footerTop).every((item) => item.y > 50),
      `page ${page.number} has text below the bottom margin`,
    ).toBe(true);
    if (page.number > 1) expect(page.text).toContain(`${documentLabel} (continued)`);
  }
  return pages;
}

function pageWith(pages: PdfPage[], text: string): number[] {
  return pages.filter((page) => page.items.some((item) => item.text === text)).map((p) => p.number);
}

describe('the invoice PDF layout', () => {
  it('keeps the totals together, numbers every page and loses no line, from 1 to 120 lines', async () => {
    for (let count = 1; count <= 120; count++) {
      const lines = Array.from({ length: count }, (_, index) => ({
        ...invoice.lines[0]!,
        position: index,
        description: `Line ${index + 1} of ${count}`,
      }));
      const pdf = await invoicePdf({ ...invoice, lines }, brand);
      const pages = await checkPages(pdf, 'Invoice INV-L-1');
      const totals = ['Subtotal', 'Tax (Indiana Sales, 7%)', 'Total', 'Amount paid', 'Balance due'];
      const where = totals.map((label) => pageWith(pages, label));
      for (const found of where) expect(found, `${count} lines`).toHaveLength(1);
      expect(new Set(where.flat()).size, `totals split with ${count} lines`).toBe(1);
      const text = pages.map((page) => page.text).join('\n');
      for (let index = 1; index <= count; index++) {
        expect(text.split('\n'), `${count} lines`).toContainEqual(
          expect.stringContaining(`Line ${index} of ${count} `),
        );
      }
    }
  }, 180_000);

  it('flows a 4,000-character description across pages without losing a word', async () => {
    const words = Array.from({ length: 800 }, (_, index) => `w${String(index).padStart(4, '0')}`);
    const description = words.join(' ').slice(0, 3_999) + '.';
    expect(description.length).toBe(4_000);
    const lines = [
      { ...invoice.lines[0]!, description: 'First line' },
      ...Array.from({ length: 3 }, (_, index) => ({
        ...invoice.lines[0]!,
        position: index + 1,
        description: index === 1 ? description : `Short line ${index}`,
      })),
    ];
    const pdf = await invoicePdf({ ...invoice, lines }, brand);
    const pages = await checkPages(pdf, 'Invoice INV-L-1');
    const text = pages.map((page) => page.items.map((item) => item.text).join(' ')).join(' ');
    const found = text.match(/w\d{4}\.?/g) ?? [];
    expect(found.join(' ')).toBe(description.match(/w\d{4}\.?/g)!.join(' '));
    expect(text).toContain('Short line 2');
    expect(text).toContain('Balance due');
  });

  it('takes a 4,000-character line description from the API and the CSV import', async () => {
    const category = (
      await testApp.database.pool.query(`SELECT id, name FROM service_categories LIMIT 1`)
    ).rows[0];
    const description = 'Scope of work: '.padEnd(4_000, 'x');
    const created = await billing.post('/api/invoices', {
      organizationId: pawnee,
      issueDate: '2026-11-02',
      terms: 'Net 30',
      serviceCategoryId: category.id,
      taxRateId: null,
      lines: [{ description, quantity: '1', unitPriceCents: 10_000, taxable: true }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const tooLong = await billing.post('/api/invoices', {
      organizationId: pawnee,
      issueDate: '2026-11-02',
      terms: 'Net 30',
      serviceCategoryId: category.id,
      taxRateId: null,
      lines: [{ description: `${description}x`, quantity: '1', unitPriceCents: 1, taxable: true }],
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('must be at most 4000 characters');

    const csv = [
      'invoice_number,organization,issue_date,terms,service_category,description,quantity,unit_price',
      `IMP-L-1,Pawnee Parks Dept.,2026-11-02,Net 30,${category.name},${description},1,100.00`,
    ].join('\n');
    const imported = await billing.post('/api/invoices/import', { csv });
    expect(imported.statusCode, imported.body).toBe(201);
  });
});

describe('the statement PDF layout', () => {
  it('numbers every page, repeats the headings and loses no open invoice', async () => {
    const org: string = (
      await testApp.database.pool.query(
        `INSERT INTO organizations (name) VALUES ('Many Invoices Co') RETURNING id`,
      )
    ).rows[0].id;
    for (let index = 1; index <= 130; index++) {
      await insertInvoice(testApp.database.pool, {
        organizationId: org,
        number: `S-L-${String(index).padStart(3, '0')}`,
        issueDate: '2026-01-01',
        dueDate: '2026-01-31',
      });
    }
    const statement = await buildAccountStatement({
      pool: testApp.database.pool,
      organizationId: org,
      asOf: '2026-11-22',
    });
    const pdf = await statementPdf(statement, brand);
    const pages = await checkPages(pdf, 'Statement for Many Invoices Co as of 2026-11-22');
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages.slice(1, -1)) expect(page.text).toContain('Days past due');
    const text = pages.map((page) => page.text).join('\n');
    for (let index = 1; index <= 130; index++) {
      expect(text).toContain(`S-L-${String(index).padStart(3, '0')}`);
    }
    expect(pageWith(pages, 'Total due').length).toBeGreaterThan(0);
  });
});
