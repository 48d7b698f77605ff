import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { businessToday } from '../../src/modules/settings/business-date.js';
import { demoStaff } from '../../src/modules/demo/demo-data.js';
import { schedulePayment } from '../../src/modules/scheduled-payments/scheduled-payments.service.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Scheduled Payments in a real browser, as a client does it: Pay Selected with a later date
 * (after a date that is not later is refused), then Billing > Scheduled Payments: a new date
 * and a new amount, then Cancel; each step's email (Payment Scheduled, Rescheduled, Cancelled)
 * arrives in the local mailbox. Nothing is charged.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'kasse@ofenbaeckerei.example', password: 'Brezeln backen um 5 Uhr' };
/** Names in other scripts: the emails and pages carry them as written. */
const organizationName = 'Ofenbäckerei Müller · 東京ベーカリー';
let organizationId = '';
let invoiceId = '';
let today = '';
let contactId = '';
let cardId = '';

function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** The newest message in the local mailbox whose subject starts with `subject`, as text. */
async function mailText(subject: string): Promise<string> {
  let text = '';
  await expect
    .poll(
      async () => {
        const row = (
          await testApp.database.pool.query(
            `SELECT raw FROM local_mailbox WHERE subject LIKE $1 ORDER BY id DESC LIMIT 1`,
            [`${subject}%`],
          )
        ).rows[0];
        if (!row) return false;
        const mail = await simpleParser(row.raw as Buffer);
        text = mail.text ?? '';
        return (mail.to && 'text' in mail.to ? mail.to.text : '').includes(contact.email);
      },
      { timeout: 20_000, interval: 250 },
    )
    .toBe(true);
  return text;
}

