/**
 * The browser side of Stripe (docs/decisions/0031-stripe-gateway.md): card and bank details
 * are typed into Stripe's Payment Element, an iframe served by js.stripe.com, and go from there
 * to Stripe; Portico's page never sees them. Adding a method is three steps:
 *   1. Portico starts a SetupIntent for the organization (POST …/payment-methods/stripe-setup);
 *   2. the Payment Element confirms it with Stripe (`confirmStripeSetup`);
 *   3. the form adds the method to Portico with the SetupIntent's id as its token.
 * Nothing of this runs without Stripe (the sandbox has its own tokenization, sandbox.ts).
 */

import { loadStripe, type Stripe, type StripeElements } from '@stripe/stripe-js';
import type { Answer } from '../../../../src/shared/contract/common';
import type { stripeSetupAnswer } from '../../../../src/shared/contract/payment-processor';

/** A SetupIntent Portico started: its client secret, its id and the publishable key. */
export type StripeSetup = Answer<typeof stripeSetupAnswer>;

const loaded = new Map<string, Promise<Stripe | null>>();

/**
 * Stripe.js for a publishable key, loaded once per page (it adds js.stripe.com's script).
 * Null when it cannot be loaded (js.stripe.com unreachable, blocked by an extension).
 */
export function stripeFor(publishableKey: string): Promise<Stripe | null> {
  let stripe = loaded.get(publishableKey);
  if (!stripe) {
    stripe = loadStripe(publishableKey).catch(() => null);
    loaded.set(publishableKey, stripe);
  }
  return stripe;
}

/** The Payment Element's method types, as Portico names them. */
export function methodTypeOf(stripeType: string): 'card' | 'ach' | null {
  if (stripeType === 'card') return 'card';
  if (stripeType === 'us_bank_account') return 'ach';
  return null;
}

/** The billing details the form collected, handed to Stripe with the method. */
export interface StripeBillingDetails {
  name: string;
  email?: string;
  address: {
    line1: string;
    line2: string;
    city: string;
    state: string;
    postal_code: string;
    country: string;
  };
}

/**
 * What confirming answers: the token for Portico (the SetupIntent's id) and the method type,
 * or Stripe's own sentence for what went wrong (a declined card, a bank not verified).
 */
export type StripeConfirmAnswer =
  { ok: true; token: string; type: 'card' | 'ach' } | { ok: false; message: string };

/**
 * Confirms the SetupIntent with what the Payment Element holds. A bank that needs the client
 * to sign in (Financial Connections) opens Stripe's own dialog; nothing leaves for another page.
 * Stripe refusing is an answer (`ok: false`), not an exception.
 */
export async function confirmStripeSetup(options: {
  stripe: Stripe;
  elements: StripeElements;
  billingDetails: StripeBillingDetails;
}): Promise<StripeConfirmAnswer> {
  const submitted = await options.elements.submit();
  if (submitted.error) {
    return { ok: false, message: submitted.error.message ?? 'Check the payment details.' };
  }
  const result = await options.stripe.confirmSetup({
    elements: options.elements,
    redirect: 'if_required',
    confirmParams: { payment_method_data: { billing_details: options.billingDetails } },
  });
  if (result.error) {
    return { ok: false, message: result.error.message ?? 'Stripe could not save these details.' };
  }
  const { setupIntent } = result;
  if (setupIntent.status !== 'succeeded') {
    return {
      ok: false,
      message:
        setupIntent.status === 'processing'
          ? 'Stripe is still verifying this bank account. Try again in a minute.'
          : 'Stripe did not confirm these details. Check them and try again.',
    };
  }
  const method = setupIntent.payment_method;
  const stripeType =
    typeof method === 'object' && method !== null
      ? method.type
      : (setupIntent.payment_method_types[0] ?? '');
  const type = methodTypeOf(stripeType);
  if (!type) return { ok: false, message: 'Choose a card or a US bank account.' };
  return { ok: true, token: setupIntent.id, type };
}
