import { and, eq, sql } from 'drizzle-orm';
import { createDb, type Pool } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import type { StripeSetup } from '../../shared/contract/payment-processor.js';
import { GatewayError } from './gateway.js';
import { paymentMethods } from './payments.schema.js';
import type { StripeGateway } from './stripe-gateway.js';

/**
 * Starts adding a payment method when Stripe is the processor: a SetupIntent for the
 * organization's Stripe Customer (the one its saved methods name, or a new one), whose client
 * secret the browser confirms with Stripe's Payment Element. Charges nothing and stores
 * nothing: the method is saved when the browser adds it with the SetupIntent as its token
 * (addPaymentMethod). 404 for an unknown organization; 409 when Stripe does not answer or
 * refuses (a wrong STRIPE_SECRET_KEY, say).
 */
export async function startStripeSetup(options: {
  pool: Pool;
  gateway: StripeGateway;
  organizationId: string;
}): Promise<StripeSetup> {
  const db = createDb(options.pool);
  const organization = await db.execute(
    sql`SELECT 1 FROM organizations WHERE id = ${options.organizationId}`,
  );
  if (organization.rows.length === 0) throw AppError.notFound('Organization');
  const [customer] = await db
    .select({ customerRef: paymentMethods.customerRef })
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.organizationId, options.organizationId),
        eq(paymentMethods.gateway, 'stripe'),
        sql`${paymentMethods.customerRef} IS NOT NULL`,
      ),
    )
    .limit(1);
  try {
    const started = await options.gateway.createSetupIntent({
      organizationId: options.organizationId,
      customerRef: customer?.customerRef ?? null,
    });
    return {
      clientSecret: started.clientSecret,
      setupIntentRef: started.setupIntentRef,
      publishableKey: options.gateway.publishableKey,
    };
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    throw new AppError(
      'conflict',
      error.kind === 'unavailable'
        ? 'Stripe did not answer; nothing was saved. Please try again in a minute'
        : `Stripe refused to start saving a payment method; nothing was saved. ${error.message}`,
    );
  }
}
