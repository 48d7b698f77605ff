import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import type { TestApp } from '../support/test-app.js';

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
let yenOrganization: string;

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  yenOrganization = (
    await testApp.database.pool.query(
      `INSERT INTO organizations (name, currency) VALUES ('Osaka Cloud KK', 'JPY') RETURNING id`,
    )
  ).rows[0].id;
}, 120_000);

afterAll(async () => app?.close());

async function pick(page: Page, label: string, option: string) {
  const box = page.getByRole('combobox', { name: label });
  await box.scrollIntoViewIfNeeded();
  await box.click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('an invoice in yen, which has no minor unit', () => {
  it('reads a typed price as whole yen and shows ¥ amounts without decimals', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/invoices/new?organizationId=${yenOrganization}`);
    await page.getByRole('heading', { name: 'New Invoice' }).waitFor();
    await pick(page, 'Service category', 'Network Monitoring');
    await page.getByLabel('Description, line 1').fill('Rack space');
    await page.getByLabel('Quantity, line 1').fill('2');

    // Yen have no decimals: "1.50" is refused, saying so.
    await page.getByLabel('Unit price, line 1').fill('1.50');
    await page.getByRole('button', { name: 'Save Draft' }).click();
    await page.getByText('Unit price must be a whole number, such as 1,250').waitFor();

    await page.getByLabel('Unit price, line 1').fill('¥1,500');
    await page.getByLabel('Amount, line 1').getByText('¥3,000').waitFor();
    await page.getByRole('button', { name: 'Save Draft' }).click();

    const heading = page.getByRole('heading', { name: /^Invoice INV-/ });
    await heading.waitFor();
    const number = (await heading.textContent())!.replace('Invoice ', '').trim();
    const totals = page.getByRole('table', { name: 'Totals' });
    await totals.getByText('¥3,000').first().waitFor();
    expect(await totals.textContent()).not.toContain('¥30.00');

    const stored = await testApp.database.pool.query(
      `SELECT i.currency, i.total_cents, l.unit_price_cents
         FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.number = $1`,
      [number],
    );
    expect(stored.rows).toEqual([
      { currency: 'JPY', total_cents: '3000', unit_price_cents: '1500' },
    ]);

    // The staff list shows the same amount.
    await page.goto(`${baseUrl}/invoices`);
    await page.getByLabel('Find invoice').fill(number);
    const row = page.getByRole('row').filter({ hasText: number });
    await row.getByText('¥3,000').first().waitFor();
  });
});
