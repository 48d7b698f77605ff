import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  paymentProcessorAnswer,
  stripeSetupAnswer,
} from '../../src/shared/contract/payment-processor.js';
import type { portalPaymentMethodList } from '../../src/shared/contract/payment-methods.js';
import type { payInvoicesAnswer, paymentHistoryPage } from '../../src/shared/contract/payments.js';
import type {
  organizationPaymentsAnswer,
  refundAnswer,
  transactionsPage,
} from '../../src/shared/contract/staff-payments.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { paymentGateway } from '../../src/payment-gateway.js';
import { reconcilePayments } from '../../src/modules/payments/reconciliation.js';
import { databaseSnapshot, errorOf } from '../support/api-assertions.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { stripeFixture, stripeReplayServer } from '../support/stripe-replay.js';
import { sendQueuedPaymentEmails } from '../support/payment-fixtures.js';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

/**
 * Portico with PAYMENT_GATEWAY=stripe, Stripe's API replayed from recorded answers on a
 * loopback server (STRIPE_API_URL): what the portal and staff ask of Stripe (which processor,
 * a SetupIntent, saving the method it confirmed, a payment) and what Stripe tells Portico (the
 * signed webhook at /api/webhooks/stripe).
 */

const webhookSecret = 'whsec_portico_replay';
let stripe: Awaited<ReturnType<typeof stripeReplayServer>>;
let testApp: TestApp;
let pawnee = '';
let portal: ApiClient;

type PortalList = Answer<typeof portalPaymentMethodList>;
type PayAnswer = Answer<typeof payInvoicesAnswer>;
type History = Answer<typeof paymentHistoryPage>;

