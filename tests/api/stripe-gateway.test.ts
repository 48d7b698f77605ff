import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { GatewayError } from '../../src/modules/payments/gateway.js';
import {
  createStripeGateway,
  WebhookSignatureError,
} from '../../src/modules/payments/stripe-gateway.js';
import { stripeFixture, stripeReplay, type ExpectedRequest } from '../support/stripe-replay.js';

/**
 * The Stripe gateway against recorded responses of Stripe's documented API (no network here):
 * the official client runs, and each request it sends is checked (method, path, form
 * parameters, Idempotency-Key) before the recorded answer is replayed.
 */

const organizationId = '0b6f3a52-5c1e-4d7a-9a0e-2f6f0d2c9a11';
const customerRef = 'cus_RqB7kT2mXo4aLp';
const paymentKey = 'portico-payment-5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90';

function gatewayReplaying(expected: ExpectedRequest[]) {
  const replay = stripeReplay(expected);
  const gateway = createStripeGateway({
    secretKey: 'sk_test_portico_replay',
    publishableKey: 'pk_test_portico_replay',
    webhookSecret: 'whsec_portico_replay',
    httpClient: replay.httpClient,
    now: () => new Date('2026-12-01T12:00:00Z'),
  });
  return { gateway, replay };
}

/** Every expected request was made, as expected. */
function expectAllReplayed(replay: ReturnType<typeof stripeReplay>) {
  expect(replay.mismatches).toEqual([]);
  expect(replay.remaining()).toBe(0);
}

const cardCharge = {
  idempotencyKey: paymentKey,
  method: { gatewayRef: 'pm_1QxB8nLkdIwHu7ixVisa4242', customerRef },
  amountCents: 125050,
  currency: 'USD',
  description: 'Portico payment P-000123',
  metadata: { portico_payment_id: '5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90' },
};

describe('saving a payment method', () => {
  it('starts a SetupIntent for cards and bank accounts, off session, on a new Customer', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/customers',
        params: { 'metadata[portico_organization_id]': organizationId },
        idempotencyKey: `portico-customer-${organizationId}`,
        answer: { status: 200, fixture: 'customer.json' },
      },
      {
        method: 'POST',
        path: '/v1/setup_intents',
        params: {
          customer: customerRef,
          usage: 'off_session',
          'allowed_payment_method_types[0]': 'card',
          'allowed_payment_method_types[1]': 'us_bank_account',
        },
        answer: { status: 200, fixture: 'setup-intent-created.json' },
      },
    ]);
    const started = await gateway.createSetupIntent({ organizationId, customerRef: null });
    expect(started).toEqual({
      clientSecret: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ_secret_RqB8aVb1cD2eF3gH4iJ5kL6mN7oP8qR',
      setupIntentRef: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      customerRef,
    });
    expectAllReplayed(replay);
  });

  it('keeps the Customer the organization already has', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/setup_intents',
        params: { customer: customerRef },
        answer: { status: 200, fixture: 'setup-intent-created.json' },
      },
    ]);
    await gateway.createSetupIntent({ organizationId, customerRef });
    expectAllReplayed(replay);
  });

  it('saves a card from the confirmed SetupIntent: brand, last four and expiry only', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/setup_intents/seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
        params: { 'expand[0]': 'payment_method' },
        answer: { status: 200, fixture: 'setup-intent-succeeded-card.json' },
      },
    ]);
    const saved = await gateway.saveMethod({
      token: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      organizationId,
      customerRef,
      billingName: 'Leslie Knope',
    });
    expect(saved).toEqual({
      gatewayRef: 'pm_1QxB8nLkdIwHu7ixVisa4242',
      customerRef,
      type: 'card',
      brand: 'visa',
      last4: '4242',
      expMonth: 8,
      expYear: 2031,
      bankName: null,
    });
    expectAllReplayed(replay);
  });

  it('saves a US bank account as ACH with its bank name and last four', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/setup_intents/seti_1QxC2pLkdIwHu7ixBank6789',
        answer: { status: 200, fixture: 'setup-intent-succeeded-bank.json' },
      },
    ]);
    const saved = await gateway.saveMethod({
      token: 'seti_1QxC2pLkdIwHu7ixBank6789',
      organizationId,
      customerRef: null,
      billingName: 'Pawnee Parks Department',
    });
    expect(saved).toEqual({
      gatewayRef: 'pm_1QxC3aLkdIwHu7ixAch6789',
      customerRef,
      type: 'ach',
      brand: null,
      last4: '6789',
      expMonth: null,
      expYear: null,
      bankName: 'STRIPE TEST BANK',
    });
    expectAllReplayed(replay);
  });

  it('refuses a SetupIntent the browser never confirmed, and a token that is not Stripe’s', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/setup_intents/seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
        answer: { status: 200, fixture: 'setup-intent-created.json' },
      },
    ]);
    const input = { organizationId, customerRef, billingName: 'Leslie Knope' };
    const unconfirmed = gateway.saveMethod({ ...input, token: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ' });
    await expect(unconfirmed).rejects.toMatchObject({ kind: 'invalid_request' });
    await expect(unconfirmed).rejects.toThrow(/not confirmed/);
    await expect(gateway.saveMethod({ ...input, token: 'tok_sandbox_1' })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    expectAllReplayed(replay);
  });

  it('refuses a SetupIntent started for another organization, whoever learned its id', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/setup_intents/seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
        answer: { status: 200, fixture: 'setup-intent-succeeded-card.json' },
      },
    ]);
    const saving = gateway.saveMethod({
      token: 'seti_1QxB7kLkdIwHu7ixQm3dT9aZ',
      organizationId: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      customerRef: null,
      billingName: 'Ron Swanson',
    });
    await expect(saving).rejects.toMatchObject({ kind: 'invalid_request' });
    await expect(saving).rejects.toThrow(/not started for this organization/);
    expectAllReplayed(replay);
  });

  it('takes a PaymentMethod id attached to the organization’s Customer, and refuses another’s', async () => {
    const attached = [
      {
        method: 'GET' as const,
        path: '/v1/payment_methods/pm_1QxB8nLkdIwHu7ixVisa4242',
        answer: { status: 200, fixture: 'payment-method-card.json' },
      },
      {
        method: 'GET' as const,
        path: `/v1/customers/${customerRef}`,
        answer: { status: 200, fixture: 'customer.json' },
      },
    ];
    const { gateway, replay } = gatewayReplaying([...attached, ...attached]);
    const input = { token: 'pm_1QxB8nLkdIwHu7ixVisa4242', customerRef: null, billingName: 'x' };
    expect(await gateway.saveMethod({ ...input, organizationId })).toMatchObject({
      customerRef,
      last4: '4242',
    });
    await expect(
      gateway.saveMethod({ ...input, organizationId: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' }),
    ).rejects.toMatchObject({ kind: 'invalid_request' });
    expectAllReplayed(replay);
  });

  it('detaches a removed method, and a method detached already is not an error', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/payment_methods/pm_1QxB8nLkdIwHu7ixVisa4242/detach',
        answer: { status: 200, fixture: 'payment-method-detached.json' },
      },
      {
        method: 'POST',
        path: '/v1/payment_methods/pm_1QxB8nLkdIwHu7ixVisa4242/detach',
        answer: { status: 404, fixture: 'error-resource-missing.json' },
      },
    ]);
    const method = { gatewayRef: 'pm_1QxB8nLkdIwHu7ixVisa4242', customerRef };
    await gateway.detachMethod(method);
    await gateway.detachMethod(method);
    expectAllReplayed(replay);
  });
});