async function scheduledCount(): Promise<number> {
  return (
    await testApp.database.pool.query(
      `SELECT count(*)::int AS n FROM scheduled_payments WHERE organization_id = $1`,
      [organizationId],
    )
  ).rows[0].n;
}

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  await pool.query('UPDATE settings SET portal_url = $1', [`${baseUrl}/portal`]);
  today = await businessToday(pool);
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Jörg Müller', $1, $2) RETURNING id`,
      [contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles WHERE name = 'Billing Admin'`,
    [contactId, organizationId],
  );
  invoiceId = await insertInvoice(pool, {
    organizationId,
    number: 'INV-OM-1',
    issueDate: today,
    dueDate: addDays(today, 30),
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 24_000 }],
  });
  cardId = await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    friendlyName: 'Firmenkarte',
    isDefault: true,
  });
}, 120_000);

afterAll(async () => app?.close());

async function signIn(page: Page) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(contact.email);
  await page.getByLabel('Password', { exact: true }).fill(contact.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
}

describe('Scheduled Payments', () => {
  it('a contact schedules a payment, changes its date and amount, then cancels it, and gets each email', async () => {
    const page = await app.newPage();
    await signIn(page);
    const first = addDays(today, 10);
    const second = addDays(today, 20);

    // Pay Selected, on a later date.
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
    await page.getByRole('checkbox', { name: 'Select INV-OM-1' }).check();
    await page.getByRole('button', { name: 'Pay Selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pay Selected' });
    await dialog.getByRole('radio', { name: 'On a later date' }).check();
    const date = dialog.getByLabel('Payment date');
    // Today is not a later date: refused, with the reason, and nothing saved.
    await date.fill(today);
    await date.press('Tab');
    await dialog.getByRole('button', { name: 'Schedule payment' }).click();
    await dialog
      .getByText(/must be after today/)
      .first()
      .waitFor();
    expect(await scheduledCount()).toBe(0);

    await date.fill(first);
    await date.press('Tab');
    await dialog.getByRole('button', { name: 'Schedule payment' }).click();
    await dialog.getByText(`Payment scheduled for ${first}`).waitFor();
    await dialog.getByText('$240.00 with Firmenkarte (Visa •••• 4242)').waitFor();
    expect(await mailText('Payment of $240.00 scheduled for')).toContain(organizationName);
    // Nothing charged: the invoice still owes it all.
    expect(
      (
        await testApp.database.pool.query(`SELECT balance_cents AS b FROM invoices WHERE id = $1`, [
          invoiceId,
        ])
      ).rows[0].b,
    ).toBe(24_000);
    await dialog.getByRole('link', { name: 'View Scheduled Payments' }).click();

    // Billing > Scheduled Payments: the date, invoice, amount, method and status.
    await page.getByRole('heading', { name: 'Scheduled Payments', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Scheduled payments' });
    const row = table.getByRole('row', { name: new RegExp(first) });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      /INV-OM-1: \$240\.00.*\$240\.00.*Firmenkarte \(Visa •••• 4242\).*Scheduled/,
    );

    // A new date and a smaller amount; a mistake first.
    await row.getByRole('button', { name: `Change the payment of ${first}` }).click();
    const change = page.getByRole('dialog', { name: 'Change scheduled payment' });
    const amount = change.getByLabel('Amount for INV-OM-1');
    await amount.fill('250');
    await change.getByText('must be at most the balance, $240.00').waitFor();
    await amount.fill('99.95');
    const newDate = change.getByLabel('Payment date');
    await newDate.fill(second);
    await newDate.press('Tab');
    await change.getByText('Total: $99.95').waitFor();
    await change.getByRole('button', { name: 'Save changes' }).click();
    await change.waitFor({ state: 'hidden' });
    const moved = table.getByRole('row', { name: new RegExp(second) });
    await moved.waitFor();
    expect(await moved.textContent()).toMatch(/INV-OM-1: \$99\.95/);
    expect(await mailText('Scheduled payment changed: $99.95')).toContain(
      `from ${first} to ${second}`,
    );

    // The Invoices page says which invoice a scheduled payment will pay, and when.
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page
      .getByRole('row', { name: /INV-OM-1/ })
      .getByText(`Payment scheduled for ${second}`)
      .waitFor();
    await page.goto(`${baseUrl}/portal/billing/scheduled-payments`);

    // Cancel it.
    await moved.getByRole('button', { name: `Cancel the payment of ${second}` }).click();
    const cancel = page.getByRole('dialog', { name: 'Cancel scheduled payment' });
    await cancel.getByRole('button', { name: 'Cancel payment' }).click();
    await cancel.waitFor({ state: 'hidden' });
    await table.getByRole('row', { name: /Cancelled/ }).waitFor();
    expect(
      await table.getByRole('button', { name: `Cancel the payment of ${second}` }).count(),
    ).toBe(0);
    // Cancelled, it pays nothing: the Invoices page no longer says so.
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByRole('row', { name: /INV-OM-1/ }).waitFor();
    expect(await page.getByText(/Payment scheduled for/).count()).toBe(0);
    expect(await mailText('Scheduled payment cancelled: $99.95')).toMatch(
      /Nothing will\s+be charged/,
    );
    await page.close();
  });

  it('an invoice paid meanwhile is left out of Change; the date and the other amounts still change', async () => {
    const pool = testApp.database.pool;
    const keep = await insertInvoice(pool, {
      organizationId,
      number: 'INV-OM-2',
      issueDate: today,
      dueDate: addDays(today, 30),
      lines: [{ description: 'Backup', quantity: 10_000, unitPriceCents: 5_000 }],
    });
    const settled = await insertInvoice(pool, {
      organizationId,
      number: 'INV-OM-3',
      issueDate: today,
      dueDate: addDays(today, 30),
      lines: [{ description: 'Firewall', quantity: 10_000, unitPriceCents: 7_000 }],
    });
    const runOn = addDays(today, 8);
    await schedulePayment({
      context: testApp.context,
      actor: { kind: 'contact', id: contactId, label: 'Jörg Müller (portal)' },
      organizationId,
      contactId,
      paymentMethodId: cardId,
      runOn,
      allocations: [
        { invoiceId: keep, amountCents: 5_000 },
        { invoiceId: settled, amountCents: 7_000 },
      ],
    });
    // INV-OM-3 is paid in full by other means before the date.
    await pool.query(`UPDATE invoices SET amount_paid_cents = total_cents WHERE id = $1`, [
      settled,
    ]);

    const page = await app.newPage();
    await signIn(page);
    await page.goto(`${baseUrl}/portal/billing/scheduled-payments`);
    await page.getByRole('button', { name: `Change the payment of ${runOn}` }).click();
    const change = page.getByRole('dialog', { name: 'Change scheduled payment' });
    await change.getByText('Paid meanwhile: left out when this payment runs').waitFor();
    expect(await change.getByLabel('Amount for INV-OM-3').count()).toBe(0);
    await change.getByText('Total: $50.00').waitFor();
    const later = addDays(today, 9);
    await change.getByLabel('Payment date').fill(later);
    await change.getByLabel('Payment date').press('Tab');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await change.waitFor({ state: 'hidden' });
    await page
      .getByRole('table', { name: 'Scheduled payments' })
      .getByRole('row', { name: new RegExp(later) })
      .waitFor();
    await page.close();
  });

  it('staff see an organization’s scheduled payments and cancel one; the client is told', async () => {
    const runOn = addDays(today, 12);
    await schedulePayment({
      context: testApp.context,
      actor: { kind: 'contact', id: contactId, label: 'Jörg Müller (portal)' },
      organizationId,
      contactId,
      paymentMethodId: cardId,
      runOn,
      allocations: [{ invoiceId, amountCents: 12_345 }],
    });
    const billing = demoStaff.find((s) => s.role === 'billing')!;
    const page = await app.newPage();
    await signInToConsole(page, baseUrl, billing.email, billing.password);
    await page.goto(`${baseUrl}/organizations/${organizationId}`);
    await page.getByRole('tab', { name: 'Scheduled Payments' }).click();
    const table = page.getByRole('table', { name: 'Scheduled payments' });
    const row = table.getByRole('row', { name: new RegExp(runOn) });
    expect(await row.textContent()).toMatch(/INV-OM-1: \$123\.45.*Jörg Müller.*Scheduled/);
    await row.getByRole('button', { name: `Cancel the payment of ${runOn}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel scheduled payment' });
    await dialog.getByRole('button', { name: 'Cancel payment' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await table.getByRole('row', { name: new RegExp(`${runOn}.*Cancelled`) }).waitFor();
    expect(await mailText('Scheduled payment cancelled: $123.45')).toMatch(
      /Our billing team cancelled a scheduled payment/,
    );
    await page.close();
  });
});
