import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import type { TestApp } from '../support/test-app.js';
import { pdfText } from '../support/invoice-fixtures.js';
import { formatMoney } from '../../src/shared/money.js';
import { offeredCurrencies } from '../../src/shared/currencies.js';

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
    expect(stored.rows).toEqual([{ currency: 'JPY', total_cents: 3000, unit_price_cents: 1500 }]);

    // The staff list shows the same amount.
    await page.goto(`${baseUrl}/invoices`);
    await page.getByLabel('Find invoice').fill(number);
    const row = page.getByRole('row').filter({ hasText: number });
    await row.getByText('¥3,000').first().waitFor();
  });
});

/** Any space Intl puts between a code and the number counts as one. */
const spaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('currencies whose digits the browser’s and the server’s Intl disagree on', () => {
  it('bills forints chosen in the console in ISO’s two digits, the same in the browser and the PDF', async () => {
    const forintOrganization: string = (
      await testApp.database.pool.query(
        `INSERT INTO organizations (name) VALUES ('Budapest Racks Kft') RETURNING id`,
      )
    ).rows[0].id;
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/organizations/${forintOrganization}`);
    const billingCard = page.getByRole('form', { name: 'Billing' });
    await billingCard.getByRole('combobox', { name: 'Currency' }).click();
    await page.getByRole('option', { name: /^HUF — Forint/ }).click();
    await billingCard.getByRole('button', { name: 'Save Billing' }).click();
    await expect
      .poll(
        async () =>
          (
            await testApp.database.pool.query('SELECT currency FROM organizations WHERE id = $1', [
              forintOrganization,
            ])
          ).rows[0].currency,
      )
      .toBe('HUF');

    // What the server writes for 1,250 forints (125,000 fillér).
    const shown = spaces(formatMoney(125_000, 'HUF'));
    expect(shown).toBe('HUF 1,250.00');

    await page.goto(`${baseUrl}/invoices/new?organizationId=${forintOrganization}`);
    await page.getByRole('heading', { name: 'New Invoice' }).waitFor();
    await pick(page, 'Service category', 'Network Monitoring');
    await page.getByLabel('Description, line 1').fill('Colocation');
    await page.getByLabel('Quantity, line 1').fill('1');
    await page.getByLabel('Unit price, line 1').fill('1,250');
    await expect
      .poll(async () => spaces((await page.getByLabel('Amount, line 1').textContent()) ?? ''))
      .toContain(shown);
    await page.getByRole('button', { name: 'Save Draft' }).click();

    const heading = page.getByRole('heading', { name: /^Invoice INV-/ });
    await heading.waitFor();
    const number = (await heading.textContent())!.replace('Invoice ', '').trim();
    const totals = page.getByRole('table', { name: 'Totals' });
    await expect.poll(async () => spaces((await totals.textContent()) ?? '')).toContain(shown);

    const stored = await testApp.database.pool.query(
      `SELECT i.id, i.currency, i.total_cents, l.unit_price_cents
         FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.number = $1`,
      [number],
    );
    expect(stored.rows).toEqual([
      {
        id: expect.any(String),
        currency: 'HUF',
        total_cents: 125000,
        unit_price_cents: 125000,
      },
    ]);

    const pdf = await page.request.get(`${baseUrl}/api/invoices/${stored.rows[0].id}/pdf`);
    expect(pdf.status()).toBe(200);
    const text = spaces(await pdfText(await pdf.body()));
    expect(text).toContain(shown);
    expect(text).not.toContain('HUF 125,000');
    await page.close();
  });

  it('shows every offered currency in the console exactly as the server writes it', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/organizations/${yenOrganization}`);
    const billingCard = page.getByRole('form', { name: 'Billing' });
    await billingCard.getByRole('combobox', { name: 'Currency' }).click();
    const options = page.getByRole('option');
    await expect.poll(() => options.count()).toBe(offeredCurrencies.length);
    const inBrowser = await options.allTextContents();
    // Each choice carries a sample amount formatted by the browser's copy of the shared code.
    const onServer = offeredCurrencies.map(
      ({ code, name }) => `${code} — ${name} (${formatMoney(123_456, code)})`,
    );
    const differing = onServer.flatMap((server, i) =>
      inBrowser[i] === server ? [] : [{ server, browser: inBrowser[i] }],
    );
    expect(differing).toEqual([]);
    await page.close();
  });
});
