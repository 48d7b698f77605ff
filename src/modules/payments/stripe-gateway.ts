import Stripe from 'stripe';
import {
  GatewayError,
  type ChargeInput,
  type ChargeResult,
  type PaymentGateway,
  type ProcessorDispute,
  type ProcessorRefund,
  type ProcessorUpdate,
  type RefundInput,
  type RefundResult,
  type SavedMethod,
} from './gateway.js';

/**
 * The Stripe implementation of PaymentGateway, on the official `stripe` package
 * (docs/decisions/0031-stripe-gateway.md).
 *
 * - A Stripe Customer per organization (`customerRef`), created on the first SetupIntent.
 * - Saving a method: the browser confirms a SetupIntent (usage off_session, card and
 *   us_bank_account) with Stripe's Payment Element, so card and bank numbers go from the browser
 *   to Stripe; `saveMethod` gets the SetupIntent id (`seti_…`) or a PaymentMethod id (`pm_…`)
 *   and answers what Portico keeps (brand, last four, expiry; bank name for a bank account).
 * - A charge is a PaymentIntent created with confirm + off_session and Portico's idempotency key
 *   (the request option, and also in metadata, where `findCharge` looks it up).
 * - A decline is an answer (`failed` with Stripe's decline code and a sentence a client can read);
 *   a connection error, a timeout, a 429 or a 5xx is `GatewayError('unavailable')`: the outcome is
 *   unknown and the reconciliation job asks `findCharge`, never charging again.
 */

/**
 * What the pages must be allowed to load and reach for Stripe.js and the Payment Element, as
 * Stripe documents for a Content Security Policy (its script, its iframes, its API).
 */
export const stripeBrowserOrigins = {
  script: ['https://js.stripe.com', 'https://*.js.stripe.com'],
  frame: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'],
  connect: ['https://api.stripe.com'],
};

/** A webhook request whose Stripe-Signature does not match the endpoint's signing secret. */
export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/** The metadata key holding Portico's idempotency key on every PaymentIntent and Refund. */
export const idempotencyMetadataKey = 'portico_idempotency_key';

/** How far back `findCharge` lists PaymentIntents when search has not indexed one yet. */
const findChargeLookbackSeconds = 7 * 24 * 60 * 60;

/** What the browser needs to confirm a SetupIntent with the Payment Element. */
export interface SetupIntentStart {
  /** The SetupIntent's client secret: it lets the browser confirm this one SetupIntent only. */
  clientSecret: string;
  setupIntentRef: string;
  /** The organization's Stripe Customer (new or the one passed in): keep it with the method. */
  customerRef: string;
}

/** The Stripe gateway: PaymentGateway, plus what only Stripe has. */
export interface StripeGateway extends PaymentGateway {
  readonly name: 'stripe';
  /** The key the browser loads Stripe.js with (pk_…): public by design. */
  readonly publishableKey: string;
  /**
   * Starts saving a payment method: makes the organization's Customer when it has none yet and a
   * SetupIntent for off-session use by card or US bank account, whose client secret the browser
   * confirms with the Payment Element. Charges nothing.
   */
  createSetupIntent(input: {
    organizationId: string;
    customerRef: string | null;
  }): Promise<SetupIntentStart>;
  /**
   * Reads a webhook request: checks its `Stripe-Signature` against the endpoint's secret
   * (throws WebhookSignatureError when it does not match or is too old), and for a
   * PaymentIntent, charge, refund or dispute event answers the charge as Stripe has it now,
   * with the idempotency key Portico gave it; for a refund event (charge.refunded, refund.*)
   * also every refund of the charge, and for a dispute event (charge.dispute.*) the dispute,
   * both read again from Stripe. Null for events that are not about a Portico charge.
   */
  chargeUpdateFromWebhook(
    rawBody: Buffer | string,
    signature: string,
  ): Promise<ProcessorUpdate | null>;
}