describe('a saved card’s new expiry', () => {
  it('is sent to Stripe on the card’s PaymentMethod; a method Stripe does not know is refused', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/payment_methods/pm_1QxB8nLkdIwHu7ixVisa4242',
        params: { 'card[exp_month]': '3', 'card[exp_year]': '2033' },
        answer: { status: 200, fixture: 'payment-method-card.json' },
      },
      {
        method: 'POST',
        path: '/v1/payment_methods/pm_1QxB8nLkdIwHu7ixGone0000',
        answer: { status: 404, fixture: 'error-resource-missing.json' },
      },
    ]);
    await gateway.updateMethodExpiry(
      { gatewayRef: 'pm_1QxB8nLkdIwHu7ixVisa4242', customerRef },
      { expMonth: 3, expYear: 2033 },
    );
    await expect(
      gateway.updateMethodExpiry(
        { gatewayRef: 'pm_1QxB8nLkdIwHu7ixGone0000', customerRef },
        { expMonth: 3, expYear: 2033 },
      ),
    ).rejects.toMatchObject({ name: 'GatewayError', kind: 'invalid_request' });
    expectAllReplayed(replay);
  });
});

describe('charging a saved method', () => {
  it('creates a confirmed off-session PaymentIntent under the payment’s idempotency key', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/payment_intents',
        params: {
          amount: '125050',
          currency: 'usd',
          customer: customerRef,
          payment_method: 'pm_1QxB8nLkdIwHu7ixVisa4242',
          confirm: 'true',
          off_session: 'true',
          description: 'Portico payment P-000123',
          'metadata[portico_payment_id]': '5d0c8f0e-8a4b-4a7e-9f1d-3b2e6c7a8d90',
          'metadata[portico_idempotency_key]': paymentKey,
          'expand[0]': 'latest_charge',
        },
        idempotencyKey: paymentKey,
        answer: { status: 200, fixture: 'payment-intent-succeeded.json' },
      },
    ]);
    expect(await gateway.charge(cardCharge)).toEqual({
      chargeRef: 'pi_3QxD1fLkdIwHu7ix0Ok4242',
      status: 'succeeded',
      amountCents: 125050,
      currency: 'USD',
      failureCode: null,
      failureMessage: null,
      refundedCents: 0,
    });
    expectAllReplayed(replay);
  });

  it('answers a decline (card_declined, insufficient_funds) as a failed charge in plain words', async () => {
    const key = 'portico-payment-9a7e1c33-0f2d-4b8e-8c6a-1d2e3f4a5b6c';
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/payment_intents',
        params: { amount: '40000', off_session: 'true' },
        idempotencyKey: key,
        answer: { status: 402, fixture: 'error-card-declined-insufficient-funds.json' },
      },
    ]);
    const result = await gateway.charge({
      ...cardCharge,
      idempotencyKey: key,
      method: { gatewayRef: 'pm_1QxD4jLkdIwHu7ixVisa9995', customerRef },
      amountCents: 40000,
    });
    expect(result).toEqual({
      chargeRef: 'pi_3QxD4kLkdIwHu7ix1Nsf9995',
      status: 'failed',
      amountCents: 40000,
      currency: 'USD',
      failureCode: 'insufficient_funds',
      failureMessage: 'The card or account has insufficient funds.',
      refundedCents: 0,
    });
    // A decline is an answer, not retried: one request.
    expect(replay.seen).toHaveLength(1);
    expectAllReplayed(replay);
  });

  it('answers an ACH debit as processing until it settles', async () => {
    const key = 'portico-payment-c1f2e3d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/payment_intents',
        params: { payment_method: 'pm_1QxC3aLkdIwHu7ixAch6789', amount: '98000' },
        idempotencyKey: key,
        answer: { status: 200, fixture: 'payment-intent-processing-ach.json' },
      },
    ]);
    const result = await gateway.charge({
      ...cardCharge,
      idempotencyKey: key,
      method: { gatewayRef: 'pm_1QxC3aLkdIwHu7ixAch6789', customerRef },
      amountCents: 98000,
    });
    expect(result).toMatchObject({
      chargeRef: 'pi_3QxD7uLkdIwHu7ix2Ach6789',
      status: 'processing',
      amountCents: 98000,
      failureCode: null,
    });
    expectAllReplayed(replay);
  });

  it('reports the same key with other parameters as an idempotency mismatch', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/payment_intents',
        params: { amount: '125051' },
        idempotencyKey: paymentKey,
        answer: { status: 400, fixture: 'error-idempotency.json' },
      },
    ]);
    const charge = gateway.charge({ ...cardCharge, amountCents: 125051 });
    await expect(charge).rejects.toBeInstanceOf(GatewayError);
    await expect(charge).rejects.toMatchObject({ kind: 'idempotency_mismatch' });
    expectAllReplayed(replay);
  });

  it('answers a lost connection as unavailable, retrying only with the same key', async () => {
    const lost = {
      method: 'POST' as const,
      path: '/v1/payment_intents',
      idempotencyKey: paymentKey,
      answer: { connectionError: true as const },
    };
    const { gateway, replay } = gatewayReplaying([lost, lost]);
    const charge = gateway.charge(cardCharge);
    await expect(charge).rejects.toMatchObject({ kind: 'unavailable' });
    // Every attempt carried the payment's key: Stripe would answer a repeat, never charge twice.
    expect(replay.seen.map((request) => request.idempotencyKey)).toEqual([paymentKey, paymentKey]);
    expectAllReplayed(replay);
  });

  it('answers a Stripe server error as unavailable (outcome unknown), not as a decline', async () => {
    const failing = {
      method: 'POST' as const,
      path: '/v1/payment_intents',
      idempotencyKey: paymentKey,
      answer: { status: 500, fixture: 'error-api-unavailable.json' },
    };
    const { gateway, replay } = gatewayReplaying([failing, failing]);
    await expect(gateway.charge(cardCharge)).rejects.toMatchObject({ kind: 'unavailable' });
    expectAllReplayed(replay);
  });
});

