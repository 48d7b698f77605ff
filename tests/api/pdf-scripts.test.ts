import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// Names, addresses and line descriptions as MSPs' clients write them, in the scripts a
// reader must get back letter for letter from the PDF.
const samples = {
  czech: 'Dvořák & Syn s.r.o.',
  polish: 'Zażółć gęślą jaźń',
  german: 'Müller & Söhne GmbH, Straße',
  french: 'Société Générale, œuvre, ç',
  greek: 'Αθήνα Ελλάδα',
  cyrillic: 'Москва, ООО «Ромашка»',
  // The fallback font has these; nothing after them may be lost.
  cjk: '東京都 Tail',
  emoji: 'Launch 🚀 Tail',
};

let testApp: TestApp;
let readOnly: ApiClient;
const organizations = new Map<string, string>();
const invoices = new Map<string, string>();

beforeAll(async () => {
  testApp = await startTestApp();
  readOnly = await signedInAs(testApp.app, 'read_only');
  const pool = testApp.database.pool;
  for (const [script, sample] of Object.entries(samples)) {
    const id: string = (
      await pool.query(
        `INSERT INTO organizations (name, address_line1, address_line2, city, region, postal_code)
         VALUES ($1, $2, $3, 'Brno', 'CZ', '602 00') RETURNING id`,
        [sample, `${sample} 12`, `c/o ${sample}`],
      )
    ).rows[0].id;
    organizations.set(script, id);
    invoices.set(
      script,
      await insertInvoice(pool, {
        organizationId: id,
        number: `INV-U-${script}`,
        issueDate: '2026-11-01',
        dueDate: '2099-12-01',
        lines: [
          { description: `${sample} support`, quantity: 10_000, unitPriceCents: 7_500 },
          { description: 'Backups', quantity: 10_000, unitPriceCents: 1_000 },
        ],
      }),
    );
  }
});
afterAll(async () => testApp.close());

describe('documents in every script', () => {
  for (const [script, sample] of Object.entries(samples)) {
    it(`prints ${script} text on the invoice PDF as written: "${sample}"`, async () => {
      const response = await readOnly.get(`/api/invoices/${invoices.get(script)}/pdf`);
      expect(response.statusCode).toBe(200);
      const text = await pdfText(response.rawPayload);
      expect(text).toContain(`\n${sample}`); // the bill-to name
      expect(text).toContain(`${sample} 12`);
      expect(text).toContain(`c/o ${sample}`);
      expect(text).toContain(`${sample} support`);
      expect(text).toContain('Backups');
    });

    it(`prints ${script} text on the statement PDF as written: "${sample}"`, async () => {
      const response = await readOnly.get(
        `/api/organizations/${organizations.get(script)}/statement.pdf`,
      );
      expect(response.statusCode).toBe(200);
      const text = await pdfText(response.rawPayload);
      expect(text).toContain(sample);
      expect(text).toContain(`${sample} 12`);
      expect(text).toContain(`c/o ${sample}`);
      expect(text).toContain(`INV-U-${script}`);
    });
  }

  it('embeds its fonts as subsets, so a document stays small', async () => {
    const response = await readOnly.get(`/api/invoices/${invoices.get('cjk')}/pdf`);
    expect(response.rawPayload.length).toBeLessThan(150_000);
    // Subset fonts are named with a six-letter tag: ABCDEF+Name.
    expect(response.rawPayload.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+/);
  });
});