/** A contact of the organization signed in to the portal, with exactly these permissions. */
async function contactWith(organization: string, permissions: string[]): Promise<ApiClient> {
  const pool = testApp.database.pool;
  const suffix = randomUUID().slice(0, 8);
  const profile = (
    await pool.query(
      `INSERT INTO access_profiles (name, permissions) VALUES ($1, $2) RETURNING id`,
      [`Stripe profile ${suffix}`, permissions],
    )
  ).rows[0].id;
  const email = `stripe-${suffix}@example.com`;
  const password = 'Waffles at JJs Diner 1972';
  const id: string = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Ann Perkins', $1, $2) RETURNING id`,
      [email, await hashPassword(password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     VALUES ($1, $2, $3)`,
    [id, organization, profile],
  );
  const client = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await client.post('/api/portal/sign-in', { email, password });
  expect(signIn.statusCode, signIn.body).toBe(200);
  return client;
}

/** Stripe's POST of an event to the webhook, signed with `secret`. */
function deliver(
  eventFixture: string,
  replace: Record<string, string> = {},
  secret = webhookSecret,
) {
  let payload = JSON.stringify(stripeFixture(eventFixture), null, 2);
  for (const [from, to] of Object.entries(replace)) payload = payload.replaceAll(from, to);
  return testApp.app.inject({
    method: 'POST',
    url: '/api/webhooks/stripe',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }),
    },
    payload,
  });
}

/** The recorded SetupIntents were started for Pawnee (the fixtures name another id). */
function fixtureOrganization(): Record<string, string> {
  return { '0b6f3a52-5c1e-4d7a-9a0e-2f6f0d2c9a11': pawnee };
}

function expectAllReplayed() {
  expect(stripe.mismatches).toEqual([]);
  expect(stripe.remaining()).toBe(0);
}

beforeAll(async () => {
  stripe = await stripeReplayServer();
  testApp = await startTestApp({
    PAYMENT_GATEWAY: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_portico_replay',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_portico_replay',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_URL: stripe.url,
  });
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  portal = await contactWith(pawnee, [
    'view_invoices',
    'manage_payment_methods',
    'pay_invoices',
    'view_payment_history',
  ]);
});
beforeEach(() => stripe.reset());
afterAll(async () => {
  await testApp?.close();
  await stripe?.close();
});

describe('adding a payment method through Stripe', () => {
  it('tells the portal and staff that Stripe runs, with the publishable key only', async () => {
    const answer = await portal.get('/api/portal/payment-processor');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json<Answer<typeof paymentProcessorAnswer>>()).toEqual({
      name: 'stripe',
      publishableKey: 'pk_test_portico_replay',
    });
    expect(answer.body).not.toContain('sk_test');
    const staff = await (await signedInAs(testApp.app, 'read_only')).get('/api/payment-processor');
    expect(staff.json()).toEqual({ name: 'stripe', publishableKey: 'pk_test_portico_replay' });
    // The pages may load Stripe.js and its Payment Element iframe, and nothing else new.
    const page = await testApp.app.inject({ method: 'GET', url: '/api/health' });
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toMatch(/script-src 'self' https:\/\/js\.stripe\.com/);
    expect(policy).toMatch(
      /frame-src 'self' https:\/\/js\.stripe\.com .*https:\/\/hooks\.stripe\.com/,
    );
    expect(policy).toMatch(/connect-src 'self' https:\/\/api\.stripe\.com/);
    // The sandbox's tokenization endpoint is not served when Stripe is the processor.
    const sandbox = await testApp.app.inject({ method: 'POST', url: '/sandbox/v1/tokens' });
    expect(sandbox.statusCode).toBe(404);
  });

  it('starts a SetupIntent on the organization’s Stripe Customer, then saves what Stripe confirmed', async () => {
    stripe.expectNext(
      {
        method: 'POST',
        path: '/v1/customers',
        params: { 'metadata[portico_organization_id]': pawnee },
        idempotencyKey: `portico-customer-${pawnee}`,
        answer: { status: 200, fixture: 'customer.json' },
      },
      {
        method: 'POST',
        path: '/v1/setup_intents',
        params: { customer: 'cus_RqB7kT2mXo4aLp', usage: 'off_session' },
        answer: { status: 200, fixture: 'setup-intent-created.json' },
      },
    );
    const setup = await portal.post('/api/portal/payment-methods/stripe-setup');
    expect(setup.statusCode, setup.body).toBe(200);
    expect(setup.json<Answer<typeof stripeSetupAnswer>>()).toEqual({
      clientSecret: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ_secret_RqB8aVb1cD2eF3gH4iJ5kL6mN7oP8qR',
      setupIntentRef: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      publishableKey: 'pk_test_portico_replay',
    });

    // The browser confirmed it with the Payment Element; the portal adds it by its id.
    stripe.expectNext({
      method: 'GET',
      path: '/v1/setup_intents/seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      answer: {
        status: 200,
        fixture: 'setup-intent-succeeded-card.json',
        replace: fixtureOrganization(),
      },
    });
    const list = (await portal.get('/api/portal/payment-methods')).json<PortalList>();
    const added = await portal.post('/api/portal/payment-methods', {
      type: 'card',
      token: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      friendlyName: 'Parks Visa',
      billingName: 'Leslie Knope',
      billingAddressLine1: '100 State Street',
      billingAddressLine2: '',
      billingCity: 'Pawnee',
      billingRegion: 'IN',
      billingPostalCode: '47998',
      billingCountry: 'US',
      authorizationText: list.authorizationTexts.card,
      agreed: true,
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({
      paymentMethod: { friendlyName: 'Parks Visa', brand: 'visa', last4: '4242' },
    });
    expectAllReplayed();
  });

  it('refuses another organization’s SetupIntent, even with its id, and saves nothing', async () => {
    const demo = await organizationId(testApp, 'Demo Company');
    const other = await contactWith(demo, ['view_invoices', 'manage_payment_methods']);
    stripe.expectNext({
      method: 'GET',
      path: '/v1/setup_intents/seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      answer: {
        status: 200,
        fixture: 'setup-intent-succeeded-card.json',
        replace: fixtureOrganization(),
      },
    });
    const list = (await other.get('/api/portal/payment-methods')).json<PortalList>();
    const before = await databaseSnapshot(testApp);
    const added = await other.post('/api/portal/payment-methods', {
      type: 'card',
      token: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      friendlyName: 'Not mine',
      billingName: 'Ron Swanson',
      billingAddressLine1: '',
      billingAddressLine2: '',
      billingCity: '',
      billingRegion: '',
      billingPostalCode: '',
      billingCountry: 'US',
      authorizationText: list.authorizationTexts.card,
      agreed: true,
    });
    expect(added.statusCode, added.body).toBe(400);
    expect(errorOf(added).fields.map((field) => field.field)).toEqual(['token']);
    expect(await databaseSnapshot(testApp)).toEqual(before);
    expectAllReplayed();
  });

  it('starts the next SetupIntent on the Customer the saved method names', async () => {
    stripe.expectNext({
      method: 'POST',
      path: '/v1/setup_intents',
      params: { customer: 'cus_RqB7kT2mXo4aLp' },
      answer: { status: 200, fixture: 'setup-intent-created.json' },
    });
    const billing = await signedInAs(testApp.app, 'billing');
    const setup = await billing.post(`/api/organizations/${pawnee}/payment-methods/stripe-setup`);
    expect(setup.statusCode, setup.body).toBe(200);
    expectAllReplayed();
  });

  it('refuses a SetupIntent to whoever may not manage payment methods, and an unknown organization', async () => {
    const viewer = await contactWith(pawnee, ['view_invoices', 'pay_invoices']);
    expect((await viewer.post('/api/portal/payment-methods/stripe-setup')).statusCode).toBe(403);
    const readOnly = await signedInAs(testApp.app, 'read_only');
    const staffSetup = `/api/organizations/${pawnee}/payment-methods/stripe-setup`;
    expect((await readOnly.post(staffSetup)).statusCode).toBe(403);
    const anonymous = new ApiClient(testApp.app, '/api/portal/session');
    expect((await anonymous.post('/api/portal/payment-methods/stripe-setup')).statusCode).toBe(401);
    const noCsrf = await testApp.app.inject({
      method: 'POST',
      url: '/api/portal/payment-methods/stripe-setup',
      headers: { cookie: portal.cookieHeader() },
    });
    expect(noCsrf.statusCode).toBe(403);
    const admin = await signedInAs(testApp.app, 'master_admin');
    const unknown = await admin.post(
      `/api/organizations/${randomUUID()}/payment-methods/stripe-setup`,
    );
    expect(unknown.statusCode).toBe(404);
    const malformed = await admin.post('/api/organizations/not-an-id/payment-methods/stripe-setup');
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed).fields.map((field) => field.field)).toEqual(['id']);
    // None of these reached Stripe.
    expectAllReplayed();
  });
});

describe('the Stripe webhook', () => {
  let invoiceId = '';
  let paymentId = '';
  let idempotencyKey = '';

  it('leaves a payment whose answer was lost pending, then applies the signed event', async () => {
    invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId: pawnee,
      number: 'INV-STRIPE-1',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 125_050 }],
    });
    const method = (await portal.get('/api/portal/payment-methods')).json<PortalList>()
      .paymentMethods[0]!;
    const lost = {
      method: 'POST' as const,
      path: '/v1/payment_intents',
      params: { amount: '125050', customer: 'cus_RqB7kT2mXo4aLp', off_session: 'true' },
      answer: { connectionError: true as const },
    };
    stripe.expectNext(lost, lost);
    const paid = await portal.post('/api/portal/payments', {
      paymentMethodId: method.id,
      allocations: [{ invoiceId, amountCents: 125_050 }],
    });
    expect(paid.statusCode, paid.body).toBe(202);
    paymentId = paid.json<PayAnswer>().payment.id;
    idempotencyKey = (
      await testApp.database.pool.query(`SELECT idempotency_key FROM payments WHERE id = $1`, [
        paymentId,
      ])
    ).rows[0].idempotency_key;
    // Each attempt carried the payment's own key.
    expect(stripe.seen.slice(-2).map((request) => request.idempotencyKey)).toEqual([
      idempotencyKey,
      idempotencyKey,
    ]);

    // Stripe had charged it: its event arrives, and Portico reads the PaymentIntent.
    const ids = {
      'portico-payment-5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90': idempotencyKey,
      '5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90': paymentId,
    };
    stripe.expectNext({
      method: 'GET',
      path: '/v1/payment_intents/pi_3QxD1fLkdIwHu7ix0Ok4242',
      params: { 'expand[0]': 'latest_charge' },
      answer: { status: 200, fixture: 'payment-intent-succeeded.json', replace: ids },
    });
    const delivered = await deliver('event-payment-intent-succeeded.json', ids);
    expect(delivered.statusCode, delivered.body).toBe(200);
    expect(delivered.json()).toEqual({ received: true });
    expectAllReplayed();

    const answer = await portal.get('/api/portal/payment-history');
    expect(answer.statusCode, answer.body).toBe(200);
    const history = answer.json<History>();
    expect(history.payments.find((payment) => payment.id === paymentId)).toMatchObject({
      status: 'succeeded',
    });
    const balance = await testApp.database.pool.query(
      `SELECT balance_cents FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    expect(balance.rows[0].balance_cents).toBe(0);
  });

  it('takes the same event twice without applying it twice', async () => {
    const ids = {
      'portico-payment-5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90': idempotencyKey,
      '5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90': paymentId,
    };
    stripe.expectNext({
      method: 'GET',
      path: '/v1/payment_intents/pi_3QxD1fLkdIwHu7ix0Ok4242',
      answer: { status: 200, fixture: 'payment-intent-succeeded.json', replace: ids },
    });
    const before = await databaseSnapshot(testApp);
    const again = await deliver('event-payment-intent-succeeded.json', ids);
    expect(again.statusCode, again.body).toBe(200);
    const after = await databaseSnapshot(testApp);
    expect(after['payments']).toEqual(before['payments']);
    expect(after['invoices']).toEqual(before['invoices']);
    expect(after['audit_events']).toEqual(before['audit_events']);
    expectAllReplayed();
  });

  it('refuses an event whose signature does not match, or that has none, and changes nothing', async () => {
    const before = await databaseSnapshot(testApp);
    const forged = await deliver('event-payment-intent-succeeded.json', {}, 'whsec_someone_else');
    expect(forged.statusCode).toBe(400);
    expect(errorOf(forged).fields.map((field) => field.field)).toEqual(['stripe-signature']);
    const unsigned = await testApp.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(stripeFixture('event-payment-intent-succeeded.json')),
    });
    expect(unsigned.statusCode).toBe(400);
    expect(errorOf(unsigned).fields.map((field) => field.field)).toEqual(['stripe-signature']);
    // A body changed after signing (an amount, say) no longer matches its signature.
    const payload = JSON.stringify(stripeFixture('event-payment-intent-succeeded.json'));
    const tampered = await testApp.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: webhookSecret,
        }),
      },
      payload: payload.replace('125050', '1'),
    });
    expect(tampered.statusCode).toBe(400);
    expect(await databaseSnapshot(testApp)).toEqual(before);
    expect(stripe.remaining()).toBe(0);
  });

  it('is described in the API document, with the SetupIntent routes', async () => {
    const document = await testApp.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(document.statusCode, document.body.slice(0, 300)).toBe(200);
    const paths = Object.keys(document.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/webhooks/stripe',
        '/api/portal/payment-methods/stripe-setup',
        '/api/organizations/{id}/payment-methods/stripe-setup',
        '/api/portal/payment-processor',
      ]),
    );
  });

  it('acknowledges events that are not about a Portico payment', async () => {
    const before = await databaseSnapshot(testApp);
    const other = await deliver('event-customer-created.json');
    expect(other.statusCode, other.body).toBe(200);
    expect(await databaseSnapshot(testApp)).toEqual(before);
    expectAllReplayed();
  });
});