export interface StripeGatewayOptions {
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  /** How Stripe is reached: the client's own HTTP client when absent; tests replay recordings. */
  httpClient?: Stripe.HttpClient;
  /**
   * Where Stripe's API answers (default https://api.stripe.com): Stripe's own stripe-mock, or a
   * replayer of recorded answers in tests. An origin, no path.
   */
  apiUrl?: string;
  /** Per-request timeout in milliseconds: after it, the outcome is unknown ('unavailable'). */
  timeoutMs?: number;
  /** Retries of a failed connection or 5xx, with the same idempotency key (safe to repeat). */
  maxNetworkRetries?: number;
  /** The current time, for findCharge's list window (tests fix it). */
  now?: () => Date;
}

/** Creates the Stripe gateway. Makes no request until a method is called. */
export function createStripeGateway(options: StripeGatewayOptions): StripeGateway {
  const stripe = new Stripe(options.secretKey, {
    // One retry and 20 s each: a client waiting on Pay hears within about 40 s at worst; a
    // charge still unanswered then is pending, and the reconciliation job asks Stripe.
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    timeout: options.timeoutMs ?? 20_000,
    appInfo: { name: 'Portico' },
    // No latency telemetry: nothing about Portico's requests leaves but the requests themselves.
    telemetry: false,
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    ...(options.apiUrl ? apiAddress(options.apiUrl) : {}),
  });
  const now = options.now ?? (() => new Date());

  async function organizationCustomer(organizationId: string, customerRef: string | null) {
    if (customerRef) return customerRef;
    // The same key for the same organization: two Add Payment Method windows opened at once get
    // one Customer (Stripe keeps keys 24 hours), and the parameters never vary, so no mismatch.
    const customer = await stripe.customers.create(
      {
        description: `Portico organization ${organizationId}`,
        metadata: { portico_organization_id: organizationId },
      },
      { idempotencyKey: `portico-customer-${organizationId}` },
    );
    return customer.id;
  }

  return {
    name: 'stripe',
    publishableKey: options.publishableKey,

    async createSetupIntent({ organizationId, customerRef }) {
      return withGatewayErrors(async () => {
        const customer = await organizationCustomer(organizationId, customerRef);
        const setupIntent = await stripe.setupIntents.create({
          customer,
          usage: 'off_session',
          // The 2026 API's name for what older versions called payment_method_types.
          allowed_payment_method_types: ['card', 'us_bank_account'],
          metadata: { portico_organization_id: organizationId },
        });
        if (!setupIntent.client_secret) {
          throw new GatewayError(
            'invalid_request',
            'Stripe gave the SetupIntent no client secret.',
          );
        }
        return {
          clientSecret: setupIntent.client_secret,
          setupIntentRef: setupIntent.id,
          customerRef: customer,
        };
      });
    },

    async saveMethod({ token, organizationId, customerRef }) {
      return withGatewayErrors(async () => {
        if (token.startsWith('seti_')) {
          const setupIntent = await stripe.setupIntents.retrieve(token, {
            expand: ['payment_method'],
          });
          // Only the organization's own SetupIntent: its id alone must not let another
          // organization's contact save that organization's card here.
          if (setupIntent.metadata?.portico_organization_id !== organizationId) {
            throw new GatewayError(
              'invalid_request',
              'This SetupIntent was not started for this organization.',
            );
          }
          if (setupIntent.status !== 'succeeded') {
            throw new GatewayError(
              'invalid_request',
              `The payment method was not confirmed at Stripe (${setupIntent.status}).`,
            );
          }
          const method = setupIntent.payment_method;
          if (!method || typeof method === 'string') {
            throw new GatewayError('invalid_request', 'The SetupIntent holds no payment method.');
          }
          return savedMethodOf(method, idOf(setupIntent.customer) ?? customerRef);
        }
        if (token.startsWith('pm_')) {
          let method = await stripe.paymentMethods.retrieve(token);
          const owner = idOf(method.customer);
          if (!owner) {
            const customer = await organizationCustomer(organizationId, customerRef);
            method = await stripe.paymentMethods.attach(token, { customer });
          } else if (owner !== customerRef) {
            // Attached already: to this organization's Customer, or it is someone else's.
            const customer = await stripe.customers.retrieve(owner);
            if (
              customer.deleted ||
              customer.metadata['portico_organization_id'] !== organizationId
            ) {
              throw new GatewayError(
                'invalid_request',
                'This payment method belongs to another Stripe customer.',
              );
            }
          }
          return savedMethodOf(method, idOf(method.customer));
        }
        throw new GatewayError(
          'invalid_request',
          'The token is not a Stripe SetupIntent or PaymentMethod.',
        );
      });
    },

    async detachMethod({ gatewayRef }) {
      return withGatewayErrors(async () => {
        try {
          await stripe.paymentMethods.detach(gatewayRef);
        } catch (error) {
          // Removing twice, or a method removed in Stripe's dashboard: it is detached already.
          if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
          if (error.code === 'resource_missing') return;
          const method = await stripe.paymentMethods.retrieve(gatewayRef);
          if (method.customer) throw error;
        }
      });
    },

    async updateMethodExpiry({ gatewayRef }, { expMonth, expYear }) {
      return withGatewayErrors(async () => {
        // Stripe lets a card's expiry be updated on its PaymentMethod (not its number).
        await stripe.paymentMethods.update(gatewayRef, {
          card: { exp_month: expMonth, exp_year: expYear },
        });
      });
    },

    async charge(input: ChargeInput): Promise<ChargeResult> {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: input.amountCents,
            currency: input.currency.toLowerCase(),
            ...(input.method.customerRef ? { customer: input.method.customerRef } : {}),
            payment_method: input.method.gatewayRef,
            allowed_payment_method_types: ['card', 'us_bank_account'],
            confirm: true,
            off_session: true,
            description: input.description,
            metadata: { ...input.metadata, [idempotencyMetadataKey]: input.idempotencyKey },
            expand: ['latest_charge'],
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return chargeResultOf(intent);
      } catch (error) {
        // A decline answers 402 with the PaymentIntent as it now is (requires_payment_method).
        if (error instanceof Stripe.errors.StripeCardError) {
          return declineResultOf(error, input);
        }
        throw gatewayErrorOf(error);
      }
    },

    async findCharge(idempotencyKey) {
      return withGatewayErrors(async () => {
        const intent = await findIntent(stripe, idempotencyKey, now());
        if (!intent) return null;
        // Search and list answers do not expand: read it again for its charge's refunds.
        return chargeResultOf(
          await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] }),
        );
      });
    },

    async refund(input: RefundInput): Promise<RefundResult> {
      return withGatewayErrors(async () => {
        const refund = await stripe.refunds.create(
          {
            payment_intent: input.chargeRef,
            amount: input.amountCents,
            metadata: { [idempotencyMetadataKey]: input.idempotencyKey },
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return {
          refundRef: refund.id,
          status: refundStatusOf(refund),
          amountCents: refund.amount,
          failureMessage: refund.failure_reason
            ? refundFailureMessage(refund.failure_reason)
            : null,
        };
      });
    },

    async chargeUpdateFromWebhook(rawBody, signature) {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, options.webhookSecret);
      } catch (error) {
        throw new WebhookSignatureError(
          error instanceof Error ? error.message : 'The signature could not be checked.',
          { cause: error },
        );
      }
      const intentRef = paymentIntentOfEvent(event);
      if (!intentRef) return null;
      return withGatewayErrors(async () => {
        // Events may arrive late and out of order: the PaymentIntent as it is now is the truth.
        const intent = await stripe.paymentIntents.retrieve(intentRef, {
          expand: ['latest_charge'],
        });
        const idempotencyKey = intent.metadata[idempotencyMetadataKey];
        if (!idempotencyKey) return null;
        const update: ProcessorUpdate = { idempotencyKey, result: chargeResultOf(intent) };
        if (isRefundEvent(event)) {
          // Every refund of the charge as it is now: one made in Stripe's dashboard, or one of
          // Portico's that failed after Stripe first answered it pending.
          const refunds: ProcessorRefund[] = [];
          for await (const refund of stripe.refunds.list({
            payment_intent: intent.id,
            limit: 100,
          })) {
            refunds.push(processorRefundOf(refund));
          }
          update.refunds = refunds;
        }
        if (isDisputeEvent(event)) {
          update.dispute = processorDisputeOf(await stripe.disputes.retrieve(event.data.object.id));
        }
        return update;
      });
    },
  };
}

