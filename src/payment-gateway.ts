import { currentTime, type AppContext } from './platform/context.js';
import { ConfigError, type Config } from './platform/config.js';
import type { PaymentGateway } from './modules/payments/gateway.js';
import { createStripeGateway } from './modules/payments/stripe-gateway.js';
import {
  createSandboxGateway,
  type SandboxGateway,
} from './modules/sandbox-processor/sandbox-gateway.js';

/**
 * The composition root for payments, next to src/app.ts (requests) and src/jobs.ts (jobs): the
 * one place that knows which processor runs. `PAYMENT_GATEWAY` picks it: `sandbox` (the
 * default: the built-in processor of src/modules/sandbox-processor, docs/decisions/0030) or
 * `stripe`. The payments module never imports a processor; it is handed this gateway.
 */

const gateways = new WeakMap<AppContext, PaymentGateway>();

/**
 * The running installation's payment gateway: one instance per context (so per process), so
 * the sandbox's fault switches and the routes, jobs and tests that share a context share one
 * processor. Throws ConfigError when the configured processor cannot run.
 */
export function paymentGateway(context: AppContext): PaymentGateway {
  const existing = gateways.get(context);
  if (existing) return existing;
  const gateway = createGateway(context);
  gateways.set(context, gateway);
  return gateway;
}

/** The sandbox processor when it is the one running (its routes are served then), else null. */
export function sandboxGateway(context: AppContext): SandboxGateway | null {
  const gateway = paymentGateway(context);
  return gateway.name === 'sandbox' ? (gateway as SandboxGateway) : null;
}

function createGateway(context: AppContext): PaymentGateway {
  switch (context.config.PAYMENT_GATEWAY) {
    case 'sandbox':
      return createSandboxGateway({
        pool: context.pool,
        config: context.config,
        // Read at each call: a test may set the context's clock after the gateway exists.
        clock: () => currentTime(context),
      });
    case 'stripe':
      return stripeGatewayOf(context.config);
  }
}

/** Stripe, with the keys loadConfig made sure of (docs/decisions/0031-stripe-gateway.md). */
function stripeGatewayOf(config: Config): PaymentGateway {
  const { STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET } = config;
  if (!STRIPE_SECRET_KEY || !STRIPE_PUBLISHABLE_KEY || !STRIPE_WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  PAYMENT_GATEWAY: stripe needs STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET',
    );
  }
  return createStripeGateway({
    secretKey: STRIPE_SECRET_KEY,
    publishableKey: STRIPE_PUBLISHABLE_KEY,
    webhookSecret: STRIPE_WEBHOOK_SECRET,
    ...(config.STRIPE_API_URL ? { apiUrl: config.STRIPE_API_URL } : {}),
  });
}