describe('ACH debits through Stripe', () => {
  const achKey = 'portico-payment-c1f2e3d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  const achPaymentId = 'c1f2e3d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  let bankMethodId = '';

  /** An open invoice of Pawnee for the recorded ACH amount ($980.00). */
  async function achInvoice(number: string): Promise<string> {
    return insertInvoice(testApp.database.pool, {
      organizationId: pawnee,
      number,
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 98_000 }],
    });
  }

  async function balanceOf(invoiceId: string): Promise<number> {
    const result = await testApp.database.pool.query(
      `SELECT balance_cents FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    return result.rows[0].balance_cents;
  }

  /** Pays the invoice by ACH; Stripe answers the debit processing. Answers the key it used. */
  async function payByAch(invoiceId: string) {
    stripe.expectNext({
      method: 'POST',
      path: '/v1/payment_intents',
      params: { amount: '98000', payment_method: 'pm_1QxC3aLkdIwHu7ixAch6789' },
      answer: { status: 200, fixture: 'payment-intent-processing-ach.json' },
    });
    const paid = await portal.post('/api/portal/payments', {
      paymentMethodId: bankMethodId,
      allocations: [{ invoiceId, amountCents: 98_000 }],
    });
    expect(paid.statusCode, paid.body).toBe(201);
    const payment = paid.json<PayAnswer>().payment;
    expect(payment.status).toBe('processing');
    const key: string = (
      await testApp.database.pool.query(`SELECT idempotency_key FROM payments WHERE id = $1`, [
        payment.id,
      ])
    ).rows[0].idempotency_key;
    expect(stripe.seen.at(-1)?.idempotencyKey).toBe(key);
    return { paymentId: payment.id, ids: { [achKey]: key, [achPaymentId]: payment.id } };
  }

  async function statusOf(paymentId: string): Promise<string> {
    const answer = await portal.get('/api/portal/payment-history');
    return answer.json<History>().payments.find((payment) => payment.id === paymentId)!.status;
  }

  it('saves a US bank account from the confirmed SetupIntent', async () => {
    stripe.expectNext({
      method: 'GET',
      path: '/v1/setup_intents/seti_1QxC2pLkdIwHu7ixBank6789',
      answer: {
        status: 200,
        fixture: 'setup-intent-succeeded-bank.json',
        replace: fixtureOrganization(),
      },
    });
    const list = (await portal.get('/api/portal/payment-methods')).json<PortalList>();
    const added = await portal.post('/api/portal/payment-methods', {
      type: 'ach',
      token: 'seti_1QxC2pLkdIwHu7ixBank6789',
      friendlyName: 'Parks checking',
      billingName: 'Pawnee Parks Department',
      billingAddressLine1: '100 State Street',
      billingAddressLine2: '',
      billingCity: 'Pawnee',
      billingRegion: 'IN',
      billingPostalCode: '47998',
      billingCountry: 'US',
      authorizationText: list.authorizationTexts.ach,
      agreed: true,
    });
    expect(added.statusCode, added.body).toBe(201);
    const method = added.json<{ paymentMethod: PortalList['paymentMethods'][number] }>()
      .paymentMethod;
    expect(method).toMatchObject({ type: 'ach', last4: '6789', bankName: 'STRIPE TEST BANK' });
    bankMethodId = method.id;
    expectAllReplayed();
  });

  it('a debit Stripe returns (payment_intent.payment_failed) reopens the invoice', async () => {
    const invoiceId = await achInvoice('INV-STRIPE-ACH-1');
    const { paymentId, ids } = await payByAch(invoiceId);
    // Processing: the balance shows it paid while it settles.
    expect(await balanceOf(invoiceId)).toBe(0);

    stripe.expectNext({
      method: 'GET',
      path: '/v1/payment_intents/pi_3QxD7uLkdIwHu7ix2Ach6789',
      answer: { status: 200, fixture: 'payment-intent-ach-returned.json', replace: ids },
    });
    const delivered = await deliver('event-payment-intent-ach-payment-failed.json', ids);
    expect(delivered.statusCode, delivered.body).toBe(200);
    expectAllReplayed();
    expect(await statusOf(paymentId)).toBe('returned');
    expect(await balanceOf(invoiceId)).toBe(98_000);
    await sendQueuedPaymentEmails(testApp);
    const emails = await testApp.database.pool.query(
      `SELECT template FROM email_messages WHERE template = 'payment_returned'`,
    );
    expect(emails.rows.length).toBeGreaterThan(0);
  });

  it('a debit Stripe settles (payment_intent.succeeded) stays paid', async () => {
    const invoiceId = await achInvoice('INV-STRIPE-ACH-2');
    const { paymentId, ids } = await payByAch(invoiceId);
    stripe.expectNext({
      method: 'GET',
      path: '/v1/payment_intents/pi_3QxD7uLkdIwHu7ix2Ach6789',
      answer: { status: 200, fixture: 'payment-intent-ach-settled.json', replace: ids },
    });
    // The settled event names the ACH PaymentIntent; Portico reads it again from Stripe.
    const delivered = await deliver('event-payment-intent-succeeded.json', {
      pi_3QxD1fLkdIwHu7ix0Ok4242: 'pi_3QxD7uLkdIwHu7ix2Ach6789',
    });
    expect(delivered.statusCode, delivered.body).toBe(200);
    expectAllReplayed();
    expect(await statusOf(paymentId)).toBe('succeeded');
    expect(await balanceOf(invoiceId)).toBe(0);
  });
});

describe('reconciliation with Stripe', () => {
  const recordedKey = 'portico-payment-5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90';
  const recordedId = '5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90';

  /** A card payment whose answer Stripe never delivered: pending, with its key. */
  async function lostPayment(number: string, cents: number) {
    const invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId: pawnee,
      number,
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: cents }],
    });
    const card = (await portal.get('/api/portal/payment-methods'))
      .json<PortalList>()
      .paymentMethods.find((method) => method.type === 'card')!;
    const lost = {
      method: 'POST' as const,
      path: '/v1/payment_intents',
      answer: { connectionError: true as const },
    };
    stripe.expectNext(lost, lost);
    const paid = await portal.post('/api/portal/payments', {
      paymentMethodId: card.id,
      allocations: [{ invoiceId, amountCents: cents }],
    });
    expect(paid.statusCode, paid.body).toBe(202);
    const paymentId = paid.json<PayAnswer>().payment.id;
    const key: string = (
      await testApp.database.pool.query(`SELECT idempotency_key FROM payments WHERE id = $1`, [
        paymentId,
      ])
    ).rows[0].idempotency_key;
    return { invoiceId, paymentId, key };
  }

  const paymentStatus = async (paymentId: string) =>
    (await testApp.database.pool.query(`SELECT status FROM payments WHERE id = $1`, [paymentId]))
      .rows[0].status;

  afterAll(() => {
    delete testApp.context.clock;
  });

  it('finds a charge Stripe made by its key and applies it, without charging again', async () => {
    const { invoiceId, paymentId, key } = await lostPayment('INV-STRIPE-RECON-1', 125_050);
    const ids = { [recordedKey]: key, [recordedId]: paymentId };
    stripe.reset();
    const postsBefore = stripe.seen.filter((request) => request.method === 'POST').length;
    stripe.expectNext(
      {
        method: 'GET',
        path: '/v1/payment_intents/search',
        params: { query: `metadata['portico_idempotency_key']:'${key}'` },
        answer: { status: 200, fixture: 'payment-intents-search-found.json', replace: ids },
      },
      {
        method: 'GET',
        path: '/v1/payment_intents/pi_3QxD1fLkdIwHu7ix0Ok4242',
        answer: { status: 200, fixture: 'payment-intent-succeeded.json', replace: ids },
      },
    );
    testApp.context.clock = () => new Date(Date.now() + 60_000);
    await reconcilePayments(testApp.context, paymentGateway(testApp.context));
    expectAllReplayed();
    expect(stripe.seen.filter((request) => request.method === 'POST').length).toBe(postsBefore);
    expect(await paymentStatus(paymentId)).toBe('succeeded');
    const balance = await testApp.database.pool.query(
      `SELECT balance_cents FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    expect(balance.rows[0].balance_cents).toBe(0);
  });

  it('fails a charge Stripe never received, after the window, and charges nothing', async () => {
    const { invoiceId, paymentId, key } = await lostPayment('INV-STRIPE-RECON-2', 40_000);
    stripe.reset();
    const postsBefore = stripe.seen.filter((request) => request.method === 'POST').length;
    stripe.expectNext(
      {
        method: 'GET',
        path: '/v1/payment_intents/search',
        params: { query: `metadata['portico_idempotency_key']:'${key}'` },
        answer: { status: 200, fixture: 'payment-intents-search-empty.json' },
      },
      {
        method: 'GET',
        path: '/v1/payment_intents',
        answer: { status: 200, fixture: 'payment-intents-list.json' },
      },
    );
    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    await reconcilePayments(testApp.context, paymentGateway(testApp.context));
    expectAllReplayed();
    expect(stripe.seen.filter((request) => request.method === 'POST').length).toBe(postsBefore);
    expect(await paymentStatus(paymentId)).toBe('failed');
    const balance = await testApp.database.pool.query(
      `SELECT balance_cents FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    expect(balance.rows[0].balance_cents).toBe(40_000);
  });
});

describe('refunds through Stripe', () => {
  type Refunded = Answer<typeof refundAnswer>;

  it('refunds part of a card payment under the refund’s key, and the invoice reopens by it', async () => {
    const invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId: pawnee,
      number: 'INV-STRIPE-REFUND-1',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 125_050 }],
    });
    const card = (await portal.get('/api/portal/payment-methods'))
      .json<PortalList>()
      .paymentMethods.find((method) => method.type === 'card')!;
    // The charge: Stripe answers the PaymentIntent succeeded, under the payment's own key.
    const charged: { key: string; id: string } = { key: '', id: '' };
    stripe.expectNext({
      method: 'POST',
      path: '/v1/payment_intents',
      params: { amount: '125050' },
      answer: { status: 200, fixture: 'payment-intent-succeeded.json' },
    });
    const paid = await portal.post('/api/portal/payments', {
      paymentMethodId: card.id,
      allocations: [{ invoiceId, amountCents: 125_050 }],
    });
    expect(paid.statusCode, paid.body).toBe(201);
    charged.id = paid.json<PayAnswer>().payment.id;
    charged.key = String(stripe.seen.at(-1)?.idempotencyKey);
    expect(charged.key).toBe(`portico-payment-${charged.id}`);
    expectAllReplayed();

    const billing = await signedInAs(testApp.app, 'billing');
    const refundUrl = `/api/organizations/${pawnee}/payments/${charged.id}/refunds`;
    // Stripe does not answer the first time: the refund stays pending and is counted.
    const lost = {
      method: 'POST' as const,
      path: '/v1/refunds',
      params: { payment_intent: 'pi_3QxD1fLkdIwHu7ix0Ok4242', amount: '25000' },
      answer: { connectionError: true as const },
    };
    stripe.expectNext(lost, lost);
    const pending = await billing.post(refundUrl, { amountCents: 25_000, reason: 'Overbilled' });
    expect(pending.statusCode, pending.body).toBe(202);
    const refund = pending.json<Refunded>().refund;
    expect(refund.status).toBe('pending');
    const refundKey = `portico-refund-${refund.id}`;
    expect(stripe.seen.slice(-2).map((request) => request.idempotencyKey)).toEqual([
      refundKey,
      refundKey,
    ]);

    // Sent again, with the same key: Stripe answers the refund (it refunds once, whatever).
    stripe.expectNext({
      method: 'POST',
      path: '/v1/refunds',
      params: {
        payment_intent: 'pi_3QxD1fLkdIwHu7ix0Ok4242',
        amount: '25000',
        'metadata[portico_idempotency_key]': refundKey,
      },
      idempotencyKey: refundKey,
      answer: {
        status: 200,
        fixture: 'refund-succeeded.json',
        replace: { 'portico-refund-7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918': refundKey },
      },
    });
    const retried = await billing.post(`/api/organizations/${pawnee}/refunds/${refund.id}/retry`);
    expect(retried.statusCode, retried.body).toBeLessThan(300);
    expect(retried.json<Refunded>()).toMatchObject({
      refund: { status: 'succeeded', amountCents: 25_000 },
      payment: { refundedCents: 25_000 },
    });
    expectAllReplayed();
    const balance = await testApp.database.pool.query(
      `SELECT balance_cents FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    expect(balance.rows[0].balance_cents).toBe(25_000);
  });
});

