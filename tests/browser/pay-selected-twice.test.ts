import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { sandboxOf, savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Pay Selected confirmed more than once, as people do it: a double click on "Confirm payment",
 * and the same invoices paid from two tabs opened on the old balance. Each is one payment.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'ap@twice.example', password: 'Twice shy at 9 pm' };
let organizationId = '';
const invoices = { first: '', second: '' };

async function balanceOf(invoiceId: string): Promise<number> {
  return (
    await testApp.database.pool.query(`SELECT balance_cents AS b FROM invoices WHERE id = $1`, [
      invoiceId,
    ])
  ).rows[0].b;
}

/** The charges at the sandbox processor for this organization's payments. */
async function charges(): Promise<number> {
  const payments = (
    await testApp.database.pool.query<{ id: string }>(
      `SELECT id FROM payments WHERE organization_id = $1`,
      [organizationId],
    )
  ).rows.map((r) => r.id);
  return (await sandboxOf(testApp).ledger()).charges.filter((c) =>
    payments.includes(c.metadata.paymentId as string),
  ).length;
}

beforeAll(async () => {
  // A processor that takes a moment to answer, as real ones do: time for a second click.
  app = await startBrowserApp({ env: { SANDBOX_LATENCY_MS: '400' } });
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ('Twice Tooling') RETURNING id`)
  ).rows[0].id;
  const contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Tess Twice', $1, $2) RETURNING id`,
      [contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles WHERE name = 'Billing Admin'`,
    [contactId, organizationId],
  );
  invoices.first = await insertInvoice(pool, {
    organizationId,
    number: 'INV-TW-1',
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 10_000 }],
  });
  invoices.second = await insertInvoice(pool, {
    organizationId,
    number: 'INV-TW-2',
    issueDate: '2026-01-06',
    dueDate: '2026-02-05',
    lines: [{ description: 'Help desk', quantity: 10_000, unitPriceCents: 6_000 }],
  });
  await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    friendlyName: 'Office Visa',
    isDefault: true,
  });
}, 120_000);

afterAll(async () => app?.close());

async function signIn(page: Page) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(contact.email);
  await page.getByLabel('Password', { exact: true }).fill(contact.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
}

/** Opens Pay Selected on `number` with `amount` typed for it. */
async function openPay(page: Page, number: string, amount: string) {
  await page.goto(`${baseUrl}/portal/billing/invoices`);
  await page.getByRole('checkbox', { name: `Select ${number}` }).check();
  await page.getByRole('button', { name: 'Pay Selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pay Selected' });
  await dialog.getByLabel(`Amount for ${number}`).fill(amount);
  return dialog;
}

describe('Pay Selected confirmed twice', () => {
  it('a double click on Confirm is one request, and the dialog says the payment was received', async () => {
    const page = await app.newPage();
    await signIn(page);
    const dialog = await openPay(page, 'INV-TW-1', '25.00');
    let requests = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/portal/payments')) {
        requests += 1;
      }
    });
    await dialog.getByRole('button', { name: 'Confirm payment' }).dblclick();
    await dialog.getByText(/^Payment P-\d{6} received$/).waitFor();
    expect(requests).toBe(1);
    expect(await charges()).toBe(1);
    expect(await balanceOf(invoices.first)).toBe(7_500);
    await page.close();
  });

  it('a second tab opened on the old balance is refused, and nothing more is charged', async () => {
    const context = await app.browser.newContext({
      viewport: { width: 1280, height: 900 },
      reducedMotion: 'reduce',
    });
    const tab1 = await context.newPage();
    tab1.setDefaultTimeout(15_000);
    await signIn(tab1);
    const tab2 = await context.newPage();
    tab2.setDefaultTimeout(15_000);
    const first = await openPay(tab1, 'INV-TW-2', '20.00');
    const second = await openPay(tab2, 'INV-TW-2', '20.00');
    const chargesBefore = await charges();

    await first.getByRole('button', { name: 'Confirm payment' }).click();
    await first.getByText(/^Payment P-\d{6} received$/).waitFor();
    await second.getByRole('button', { name: 'Confirm payment' }).click();
    await second.getByText('Payment not made').waitFor();
    await second
      .getByText(/INV-TW-2 changed since this page was opened: its balance is now \$40\.00/)
      .first()
      .waitFor();
    expect(await charges()).toBe(chargesBefore + 1);
    expect(await balanceOf(invoices.second)).toBe(4_000);
    await context.close();
  });
});
