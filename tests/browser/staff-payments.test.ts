import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { payInvoices } from '../../src/modules/payments/pay-invoices.js';
import { paymentGateway } from '../../src/payment-gateway.js';
import { startBrowserApp, signInToConsole, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Staff's payments in a real browser: Billing staff refund part of a client's card payment on
 * the organization's Payments tab (a mistake first), and the client sees the reopened balance
 * in the portal; staff record a check for more than is owed and the client sees the credit.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'ap@kestrel.example', password: 'Kestrels hover over 9 fields' };
/** An organization named in two scripts. */
const organizationName = 'Kestrel Clinic · Κλινική Γεράκι';
let organizationId = '';
let contactId = '';
const invoices = { hosting: '', support: '' };
let paymentNumber = '';

async function balanceOf(invoiceId: string): Promise<number> {
  return (
    await testApp.database.pool.query(`SELECT balance_cents AS b FROM invoices WHERE id = $1`, [
      invoiceId,
    ])
  ).rows[0].b;
}

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Eleni Kestrel', $1, $2) RETURNING id`,
      [contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles WHERE name = 'Billing Admin'`,
    [contactId, organizationId],
  );
  invoices.hosting = await insertInvoice(pool, {
    organizationId,
    number: 'INV-KC-1',
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 12_000 }],
  });
  invoices.support = await insertInvoice(pool, {
    organizationId,
    number: 'INV-KC-2',
    issueDate: '2026-01-06',
    dueDate: '2026-02-05',
    lines: [{ description: 'Help desk', quantity: 10_000, unitPriceCents: 8_000 }],
  });
  // The client paid both with a card in the portal.
  const card = await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    isDefault: true,
  });
  const { payment } = await payInvoices({
    context: testApp.context,
    gateway: paymentGateway(testApp.context),
    actor: { kind: 'contact', id: contactId, label: 'Eleni Kestrel (portal)' },
    organizationId,
    contactId,
    paymentMethodId: card,
    allocations: [
      { invoiceId: invoices.hosting, amountCents: 12_000 },
      { invoiceId: invoices.support, amountCents: 8_000 },
    ],
  });
  expect(payment.status).toBe('succeeded');
  paymentNumber = payment.number;
}, 120_000);

afterAll(async () => app?.close());

async function portalSignIn(page: Page) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(contact.email);
  await page.getByLabel('Password', { exact: true }).fill(contact.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
}

async function openPaymentsTab(page: Page) {
  await page.goto(`${baseUrl}/organizations/${organizationId}`);
  await page.getByRole('tab', { name: 'Payments', exact: true }).click();
  await page.getByRole('heading', { name: 'Payments', exact: true }).waitFor();
}

describe('staff payments', () => {
  it('staff refund part of a payment and the portal shows the reopened balance', async () => {
    const staff = await app.newPage();
    await signInToConsole(staff, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await openPaymentsTab(staff);
    await staff.getByRole('button', { name: `Refund ${paymentNumber}` }).click();
    const dialog = staff.getByRole('dialog', { name: `Refund ${paymentNumber}` });
    const amount = dialog.getByLabel('Amount to refund (USD)');
    expect(await amount.inputValue()).toBe('200.00');
    // More than was paid: the server says how much is left, under the field.
    await amount.fill('250');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await dialog.getByText(/Amount is more than the \$200\.00 left to refund/).waitFor();
    await amount.fill('25.005');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await dialog.getByText(/Amount .*decimals/).waitFor();
    expect(await balanceOf(invoices.support)).toBe(0);

    // Staff choose which invoice reopens: the older one, not the newest.
    await dialog.getByRole('checkbox', { name: /INV-KC-1/ }).check();
    await amount.fill('25.00');
    await dialog.getByLabel('Reason').fill('Help desk hours billed twice');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await staff.getByText(/^Refunded\. The client is sent a Refund Issued email/).waitFor();
    await staff.getByText('Help desk hours billed twice').waitFor();
    // The payment no longer reads plain "Paid": it was refunded in part.
    await staff
      .getByRole('row', { name: new RegExp(paymentNumber) })
      .getByText('Partly refunded')
      .waitFor();
    // Its invoices read as on the client's Payment History: what was paid, what is applied now.
    await staff
      .getByRole('row', { name: new RegExp(paymentNumber) })
      .getByText('INV-KC-1: $120.00 ($95.00 applied now)')
      .waitFor();
    // The organization's audit log says who refunded what.
    await staff.getByRole('tab', { name: 'Audit Log' }).click();
    await staff.getByText(`Refunded on payment ${paymentNumber}`).waitFor();
    // The invoice staff chose reopens by what was refunded.
    expect(await balanceOf(invoices.hosting)).toBe(2_500);
    expect(await balanceOf(invoices.support)).toBe(0);

    const client = await app.newPage();
    await portalSignIn(client);
    await client.goto(`${baseUrl}/portal/billing/invoices`);
    const row = client.getByRole('row', { name: /INV-KC-1/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('$25.00');
    expect(await client.getByRole('row', { name: /INV-KC-2/ }).count()).toBe(0);
    await client.goto(`${baseUrl}/portal/billing/payment-history`);
    await client
      .getByRole('row', { name: new RegExp(paymentNumber) })
      .getByText('Partly refunded')
      .waitFor();
  });

  it('staff record a check for more than is owed; the client sees the credit', async () => {
    const staff = await app.newPage();
    await signInToConsole(staff, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await openPaymentsTab(staff);
    await staff.getByRole('button', { name: 'Record Payment' }).click();
    const dialog = staff.getByRole('dialog', { name: 'Record Payment' });
    await dialog.getByLabel('Reference').fill('Ček 1047');
    await dialog.getByLabel('Amount received (USD)').fill('40');
    await dialog.getByLabel(/Apply to INV-KC-1/).fill('30');
    await dialog.getByRole('button', { name: 'Record Payment' }).click();
    // Over the invoice's balance: said under the invoice's box.
    await dialog.getByText(/Amount is more than the balance of INV-KC-1/).waitFor();
    await dialog.getByLabel(/Apply to INV-KC-1/).fill('25');
    await dialog.getByRole('button', { name: 'Record Payment' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await staff.getByLabel('Unapplied credit', { exact: true }).getByText('$15.00').waitFor();
    expect(await balanceOf(invoices.hosting)).toBe(0);

    // A new invoice: staff apply part of the credit to it, after a mistake.
    const extra = await insertInvoice(testApp.database.pool, {
      organizationId,
      number: 'INV-KC-3',
      issueDate: '2026-02-01',
      dueDate: '2026-03-01',
      lines: [{ description: 'Backup', quantity: 10_000, unitPriceCents: 1_000 }],
    });
    await staff.getByRole('button', { name: 'Apply Credit' }).click();
    const apply = staff.getByRole('dialog', { name: 'Apply Credit' });
    await apply.getByLabel(/Apply to INV-KC-3/).fill('12');
    await apply.getByRole('button', { name: 'Apply Credit' }).click();
    await apply.getByText(/Amount is more than the balance of INV-KC-3/).waitFor();
    await apply.getByLabel(/Apply to INV-KC-3/).fill('10');
    await apply.getByRole('button', { name: 'Apply Credit' }).click();
    await apply.waitFor({ state: 'hidden' });
    await staff.getByLabel('Unapplied credit', { exact: true }).getByText('$5.00').waitFor();
    expect(await balanceOf(extra)).toBe(0);

    const client = await app.newPage();
    await portalSignIn(client);
    await client.goto(`${baseUrl}/portal/billing/credits`);
    await client.getByRole('heading', { name: 'Credits', level: 1 }).waitFor();
    await client.getByLabel('Unapplied credit', { exact: true }).getByText('$5.00').waitFor();
    await client.getByRole('cell', { name: 'Check Ček 1047' }).waitFor();
  });

  it('Transactions lists every payment, filters by method type and exports the list', async () => {
    const staff = await app.newPage();
    await signInToConsole(staff, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await staff
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Transactions' })
      .click();
    await staff.getByRole('heading', { name: 'Transactions', level: 1 }).waitFor();
    const table = staff.getByRole('table', { name: 'Transactions' });
    await table.getByRole('cell', { name: paymentNumber }).waitFor();
    await table.getByRole('cell', { name: 'Check Ček 1047' }).waitFor();

    await staff.getByRole('combobox', { name: 'Method type' }).click();
    await staff.getByRole('option', { name: 'Check', exact: true }).click();
    await expect.poll(() => table.getByRole('cell', { name: paymentNumber }).count()).toBe(0);
    await table.getByRole('cell', { name: 'Check Ček 1047' }).waitFor();
    const href = await staff.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe('/api/payments/export?methodType=check');
    // The filter is in the address: a reload keeps it.
    expect(staff.url()).toContain('methodType=check');
    await staff.reload();
    await table.getByRole('cell', { name: 'Check Ček 1047' }).waitFor();
    expect(await table.getByRole('cell', { name: paymentNumber }).count()).toBe(0);
    expect(await staff.getByRole('combobox', { name: 'Method type' }).inputValue()).toBe('Check');
    const csv = await staff.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(csv).toContain('Check Ček 1047');
    expect(csv).toContain(organizationName);
    expect(csv).not.toContain(paymentNumber);

    // A range that ends before it starts is pointed out at the To field, not "no payments".
    await staff.getByLabel('From', { exact: true }).fill('2026-03-03');
    await staff.getByLabel('To', { exact: true }).fill('2026-03-02');
    await staff.getByLabel('To', { exact: true }).blur();
    await staff.getByText('must be on or after the From date').waitFor();
    // Both dates, typed one after the other, are kept with the method type, in the address too.
    await expect
      .poll(() => new URL(staff.url()).searchParams.toString())
      .toBe('methodType=check&from=2026-03-03&to=2026-03-02');
    expect(await staff.getByText('No payments match these filters.').count()).toBe(0);
  });
});