describe('refunds and disputes made at Stripe', () => {
  type OrganizationPayments = Answer<typeof organizationPaymentsAnswer>;
  type Transactions = Answer<typeof transactionsPage>;
  const recordedKey = 'portico-payment-5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90';
  const recordedId = '5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90';
  const recordedRefundKey = 'portico-refund-7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918';

  /** A card payment of a new $1,250.50 invoice that Stripe charged; its ids for the fixtures. */
  async function paidByCard(number: string) {
    const invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId: pawnee,
      number,
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 125_050 }],
    });
    const card = (await portal.get('/api/portal/payment-methods'))
      .json<PortalList>()
      .paymentMethods.find((method) => method.type === 'card')!;
    stripe.expectNext({
      method: 'POST',
      path: '/v1/payment_intents',
      answer: { status: 200, fixture: 'payment-intent-succeeded.json' },
    });
    const paid = await portal.post('/api/portal/payments', {
      paymentMethodId: card.id,
      allocations: [{ invoiceId, amountCents: 125_050 }],
    });
    expect(paid.statusCode, paid.body).toBe(201);
    const paymentId = paid.json<PayAnswer>().payment.id;
    const ids = { [recordedKey]: `portico-payment-${paymentId}`, [recordedId]: paymentId };
    return { invoiceId, paymentId, ids };
  }

  /** The event delivered, Stripe asked for the PaymentIntent and then `then`. */
  async function deliverReading(
    event: string,
    ids: Record<string, string>,
    then: {
      path: string;
      params?: Record<string, string>;
      fixture: string;
      replace?: Record<string, string>;
    },
    intentFixture = 'payment-intent-succeeded.json',
  ) {
    stripe.expectNext(
      {
        method: 'GET',
        path: '/v1/payment_intents/pi_3QxD1fLkdIwHu7ix0Ok4242',
        answer: { status: 200, fixture: intentFixture, replace: ids },
      },
      {
        method: 'GET',
        path: then.path,
        ...(then.params ? { params: then.params } : {}),
        answer: { status: 200, fixture: then.fixture, replace: { ...ids, ...then.replace } },
      },
    );
    const delivered = await deliver(event, ids);
    expect(delivered.statusCode, delivered.body).toBe(200);
    expectAllReplayed();
  }

  async function balanceOf(invoiceId: string): Promise<number> {
    const result = await testApp.database.pool.query(
      `SELECT balance_cents FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    return result.rows[0].balance_cents;
  }

  async function staffView(paymentId: string) {
    const staff = await signedInAs(testApp.app, 'read_only');
    const tab = await staff.get(`/api/organizations/${pawnee}/payments`);
    expect(tab.statusCode, tab.body).toBe(200);
    const list = await staff.get(`/api/payments?organizationId=${pawnee}&limit=100`);
    expect(list.statusCode, list.body).toBe(200);
    return {
      refunds: tab
        .json<OrganizationPayments>()
        .refunds.filter((refund) => refund.paymentId === paymentId),
      payment: list.json<Transactions>().payments.find((payment) => payment.id === paymentId)!,
    };
  }

  async function auditActions(paymentId: string): Promise<string[]> {
    const result = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`,
      [paymentId],
    );
    return result.rows.map((row) => row.action);
  }

  /** What a second delivery of an event must not change (its emails' jobs worked first). */
  async function moneySnapshot() {
    await sendQueuedPaymentEmails(testApp);
    const snapshot = await databaseSnapshot(testApp);
    return {
      refunds: snapshot['refunds'],
      invoices: snapshot['invoices'],
      allocations: snapshot['payment_allocations'],
      emails: snapshot['email_messages'],
      audit: snapshot['audit_events'],
    };
  }

  it('a refund made in Stripe’s dashboard (charge.refunded) becomes a refund in Portico, once', async () => {
    const { invoiceId, paymentId, ids } = await paidByCard('INV-STRIPE-DASH-1');
    const refundsList = {
      path: '/v1/refunds',
      params: { payment_intent: 'pi_3QxD1fLkdIwHu7ix0Ok4242' },
      fixture: 'refunds-list-dashboard.json',
    };
    await deliverReading(
      'event-charge-refunded.json',
      ids,
      refundsList,
      'payment-intent-partly-refunded.json',
    );

    const { refunds, payment } = await staffView(paymentId);
    expect(refunds).toEqual([
      expect.objectContaining({ amountCents: 25_000, status: 'succeeded', origin: 'processor' }),
    ]);
    expect(payment).toMatchObject({ refundedCents: 25_000, status: 'succeeded' });
    expect(await balanceOf(invoiceId)).toBe(25_000);
    await sendQueuedPaymentEmails(testApp);
    const email = await testApp.database.pool.query(
      `SELECT recipients FROM email_messages WHERE template = 'refund_issued' AND dedupe_key = $1`,
      [`refund_issued:${refunds[0]!.id}`],
    );
    expect(email.rowCount).toBe(1);
    expect(await auditActions(paymentId)).toContain('refund.succeeded');

    // Stripe sends the event again (it retries until it hears 200): nothing moves twice.
    const before = await moneySnapshot();
    await deliverReading(
      'event-charge-refunded.json',
      ids,
      refundsList,
      'payment-intent-partly-refunded.json',
    );
    expect(await moneySnapshot()).toEqual(before);
    expect((await staffView(paymentId)).payment.refundedCents).toBe(25_000);
  });

  it('a refund Stripe answered pending and then failed (refund.failed) is undone', async () => {
    const { invoiceId, paymentId, ids } = await paidByCard('INV-STRIPE-REFUND-FAIL-1');
    const billing = await signedInAs(testApp.app, 'billing');
    let refundKey = '';
    stripe.expectNext({
      method: 'POST',
      path: '/v1/refunds',
      params: { amount: '25000' },
      answer: { status: 200, fixture: 'refund-pending.json' },
    });
    const refunded = await billing.post(
      `/api/organizations/${pawnee}/payments/${paymentId}/refunds`,
      { amountCents: 25_000, reason: 'Overbilled' },
    );
    expect(refunded.statusCode, refunded.body).toBeLessThan(300);
    const refund = refunded.json<Answer<typeof refundAnswer>>().refund;
    refundKey = `portico-refund-${refund.id}`;
    // Stripe accepted it (pending): Portico books it, and the invoice reopens by it.
    expect(refund.status).toBe('succeeded');
    expect(await balanceOf(invoiceId)).toBe(25_000);
    expectAllReplayed();

    const refundsList = {
      path: '/v1/refunds',
      params: { payment_intent: 'pi_3QxD1fLkdIwHu7ix0Ok4242' },
      fixture: 'refunds-list-failed.json',
      replace: { [recordedRefundKey]: refundKey },
    };
    await deliverReading('event-refund-failed.json', ids, refundsList);
    const { refunds, payment } = await staffView(paymentId);
    expect(refunds).toEqual([
      expect.objectContaining({
        id: refund.id,
        status: 'failed',
        failureMessage: 'The card was canceled or has expired; the refund could not be sent to it.',
      }),
    ]);
    expect(payment.refundedCents).toBe(0);
    expect(payment.allocations).toEqual([
      expect.objectContaining({ invoiceId, amountCents: 125_050 }),
    ]);
    expect(await balanceOf(invoiceId)).toBe(0);
    expect(await auditActions(paymentId)).toContain('refund.reversed');

    const before = await moneySnapshot();
    await deliverReading('event-refund-failed.json', ids, refundsList);
    expect(await moneySnapshot()).toEqual(before);
  });

  it('a disputed payment shows as disputed to staff, and a lost dispute reverses it like a refund', async () => {
    const { invoiceId, paymentId, ids } = await paidByCard('INV-STRIPE-DISPUTE-1');
    const disputeRead = (fixture: string) => ({
      path: '/v1/disputes/du_1QxE4rLkdIwHu7ixDisp4242',
      fixture,
    });
    await deliverReading(
      'event-charge-dispute-created.json',
      ids,
      disputeRead('dispute-needs-response.json'),
    );
    expect((await staffView(paymentId)).payment.dispute).toMatchObject({
      status: 'needs_response',
      reason: 'fraudulent',
    });
    // Still paid while the dispute is open: the bank has not decided.
    expect(await balanceOf(invoiceId)).toBe(0);

    await deliverReading('event-charge-dispute-closed.json', ids, disputeRead('dispute-lost.json'));
    const { refunds, payment } = await staffView(paymentId);
    expect(payment).toMatchObject({ refundedCents: 125_050, dispute: { status: 'lost' } });
    expect(refunds).toEqual([
      expect.objectContaining({ amountCents: 125_050, status: 'succeeded', origin: 'dispute' }),
    ]);
    expect(await balanceOf(invoiceId)).toBe(125_050);
    expect(await auditActions(paymentId)).toEqual(
      expect.arrayContaining(['payment.disputed', 'payment.dispute_lost']),
    );

    const before = await moneySnapshot();
    await deliverReading('event-charge-dispute-closed.json', ids, disputeRead('dispute-lost.json'));
    expect(await moneySnapshot()).toEqual(before);
  });
});