describe('finding a charge by its idempotency key', () => {
  it('finds it by searching the metadata, then reads it with its refunds', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/payment_intents/search',
        params: { query: `metadata['portico_idempotency_key']:'${paymentKey}'` },
        answer: { status: 200, fixture: 'payment-intents-search-found.json' },
      },
      {
        method: 'GET',
        path: '/v1/payment_intents/pi_3QxD1fLkdIwHu7ix0Ok4242',
        params: { 'expand[0]': 'latest_charge' },
        answer: { status: 200, fixture: 'payment-intent-partly-refunded.json' },
      },
    ]);
    expect(await gateway.findCharge(paymentKey)).toMatchObject({
      chargeRef: 'pi_3QxD1fLkdIwHu7ix0Ok4242',
      status: 'succeeded',
      amountCents: 125050,
      refundedCents: 25000,
    });
    expectAllReplayed(replay);
  });

  it('lists the last week’s PaymentIntents when search has not indexed it yet', async () => {
    const key = 'portico-payment-c1f2e3d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    const weekAgo = String(Date.parse('2026-11-24T12:00:00Z') / 1000);
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/payment_intents/search',
        answer: { status: 200, fixture: 'payment-intents-search-empty.json' },
      },
      {
        method: 'GET',
        path: '/v1/payment_intents',
        params: { 'created[gte]': weekAgo, limit: '100' },
        answer: { status: 200, fixture: 'payment-intents-list.json' },
      },
      {
        method: 'GET',
        path: '/v1/payment_intents/pi_3QxD7uLkdIwHu7ix2Ach6789',
        answer: { status: 200, fixture: 'payment-intent-ach-settled.json' },
      },
    ]);
    expect(await gateway.findCharge(key)).toMatchObject({
      chargeRef: 'pi_3QxD7uLkdIwHu7ix2Ach6789',
      status: 'succeeded',
    });
    expectAllReplayed(replay);
  });

  it('answers null when Stripe never received the charge', async () => {
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/payment_intents/search',
        answer: { status: 200, fixture: 'payment-intents-search-empty.json' },
      },
      {
        method: 'GET',
        path: '/v1/payment_intents',
        answer: { status: 200, fixture: 'payment-intents-list.json' },
      },
    ]);
    expect(await gateway.findCharge('portico-payment-00000000-0000-4000-8000-000000000000')).toBe(
      null,
    );
    expectAllReplayed(replay);
  });

  it('reads an ACH return as a failed charge with the bank’s reason', async () => {
    const key = 'portico-payment-c1f2e3d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/payment_intents/search',
        answer: { status: 200, fixture: 'payment-intents-search-ach.json' },
      },
      {
        method: 'GET',
        path: '/v1/payment_intents/pi_3QxD7uLkdIwHu7ix2Ach6789',
        answer: { status: 200, fixture: 'payment-intent-ach-returned.json' },
      },
    ]);
    expect(await gateway.findCharge(key)).toMatchObject({
      status: 'failed',
      failureCode: 'insufficient_funds',
      failureMessage: 'The card or account has insufficient funds.',
    });
    expectAllReplayed(replay);
  });
});

