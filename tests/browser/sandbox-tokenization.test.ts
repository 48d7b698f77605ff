import { randomUUID } from 'node:crypto';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { organizationId } from '../support/test-app.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';

/**
 * A client adds a card in the portal as a person would: the card details go from the form to
 * the sandbox processor's tokenization endpoint only, never to a Portico /api route; a
 * mistyped number, expiry or security code is shown under its field with the processor's
 * reason, and nothing is saved until the details are right.
 */

let browserApp: BrowserApp;
let baseUrl: string;

beforeAll(async () => {
  browserApp = await startBrowserApp();
  baseUrl = browserApp.baseUrl;
});
afterAll(async () => browserApp?.close());

/** A contact of Demo Company whose profile may manage payment methods, signed in. */
async function signedInClient(page: Page, name: string): Promise<void> {
  const pool = browserApp.testApp.database.pool;
  const suffix = randomUUID().slice(0, 8);
  const profile = (
    await pool.query(
      `INSERT INTO access_profiles (name, permissions) VALUES ($1, $2) RETURNING id`,
      [`Payments ${suffix}`, ['view_invoices', 'manage_payment_methods']],
    )
  ).rows[0].id;
  const email = `cards-${suffix}@example.com`;
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
    [contact, await organizationId(browserApp.testApp, 'Demo Company'), profile],
  );
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

describe('adding a card in the portal', () => {
  it('sends the card only to the processor, and shows its reasons under the fields', async () => {
    const page = await browserApp.newPage();
    const sent: { url: string; body: string; cookie: boolean }[] = [];
    page.on('request', (request: Request) => {
      if (request.method() === 'GET') return;
      void request.allHeaders().then((headers) =>
        sent.push({
          url: new URL(request.url()).pathname,
          body: request.postData() ?? '',
          cookie: 'cookie' in headers,
        }),
      );
    });
    await signedInClient(page, '山田 太郎');
    await page.goto(`${baseUrl}/portal/configuration/payment-methods`);
    await page.getByRole('button', { name: 'Add Credit Card' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Credit Card' });
    await dialog.getByLabel('Name for this method').fill('Carte de Zoë');
    await dialog.getByLabel('Name on card').fill('Zoë Ångström-山田');
    // Mistyped: the last digit (Luhn), a month 13 and an American Express-length code.
    await dialog.getByLabel('Card number').fill('4242 4242 4242 4241');
    await dialog.getByLabel('Expiry month').fill('13');
    await dialog.getByLabel('Expiry year').fill('2031');
    await dialog.getByLabel('Security code').fill('1234');
    await dialog.getByLabel('Address line 1').fill('1-2-3 Shibuya');
    await dialog.getByLabel('City').fill('東京');
    await dialog.getByLabel('Postal code').fill('150-0002');
    await dialog.getByLabel('I Agree').check();
    await dialog.getByRole('button', { name: 'Save Card' }).click();

    await expect
      .poll(() => dialog.getByText('The card number is incorrect').isVisible())
      .toBe(true);
    await expect(
      dialog.getByText('The expiration month must be from 1 to 12.').isVisible(),
    ).resolves.toBe(true);
    await expect(
      dialog.getByText('The security code (CVC) has 3 digits.').isVisible(),
    ).resolves.toBe(true);
    // Each reason sits with its own field.
    expect(await dialog.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByLabel('Expiry year').getAttribute('aria-invalid')).not.toBe('true');

    await dialog.getByLabel('Card number').fill('4242 4242 4242 4242');
    await dialog.getByLabel('Expiry month').fill('7');
    await dialog.getByLabel('Security code').fill('123');
    await dialog.getByRole('button', { name: 'Save Card' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.getByRole('table', { name: 'Payment methods' }).innerText())
      .toMatch(/Carte de Zoë[\s\S]*4242/);

    const withDigits = sent.filter((request) => /4242[ -]?4242/.test(request.body));
    expect(withDigits.map((request) => request.url)).toEqual([
      '/sandbox/v1/tokens',
      '/sandbox/v1/tokens',
    ]);
    // The processor is sent no cookie; Portico is sent the token only.
    expect(withDigits.every((request) => !request.cookie)).toBe(true);
    const saved = sent.filter((request) => request.url.startsWith('/api/portal/payment-methods'));
    expect(saved).toHaveLength(1);
    expect(saved[0]!.body).toMatch(/"token":"tok_sbx_/);
    expect(saved[0]!.body).not.toContain('"cvc"');
  });

  it('checks a bank routing number before anything is saved, and saves the account once right', async () => {
    const page = await browserApp.newPage();
    const sent: string[] = [];
    page.on('request', (request: Request) => {
      if (request.method() !== 'GET' && (request.postData() ?? '').includes('000123456789')) {
        sent.push(new URL(request.url()).pathname);
      }
    });
    await signedInClient(page, 'Jürgen Müller');
    await page.goto(`${baseUrl}/portal/configuration/payment-methods`);
    await page.getByRole('button', { name: 'Add Bank Account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Bank Account' });
    await dialog.getByLabel('Name for this method').fill('Compte courant');
    await dialog.getByLabel('Account holder name').fill('Jürgen Müller');
    await dialog.getByLabel('Routing number').fill('123456789');
    await dialog.getByLabel('Account number').fill('000123456789');
    await dialog.getByLabel('Address line 1').fill('Königstraße 1');
    await dialog.getByLabel('City').fill('Stuttgart');
    await dialog.getByLabel('Postal code').fill('70173');
    await dialog.getByLabel('I Agree').check();
    await dialog.getByRole('button', { name: 'Save Bank Account' }).click();
    await expect
      .poll(() => dialog.getByText('This is not a valid routing number').isVisible())
      .toBe(true);
    expect(await dialog.getByLabel('Routing number').getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Routing number').fill('110000000');
    await dialog.getByRole('button', { name: 'Save Bank Account' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.getByRole('table', { name: 'Payment methods' }).innerText())
      .toMatch(/Compte courant[\s\S]*6789/);
    expect(sent).toEqual(['/sandbox/v1/tokens', '/sandbox/v1/tokens']);
  });
});
