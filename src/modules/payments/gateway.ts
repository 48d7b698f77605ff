/**
 * The payment gateway as Portico sees it: the one interface both processors implement, the
 * built-in sandbox (src/modules/sandbox-processor, the default) and Stripe (stripe-gateway.ts).
 * Which one runs is configuration (`PAYMENT_GATEWAY`), chosen at the composition root.
 *
 * Rules every implementation keeps (docs/decisions/0028-payment-core.md):
 * - Card and bank numbers never reach Portico: the browser hands them to the processor, which
 *   answers a token; Portico keeps only the token, the brand, the last four digits and the
 *   expiry.
 * - Every charge and refund carries Portico's idempotency key. The same key with the same
 *   parameters answers the first result and moves no money again; the same key with other
 *   parameters is refused (`GatewayError` with `kind: 'idempotency_mismatch'`).
 * - A decline is an answer (`status: 'failed'` with a code), not an error. An error means the
 *   outcome is unknown (`kind: 'unavailable'`: timeout, connection lost): the caller leaves the
 *   payment as it is and the reconciliation job asks `findCharge`, never charging again.
 * Amounts are integer minor units of `currency` (ISO 4217, upper case).
 */

/** What kind of payment method: a card, or a US bank account debited by ACH. */
export type MethodType = 'card' | 'ach';

/** A payment method as the processor saved it: what Portico may keep. */
export interface SavedMethod {
  /** The processor's reference for the saved method (a token, `pm_…`). */
  gatewayRef: string;
  /** The processor's customer the method belongs to, when it has customers (Stripe). */
  customerRef: string | null;
  type: MethodType;
  /** Card brand ('visa', 'mastercard', 'amex', 'discover', …); null for a bank account. */
  brand: string | null;
  /** The last four digits of the card or bank account number. */
  last4: string;
  /** Card expiry: month 1–12 and four-digit year; null for a bank account. */
  expMonth: number | null;
  expYear: number | null;
  /** The bank's name for a bank account, when the processor knows it. */
  bankName: string | null;
}

/**
 * A charge's state at the processor. `processing` is an ACH debit not yet settled; `failed` is a
 * decline (card) or a return (ACH, after `processing`).
 */
export type ChargeStatus = 'processing' | 'succeeded' | 'failed';

export interface ChargeResult {
  /** The processor's reference for the charge (`ch_…`, `pi_…`). */
  chargeRef: string;
  status: ChargeStatus;
  amountCents: number;
  currency: string;
  /**
   * Why it failed, in the processor's code ('insufficient_funds', 'lost_card', 'no_account',
   * …; test-cards.md lists the sandbox's), and a sentence a client can read.
   */
  failureCode: string | null;
  failureMessage: string | null;
  /** Money already refunded on this charge. */
  refundedCents: number;
}

export interface ChargeInput {
  idempotencyKey: string;
  method: { gatewayRef: string; customerRef: string | null };
  amountCents: number;
  currency: string;
  /** What the client's statement says ("Portico payment P-…"). */
  description: string;
  /** Portico's own ids, kept by the processor for people reading its dashboard. */
  metadata: Record<string, string>;
}

export interface RefundInput {
  idempotencyKey: string;
  chargeRef: string;
  amountCents: number;
}

export interface RefundResult {
  refundRef: string;
  status: 'succeeded' | 'pending' | 'failed';
  amountCents: number;
  failureMessage: string | null;
}

/**
 * A refund of a charge as the processor has it now: one Portico asked for (its key is
 * Portico's, `portico-refund-…`) or one made in the processor's own dashboard (no key).
 */
export interface ProcessorRefund {
  refundRef: string;
  idempotencyKey: string | null;
  amountCents: number;
  status: RefundResult['status'];
  failureMessage: string | null;
}

/**
 * A dispute (chargeback) of a charge as the processor has it now. `status` is the processor's
 * word (Stripe: warning_needs_response, needs_response, under_review, won, lost, …); `lost`
 * means the money went back to the client for good.
 */
export interface ProcessorDispute {
  disputeRef: string;
  status: string;
  /** Why the client disputed it, in the processor's code (fraudulent, duplicate, general, …). */
  reason: string;
  amountCents: number;
  lost: boolean;
}

/**
 * What a processor's event says about one of Portico's charges: the charge as it is now, and,
 * for refund and dispute events, the charge's refunds or its dispute as they are now.
 */
export interface ProcessorUpdate {
  /** The payment's idempotency key, which Portico gave the charge. */
  idempotencyKey: string;
  result: ChargeResult;
  refunds?: ProcessorRefund[];
  dispute?: ProcessorDispute;
}

/** How a gateway call went wrong, when it is not a decline. */
export type GatewayErrorKind =
  /** The outcome is unknown: ask `findCharge` later; never charge again. */
  | 'unavailable'
  /** The same idempotency key came with other parameters. */
  | 'idempotency_mismatch'
  /** The processor refused the request itself (bad token, unknown charge, amount too large). */
  | 'invalid_request';

export class GatewayError extends Error {
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayError';
  }
}

export interface PaymentGateway {
  /** 'sandbox' or 'stripe': stored on each method and payment, so a switch never mixes them. */
  readonly name: 'sandbox' | 'stripe';

  /**
   * Saves a payment method from the token the browser got from the processor, for off-session
   * charges later. Charges nothing. Raises GatewayError('invalid_request') for a token the
   * processor does not know or already used.
   */
  saveMethod(input: {
    token: string;
    organizationId: string;
    /** The processor's customer for this organization, when one exists already. */
    customerRef: string | null;
    billingName: string;
  }): Promise<SavedMethod>;

  /**
   * Changes a saved card's expiry at the processor (the client's bank sent a new card with the
   * same number), so charges use the expiry Portico shows. Month 1–12, four-digit year.
   * GatewayError('invalid_request') for a method the processor does not know or refuses.
   */
  updateMethodExpiry(
    method: { gatewayRef: string; customerRef: string | null },
    expiry: { expMonth: number; expYear: number },
  ): Promise<void>;

  /** Stops a saved method from being charged at the processor (removal). */
  detachMethod(method: { gatewayRef: string; customerRef: string | null }): Promise<void>;

  /** Charges a saved method; a decline answers `status: 'failed'`. */
  charge(input: ChargeInput): Promise<ChargeResult>;

  /**
   * The charge made with this idempotency key, as the processor has it now (an ACH debit may
   * have settled or been returned since), or null when the processor never received it.
   */
  findCharge(idempotencyKey: string): Promise<ChargeResult | null>;

  /** Refunds part or all of a charge; never more than its amount less what was refunded. */
  refund(input: RefundInput): Promise<RefundResult>;
}
