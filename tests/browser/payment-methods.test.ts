import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { demoStaff } from '../../src/modules/demo/demo-data.js';
import { organizationId } from '../support/test-app.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';

/**
 * Configuration > Payment Methods as a client uses it, and the organization page's Payment
 * Methods tab and Configuration > Billing > Payments as staff use them.
 */

let browserApp: BrowserApp;
let baseUrl: string;
let demoCompany: string;

beforeAll(async () => {
  browserApp = await startBrowserApp();
  baseUrl = browserApp.baseUrl;
  demoCompany = await organizationId(browserApp.testApp, 'Demo Company');
});
afterAll(async () => browserApp?.close());

/** A contact of Demo Company whose profile may manage payment methods, signed in. */
async function signedInClient(page: Page, name: string): Promise<void> {
  const pool = browserApp.testApp.database.pool;
  const suffix = randomUUID().slice(0, 8);
  const profile = (
    await pool.query(
      `INSERT INTO access_profiles (name, permissions) VALUES ($1, $2) RETURNING id`,
      [`Methods ${suffix}`, ['view_invoices', 'manage_payment_methods']],
    )
  ).rows[0].id;
  const email = `methods-${suffix}@example.com`;
  const password = 'Waffles at JJs Diner 1972';
  const contact = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ($1, $2, $3) RETURNING id`,
      [name, email, await hashPassword(password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     VALUES ($1, $2, $3)`,
    [contact, demoCompany, profile],
  );
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

const methodsTable = (page: Page) => page.getByRole('table', { name: 'Payment methods' });

