import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/platform/database.js';
import { buildAccountStatement } from '../../src/modules/statements/account-statement.js';
import { statementPdf } from '../../src/modules/statements/statement-pdf.js';
import { agingBuckets } from '../../src/modules/statements/aging.js';
import { getBrand } from '../../src/modules/settings/settings.service.js';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

let testApp: TestApp;
let billing: ApiClient;
let readOnly: ApiClient;
let statementOrg: string;
let demoCompany: string;
const asOf = '2026-11-22';

async function invoice(
  number: string,
  dueDate: string,
  cents: number,
  extra: Partial<Parameters<typeof insertInvoice>[1]> = {},
) {
  return insertInvoice(testApp.database.pool, {
    organizationId: statementOrg,
    number,
    issueDate: '2026-06-01',
    dueDate,
    lines: [{ description: 'Services', quantity: 10_000, unitPriceCents: cents }],
    ...extra,
  });
}

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  // An organization of its own: the demo data may seed invoices for the demo organizations.
  const pool = testApp.database.pool;
  statementOrg = (
    await pool.query(
      `INSERT INTO organizations (name, address_line1, city, region, postal_code)
       VALUES ('Statement Test Co', '1 Main St', 'Pawnee', 'IN', '47555') RETURNING id`,
    )
  ).rows[0].id;
  const contact = (
    await pool.query(
      `INSERT INTO contacts (name, email) VALUES ('Ron Swanson', 'ron@statement.example') RETURNING id`,
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification)
     VALUES ($1, $2, true)`,
    [contact, statementOrg],
  );
  demoCompany = await organizationId(testApp, 'Demo Company');
  await invoice('S-A', '2026-12-01', 10_000); // not yet due: Current
  await invoice('S-B', '2026-11-22', 500); // due today: Current
  await invoice('S-C', '2026-11-21', 2_000, { amountPaidCents: 500 }); // 1 day: 1–30
  await invoice('S-D', '2026-10-23', 300); // 30 days: 1–30
  await invoice('S-E', '2026-10-22', 700); // 31 days: 31–60
  await invoice('S-F', '2026-08-24', 900); // 90 days: 61–90
  await invoice('S-G', '2026-08-23', 1_100); // 91 days: Over 90
  // Not open as of the statement date: paid, draft, void, issued later, someone else's.
  await invoice('S-paid', '2026-08-01', 4_000, { amountPaidCents: 4_000 });
  await invoice('S-draft', '2026-08-01', 4_000, { state: 'draft' });
  await invoice('S-void', '2026-08-01', 4_000, { state: 'void' });
  await invoice('S-later', '2026-12-30', 4_000, { issueDate: '2026-11-30' });
  await invoice('S-other', '2026-08-01', 4_000, { organizationId: demoCompany });
});
afterAll(async () => testApp.close());

describe('the account statement', () => {
  it('ages the open invoices into buckets that add up to the total due', async () => {
    const statement = await buildAccountStatement({
      pool: testApp.database.pool,
      organizationId: statementOrg,
      asOf,
    });
    expect(statement.aging).toEqual({
      current: 10_500,
      days1to30: 1_800,
      days31to60: 700,
      days61to90: 900,
      over90: 1_100,
    });
    expect(statement.totalDueCents).toBe(15_000);
    expect(agingBuckets.reduce((sum, bucket) => sum + statement.aging[bucket], 0)).toBe(
      statement.totalDueCents,
    );
    expect(statement.pastDueCents).toBe(15_000 - 10_500);
    expect(statement.openInvoices.map((i) => [i.number, i.daysPastDue, i.balanceCents])).toEqual([
      ['S-G', 91, 1_100],
      ['S-F', 90, 900],
      ['S-E', 31, 700],
      ['S-D', 30, 300],
      ['S-C', 1, 1_500],
      ['S-B', 0, 500],
      ['S-A', 0, 10_000],
    ]);
    expect(statement.oldestOpenInvoice).toMatchObject({ number: 'S-G', dueDate: '2026-08-23' });
    expect(statement.recentPayments).toEqual([]);
    expect(statement.address).toContain('Pawnee, IN 47555');
  });

  it('is empty for an organization that owes nothing', async () => {
    const created = (await billing.post('/api/organizations', { name: 'Paid Up LLC' })).json()
      .organization.id;
    const statement = await buildAccountStatement({
      pool: testApp.database.pool,
      organizationId: created,
      asOf,
    });
    expect(statement.totalDueCents).toBe(0);
    expect(statement.oldestOpenInvoice).toBeNull();
    expect(Object.values(statement.aging)).toEqual([0, 0, 0, 0, 0]);
  });

  it('renders a statement PDF with the aging and the open invoices', async () => {
    const statement = await buildAccountStatement({
      pool: testApp.database.pool,
      organizationId: statementOrg,
      asOf,
    });
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const pdf = await statementPdf(statement, brand, { compress: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const expected of [
      'Statement',
      'Statement Test Co',
      asOf,
      'Over 90',
      '61–90',
      '$150.00',
      '$105.00',
      '$11.00',
      'S-G, due 2026-08-23',
      'S-A',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('S-paid');
    expect(text).not.toContain('S-other');
  });
});

describe('the Account Summary email', () => {
  it('attaches the statement PDF to every Account Summary', async () => {
    const sent = await billing.post(`/api/organizations/${statementOrg}/send-account-summary`);
    expect(sent.statusCode).toBe(202);
    const attachments = await testApp.database.pool.query(
      `SELECT filename, content_type, content FROM email_attachments WHERE message_id = $1`,
      [sent.json().messageId],
    );
    expect(attachments.rows).toHaveLength(1);
    const [attachment] = attachments.rows;
    expect(attachment.filename).toMatch(/^statement-statement-test-co-\d{4}-\d{2}-\d{2}\.pdf$/);
    expect(attachment.content_type).toBe('application/pdf');
    expect((attachment.content as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const email = (await billing.get(`/api/emails/${sent.json().messageId}`)).json().email;
    expect(email.html).toContain('Oldest open invoice');
    expect(email.html).toContain('S-G');
  });

  it('previews the Account Summary and serves the statement PDF to staff', async () => {
    const preview = await readOnly.get(
      `/api/organizations/${statementOrg}/account-summary/preview`,
    );
    expect(preview.statusCode).toBe(200);
    const body = preview.json();
    expect(body.subject).toContain('Statement Test Co');
    expect(body.text).toMatch(/Hello\s+Ron Swanson/);
    expect(body.html).toContain('Oldest open invoice');
    expect(body.text).toContain('S-G');
    expect(body.statement.oldestOpenInvoice.number).toBe('S-G');
    expect(body.statement.openInvoices.length).toBeGreaterThanOrEqual(7);

    const pdf = await readOnly.get(`/api/organizations/${statementOrg}/statement.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(
      /^inline; filename="statement-statement-test-co-\d{4}-\d{2}-\d{2}\.pdf"$/,
    );
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(
      (await readOnly.get(`/api/organizations/${unknown}/account-summary/preview`)).statusCode,
    ).toBe(404);
    expect((await readOnly.get(`/api/organizations/${unknown}/statement.pdf`)).statusCode).toBe(
      404,
    );
  });
});
