import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses } from '../../platform/http/responses.js';
import {
  paymentProcessorAnswer,
  stripeSetupAnswer,
  stripeWebhookAnswer,
  type PaymentProcessor,
} from '../../shared/contract/payment-processor.js';
import { requireStaff } from '../staff/staff-auth.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import { GatewayError, type PaymentGateway, type ProcessorUpdate } from './gateway.js';
import { WebhookSignatureError, type StripeGateway } from './stripe-gateway.js';
import { startStripeSetup } from './stripe-setup.js';

/**
 * Applies a processor's word about a charge (its state, refunds, dispute) to the payment
 * carrying that idempotency key (applyProcessorUpdate, passed in by src/app.ts). Answers null
 * when no payment has the key (a charge made by something else on the same Stripe account).
 */
export type ChargeUpdateHandler = (update: ProcessorUpdate) => Promise<unknown>;

const isStripe = (gateway: PaymentGateway): gateway is StripeGateway => gateway.name === 'stripe';

/**
 * What the browser needs from the processor, and what the processor tells Portico:
 * - which processor runs (portal: manage_payment_methods; staff: read), so the Add Payment
 *   Method form sends card or bank data to the right place, never to Portico;
 * - with Stripe: a SetupIntent to confirm with the Payment Element (portal:
 *   manage_payment_methods; staff: manage_clients, for an organization), and the webhook
 *   `POST /api/webhooks/stripe` (docs/decisions/0031-stripe-gateway.md).
 */
export function paymentProcessorRoutes(
  context: AppContext,
  deps: { gateway: PaymentGateway; onChargeUpdate: ChargeUpdateHandler },
): FastifyPluginAsyncZod {
  const { gateway } = deps;
  const processor: PaymentProcessor = {
    name: gateway.name,
    publishableKey: isStripe(gateway) ? gateway.publishableKey : null,
  };

  return async (app) => {
    app.get(
      '/api/portal/payment-processor',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: { response: { 200: paymentProcessorAnswer, ...errorResponses } },
      },
      async () => processor,
    );

    app.get(
      '/api/payment-processor',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: paymentProcessorAnswer, ...errorResponses } },
      },
      async () => processor,
    );

    if (!isStripe(gateway)) return;

    app.post(
      '/api/portal/payment-methods/stripe-setup',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: { response: { 200: stripeSetupAnswer, ...errorResponses } },
      },
      async (request) =>
        startStripeSetup({
          pool: context.pool,
          gateway,
          organizationId: portalScope(request).organizationId,
        }),
    );

    app.post(
      '/api/organizations/:id/payment-methods/stripe-setup',
      {
        onRequest: requireStaff('manage_clients'),
        schema: { params: idParam, response: { 200: stripeSetupAnswer, ...errorResponses } },
      },
      async (request) =>
        startStripeSetup({ pool: context.pool, gateway, organizationId: request.params.id }),
    );

    // The webhook reads its body as the exact text Stripe signed: a parser of its own, in a
    // scope of its own, so every other route keeps parsing JSON as before.
    await app.register(async (webhook) => {
      webhook.removeContentTypeParser('application/json');
      webhook.addContentTypeParser(
        'application/json',
        { parseAs: 'string' },
        (_request, body, done) => done(null, body),
      );
      webhook.post(
        '/api/webhooks/stripe',
        {
          // Stripe calls it, with no session: the request proves itself by its Stripe-Signature
          // (an HMAC of the body under STRIPE_WEBHOOK_SECRET). No cookie acts here, so a CSRF
          // token would protect nothing, and Stripe could not send one.
          config: { access: 'public', csrf: false },
          schema: { response: { 200: stripeWebhookAnswer, ...errorResponses } },
        },
        async (request, reply) => {
          const signature = request.headers['stripe-signature'];
          if (typeof signature !== 'string' || signature === '') {
            throw AppError.validation('stripe-signature', 'is required: Stripe signs each event');
          }
          let update;
          try {
            update = await gateway.chargeUpdateFromWebhook(String(request.body ?? ''), signature);
          } catch (error) {
            if (error instanceof WebhookSignatureError) {
              throw AppError.validation(
                'stripe-signature',
                'does not match the body under this endpoint’s signing secret (STRIPE_WEBHOOK_SECRET), or is too old',
              );
            }
            if (error instanceof GatewayError && error.kind === 'unavailable') {
              // Stripe sends the event again later (for up to three days) on any non-2xx.
              request.log.warn({ err: error }, 'Stripe webhook: the payment could not be read');
              return reply.status(503).send({
                error: {
                  code: 'internal',
                  message: 'Stripe could not be reached to read the payment; send it again.',
                  fields: [],
                },
              });
            }
            throw error;
          }
          if (update) {
            const applied = await deps.onChargeUpdate(update);
            if (applied === null) {
              request.log.info(
                { chargeRef: update.result.chargeRef },
                'Stripe webhook: no payment has this charge’s idempotency key',
              );
            }
          }
          return { received: true as const };
        },
      );
    });
  };
}