describe('Configuration > Payment Methods in the portal', () => {
  it('adds a card in another script’s name, shows a bad number’s reason at the field, lists it', async () => {
    const page = await browserApp.newPage();
    await signedInClient(page, 'Zoë Ångström');
    await page.goto(`${baseUrl}/portal/configuration/payment-methods`);
    await page.getByRole('heading', { name: 'Payment Methods' }).waitFor();
    await page.getByText('No payment methods on file.').waitFor();

    await page.getByRole('button', { name: 'Add Credit Card' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Credit Card' });
    // Every button of the dialog has a name a screen reader reads, its X too.
    expect(await dialog.getByRole('button', { name: 'Close' }).count()).toBe(1);
    const unnamed = await dialog
      .locator('button')
      .evaluateAll(
        (buttons) =>
          buttons.filter((b) => !b.getAttribute('aria-label') && !b.textContent?.trim()).length,
      );
    expect(unnamed).toBe(0);
    await dialog.getByLabel('Name for this method').fill('山田 太郎のカード');
    await dialog.getByLabel('Name on card').fill('山田 太郎');
    await dialog.getByLabel('Card number').fill('4242 4242 4242 4241');
    await dialog.getByLabel('Expiry month').fill('12');
    await dialog.getByLabel('Expiry year').fill('2031');
    await dialog.getByLabel('Security code').fill('123');
    await dialog.getByLabel('City').fill('東京');
    // The authorization is shown in the MSP's name before "I Agree".
    await dialog.getByText(/I authorize .* to keep this card on file/).waitFor();
    await dialog.getByRole('button', { name: 'Save Card' }).click();
    // "I Agree" not ticked: said at the box, and nothing is sent.
    await dialog.getByText('Tick “I Agree” to authorize this payment method').waitFor();
    await dialog.getByLabel('I Agree').check();
    await dialog.getByRole('button', { name: 'Save Card' }).click();
    await dialog.getByText('The card number is incorrect', { exact: false }).waitFor();
    expect(await dialog.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Card number').fill('4242 4242 4242 4242');
    await dialog.getByRole('button', { name: 'Save Card' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => methodsTable(page).innerText()).toMatch(/山田 太郎のカード/);
    const row = methodsTable(page).getByRole('row', { name: /山田 太郎のカード/ });
    expect(await row.innerText()).toMatch(/Visa •••• 4242[\s\S]*12\/2031[\s\S]*Default/i);
    // Nothing was charged: the processor's ledger is empty.
    const charges = await browserApp.testApp.database.pool.query(
      'SELECT count(*)::int AS n FROM sandbox_charges',
    );
    expect(charges.rows[0].n).toBe(0);

    // A second method, then remove the default: the confirmation says what happens.
    await page.getByRole('button', { name: 'Add Bank Account' }).click();
    const bank = page.getByRole('dialog', { name: 'Add Bank Account' });
    await bank.getByLabel('Name for this method').fill('Compte Zoë');
    await bank.getByLabel('Account holder name').fill('Zoë Ångström');
    await bank.getByLabel('Routing number').fill('110000000');
    await bank.getByLabel('Account number').fill('000123456789');
    await bank.getByLabel('I Agree').check();
    await bank.getByRole('button', { name: 'Save Bank Account' }).click();
    await bank.waitFor({ state: 'hidden' });
    await expect.poll(() => methodsTable(page).innerText()).toMatch(/Compte Zoë/);

    await page.getByRole('button', { name: 'Remove 山田 太郎のカード' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove 山田 太郎のカード?' });
    await confirm.getByText('Compte Zoë (Bank account •••• 6789) becomes the default.').waitFor();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('is the default payment method now').waitFor();
    await expect.poll(() => methodsTable(page).innerText()).not.toMatch(/山田 太郎のカード/);
    expect(
      await methodsTable(page)
        .getByRole('row', { name: /Compte Zoë/ })
        .innerText(),
    ).toMatch(/Default/i);
    await page.close();
  });
});

describe('staff', () => {
  it('see the client’s methods with the authorization, and unlock a locked one', async () => {
    const pool = browserApp.testApp.database.pool;
    await pool.query(
      `UPDATE payment_methods SET locked_at = now(), failed_charge_count = 15,
              locked_reason = 'Locked after 15 failed charges in a row'
        WHERE friendly_name = 'Compte Zoë'`,
    );
    const page = await browserApp.newPage();
    const billing = demoStaff.find((s) => s.role === 'billing')!;
    await signInToConsole(page, baseUrl, billing.email, billing.password);
    await page.goto(`${baseUrl}/organizations/${demoCompany}`);
    await page.getByRole('tab', { name: 'Payment Methods' }).click();
    const table = page.getByRole('table', { name: 'Payment Methods' });
    await expect.poll(() => table.innerText()).toMatch(/Compte Zoë[\s\S]*Locked after 15 failed/);

    await table.getByRole('button', { name: 'Authorization' }).first().click();
    const record = page.getByRole('dialog', { name: 'Authorization for Compte Zoë' });
    await record.getByText(/I authorize .* to debit this bank account/).waitFor();
    await record
      .getByText(/Agreed by Zoë Ångström on .* from 127\.0\.0\.1, in the client portal/)
      .waitFor();
    await page.keyboard.press('Escape');

    await table.getByRole('button', { name: 'Unlock Compte Zoë' }).click();
    const unlock = page.getByRole('dialog', { name: 'Unlock Compte Zoë?' });
    await unlock.getByLabel('Why (kept in the audit log)').fill('Client called: new funds');
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    await unlock.waitFor({ state: 'hidden' });
    await expect.poll(() => table.innerText()).not.toMatch(/Locked/i);

    // The audit log names what was done to which method, as it was named then.
    await page.getByRole('tab', { name: 'Audit Log' }).click();
    await page
      .getByText('Unlocked payment method Compte Zoë (Bank account •••• 6789)')
      .first()
      .waitFor();
    await page
      .getByText(/Removed payment method 山田 太郎のカード/)
      .first()
      .waitFor();
    await page.getByRole('tab', { name: 'Payment Methods' }).click();

    // The provider fees of its two methods, at $0.50 each.
    const fees = page.getByRole('table', { name: 'Provider Fees' });
    await expect.poll(() => fees.innerText()).toMatch(/Total\s+\$1\.00/);

    // The card the client removed is listed only when asked, greyed, with who and when.
    expect(await table.getByText('山田 太郎のカード').count()).toBe(0);
    await page.getByRole('switch', { name: 'Show removed' }).check();
    const removed = table.getByRole('row', { name: /山田 太郎のカード \(removed\)/ });
    await removed.waitFor();
    expect(await removed.innerText()).toMatch(/Removed \S.* by Zoë Ångström/);
    expect(await removed.getByRole('button', { name: /Remove|Make default/ }).count()).toBe(0);
    await page.getByRole('switch', { name: 'Show removed' }).uncheck();
    await expect.poll(() => table.getByText('山田 太郎のカード').count()).toBe(0);
    await page.close();
  });

  it('enter a card for a client with the contact who authorized it', async () => {
    const page = await browserApp.newPage();
    const billing = demoStaff.find((s) => s.role === 'billing')!;
    await signInToConsole(page, baseUrl, billing.email, billing.password);
    await page.goto(`${baseUrl}/organizations/${demoCompany}`);
    await page.getByRole('tab', { name: 'Payment Methods' }).click();
    await page.getByRole('button', { name: 'Add Credit Card' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Credit Card for the Client' });
    await dialog.getByLabel('Name for this method').fill('Carte par téléphone');
    await dialog.getByLabel('Name on card').fill('Zoë Ångström');
    await dialog.getByLabel('Card number').fill('5555 5555 5555 4444');
    await dialog.getByLabel('Expiry month').fill('6');
    await dialog.getByLabel('Expiry year').fill('2032');
    await dialog.getByLabel('Security code').fill('321');
    await dialog.getByText('Read this authorization to the client').waitFor();
    await dialog.getByLabel('I Agree').check();
    await dialog.getByRole('button', { name: 'Save Card' }).click();
    await dialog.getByText('Choose the contact who authorized it').waitFor();
    await dialog.getByLabel('Authorized by').click();
    await page.getByRole('option', { name: /Zoë Ångström/ }).click();
    await dialog.getByRole('button', { name: 'Save Card' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const table = page.getByRole('table', { name: 'Payment Methods' });
    await expect
      .poll(() => table.innerText())
      .toMatch(/Carte par téléphone[\s\S]*Mastercard •••• 4444/);
    await table
      .getByRole('row', { name: /Carte par téléphone/ })
      .getByRole('button', { name: 'Authorization' })
      .click();
    await page
      .getByRole('dialog', { name: 'Authorization for Carte par téléphone' })
      .getByText(/Agreed by Zoë Ångström on .*, entered by Ben Wyatt/)
      .waitFor();
    await page.close();
  });

  it('turn card payments off in Configuration > Billing; the portal then offers no card', async () => {
    const page = await browserApp.newPage();
    const admin = demoStaff.find((s) => s.role === 'master_admin')!;
    await signInToConsole(page, baseUrl, admin.email, admin.password);
    await page.goto(`${baseUrl}/configuration/billing`);
    const section = page.getByRole('region', { name: 'Payments' });
    await section.getByLabel('Card payments').uncheck({ force: true });
    await section.getByRole('button', { name: 'Save Payments' }).click();
    await page.getByText('Payment settings saved').waitFor();
    await expect
      .poll(() => page.getByRole('table', { name: 'Provider Fees by Month' }).innerText())
      .toMatch(/Total\s+\$1\.50/);
    await page.close();

    const client = await browserApp.newPage();
    await signedInClient(client, 'Émile Zola');
    await client.goto(`${baseUrl}/portal/configuration/payment-methods`);
    await client.getByText('Card payments are turned off.').waitFor();
    expect(await client.getByRole('button', { name: 'Add Credit Card' }).isDisabled()).toBe(true);
    await client.close();
  });
});
