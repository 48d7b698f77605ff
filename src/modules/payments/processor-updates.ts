import type { AppContext } from '../../platform/context.js';
import type { PaymentStatus } from '../../shared/contract/payments.js';
import { applyChargeResult } from './charge-results.js';
import type { ProcessorUpdate } from './gateway.js';
import { applyProcessorDispute, applyProcessorRefunds } from './refunds.js';

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config'>;

/**
 * Applies what a processor's event says about one of Portico's charges (a Stripe webhook,
 * docs/decisions/0031-stripe-gateway.md and 0035): the charge's state through the pay flow's
 * applyChargeResult, then its refunds (a refund made in the processor's dashboard, a refund
 * failed after it was accepted) and its dispute. Each step starts from what Portico has, under
 * the payment's row lock, so an event delivered twice changes nothing the second time.
 * Answers the payment's status afterwards, or null when no payment has the charge's key.
 */
export async function applyProcessorUpdate(
  deps: Deps,
  update: ProcessorUpdate,
): Promise<PaymentStatus | null> {
  const status = await applyChargeResult(deps, {
    where: { idempotencyKey: update.idempotencyKey },
    result: update.result,
  });
  if (status === null) return null;
  if (update.refunds) {
    await applyProcessorRefunds(deps, {
      paymentKey: update.idempotencyKey,
      refunds: update.refunds,
    });
  }
  if (update.dispute) {
    await applyProcessorDispute(deps, {
      paymentKey: update.idempotencyKey,
      dispute: update.dispute,
    });
  }
  return status;
}
