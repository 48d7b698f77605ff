import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { organizationId } from '../support/test-app.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { stripeReplayServer } from '../support/stripe-replay.js';

/**
 * Configuration > Payment Methods with Stripe as the processor, in a real Chromium. Stripe's
 * API is replayed on loopback (STRIPE_API_URL); js.stripe.com cannot be reached from here, so
 * what a client meets is the form saying Stripe's payment form could not be loaded — and no
 * card field of Portico's own, nothing sent to the sandbox's endpoint. The Payment Element
 * itself is not tried (README, "Stripe").
 */

let browserApp: BrowserApp;
let stripe: Awaited<ReturnType<typeof stripeReplayServer>>;
let demoCompany: string;

beforeAll(async () => {
  stripe = await stripeReplayServer();
  browserApp = await startBrowserApp({
    env: {
      PAYMENT_GATEWAY: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_portico_replay',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_portico_replay',
      STRIPE_WEBHOOK_SECRET: 'whsec_portico_replay',
      STRIPE_API_URL: stripe.url,
    },
  });
  demoCompany = await organizationId(browserApp.testApp, 'Demo Company');
});
afterAll(async () => {
  await browserApp?.close();
  await stripe?.close();
});

/** A contact of Demo Company who may manage payment methods, signed in to the portal. */
async function signedInClient(page: Page): Promise<void> {
  const pool = browserApp.testApp.database.pool;
  const suffix = randomUUID().slice(0, 8);
  const profile = (
    await pool.query(
      `INSERT INTO access_profiles (name, permissions) VALUES ($1, $2) RETURNING id`,
      [`Stripe ${suffix}`, ['view_invoices', 'manage_payment_methods']],
    )
  ).rows[0].id;
  const email = `stripe-browser-${suffix}@example.com`;
  const password = 'Waffles at JJs Diner 1972';
  const contact = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Tom Haverford', $1, $2) RETURNING id`,
      [email, await hashPassword(password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     VALUES ($1, $2, $3)`,
    [contact, demoCompany, profile],
  );
  await page.goto(`${browserApp.baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

describe('adding a payment method while Stripe is the processor', () => {
  it('starts a SetupIntent, and says so plainly when Stripe.js cannot be loaded', async () => {
    stripe.expectNext(
      {
        method: 'POST',
        path: '/v1/customers',
        params: { 'metadata[portico_organization_id]': demoCompany },
        answer: { status: 200, fixture: 'customer.json' },
      },
      {
        method: 'POST',
        path: '/v1/setup_intents',
        params: { customer: 'cus_RqB7kT2mXo4aLp', usage: 'off_session' },
        answer: { status: 200, fixture: 'setup-intent-created.json' },
      },
    );
    const page = await browserApp.newPage({ timeout: 30_000 });
    const sandboxCalls: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/sandbox/')) sandboxCalls.push(request.url());
    });
    await signedInClient(page);
    await page.goto(`${browserApp.baseUrl}/portal/configuration/payment-methods`);
    await page.getByRole('heading', { name: 'Payment Methods' }).waitFor();
    await page.getByRole('button', { name: 'Add Credit Card' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Credit Card' });
    await dialog.getByText("Stripe's payment form could not be loaded").waitFor();
    await dialog.getByText(/cannot reach js\.stripe\.com/).waitFor();
    // Portico's page has no card number field of its own, and nothing went to the sandbox.
    expect(await dialog.getByLabel('Card number').count()).toBe(0);
    expect(sandboxCalls).toEqual([]);
    expect(stripe.mismatches).toEqual([]);
    expect(stripe.remaining()).toBe(0);
  });
});