/** Stripe's client settings for an API origin such as http://127.0.0.1:12111. */
function apiAddress(apiUrl: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

/**
 * The PaymentIntent carrying this idempotency key. Search first (one request; Stripe indexes
 * within a minute normally, up to an hour during its outages), then, because a charge search has
 * not indexed yet must not read as "never received", a list of the recent PaymentIntents, which
 * is read-after-write consistent (docs/decisions/0031-stripe-gateway.md).
 */
async function findIntent(
  stripe: Stripe,
  idempotencyKey: string,
  now: Date,
): Promise<Stripe.PaymentIntent | null> {
  const found = await stripe.paymentIntents.search({
    query: `metadata['${idempotencyMetadataKey}']:'${idempotencyKey.replaceAll("'", "\\'")}'`,
    limit: 1,
  });
  if (found.data[0]) return found.data[0];
  const since = Math.floor(now.getTime() / 1000) - findChargeLookbackSeconds;
  for await (const intent of stripe.paymentIntents.list({ created: { gte: since }, limit: 100 })) {
    if (intent.metadata[idempotencyMetadataKey] === idempotencyKey) return intent;
  }
  return null;
}

/** The PaymentIntent an event is about: its own, a charge's, or a refund's charge's. */
function paymentIntentOfEvent(event: Stripe.Event): string | null {
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.processing':
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled':
      return event.data.object.id;
    case 'charge.refunded':
    case 'charge.failed':
    case 'charge.succeeded':
      return idOf(event.data.object.payment_intent);
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
      return idOf(event.data.object.payment_intent);
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
    case 'charge.dispute.funds_withdrawn':
    case 'charge.dispute.funds_reinstated':
      return idOf(event.data.object.payment_intent);
    default:
      return null;
  }
}

