import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { organizationId, signedInAs, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * One date format, chosen by the MSP, on every surface: the console, the portal, emails in the
 * inbox, and the invoice's HTML and PDF.
 */
let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
let admin: ApiClient;
let pawnee: string;
let invoiceId: string;

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  ({ testApp, baseUrl } = app);
  await testApp.database.pool.query(
    `UPDATE contacts SET password_hash = $1 WHERE email = 'lknope@pawnee-indiana.gov'`,
    [await hashPassword('Waffles at JJs Diner 1972')],
  );
  admin = await signedInAs(testApp.app, 'master_admin');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  invoiceId = await insertInvoice(testApp.database.pool, {
    organizationId: pawnee,
    number: 'DF-0331',
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
  });
}, 120_000);

afterAll(async () => app?.close());

async function chooseDateFormat(dateFormat: string) {
  const response = await admin.put('/api/settings/business-dates', {
    timeZone: 'America/Chicago',
    dateFormat,
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** The text of the newest Account Summary for Pawnee in the local mailbox, after `afterId`. */
async function accountSummaryInInbox(afterId: number) {
  let text = '';
  await expect
    .poll(
      async () => {
        const row = (
          await testApp.database.pool.query(
            `SELECT raw FROM local_mailbox
              WHERE id > $1 AND subject LIKE 'Account summary for Pawnee%' ORDER BY id DESC LIMIT 1`,
            [afterId],
          )
        ).rows[0];
        if (!row) return false;
        text = (await simpleParser(row.raw)).text ?? '';
        return true;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return text;
}

async function lastMailId() {
  const result = await testApp.database.pool.query('SELECT max(id) AS id FROM local_mailbox');
  return Number(result.rows[0].id ?? 0);
}

async function portalInvoiceDueDate(page: Page) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill('lknope@pawnee-indiana.gov');
  await page.getByLabel('Password', { exact: true }).fill('Waffles at JJs Diner 1972');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
  const company = page.getByRole('combobox', { name: 'Company' });
  await company.click();
  await page.getByRole('option', { name: 'Pawnee Parks Dept.' }).click();
  await page
    .getByRole('navigation', { name: 'Portal navigation' })
    .getByRole('link', { name: 'Invoices', exact: true })
    .click();
  const row = page
    .getByRole('table', { name: 'Open invoices' })
    .getByRole('row')
    .filter({ hasText: 'DF-0331' });
  await row.waitFor();
  return row;
}

describe('the date format', () => {
  it('is the one chosen, in the inbox, the invoice HTML and PDF, the console and the portal', async () => {
    await chooseDateFormat('D MMM YYYY');

    // The email, as the client's inbox receives it.
    const before = await lastMailId();
    expect((await admin.post(`/api/organizations/${pawnee}/send-account-summary`)).statusCode).toBe(
      202,
    );
    const text = await accountSummaryInInbox(before);
    expect(text).toContain('Due 31 Mar 2026');
    expect(text).not.toContain('2026-03-31');

    // The invoice document, as HTML and as PDF.
    const html = await admin.get(`/api/invoices/${invoiceId}/html`);
    expect(html.body).toContain('1 Mar 2026');
    expect(html.body).toContain('31 Mar 2026');
    const pdf = await pdfText((await admin.get(`/api/invoices/${invoiceId}/pdf`)).rawPayload);
    expect(pdf).toContain('1 Mar 2026');
    expect(pdf).toContain('31 Mar 2026');
    expect(pdf).not.toContain('2026-03-31');

    // The console: the invoice page and the list.
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/invoices/${invoiceId}`);
    await page.getByRole('heading', { name: 'Invoice DF-0331' }).waitFor();
    await page.getByText('31 Mar 2026').first().waitFor();
    expect(await page.getByText('03-31-2026').count()).toBe(0);

    // The portal.
    const portal = await app.newPage();
    const row = await portalInvoiceDueDate(portal);
    expect(await row.textContent()).toContain('31 Mar 2026');
    await portal.close();
    await page.close();
  });

  it('is chosen in Configuration > Billing, and every page follows', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'admin@portico.test', 'portico-admin-demo');
    await page.goto(`${baseUrl}/configuration/billing`);
    const dates = page.getByRole('region', { name: 'Dates' });
    await dates.getByRole('combobox', { name: 'Time zone' }).waitFor();
    await dates.getByRole('combobox', { name: 'Date format' }).click();
    await page.getByRole('option', { name: /^DD\/MM\/YYYY/ }).click();
    await dates.getByRole('button', { name: 'Save Dates' }).click();
    await page.getByText('Date settings saved').waitFor();

    await page.goto(`${baseUrl}/invoices/${invoiceId}`);
    await page.getByRole('heading', { name: 'Invoice DF-0331' }).waitFor();
    await page.getByText('31/03/2026').first().waitFor();

    const html = await admin.get(`/api/invoices/${invoiceId}/html`);
    expect(html.body).toContain('31/03/2026');
    const portal = await app.newPage();
    const row = await portalInvoiceDueDate(portal);
    expect(await row.textContent()).toContain('31/03/2026');
    await portal.close();
    await page.close();
  });
});
