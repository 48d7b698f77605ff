import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';

/**
 * Removing a payment method in the portal: the confirmation lists what goes with it (the
 * scheduled payments on it, cancelled; the AutoPay rules naming it, moved to the default
 * method) before the client confirms, and the answer says it was done.
 */

let browserApp: BrowserApp;

beforeAll(async () => {
  browserApp = await startBrowserApp();
});
afterAll(async () => browserApp?.close());

describe('removing a payment method in the portal', () => {
  it('lists the scheduled payment it cancels and the AutoPay rule it moves before the client confirms', async () => {
    const pool = browserApp.testApp.database.pool;
    const suffix = randomUUID().slice(0, 8);
    const organization = (
      await pool.query<{ id: string }>(
        `INSERT INTO organizations (name) VALUES ($1) RETURNING id`,
        [`Removal Client ${suffix}`],
      )
    ).rows[0]!.id;
    const profile = (
      await pool.query<{ id: string }>(
        `INSERT INTO access_profiles (name, permissions) VALUES ($1, $2) RETURNING id`,
        [`Removal ${suffix}`, ['view_invoices', 'manage_payment_methods']],
      )
    ).rows[0]!.id;
    const email = `removal-${suffix}@example.com`;
    const password = 'Waffles at JJs Diner 1972';
    const contact = (
      await pool.query<{ id: string }>(
        `INSERT INTO contacts (name, email, password_hash) VALUES ('Zoë Ångström', $1, $2)
         RETURNING id`,
        [email, await hashPassword(password)],
      )
    ).rows[0]!.id;
    await pool.query(
      `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
       VALUES ($1, $2, $3)`,
      [contact, organization, profile],
    );
    await savedMethod(browserApp.testApp, organization, testCard('4242424242424242'), {
      isDefault: true,
      friendlyName: 'Main card',
    });
    const spare = await savedMethod(
      browserApp.testApp,
      organization,
      testCard('5555555555554444'),
      { friendlyName: 'Carte de Zoë' },
    );
    const invoice = await insertInvoice(pool, {
      organizationId: organization,
      number: `INV-RM-${suffix}`,
      issueDate: '2026-12-01',
      dueDate: '2027-01-15',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 12_300 }],
    });
    const scheduled = (
      await pool.query<{ id: string }>(
        `INSERT INTO scheduled_payments (organization_id, payment_method_id, run_on, currency)
         VALUES ($1, $2, '2027-01-10', 'USD') RETURNING id`,
        [organization, spare],
      )
    ).rows[0]!.id;
    await pool.query(
      `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
       VALUES ($1, $2, 12300)`,
      [scheduled, invoice],
    );
    await pool.query(
      `INSERT INTO autopay_organizations (organization_id, enabled) VALUES ($1, true)`,
      [organization],
    );
    await pool.query(
      `INSERT INTO autopay_rules (organization_id, position, timing, payment_method_id)
       VALUES ($1, 1, 'due_date', $2)`,
      [organization, spare],
    );

    const page = await browserApp.newPage();
    await page.goto(`${browserApp.baseUrl}/portal/sign-in`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
    await page.goto(`${browserApp.baseUrl}/portal/configuration/payment-methods`);

    await page.getByRole('button', { name: 'Remove Carte de Zoë' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove Carte de Zoë?' });
    await confirm
      .getByText('This scheduled payment with it will be cancelled (the invoices stay open):')
      .waitFor();
    expect(
      await confirm.getByRole('list', { name: 'Scheduled payments to be cancelled' }).innerText(),
    ).toMatch(/\$123\.00 on .*2027/);
    await confirm
      .getByText('AutoPay rule 1 will charge the default payment method instead.')
      .waitFor();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('1 scheduled payment with it was cancelled').waitFor();
    const status = await pool.query(`SELECT status FROM scheduled_payments WHERE id = $1`, [
      scheduled,
    ]);
    expect(status.rows[0].status).toBe('cancelled');
    await page.close();
  });
});