function isRefundEvent(event: Stripe.Event): boolean {
  return event.type === 'charge.refunded' || event.type.startsWith('refund.');
}

function isDisputeEvent(
  event: Stripe.Event,
): event is Stripe.Event & { data: { object: Stripe.Dispute } } {
  return event.type.startsWith('charge.dispute.');
}

/** A Stripe Refund as Portico sees it; canceled is a failure (nothing went back). */
function processorRefundOf(refund: Stripe.Refund): ProcessorRefund {
  return {
    refundRef: refund.id,
    idempotencyKey: refund.metadata?.[idempotencyMetadataKey] ?? null,
    amountCents: refund.amount,
    status: refundStatusOf(refund),
    failureMessage: refund.failure_reason ? refundFailureMessage(refund.failure_reason) : null,
  };
}

function refundStatusOf(refund: Stripe.Refund): ProcessorRefund['status'] {
  if (refund.status === 'succeeded') return 'succeeded';
  if (refund.status === 'failed' || refund.status === 'canceled') return 'failed';
  return 'pending';
}

function processorDisputeOf(dispute: Stripe.Dispute): ProcessorDispute {
  return {
    disputeRef: dispute.id,
    status: dispute.status,
    reason: dispute.reason,
    amountCents: dispute.amount,
    lost: dispute.status === 'lost',
  };
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

function savedMethodOf(method: Stripe.PaymentMethod, customerRef: string | null): SavedMethod {
  if (method.type === 'card' && method.card) {
    return {
      gatewayRef: method.id,
      customerRef,
      type: 'card',
      brand: method.card.brand,
      last4: method.card.last4,
      expMonth: method.card.exp_month,
      expYear: method.card.exp_year,
      bankName: null,
    };
  }
  if (method.type === 'us_bank_account' && method.us_bank_account?.last4) {
    return {
      gatewayRef: method.id,
      customerRef,
      type: 'ach',
      brand: null,
      last4: method.us_bank_account.last4,
      expMonth: null,
      expYear: null,
      bankName: method.us_bank_account.bank_name,
    };
  }
  throw new GatewayError(
    'invalid_request',
    `Portico takes cards and US bank accounts, not ${method.type.replaceAll('_', ' ')}.`,
  );
}

/** A PaymentIntent as Portico sees a charge. */
function chargeResultOf(intent: Stripe.PaymentIntent): ChargeResult {
  const charge =
    intent.latest_charge && typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const base = {
    chargeRef: intent.id,
    amountCents: intent.amount,
    currency: intent.currency.toUpperCase(),
    refundedCents: charge?.amount_refunded ?? 0,
  };
  switch (intent.status) {
    case 'succeeded':
      return { ...base, status: 'succeeded', failureCode: null, failureMessage: null };
    // Authorized but not captured yet (never asked for here) is not money received either.
    case 'processing':
    case 'requires_capture':
      return { ...base, status: 'processing', failureCode: null, failureMessage: null };
    default: {
      // requires_payment_method after a decline or an ACH failure, canceled, or an off-session
      // charge the bank wants the cardholder to authenticate (requires_action).
      const error = intent.last_payment_error;
      const code =
        error?.decline_code ??
        charge?.failure_code ??
        error?.code ??
        (intent.status === 'canceled'
          ? 'canceled'
          : intent.status === 'requires_action'
            ? 'authentication_required'
            : 'card_declined');
      return { ...base, status: 'failed', failureCode: code, failureMessage: failureMessage(code) };
    }
  }
}

function declineResultOf(error: Stripe.errors.StripeCardError, input: ChargeInput): ChargeResult {
  const intent = error.payment_intent;
  if (intent) {
    const result = chargeResultOf(intent);
    if (result.status === 'failed') return result;
  }
  const code = error.decline_code ?? error.code ?? 'card_declined';
  return {
    chargeRef: intent?.id ?? error.charge ?? `declined:${input.idempotencyKey}`,
    status: 'failed',
    amountCents: input.amountCents,
    currency: input.currency.toUpperCase(),
    failureCode: code,
    failureMessage: failureMessage(code),
    refundedCents: 0,
  };
}

async function withGatewayErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw gatewayErrorOf(error);
  }
}

