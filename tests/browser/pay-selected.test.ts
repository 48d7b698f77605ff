import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { sandboxOf, savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Pay Selected in a real browser, as a client does it: two invoices chosen, one paid in part,
 * a declined card first (the reason shown, nothing changed), then a good card; the receipt,
 * Payment History and the receipt email in the local mailbox.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'ap@bluebird.example', password: 'Blue birds sing at 7 am' };
/** An organization named in two scripts: receipts carry the name as written. */
const organizationName = 'Bluebird Bakery · Пекарня «Синяя птица»';
let organizationId = '';
const invoices = { first: '', second: '' };

async function balanceOf(invoiceId: string): Promise<number> {
  return (
    await testApp.database.pool.query(`SELECT balance_cents AS b FROM invoices WHERE id = $1`, [
      invoiceId,
    ])
  ).rows[0].b;
}

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  ({ testApp, baseUrl } = app);
  await testApp.database.pool.query('UPDATE settings SET portal_url = $1', [`${baseUrl}/portal`]);
  const pool = testApp.database.pool;
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  const contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Ana Pájaro', $1, $2) RETURNING id`,
      [contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles WHERE name = 'Billing Admin'`,
    [contactId, organizationId],
  );
  invoices.first = await insertInvoice(pool, {
    organizationId,
    number: 'INV-BB-1',
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 12_000 }],
  });
  invoices.second = await insertInvoice(pool, {
    organizationId,
    number: 'INV-BB-2',
    issueDate: '2026-01-06',
    dueDate: '2026-02-05',
    lines: [{ description: 'Help desk', quantity: 10_000, unitPriceCents: 8_000 }],
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

describe('Pay Selected', () => {
  it('pays two invoices (one in part) after a decline, and shows the receipt everywhere', async () => {
    const page = await app.newPage();
    await signIn(page);
    // The client adds the card they pay with in Configuration > Payment Methods.
    await page.goto(`${baseUrl}/portal/configuration/payment-methods`);
    await page.getByRole('button', { name: 'Add Credit Card' }).click();
    const add = page.getByRole('dialog', { name: 'Add Credit Card' });
    await add.getByLabel('Name for this method').fill('Office Visa');
    await add.getByLabel('Name on card').fill('Ana Pájaro');
    await add.getByLabel('Card number').fill('4242 4242 4242 4242');
    await add.getByLabel('Expiry month').fill('12');
    await add.getByLabel('Expiry year').fill('2031');
    await add.getByLabel('Security code').fill('123');
    await add.getByLabel('I Agree').check();
    await add.getByRole('button', { name: 'Save Card' }).click();
    await add.waitFor({ state: 'hidden' });
    // An older card on file, one the bank declines (saved through the sandbox directly).
    await savedMethod(testApp, organizationId, testCard('4000000000000002'), {
      friendlyName: 'Old card',
    });

    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
    const payButton = page.getByRole('button', { name: 'Pay Selected' });
    expect(await payButton.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'Select INV-BB-1' }).check();
    await page.getByRole('checkbox', { name: 'Select INV-BB-2' }).check();
    await payButton.click();

    const dialog = page.getByRole('dialog', { name: 'Pay Selected' });
    const second = dialog.getByLabel('Amount for INV-BB-2');
    // Amounts start at the balances; the total is shown before confirming.
    expect(await dialog.getByLabel('Amount for INV-BB-1').inputValue()).toBe('120.00');
    await dialog.getByText('Total: $200.00').waitFor();
    // Mistakes are named before anything is sent.
    await second.fill('90');
    await dialog.getByText('must be at most the balance, $80.00').waitFor();
    expect(await dialog.getByRole('button', { name: 'Confirm payment' }).isDisabled()).toBe(true);
    await second.fill('30.505');
    await dialog
      .getByText(/2 decimals|decimal/)
      .first()
      .waitFor();
    await second.fill('30.50');
    await dialog.getByText('Total: $150.50').waitFor();

    // The default card is chosen; the client picks the old one, which the bank declines.
    expect(await dialog.getByRole('radio', { name: /Office Visa/ }).isChecked()).toBe(true);
    await dialog.getByRole('radio', { name: /Old card/ }).check();
    await dialog.getByRole('button', { name: 'Confirm payment' }).click();
    await dialog.getByText('The card was declined by the bank.').waitFor();
    await dialog.getByText(/Nothing was charged; the invoices are unchanged/).waitFor();
    expect(await balanceOf(invoices.first)).toBe(12_000);
    expect(await balanceOf(invoices.second)).toBe(8_000);

    // Another card: paid.
    await dialog.getByRole('radio', { name: /Office Visa/ }).check();
    await dialog.getByRole('button', { name: 'Confirm payment' }).click();
    await dialog.getByText(/^Payment P-\d{6} received$/).waitFor();
    const number = (await dialog.getByText(/^Payment P-\d{6} received$/).textContent())!.match(
      /P-\d{6}/,
    )![0];
    expect(await balanceOf(invoices.first)).toBe(0);
    expect(await balanceOf(invoices.second)).toBe(4_950);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The open invoices follow at once: INV-BB-1 is paid, INV-BB-2 owes the rest.
    const table = page.getByRole('table', { name: 'Open invoices' });
    await table.getByRole('row', { name: /INV-BB-2.*\$49\.50/ }).waitFor();
    expect(await table.getByRole('row', { name: /INV-BB-1/ }).count()).toBe(0);

    // Payment History: the payment and the decline, each with its invoices.
    await page
      .getByRole('navigation', { name: 'Portal navigation' })
      .getByRole('link', {
        name: 'Payment History',
      })
      .click();
    const payments = page.getByRole('table', { name: 'Payments' });
    const paid = payments.getByRole('row', { name: new RegExp(number) });
    await paid.waitFor();
    expect(await paid.textContent()).toMatch(
      /\$150\.50.*Visa •••• 4242.*Paid.*INV-BB-1: \$120\.00.*INV-BB-2: \$30\.50/,
    );
    await payments
      .getByRole('row', {
        name: /Failed.*The card was declined by the bank.*INV-BB-1: \$120\.00 \(not paid\)/,
      })
      .waitFor();

    await paid.getByRole('link', { name: 'View Receipt' }).click();
    await page.getByRole('heading', { name: `Payment receipt ${number}`, level: 1 }).waitFor();
    await page.getByText(organizationName).waitFor();
    const pdf = await page.request.get(
      (await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href'))!.replace(
        /^/,
        baseUrl,
      ),
    );
    expect(pdf.headers()['content-type']).toBe('application/pdf');

    // The receipt in the local mailbox, to the contact who paid.
    let text = '';
    await expect
      .poll(
        async () => {
          const row = (
            await testApp.database.pool.query(
              `SELECT raw FROM local_mailbox WHERE subject LIKE $1 ORDER BY id DESC LIMIT 1`,
              [`Payment receipt ${number}%`],
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
    expect(text).toContain('$150.50');
    expect(text).toContain('INV-BB-1');
    expect(text).toContain(organizationName);
    await page.close();
  });

  it('a payer whose profile has no Payment History gets no receipt link it cannot open', async () => {
    const pool = testApp.database.pool;
    const invoice = await insertInvoice(pool, {
      organizationId,
      number: 'INV-BB-3',
      issueDate: '2026-01-07',
      dueDate: '2026-02-06',
      lines: [{ description: 'Backups', quantity: 10_000, unitPriceCents: 1_000 }],
    });
    await pool.query(
      `WITH profile AS (
         INSERT INTO access_profiles (name, permissions)
         VALUES ('Pays only', ARRAY['view_invoices', 'pay_invoices']) RETURNING id)
       UPDATE contact_organizations SET access_profile_id = (SELECT id FROM profile)
        WHERE contact_id = (SELECT id FROM contacts WHERE email = $1)`,
      [contact.email],
    );
    try {
      const page = await app.newPage();
      await signIn(page);
      await page.goto(`${baseUrl}/portal/billing/invoices`);
      await page.getByRole('checkbox', { name: 'Select INV-BB-3' }).check();
      await page.getByRole('button', { name: 'Pay Selected' }).click();
      const dialog = page.getByRole('dialog', { name: 'Pay Selected' });
      await dialog.getByRole('button', { name: 'Confirm payment' }).click();
      await dialog.getByText(/^Payment P-\d{6} received$/).waitFor();
      expect(await dialog.getByRole('link', { name: 'View receipt' }).count()).toBe(0);
      expect(await balanceOf(invoice)).toBe(0);
      await page.close();
    } finally {
      await pool.query(
        `UPDATE contact_organizations SET access_profile_id =
                (SELECT id FROM access_profiles WHERE name = 'Billing Admin')
          WHERE contact_id = (SELECT id FROM contacts WHERE email = $1)`,
        [contact.email],
      );
    }
  });

  it('a confirmation whose answer is lost, sent again, is the same payment and one charge', async () => {
    const page = await app.newPage();
    await signIn(page);
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByRole('checkbox', { name: 'Select INV-BB-2' }).check();
    await page.getByRole('button', { name: 'Pay Selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pay Selected' });
    await dialog.getByText('Total: $49.50').waitFor();
    // The server takes the payment, but its answer never reaches the browser.
    let sent = 0;
    await page.route('**/api/portal/payments', async (route) => {
      sent += 1;
      await route.fetch();
      await route.abort('failed');
    });
    await dialog.getByRole('button', { name: 'Confirm payment' }).click();
    await dialog.getByText(/Cannot reach the server/).waitFor();
    expect(sent).toBe(1);
    await page.unroute('**/api/portal/payments');
    // The client tries again: the same request, the payment it already made.
    await dialog.getByRole('button', { name: 'Confirm payment' }).click();
    await dialog.getByText(/^Payment P-\d{6} received$/).waitFor();

    const payments = await testApp.database.pool.query(
      `SELECT p.id, p.idempotency_key AS key FROM payments p
         JOIN payment_allocations a ON a.payment_id = p.id
        WHERE a.invoice_id = $1 AND p.status = 'succeeded'`,
      [invoices.second],
    );
    expect(payments.rows).toHaveLength(2);
    const charges = (await sandboxOf(testApp).ledger()).charges.filter((c) =>
      payments.rows.some((p) => p.key === c.idempotencyKey),
    );
    expect(charges).toHaveLength(2);
    expect(await balanceOf(invoices.second)).toBe(0);
    await page.close();
  });

  it('an invoice paid in part since the dialog opened says so once, and charges nothing', async () => {
    const invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId,
      number: 'INV-BB-4',
      issueDate: '2026-01-08',
      dueDate: '2026-02-07',
      lines: [{ description: 'Backups', quantity: 10_000, unitPriceCents: 5_000 }],
    });
    await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
      friendlyName: 'Spare Visa',
    });
    const page = await app.newPage();
    await signIn(page);
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByRole('checkbox', { name: 'Select INV-BB-4' }).check();
    await page.getByRole('button', { name: 'Pay Selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pay Selected' });
    await dialog.getByText('Total: $50.00').waitFor();
    // Meanwhile a colleague's check for $20.00 is recorded against it.
    await testApp.database.pool.query(
      `UPDATE invoices SET amount_paid_cents = 2000 WHERE id = $1`,
      [invoiceId],
    );
    await dialog.getByRole('radio', { name: /Spare Visa/ }).check();
    await dialog.getByRole('button', { name: 'Confirm payment' }).click();
    const changed = dialog.getByText(/INV-BB-4 changed since this page was opened/);
    await changed.first().waitFor();
    expect(await changed.count()).toBe(1);
    // The amount it is about is marked, without saying the same thing again.
    expect(await dialog.getByLabel('Amount for INV-BB-4').getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await balanceOf(invoiceId)).toBe(3_000);
    await page.close();
  });
});
