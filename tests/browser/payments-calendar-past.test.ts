import { afterAll, beforeAll, describe, it } from 'vitest';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Staff go back a month in the Payments Calendar and see what happened: the AutoPay tries the
 * runs made (declined with the reason, charged) and a scheduled payment that was paid, for an
 * organization named in Japanese.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const organizationName = '株式会社さくらネットワーク';

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  // The MSP's today (New York): Tuesday 10 March 2026.
  testApp.context.clock = () => new Date('2026-03-10T16:00:00Z');
  const pool = testApp.database.pool;
  const organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  const card = await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    isDefault: true,
  });
  await pool.query(
    `INSERT INTO autopay_organizations (organization_id, enabled) VALUES ($1, true)`,
    [organizationId],
  );
  await pool.query(
    `INSERT INTO autopay_rules (organization_id, position, service_category_ids, timing)
     VALUES ($1, 1, '{}', 'due_date')`,
    [organizationId],
  );
  const declined = await insertInvoice(pool, {
    organizationId,
    number: 'INV-JP-1',
    issueDate: '2026-01-20',
    dueDate: '2026-02-20',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 5_000 }],
  });
  const charged = await insertInvoice(pool, {
    organizationId,
    number: 'INV-JP-2',
    issueDate: '2026-02-09',
    dueDate: '2026-03-09',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 12_345 }],
  });
  await pool.query(`UPDATE invoices SET amount_paid_cents = total_cents WHERE id = $1`, [charged]);
  await pool.query(
    `INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                   run_date, amount_cents, outcome, reason, next_try_on)
     VALUES ($1, $2, '2026-02-20', 1, '2026-02-20', 5000, 'retry_scheduled',
             'Your card has insufficient funds.', '2026-02-23'),
            ($1, $3, '2026-03-09', 1, '2026-03-09', 12345, 'charged', NULL, NULL)`,
    [organizationId, declined, charged],
  );
  const scheduled = (
    await pool.query(
      `INSERT INTO scheduled_payments (organization_id, payment_method_id, run_on, currency, status)
       VALUES ($1, $2, '2026-02-16', 'USD', 'paid') RETURNING id`,
      [organizationId, card],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
     VALUES ($1, $2, 2000)`,
    [scheduled, declined],
  );
}, 120_000);

afterAll(async () => app?.close());

describe('the Payments Calendar, a month back', () => {
  it('shows what the AutoPay runs did and the scheduled payment that was paid', async () => {
    const page = await app.newPage();
    await signInToConsole(page, baseUrl, 'readonly@portico.test', 'portico-readonly-demo');
    await page.getByRole('link', { name: 'Payments Calendar' }).click();
    await page.getByRole('heading', { name: 'March 2026' }).waitFor();

    // This month's past: the charge made on the 9th.
    await page.getByRole('button', { name: /: 1 AutoPay, 0 scheduled, \$123\.45$/ }).click();
    const charges = page.getByRole('table', { name: 'AutoPay charges' });
    await charges.getByRole('row').filter({ hasText: 'INV-JP-2' }).getByText('Charged').waitFor();

    await page.getByRole('button', { name: 'Previous month' }).click();
    await page.getByRole('heading', { name: 'February 2026' }).waitFor();
    await page.getByRole('button', { name: /: 0 AutoPay, 0 scheduled, 1 declined$/ }).click();
    await charges
      .getByRole('row')
      .filter({ hasText: 'INV-JP-1' })
      .filter({ hasText: organizationName })
      .getByText('Declined, will try again: Your card has insufficient funds.')
      .waitFor();

    await page.getByRole('button', { name: /: 0 AutoPay, 1 scheduled, \$20\.00$/ }).click();
    await page
      .getByRole('table', { name: 'Scheduled payments' })
      .getByRole('row')
      .filter({ hasText: 'INV-JP-1' })
      .getByText('paid')
      .waitFor();

    await page.getByText('List by day').click();
    const list = page.getByRole('table', { name: 'Payments by day' });
    await list.getByRole('row').filter({ hasText: '$20.00' }).waitFor();
  });
});
