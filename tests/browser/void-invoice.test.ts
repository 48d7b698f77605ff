import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { organizationId } from '../support/test-app.js';

let app: BrowserApp;
let invoiceId: string;

beforeAll(async () => {
  app = await startBrowserApp();
  const pool = app.testApp.database.pool;
  await pool.query(`UPDATE contacts SET password_hash = $1 WHERE email = $2`, [
    await hashPassword('Waffles at JJs Diner 1972'),
    'lknope@pawnee-indiana.gov',
  ]);
  // $75.00 owed until staff void it.
  invoiceId = await insertInvoice(pool, {
    organizationId: await organizationId(app.testApp, 'Demo Company'),
    number: 'INV-VB-1',
    issueDate: '2026-11-01',
    dueDate: '2099-12-01',
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 7_500 }],
  });
}, 120_000);

afterAll(async () => app?.close());

describe('a voided invoice in a real browser', () => {
  it('shows staff and the client that nothing is due', async () => {
    const page = await app.newPage({ height: 1400 });
    await signInToConsole(page, app.baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${app.baseUrl}/invoices/${invoiceId}`);
    await page.getByRole('heading', { name: 'Invoice INV-VB-1' }).waitFor();
    await page.getByRole('button', { name: 'Void' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Billed twice');
    await dialog.getByRole('button', { name: 'Void Invoice' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const totals = page.getByRole('table', { name: 'Totals' });
    const balance = totals.getByRole('row').filter({ hasText: 'Balance' });
    await balance.getByText('Balance (void: nothing is due)').waitFor();
    expect(await balance.textContent()).toContain('$0.00');
    await page
      .frameLocator('iframe')
      .getByText('This invoice is void. Nothing is due.')
      .first()
      .waitFor();
    await page.close();

    const portal = await app.newPage();
    await portal.goto(`${app.baseUrl}/portal/sign-in`);
    await portal.getByLabel('Email', { exact: true }).fill('lknope@pawnee-indiana.gov');
    await portal.getByLabel('Password', { exact: true }).fill('Waffles at JJs Diner 1972');
    await portal.getByRole('button', { name: 'Sign in' }).click();
    await portal.getByRole('heading', { name: /^Welcome, / }).waitFor();
    await portal.goto(`${app.baseUrl}/portal/billing/invoices/${invoiceId}`);
    await portal.getByRole('heading', { name: 'Invoice INV-VB-1' }).waitFor();
    await portal.getByText('This invoice is void. Nothing is due.').first().waitFor();
    expect(await portal.getByText(/Balance \$75\.00/).count()).toBe(0);
    await portal.close();
  });
});
