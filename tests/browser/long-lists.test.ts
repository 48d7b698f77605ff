import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { signedInAs, type TestApp } from '../support/test-app.js';
import { accessProfileId } from '../support/api-assertions.js';
import { insertManyContacts, insertManyInvoices } from '../support/long-lists.js';

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
let contactsOrg: string;
let invoicesOrg: string;
const portalPassword = 'Waffles at JJs Diner 1972';

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  const admin = await signedInAs(testApp.app, 'master_admin');
  const newOrganization = async (name: string) =>
    (await admin.post('/api/organizations', { name })).json().organization.id as string;

  contactsOrg = await newOrganization('Long Contact List Co');
  await insertManyContacts(pool, {
    organizationId: contactsOrg,
    prefix: 'Long List',
    tag: 'long',
    count: 250,
  });

  invoicesOrg = await newOrganization('Long Invoice List Co');
  const contact = await admin.post(`/api/organizations/${invoicesOrg}/contacts`, {
    name: 'Lee Long',
    email: 'lee@long-invoices.example',
    accessProfileId: await accessProfileId(testApp, 'Billing Admin'),
  });
  expect(contact.statusCode, contact.body).toBe(201);
  await pool.query('UPDATE contacts SET password_hash = $1 WHERE email = $2', [
    await hashPassword(portalPassword),
    'lee@long-invoices.example',
  ]);
  await insertManyInvoices(pool, {
    organizationId: invoicesOrg,
    prefix: 'LONG',
    count: 1050,
    paid: true,
  });
}, 120_000);

afterAll(async () => app?.close());

/** Clicks "Load more" until it is gone, checking each click shows more rows. */
async function loadEverything(page: Page, rows: Locator) {
  const more = page.getByRole('button', { name: 'Load more' });
  for (let clicks = 0; await more.isVisible(); clicks += 1) {
    expect(clicks).toBeLessThan(30);
    const before = await rows.count();
    await more.click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(before);
  }
}

/** The invoice number that comes last in a list's order, read from the database. */
async function lastNumber(condition: string, order: string): Promise<string> {
  const result = await testApp.database.pool.query<{ number: string }>(
    `SELECT number FROM invoices i WHERE i.organization_id = $1 AND ${condition}
      ORDER BY ${order} LIMIT 1`,
    [invoicesOrg],
  );
  return result.rows[0]!.number;
}

describe('long lists in a real browser', () => {
  it("shows an organization's 250 contacts a page at a time, saying how many there are", async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/organizations/${contactsOrg}`);
    await page.getByRole('heading', { name: 'Contacts', exact: true }).waitFor();

    const cards = page.getByRole('button', { name: /^Long List \d{4}$/ });
    await page.getByText('Showing 50 of 250 contacts').waitFor();
    expect(await cards.count()).toBe(50);
    await loadEverything(page, cards);
    expect(await cards.count()).toBe(250);
    // The last by name: each name is two contacts.
    expect(await page.getByRole('button', { name: 'Long List 0124', exact: true }).count()).toBe(2);
    expect(await page.getByText(/^Showing \d+ of 250 contacts$/).count()).toBe(0);

    // Another sort starts again at its own first page, and pages on in that order.
    const sortBy = page.getByRole('combobox', { name: 'Sort By' });
    await sortBy.click();
    await page.getByRole('option', { name: 'Email', exact: true }).click();
    await page.getByText('Showing 50 of 250 contacts').waitFor();
    await expect.poll(() => page.getByText('0000.long@long-list.example').count()).toBe(1);
    const byEmail = page.getByText(/^\d{4}\.long@long-list\.example$/);
    await loadEverything(page, byEmail);
    const emails = await byEmail.allTextContents();
    expect(emails).toHaveLength(250);
    expect(emails).toEqual([...emails].sort());

    // Find Contact narrows the list; a short result has nothing more to load.
    await page.getByRole('textbox', { name: 'Find Contact' }).fill('list 012');
    await expect.poll(() => cards.count()).toBe(10);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await page.close();
  });

  it('takes a portal contact to the last of 1,050 open invoices and the last paid one', async () => {
    const page = await app.newPage({ height: 1200 });
    await page.goto(`${baseUrl}/portal/sign-in`);
    await page.getByRole('heading', { name: /^Sign in to / }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill('lee@long-invoices.example');
    await page.getByLabel('Password', { exact: true }).fill(portalPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Welcome, / }).waitFor();

    await page.goto(`${baseUrl}/portal/billing/invoices`);
    const open = page.getByRole('table', { name: 'Open invoices' });
    await open.waitFor();
    await page.getByText('Showing 100 of 1,050 open invoices').waitFor();
    // The footer's total is of every open invoice, and says so while some are not shown.
    await open.getByText('Total of all 1,050 open invoices').waitFor();
    const openRows = open.locator('tbody tr');
    await loadEverything(page, openRows);
    expect(await openRows.count()).toBe(1050);
    const lastOpen = await lastNumber(
      `i.state = 'issued' AND i.total_cents > i.amount_paid_cents`,
      'i.due_date DESC, i.id DESC',
    );
    await open.getByRole('cell', { name: lastOpen, exact: true }).waitFor();
    await open.getByRole('rowheader', { name: 'Total', exact: true }).waitFor();

    await page.goto(`${baseUrl}/portal/billing/invoice-history`);
    const paid = page.getByRole('table', { name: 'Paid invoices' });
    await paid.waitFor();
    await page.getByText('Showing 100 of 1,050 paid invoices').waitFor();
    const paidRows = paid.locator('tbody tr');
    await loadEverything(page, paidRows);
    expect(await paidRows.count()).toBe(1050);
    const lastPaid = await lastNumber(
      `i.state = 'issued' AND i.total_cents <= i.amount_paid_cents`,
      'i.issue_date ASC, i.id DESC',
    );
    await paid.getByRole('cell', { name: lastPaid, exact: true }).waitFor();
    await page.close();
    // Twenty-two pages of a thousand-row table on a shared 2-core machine: room, not a target.
  }, 120_000);
});