describe('refunds', () => {
  it('refunds part of a PaymentIntent under the refund’s idempotency key', async () => {
    const key = 'portico-refund-7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918';
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'POST',
        path: '/v1/refunds',
        params: {
          payment_intent: 'pi_3QxD1fLkdIwHu7ix0Ok4242',
          amount: '25000',
          'metadata[portico_idempotency_key]': key,
        },
        idempotencyKey: key,
        answer: { status: 200, fixture: 'refund-succeeded.json' },
      },
    ]);
    expect(
      await gateway.refund({
        idempotencyKey: key,
        chargeRef: 'pi_3QxD1fLkdIwHu7ix0Ok4242',
        amountCents: 25000,
      }),
    ).toEqual({
      refundRef: 're_3QxD1fLkdIwHu7ix0Rf4242',
      status: 'succeeded',
      amountCents: 25000,
      failureMessage: null,
    });
    expectAllReplayed(replay);
  });
});

describe('webhook events', () => {
  const secret = 'whsec_portico_replay';
  const signed = (payload: string) => Stripe.webhooks.generateTestHeaderString({ payload, secret });

  it('reads a signed event as the charge as Stripe has it now, with Portico’s key', async () => {
    const payload = JSON.stringify(stripeFixture('event-payment-intent-ach-payment-failed.json'));
    const { gateway, replay } = gatewayReplaying([
      {
        method: 'GET',
        path: '/v1/payment_intents/pi_3QxD7uLkdIwHu7ix2Ach6789',
        params: { 'expand[0]': 'latest_charge' },
        answer: { status: 200, fixture: 'payment-intent-ach-returned.json' },
      },
    ]);
    const update = await gateway.chargeUpdateFromWebhook(payload, signed(payload));
    expect(update).toMatchObject({
      idempotencyKey: 'portico-payment-c1f2e3d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      result: { status: 'failed', failureCode: 'insufficient_funds' },
    });
    expectAllReplayed(replay);
  });

  it('refuses a payload whose signature does not match', async () => {
    const payload = JSON.stringify(stripeFixture('event-payment-intent-succeeded.json'));
    const { gateway, replay } = gatewayReplaying([]);
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
    await expect(gateway.chargeUpdateFromWebhook(payload, forged)).rejects.toBeInstanceOf(
      WebhookSignatureError,
    );
    expect(replay.seen).toEqual([]);
  });
});
