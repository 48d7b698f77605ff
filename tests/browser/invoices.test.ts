import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { organizationId, signedInAs, type TestApp } from '../support/test-app.js';

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  ({ testApp, baseUrl } = app);
  await testApp.database.pool.query(
    `UPDATE contacts SET password_hash = $1 WHERE email IN ('lknope@pawnee-indiana.gov', 'aludgate@pawnee-indiana.gov')`,
    [await hashPassword('Waffles at JJs Diner 1972')],
  );
}, 120_000);

afterAll(async () => app?.close());

async function portalSignIn(page: Page, email: string) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByRole('heading', { name: /^Sign in to / }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill('Waffles at JJs Diner 1972');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
}

async function pick(page: Page, label: string, option: string) {
  const box = page.getByRole('combobox', { name: label });
  await box.scrollIntoViewIfNeeded();
  await box.click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('invoices in a real browser', () => {
  it('lets staff create and issue an invoice that the portal contact sees and opens as a PDF', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.getByRole('link', { name: 'Invoices', exact: true }).click();
    await page.getByRole('heading', { name: 'Invoices', exact: true }).waitFor();
    await page.getByRole('button', { name: 'New Invoice' }).click();

    const organization = page.getByRole('combobox', { name: 'Organization' });
    await organization.click();
    await organization.fill('Pawnee');
    await page.getByRole('option', { name: 'Pawnee Parks Dept.' }).click();
    await pick(page, 'Service category', 'Network Monitoring');
    await page.getByLabel('Description, line 1').fill('Wi-Fi survey, Pawnee Commons');
    await page.getByLabel('Quantity, line 1').fill('3');
    await page.getByLabel('Unit price, line 1').fill('1,250.00');
    await page.getByRole('button', { name: 'Save Draft' }).click();

    const heading = page.getByRole('heading', { name: /^Invoice INV-/ });
    await heading.waitFor();
    const number = (await heading.textContent())!.replace('Invoice ', '').trim();
    await page.getByRole('button', { name: 'Issue Invoice' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Issue Invoice' }).click();
    await page.getByRole('button', { name: 'Void' }).waitFor();
    const stored = await testApp.database.pool.query(
      'SELECT state, total_cents FROM invoices WHERE number = $1',
      [number],
    );
    expect(stored.rows[0]).toEqual({ state: 'issued', total_cents: 375000 });

    // Leslie Knope (Billing Admin at Pawnee) sees it among open invoices and opens its PDF.
    const portal = await app.newPage();
    await portalSignIn(portal, 'lknope@pawnee-indiana.gov');
    const company = portal.getByRole('combobox', { name: 'Company' });
    await company.click();
    await portal.getByRole('option', { name: 'Pawnee Parks Dept.' }).click();
    await portal
      .getByRole('navigation', { name: 'Portal navigation' })
      .getByRole('link', { name: 'Invoices', exact: true })
      .click();
    const open = portal.getByRole('table', { name: 'Open invoices' });
    const row = open.getByRole('row').filter({ hasText: number });
    await row.waitFor();
    await row.getByRole('link', { name: 'View Invoice' }).click();
    await portal.frameLocator('iframe[title="Invoice"]').getByText(number).first().waitFor();
    const pdfHref = await portal.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
    const pdf = await portal.request.get(new URL(pdfHref!, baseUrl).toString());
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await portal.close();
    await page.close();
  });

  it('tells a contact whose profile has no invoice access so, instead of an empty list', async () => {
    const page = await app.newPage();
    await portalSignIn(page, 'aludgate@pawnee-indiana.gov');
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByText(/Your access level does not include this page/).waitFor();
    expect(await page.getByRole('table', { name: 'Open invoices' }).count()).toBe(0);
    await page.close();
  });

  it('sends an Account Summary whose statement shows the right aging', async () => {
    const staff = await signedInAs(testApp.app, 'billing');
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
    expect((await staff.post(`/api/organizations/${pawnee}/send-account-summary`)).statusCode).toBe(
      202,
    );
    let text = '';
    let attachments: string[] = [];
    await expect
      .poll(
        async () => {
          const row = (
            await testApp.database.pool.query(
              `SELECT raw FROM local_mailbox WHERE subject LIKE 'Account summary for Pawnee%' ORDER BY id DESC LIMIT 1`,
            )
          ).rows[0];
          if (!row) return false;
          const mail = await simpleParser(row.raw);
          text = mail.text ?? '';
          attachments = mail.attachments.map((a) => a.contentType);
          return true;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    // Demo invoices: $1,250.00 over 90 days, $280.00 at 31–60, $325.50 at 1–30, and current
    // $199.75 plus the $3,750.00 issued in the first test.
    expect(text).toContain('Total due: $5,805.25');
    expect(text).toContain('Past due: $1,855.50');
    for (const amount of ['$3,949.75', '$325.50', '$280.00', '$0.00', '$1,250.00']) {
      expect(text).toContain(amount);
    }
    expect(attachments).toContain('application/pdf');

    // And in the console, the preview shows the same buckets.
    const page = await app.newPage();
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/organizations/${pawnee}`);
    await page.getByRole('button', { name: 'Preview Account Summary' }).click();
    const aging = page.getByRole('table', { name: 'Aging' });
    await aging.getByText('$1,250.00').waitFor();
    await aging.getByText('$5,805.25').waitFor();
    await page.close();
  });
});