/**
 * A Stripe error as Portico's GatewayError kind. Unknown outcome (nothing Stripe answered, a
 * timeout, a 429 after retries, a 5xx) is 'unavailable'; the rest are refusals of the request.
 */
function gatewayErrorOf(error: unknown): Error {
  if (error instanceof GatewayError) return error;
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return new GatewayError(
      'idempotency_mismatch',
      'Stripe already had this idempotency key with other parameters.',
      { cause: error },
    );
  }
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 500) >= 500)
  ) {
    return new GatewayError('unavailable', 'Stripe did not answer; the outcome is not known yet.', {
      cause: error,
    });
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError) {
    return new GatewayError(
      'invalid_request',
      'Stripe refused the secret key (STRIPE_SECRET_KEY).',
      {
        cause: error,
      },
    );
  }
  if (error instanceof Stripe.errors.StripeError) {
    return new GatewayError('invalid_request', `Stripe refused the request: ${error.message}`, {
      cause: error,
    });
  }
  // Anything else (a bug, a broken answer) leaves the outcome unknown: never assume a decline.
  return new GatewayError('unavailable', 'The answer from Stripe could not be read.', {
    cause: error,
  });
}

/** Why a charge failed, in words a client reads on the Payment Failed email and page. */
const failureMessages: Record<string, string> = {
  insufficient_funds: 'The card or account has insufficient funds.',
  generic_decline: 'The card was declined by its bank.',
  card_declined: 'The card was declined by its bank.',
  do_not_honor: 'The card was declined by its bank.',
  lost_card: 'The card was reported lost.',
  stolen_card: 'The card was reported stolen.',
  expired_card: 'The card has expired.',
  incorrect_cvc: "The card's security code is incorrect.",
  processing_error: 'The card could not be processed. Try again later.',
  authentication_required:
    "The card's bank wants the cardholder to approve this payment; pay with the card again while signed in.",
  fraudulent: 'The card was declined by its bank.',
  card_velocity_exceeded: 'The card has reached its spending limit.',
  account_closed: 'The bank account is closed.',
  no_account: 'The bank account could not be found.',
  debit_not_authorized: 'The bank account holder did not authorize this debit.',
  bank_account_restricted: 'The bank account cannot be debited.',
  canceled: 'The payment was canceled at the processor.',
};

function failureMessage(code: string): string {
  return failureMessages[code] ?? 'The payment was declined.';
}

function refundFailureMessage(reason: string): string {
  switch (reason) {
    case 'expired_or_canceled_card':
      return 'The card was canceled or has expired; the refund could not be sent to it.';
    case 'lost_or_stolen_card':
      return 'The card was reported lost or stolen; the refund could not be sent to it.';
    default:
      return 'The refund could not be sent to the card or account.';
  }
}
