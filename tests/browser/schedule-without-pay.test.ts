import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { businessToday } from '../../src/modules/settings/business-date.js';
import { addDays } from '../../src/modules/invoices/invoice-math.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * A contact whose access profile may schedule payments but not pay invoices has a screen to
 * schedule one: from Billing > Scheduled Payments to the open invoices, "Schedule a Payment"
 * (no paying now), a date that is not later refused, then a later one taken. Nothing charged.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'planer@kawasaki-netz.example', password: 'Zahlungen nur planen 2026' };
let invoiceId = '';
let today = '';

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  today = await businessToday(pool);
  const organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      '川崎ネットワーク株式会社',
    ])
  ).rows[0].id;
  const profileId = (
    await pool.query(
      `INSERT INTO access_profiles (name, permissions)
       VALUES ('Планирование платежей', ARRAY['view_invoices', 'schedule_payments'])
       RETURNING id`,
    )
  ).rows[0].id;
  const contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Ōta Hanako', $1, $2) RETURNING id`,
      [contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     VALUES ($1, $2, $3)`,
    [contactId, organizationId, profileId],
  );
  invoiceId = await insertInvoice(pool, {
    organizationId,
    number: 'INV-KW-1',
    issueDate: today,
    dueDate: addDays(today, 30),
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 31_000 }],
  });
  await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    friendlyName: '会社のカード',
    isDefault: true,
  });
}, 120_000);

afterAll(async () => app?.close());

describe('scheduling a payment without paying', () => {
  it('a contact who may schedule but not pay schedules a payment for a later date', async () => {
    const page = await app.newPage();
    await page.goto(`${baseUrl}/portal/sign-in`);
    await page.getByLabel('Email', { exact: true }).fill(contact.email);
    await page.getByLabel('Password', { exact: true }).fill(contact.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();

    await page.goto(`${baseUrl}/portal/billing/scheduled-payments`);
    await page.getByRole('heading', { name: 'Scheduled Payments', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Schedule a payment' }).click();
    await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
    await page.getByRole('checkbox', { name: 'Select INV-KW-1' }).check();
    expect(await page.getByRole('button', { name: 'Pay Selected' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Schedule a Payment' }).click();

    const dialog = page.getByRole('dialog', { name: 'Schedule a Payment' });
    await dialog.getByText('会社のカード (Visa •••• 4242) · default').waitFor();
    // No paying now: only a date.
    expect(await dialog.getByRole('radio', { name: 'Pay now' }).count()).toBe(0);
    const date = dialog.getByLabel('Payment date');
    await date.fill(today);
    await date.press('Tab');
    await dialog.getByRole('button', { name: 'Schedule payment' }).click();
    await dialog
      .getByText(/must be after today/)
      .first()
      .waitFor();

    const later = addDays(today, 12);
    await date.fill(later);
    await date.press('Tab');
    await dialog.getByRole('button', { name: 'Schedule payment' }).click();
    await dialog.getByText(`Payment scheduled for ${later}`).waitFor();
    await dialog.getByText('$310.00 with 会社のカード (Visa •••• 4242)').waitFor();
    const stored = await testApp.database.pool.query(
      `SELECT s.run_on AS "runOn", s.status, a.amount_cents AS cents
         FROM scheduled_payments s
         JOIN scheduled_payment_allocations a ON a.scheduled_payment_id = s.id
        WHERE a.invoice_id = $1`,
      [invoiceId],
    );
    expect(stored.rows).toEqual([{ runOn: later, status: 'scheduled', cents: 31_000 }]);
    // Nothing charged now.
    const balance = await testApp.database.pool.query(
      `SELECT balance_cents AS b FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    expect(balance.rows[0].b).toBe(31_000);
    await page.close();
  });
});
