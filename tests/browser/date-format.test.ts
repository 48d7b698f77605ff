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

  it('is how date boxes show and read dates: New Invoice, the invoice list and Email History', async () => {
    // A business day far from the machine's own date, so nothing can come from the browser's
    // clock: noon on 12 January 2031 in Chicago. Day 12 of month 1 reads differently as
    // DD/MM and MM/DD, so a box that follows the browser's format shows the wrong thing.
    testApp.context.clock = () => new Date('2031-01-12T18:00:00Z');
    try {
      await chooseDateFormat('YYYY-MM-DD');
      const page = await app.newPage({ height: 1200 });
      await signInToConsole(page, baseUrl, 'admin@portico.test', 'portico-admin-demo');
      await page.goto(`${baseUrl}/configuration/billing`);
      const dates = page.getByRole('region', { name: 'Dates' });
      await dates.getByRole('combobox', { name: 'Time zone' }).waitFor();
      await dates.getByRole('combobox', { name: 'Date format' }).click();
      await page.getByRole('option', { name: /^DD\/MM\/YYYY/ }).click();
      await dates.getByRole('button', { name: 'Save Dates' }).click();
      await page.getByText('Date settings saved').waitFor();

      // New Invoice: the issue date starts at the business today, written DD/MM/YYYY, and the
      // calendar marks that day (not the browser's) as today.
      await page.getByRole('link', { name: 'Invoices', exact: true }).click();
      await page.getByRole('heading', { name: 'Invoices', exact: true }).waitFor();
      await page.getByRole('button', { name: 'New Invoice' }).click();
      const issueDate = page.getByLabel('Issue date', { exact: true });
      await expect.poll(() => issueDate.inputValue()).toBe('12/01/2031');
      await issueDate.click();
      const marked = page.locator('[data-today][data-highlight-today]');
      await expect.poll(() => marked.getAttribute('aria-label')).toBe('12 January 2031');
      await page.keyboard.press('Escape');

      const organization = page.getByRole('combobox', { name: 'Organization' });
      await organization.click();
      await organization.fill('Pawnee');
      await page.getByRole('option', { name: 'Pawnee Parks Dept.' }).click();
      const category = page.getByRole('combobox', { name: 'Service category' });
      await category.click();
      await page.getByRole('option', { name: 'Network Monitoring', exact: true }).click();
      // The due date, typed the MSP's way: 5 February 2031 (in MM/DD it would be 2 May).
      const dueDate = page.getByLabel('Due date', { exact: true });
      await dueDate.fill('05/02/2031');
      await page.getByLabel('Description, line 1').click();
      expect(await dueDate.inputValue()).toBe('05/02/2031');
      await page.getByLabel('Description, line 1').fill('Date box check');
      await page.getByLabel('Quantity, line 1').fill('1');
      await page.getByLabel('Unit price, line 1').fill('100.00');
      await page.getByRole('button', { name: 'Save Draft' }).click();

      const heading = page.getByRole('heading', { name: /^Invoice INV-/ });
      await heading.waitFor();
      const number = (await heading.textContent())!.replace('Invoice ', '').trim();
      const newId = page.url().split('/').pop()!;
      const saved = JSON.parse((await admin.get(`/api/invoices/${newId}`)).body);
      expect(saved.invoice).toMatchObject({ issueDate: '2031-01-12', dueDate: '2031-02-05' });
      await page.getByText('05/02/2031').first().waitFor();

      // The invoice list's due filters read DD/MM/YYYY: from 05/02/2031 to 05/02/2031 lists
      // the new invoice alone (in MM/DD, 2 May, it would list nothing), and from 06/02/2031 none.
      await page.goto(`${baseUrl}/invoices`);
      await page.getByRole('heading', { name: 'Invoices', exact: true }).waitFor();
      const dated = page
        .getByRole('table')
        .getByRole('row')
        .filter({ hasText: /\d\d\/\d\d\/\d{4}/ });
      await dated.first().waitFor();
      const dueFrom = page.getByLabel('Due from', { exact: true });
      const dueTo = page.getByLabel('Due to', { exact: true });
      await dueFrom.fill('05/02/2031');
      await dueTo.fill('05/02/2031');
      await page.getByLabel('Find invoice').click();
      expect(await dueFrom.inputValue()).toBe('05/02/2031');
      expect(await dueTo.inputValue()).toBe('05/02/2031');
      await expect.poll(() => dated.count()).toBe(1);
      expect(await dated.textContent()).toContain(number);
      await dueFrom.fill('06/02/2031');
      await page.getByLabel('Find invoice').click();
      await expect.poll(() => dated.count()).toBe(0);

      // Email History's From and To read DD/MM/YYYY too: an email of 5 January 2031 is found
      // from 05/01/2031 to 05/01/2031 (in MM/DD that would be 1 May).
      const before = await lastMailId();
      // An earlier test sent Pawnee's Account Summary moments ago; a second one within ten
      // seconds is taken for a double click. Time has passed, as far as that rule knows.
      await testApp.database.pool.query(
        `UPDATE email_messages SET created_at = created_at - interval '1 minute'`,
      );
      const sent = await admin.post(`/api/organizations/${pawnee}/send-account-summary`);
      expect(sent.statusCode).toBe(202);
      expect(JSON.parse(sent.body)).toMatchObject({ duplicate: false });
      await accountSummaryInInbox(before);
      await testApp.database.pool.query(
        `UPDATE email_messages SET created_at = '2031-01-05T18:00:00Z'
          WHERE id = (SELECT id FROM email_messages ORDER BY created_at DESC LIMIT 1)`,
      );
      await page.goto(`${baseUrl}/organizations/${pawnee}`);
      await page.getByRole('button', { name: 'View Email History' }).click();
      const history = page.getByRole('dialog', { name: 'Email History — Pawnee Parks Dept.' });
      const from = history.getByLabel('From', { exact: true });
      const to = history.getByLabel('To', { exact: true });
      await from.fill('05/01/2031');
      await to.fill('05/01/2031');
      await to.blur();
      expect(await from.inputValue()).toBe('05/01/2031');
      expect(await to.inputValue()).toBe('05/01/2031');
      await history.getByRole('button', { name: /Account Summary, Sent$/ }).waitFor();
      await history.getByText('05/01/2031 12:00 PM').first().waitFor();
      await page.close();
    } finally {
      delete testApp.context.clock;
    }
  });

  it("marks only the MSP's today in a calendar, when the browser's own date is beside it", async () => {
    // The MSP's day is 12 January 2031 (Chicago); the browser's clock says 13 January, so
    // both days are in the month the calendar shows.
    testApp.context.clock = () => new Date('2031-01-12T18:00:00Z');
    try {
      const page = await app.newPage();
      await page.clock.setFixedTime(new Date('2031-01-13T12:00:00Z'));
      await signInToConsole(page, baseUrl, 'admin@portico.test', 'portico-admin-demo');
      await page.goto(`${baseUrl}/invoices`);
      await page.getByRole('heading', { name: 'Invoices', exact: true }).waitFor();
      await page.getByRole('button', { name: 'New Invoice' }).click();
      await page.getByLabel('Issue date', { exact: true }).click();
      // The mark a user sees: the border Mantine draws on a day with both attributes.
      const marked = page.locator('[data-today][data-highlight-today]');
      await page.getByRole('button', { name: '13 January 2031' }).waitFor();
      expect(await marked.count()).toBe(1);
      expect(await marked.getAttribute('aria-label')).toBe('12 January 2031');
      await page.close();
    } finally {
      delete testApp.context.clock;
    }
  });
});
