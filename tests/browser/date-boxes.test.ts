import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { businessToday } from '../../src/modules/settings/business-date.js';
import { demoStaff } from '../../src/modules/demo/demo-data.js';
import { schedulePayment } from '../../src/modules/scheduled-payments/scheduled-payments.service.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { signedInAs, type TestApp } from '../support/test-app.js';

/**
 * A date box (the portal's and the console's: one component) that cannot read what was typed
 * keeps the text and says why under the box, instead of emptying it or going back to the old
 * date without a word; nothing is saved with a date the box does not show.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'kasa@piekarnia-zolnierska.example', password: 'Chleb żytni o 4 rano' };
let organizationId = '';
let today = '';
let runOn = '';

function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" as DD/MM/YYYY, the format chosen here. */
const ddmmyyyy = (date: string) => date.split('-').reverse().join('/');

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  const admin = await signedInAs(testApp.app, 'master_admin');
  const format = await admin.put('/api/settings/business-dates', {
    timeZone: 'UTC',
    dateFormat: 'DD/MM/YYYY',
  });
  expect(format.statusCode, format.body).toBe(200);
  today = await businessToday(pool);
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      'Piekarnia Żołnierska · Ψωμί',
    ])
  ).rows[0].id;
  const contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Zofia Łęcka', $1, $2) RETURNING id`,
      [contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles WHERE name = 'Billing Admin'`,
    [contactId, organizationId],
  );
  const invoiceId = await insertInvoice(pool, {
    organizationId,
    number: 'INV-PZ-1',
    issueDate: today,
    dueDate: addDays(today, 30),
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 15_000 }],
  });
  const cardId = await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    isDefault: true,
  });
  runOn = addDays(today, 10);
  await schedulePayment({
    context: testApp.context,
    actor: { kind: 'contact', id: contactId, label: 'Zofia Łęcka (portal)' },
    organizationId,
    contactId,
    paymentMethodId: cardId,
    runOn,
    allocations: [{ invoiceId, amountCents: 15_000 }],
  });
}, 120_000);

afterAll(async () => app?.close());

async function storedRunOn(): Promise<string> {
  return (
    await testApp.database.pool.query<{ runOn: string }>(
      `SELECT run_on::text AS "runOn" FROM scheduled_payments WHERE organization_id = $1`,
      [organizationId],
    )
  ).rows[0]!.runOn;
}

/** Types `text` in the box and leaves it, as a user does. */
async function typeAndLeave(box: Locator, text: string) {
  await box.fill(text);
  await box.press('Tab');
}

async function signInToPortal(page: Page) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(contact.email);
  await page.getByLabel('Password', { exact: true }).fill(contact.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
}

describe('a date box that cannot read the date', () => {
  it('Scheduled Payments "change the date": keeps the text, says why, saves nothing', async () => {
    const page = await app.newPage();
    await signInToPortal(page);
    await page.goto(`${baseUrl}/portal/billing/scheduled-payments`);
    const shown = ddmmyyyy(runOn);
    await page
      .getByRole('button', { name: `Change the payment of ${shown}` })
      .first()
      .click();
    const change = page.getByRole('dialog', { name: 'Change scheduled payment' });
    const date = change.getByLabel('Payment date');
    expect(await date.inputValue()).toBe(shown);

    await typeAndLeave(date, '31/02/2027');
    await change.getByText('31/02/2027 is not a date: February 2027 has 28 days.').waitFor();
    expect(await date.inputValue()).toBe('31/02/2027');
    expect(await date.getAttribute('aria-invalid')).toBe('true');
    // The old date is not saved behind the text the box shows: there is nothing to save.
    expect(await change.getByRole('button', { name: 'Save changes' }).isDisabled()).toBe(true);
    expect(await storedRunOn()).toBe(runOn);

    await typeAndLeave(date, 'tomorrow');
    await change
      .getByText('“tomorrow” is not a date: type it as DD/MM/YYYY, for example 25/12/2027.')
      .waitFor();
    expect(await date.inputValue()).toBe('tomorrow');

    await typeAndLeave(date, '13/13/2027');
    await change.getByText('13/13/2027 is not a date: there is no month 13.').waitFor();

    // A date it can read: the reason goes, and the change is saved.
    const later = addDays(today, 20);
    await typeAndLeave(date, ddmmyyyy(later));
    expect(await change.getByText(/is not a date/).count()).toBe(0);
    expect(await date.getAttribute('aria-invalid')).not.toBe('true');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await change.waitFor({ state: 'hidden' });
    expect(await storedRunOn()).toBe(later);
    await page.close();
  });

  it('New Invoice: a due date it cannot read is not saved as the date from the terms', async () => {
    const billing = demoStaff.find((s) => s.role === 'billing')!;
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, billing.email, billing.password);
    await page.goto(`${baseUrl}/invoices/new`);
    const organization = page.getByRole('combobox', { name: 'Organization' });
    await organization.click();
    await organization.fill('Pawnee');
    await page.getByRole('option', { name: 'Pawnee Parks Dept.' }).click();
    const category = page.getByRole('combobox', { name: 'Service category' });
    await category.scrollIntoViewIfNeeded();
    await category.click();
    await page.getByRole('option', { name: 'Network Monitoring', exact: true }).click();
    await page.getByLabel('Description, line 1').fill('Wi-Fi survey');
    await page.getByLabel('Quantity, line 1').fill('1');
    await page.getByLabel('Unit price, line 1').fill('100.00');
    const invoices = async () =>
      (await testApp.database.pool.query('SELECT count(*)::int AS n FROM invoices')).rows[0].n;
    const before = await invoices();

    const due = page.getByLabel('Due date');
    await typeAndLeave(due, '31/02/2027');
    await page.getByText('31/02/2027 is not a date: February 2027 has 28 days.').waitFor();
    expect(await due.inputValue()).toBe('31/02/2027');
    await page.getByRole('button', { name: 'Save Draft' }).click();
    await page.getByText('31/02/2027 is not a date: February 2027 has 28 days.').waitFor();
    expect(await due.inputValue()).toBe('31/02/2027');
    expect(await invoices()).toBe(before);

    const issue = page.getByLabel('Issue date');
    await typeAndLeave(issue, 'tomorrow');
    await page
      .getByText('“tomorrow” is not a date: type it as DD/MM/YYYY, for example 25/12/2027.')
      .waitFor();
    expect(await issue.inputValue()).toBe('tomorrow');
    await page.close();
  });

  it('the console’s invoice list "Due from": keeps the text and says why', async () => {
    const billing = demoStaff.find((s) => s.role === 'billing')!;
    const page = await app.newPage();
    await signInToConsole(page, baseUrl, billing.email, billing.password);
    await page.goto(`${baseUrl}/invoices`);
    const dueFrom = page.getByLabel('Due from');
    await typeAndLeave(dueFrom, '31/04/2027');
    await page.getByText('31/04/2027 is not a date: April 2027 has 30 days.').waitFor();
    expect(await dueFrom.inputValue()).toBe('31/04/2027');
    await typeAndLeave(dueFrom, 'next week');
    await page
      .getByText('“next week” is not a date: type it as DD/MM/YYYY, for example 25/12/2027.')
      .waitFor();
    // Emptied by the user: no reason, no filter.
    await typeAndLeave(dueFrom, '');
    expect(await page.getByText(/is not a date/).count()).toBe(0);
    await page.close();
  });
});
