import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Staff's AutoPay Configurations report and Payments Calendar in a real browser: an
 * organization named in Greek with a locked Hosting rule, the invoice AutoPay will charge and a
 * scheduled payment, found in the report, in its CSV link, and on their days of the calendar.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const organizationName = 'Αθηναϊκή Φιλοξενία · Athens Hosting Cooperative of Extremely Long Names';
let organizationId = '';

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  // The MSP's today (New York): Tuesday 10 March 2026.
  testApp.context.clock = () => new Date('2026-03-10T16:00:00Z');
  const pool = testApp.database.pool;
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  // The demo's Configuration > Billing has a Hosting category.
  const hosting = (
    await pool.query(`SELECT id FROM service_categories WHERE lower(name) = 'hosting'`)
  ).rows[0].id;
  const card = await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    isDefault: true,
  });
  await pool.query(
    `INSERT INTO autopay_organizations (organization_id, enabled, required) VALUES ($1, true, true)`,
    [organizationId],
  );
  await pool.query(
    `INSERT INTO autopay_rules (organization_id, position, service_category_ids, timing, locked_at)
     VALUES ($1, 1, ARRAY[$2::uuid], 'due_date', now())`,
    [organizationId, hosting],
  );
  const invoice = await insertInvoice(pool, {
    organizationId,
    number: 'INV-ATH-1',
    issueDate: '2026-03-01',
    dueDate: '2026-03-20',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 12_345 }],
  });
  await pool.query(`UPDATE invoices SET service_category_id = $2 WHERE id = $1`, [
    invoice,
    hosting,
  ]);
  const hardware = await insertInvoice(pool, {
    organizationId,
    number: 'INV-ATH-2',
    issueDate: '2026-03-01',
    dueDate: '2026-03-25',
    lines: [{ description: 'Switch', quantity: 10_000, unitPriceCents: 40_000 }],
  });
  const scheduled = (
    await pool.query(
      `INSERT INTO scheduled_payments (organization_id, payment_method_id, run_on, currency)
       VALUES ($1, $2, '2026-03-15', 'USD') RETURNING id`,
      [organizationId, card],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
     VALUES ($1, $2, 15000)`,
    [scheduled, hardware],
  );
}, 120_000);

afterAll(async () => app?.close());

describe('AutoPay Configurations and the Payments Calendar', () => {
  it('staff find the organization, its locked rule and what will be paid on which day', async () => {
    const page = await app.newPage();
    await signInToConsole(page, baseUrl, 'readonly@portico.test', 'portico-readonly-demo');

    await page.getByRole('link', { name: 'AutoPay Configurations' }).click();
    await page.getByRole('heading', { name: 'AutoPay Configurations' }).waitFor();
    const report = page.getByRole('table', { name: 'AutoPay configurations' });
    const row = report.getByRole('row').filter({ hasText: organizationName });
    await row.getByText('Hosting · On the due date · Default method (Visa •••• 4242)').waitFor();
    await row.getByText('Locked').waitFor();
    await row.getByText('Required').waitFor();
    await row.getByText('Not run yet').waitFor();

    await page.getByLabel('Find organization').fill('φιλοξεν');
    await report.getByRole('row').filter({ hasText: organizationName }).waitFor();
    // The export takes the same filters as the list (once the search has settled).
    await expect
      .poll(() => page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))
      .toBe(`/api/autopay/report/export?search=${encodeURIComponent('φιλοξεν')}`);
    await page.getByLabel('Find organization').fill('no such organization');
    await page.getByText('No organization with AutoPay set up matches these filters.').waitFor();

    await page.getByRole('link', { name: 'Payments Calendar' }).click();
    await page.getByRole('heading', { name: 'March 2026' }).waitFor();
    // The Hosting invoice on its due date, the scheduled payment on its day; totals in each.
    const the20th = page.getByRole('button', { name: /: 1 AutoPay, 0 scheduled, \$123\.45$/ });
    await the20th.click();
    const details = page.getByRole('region').filter({ has: page.getByText('AutoPay charges') });
    const charges = page.getByRole('table', { name: 'AutoPay charges' });
    await charges
      .getByRole('row')
      .filter({ hasText: 'INV-ATH-1' })
      .getByText('Will be charged')
      .waitFor();
    await charges.getByRole('link', { name: organizationName }).waitFor();
    await details.getByText('Total: $123.45').waitFor();

    await page.getByRole('button', { name: /: 0 AutoPay, 1 scheduled, \$150\.00$/ }).click();
    const scheduled = page.getByRole('table', { name: 'Scheduled payments' });
    await scheduled
      .getByRole('row')
      .filter({ hasText: 'INV-ATH-2' })
      .getByText('Visa •••• 4242')
      .waitFor();

    await page.getByText('List by day').click();
    const list = page.getByRole('table', { name: 'Payments by day' });
    expect(await list.getByRole('row').count()).toBe(3);

    await page.getByRole('button', { name: 'Next month' }).click();
    await page.getByRole('heading', { name: 'April 2026' }).waitFor();
    await page.getByText('Nothing is due to be paid in April 2026.').waitFor();
  });
});
