import { z } from 'zod';

/**
 * Which payment processor this installation charges with, and what the browser needs to hand
 * it card or bank data directly: the sandbox's tokenization endpoint (sandbox.ts), or Stripe's
 * Payment Element confirming a SetupIntent (docs/decisions/0031-stripe-gateway.md).
 */
export const paymentProcessorAnswer = z.object({
  name: z.enum(['sandbox', 'stripe']),
  /** Stripe's publishable key (pk_…), which Stripe.js loads with; null for the sandbox. */
  publishableKey: z.string().nullable(),
});
export type PaymentProcessor = z.infer<typeof paymentProcessorAnswer>;

/**
 * A SetupIntent started for the organization: the browser confirms it with the Payment Element
 * (the card or bank data go to Stripe), then adds the method with `token: setupIntentRef`.
 */
export const stripeSetupAnswer = z.object({
  /** Lets the browser confirm this one SetupIntent; nothing else. */
  clientSecret: z.string(),
  setupIntentRef: z.string(),
  publishableKey: z.string(),
});
export type StripeSetup = z.infer<typeof stripeSetupAnswer>;

/** What Portico answers Stripe for a webhook event it took (any 2xx stops Stripe's retries). */
export const stripeWebhookAnswer = z.object({ received: z.literal(true) });
