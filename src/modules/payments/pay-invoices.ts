import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../platform/context.js';
import { currentTime } from '../../platform/context.js';
import {
  commitWithNextStatement,
  isUniqueViolation,
  queryNamed,
  sendTogether,
  withPipelinedTransaction,
  type Pool,
  type PoolClient,
} from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { currencyDigits, formatMoney } from '../../platform/money.js';
import { auditInsert, type Actor } from '../audit/audit.js';
import {
  applyInvoicePaymentsUpTo,
  lockOpenInvoicesForPayment,
  type LockedInvoice,
} from '../invoices/invoice-payments.js';
import { paymentSettingsOfRow, paymentSettingsTodayColumns } from '../settings/settings.service.js';
import { settings } from '../settings/settings.schema.js';
import type { PaymentStatus } from '../../shared/contract/payments.js';
import {
  applyChargeAnswerWithView,
  lockPayment,
  paymentTransition,
  type ChargeAnswer,
} from './charge-results.js';
import { GatewayError, type PaymentGateway } from './gateway.js';
import { chargeableMethod, methodLabel } from './payment-methods.js';
import { paymentMethods } from './payments.schema.js';
import { paymentViews, type PaymentView } from './payment-history.js';

/**
 * Pay Selected: a contact pays one or several of the organization's open invoices with a saved
 * method, each in full or in part (docs/decisions/0028-payment-core.md, the state machine):
 *
 * 1. One transaction: the invoices are locked, every amount and the method are checked, the
 *    payment (pending, idempotency key `portico-payment-<id>`) and its allocations (in flight)
 *    are written, audited. The partial unique index on in-flight allocations lets the database
 *    refuse a second payment of an invoice, whichever process tries.
 * 2. The gateway is charged with that key, outside any transaction.
 * 3. The answer is applied (applyChargeAnswer, what the reconciliation job also uses). When no
 *    answer arrives (GatewayError 'unavailable') the payment stays pending: the job asks the
 *    processor by its key later, and never charges again.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

export interface PayInvoicesInput {
  context: Deps;
  gateway: PaymentGateway;
  actor: Actor;
  organizationId: string;
  /**
   * The contact paying (the receipt goes to them, and to the Default Notification Emails).
   * AutoPay has none: its receipts go to the Default Notification Emails only.
   */
  contactId: string | null;
  /** Where the payment comes from (payments.source): Pay Selected unless said. */
  source?: 'portal' | 'autopay' | 'scheduled';
  paymentMethodId: string;
  /**
   * The amount for each invoice, in minor units of its currency, and the balance the client
   * saw when choosing it (when it sent one).
   */
  allocations: { invoiceId: string; amountCents: number; balanceCents?: number }[];
  /** The client's Idempotency-Key: the same key again answers the same payment. */
  requestKey?: string;
}

export interface PayInvoicesResult {
  payment: PaymentView;
  /** True when the request key named an earlier payment: nothing new was done. */
  repeated: boolean;
}

/** Whether the payment is pending and older than `retryChargesAfterSeconds`. */
async function abandonedPending(context: Deps, paymentId: string): Promise<boolean> {
  const result = await context.pool.query(
    `SELECT 1 FROM payments
      WHERE id = $1 AND status = 'pending'
        AND created_at < $2::timestamptz - make_interval(secs => $3)`,
    [paymentId, currentTime(context), retryChargesAfterSeconds],
  );
  return result.rows.length > 0;
}

const field = (index: number, name: 'invoiceId' | 'amountCents') => `allocations.${index}.${name}`;

const refuse = (name: string, message: string) => AppError.validation(name, message);

/**
 * Checks what the client asked to pay against the locked invoices (pure: unit-tested). Throws
 * the first refusal: 404 for an invoice that is not the organization's or is a draft; 409 for a
 * void one; 400 naming `allocations.<n>.amountCents` for an amount that is not more than 0, is
 * above the invoice's balance, or has more decimals than the currency (a fraction of a minor
 * unit); 409 naming `allocations.<n>.amountCents` when the client saw another balance than the
 * invoice has now (a payment made meanwhile in another tab: paying again would pay it twice);
 * 400 naming `allocations.<n>.invoiceId` for an invoice listed twice or in another currency
 * than the first. Answers the currency and the total in minor units.
 */
export function checkAllocations(
  allocations: { invoiceId: string; amountCents: number; balanceCents?: number }[],
  invoices: LockedInvoice[],
): { currency: string; totalCents: number } {
  const seen = new Set<string>();
  let currency: string | null = null;
  let totalCents = 0;
  allocations.forEach((allocation, index) => {
    if (seen.has(allocation.invoiceId)) {
      throw refuse(field(index, 'invoiceId'), 'lists the same invoice twice');
    }
    seen.add(allocation.invoiceId);
    const invoice = invoices.find((i) => i.id === allocation.invoiceId);
    // A draft is not the client's to see: not found, like another organization's invoice.
    if (!invoice || invoice.state === 'draft') throw AppError.notFound('Invoice');
    if (invoice.state === 'void') {
      const message = `Invoice ${invoice.number} is void; there is nothing to pay`;
      throw new AppError('conflict', message, [{ field: field(index, 'invoiceId'), message }]);
    }
    currency ??= invoice.currency;
    if (invoice.currency !== currency) {
      throw refuse(
        field(index, 'invoiceId'),
        `is in ${invoice.currency}, the others in ${currency}; pay one currency at a time`,
      );
    }
    const amount = allocation.amountCents;
    const amountField = field(index, 'amountCents');
    if (!Number.isFinite(amount)) throw refuse(amountField, 'must be an amount');
    if (!Number.isInteger(amount)) {
      const digits = currencyDigits(invoice.currency);
      throw refuse(
        amountField,
        digits === 0
          ? `cannot have decimals: ${invoice.currency} has none`
          : `has more decimals than ${invoice.currency} has (${digits})`,
      );
    }
    if (amount < 0) throw refuse(amountField, 'cannot be negative');
    if (amount === 0) throw refuse(amountField, 'must be more than 0');
    if (allocation.balanceCents !== undefined && allocation.balanceCents !== invoice.balanceCents) {
      const now = formatMoney(invoice.balanceCents, invoice.currency);
      const message =
        invoice.balanceCents <= 0
          ? `Invoice ${invoice.number} was paid since this page was opened; nothing was charged`
          : `Invoice ${invoice.number} changed since this page was opened: its balance is now ${now}. Nothing was charged; close this window and select the invoices again`;
      throw new AppError('conflict', message, [{ field: amountField, message }]);
    }
    if (invoice.balanceCents <= 0) {
      throw refuse(amountField, `invoice ${invoice.number} is already paid`);
    }
    if (amount > invoice.balanceCents) {
      throw refuse(
        amountField,
        `is more than the balance of ${invoice.number} (${formatMoney(invoice.balanceCents, invoice.currency)})`,
      );
    }
    totalCents += amount;
  });
  return { currency: currency ?? 'USD', totalCents };
}

/** The refusal for an invoice some other payment is already paying. */
export function alreadyPaying(number: string): AppError {
  return new AppError(
    'conflict',
    `Invoice ${number} already has a payment in progress; wait for it to finish`,
  );
}

/** The key PostgreSQL names in a unique violation ("Key (invoice_id)=(…) already exists."). */
function uniqueViolationKey(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const detail = (e as Error & { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
  }
  return undefined;
}

/** The earlier payment made with this request key, if any. */
async function paymentWithRequestKey(
  client: Pool | PoolClient,
  organizationId: string,
  requestKey: string | undefined,
): Promise<string | null> {
  if (!requestKey) return null;
  const found = await client.query<{ id: string }>(
    `SELECT id FROM payments WHERE organization_id = $1 AND request_key = $2`,
    [organizationId, requestKey],
  );
  return found.rows[0]?.id ?? null;
}

/**
 * Step 1: checks and writes the pending payment and its in-flight allocations, audited, in one
 * transaction. Answers the payment's id and whether it was made by an earlier request with the
 * same key (then nothing was written). The refusals are checkAllocations' and
 * chargeableMethod's, and 409 for an invoice another payment is paying.
 */
export async function startPayment(
  input: Omit<PayInvoicesInput, 'context'> & { context: Deps },
): Promise<{ paymentId: string; repeated: boolean; charge?: ChargeFacts }> {
  const { context } = input;
  try {
    // Pipelined: BEGIN goes out with the invoices' lock and COMMIT with the payment's insert,
    // two round trips less on every payment (docs/decisions/0045-pipelined-transactions.md).
    return await withPipelinedTransaction(context.pool, async (tx) => {
      const invoiceIds = input.allocations.map((a) => a.invoiceId);
      // The invoices' lock, then one read, sent together (with BEGIN: one socket write):
      // PostgreSQL runs the read once the locks are granted, so a request with the same key
      // that got there first has committed by then, and is the answer. In the same read: an
      // invoice another payment is paying (refused below, after the amount and method checks,
      // as before), the payment settings with today's date, and the method.
      const [invoices, [found]] = await sendTogether(tx, () =>
        Promise.all([
          lockOpenInvoicesForPayment(tx, { organizationId: input.organizationId, invoiceIds }),
          tx.db
            .select({
              earlier: sql<string | null>`(SELECT id FROM payments
                    WHERE organization_id = ${input.organizationId}
                      AND request_key = ${input.requestKey ?? null})`,
              inFlight: sql<string | null>`(SELECT i.number FROM payment_allocations a
                    JOIN invoices i ON i.id = a.invoice_id
                    WHERE a.in_flight AND a.invoice_id = ANY(${sql.param(invoiceIds)}::uuid[])
                    ORDER BY i.number LIMIT 1)`,
              settings: paymentSettingsTodayColumns,
              method: paymentMethods,
            })
            .from(settings)
            .leftJoin(
              paymentMethods,
              and(
                eq(paymentMethods.id, input.paymentMethodId),
                eq(paymentMethods.organizationId, input.organizationId),
              ),
            )
            .where(eq(settings.id, 1))
            // Named: planned once per connection, as it runs on every payment.
            .prepare('pay-selected-reads')
            .execute(),
        ]),
      );
      if (!found) throw new Error('The settings row is missing: run the migrations');
      if (found.earlier) return { paymentId: found.earlier, repeated: true };
      const { currency, totalCents } = checkAllocations(input.allocations, invoices);
      const { today, ...paymentSettings } = paymentSettingsOfRow(
        found.settings,
        currentTime(context),
      );
      const method = await chargeableMethod(tx, {
        organizationId: input.organizationId,
        methodId: input.paymentMethodId,
        gateway: input.gateway.name,
        today,
        settings: paymentSettings,
        row: found.method,
      });
      if (found.inFlight) throw alreadyPaying(found.inFlight);

      const paymentId = randomUUID();
      const idempotencyKey = `portico-payment-${paymentId}`;
      // The payment, its allocations (in flight) and its audit row in one statement: a round
      // trip is a socket write and a wake-up of PostgreSQL, the larger part of a payment's cost.
      const audit = auditInsert(input.actor, {
        organizationId: input.organizationId,
        entityType: 'payment',
        entityId: paymentId,
        entityLabel: sql`(SELECT number FROM payment)`,
        action: 'payment.started',
        after: {
          status: 'pending',
          amountCents: totalCents,
          currency,
          method: methodLabel(method),
          allocations: input.allocations,
        },
      });
      // The transaction's last statement: COMMIT goes out with it.
      commitWithNextStatement(tx);
      const number = (
        await queryNamed<{ number: string }>(
          tx.client,
          'start-payment',
          sql`WITH payment AS (
             INSERT INTO payments (id, number, organization_id, source, status, amount_cents,
                                   currency, payment_method_id, method_type, method_label, gateway,
                                   idempotency_key, request_key, created_by_contact_id)
             VALUES (${paymentId}, 'P-' || lpad(nextval('payment_number_seq')::text, 6, '0'),
                     ${input.organizationId}, ${input.source ?? 'portal'}, 'pending', ${totalCents},
                     ${currency}, ${method.id}, ${method.type}, ${methodLabel(method)},
                     ${input.gateway.name},
                     -- Derived from the payment: every retry of its charge carries the same key.
                     ${idempotencyKey}, ${input.requestKey ?? null}, ${input.contactId})
             RETURNING id, number
           ), allocations AS (
             INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents, applied_cents,
                                              in_flight)
             SELECT payment.id, a.invoice_id, a.amount_cents, a.amount_cents, true
               FROM payment,
                    unnest(${sql.param(invoiceIds)}::uuid[],
                           ${sql.param(input.allocations.map((a) => a.amountCents))}::bigint[])
                      AS a(invoice_id, amount_cents)
           ), audit AS (${audit})
           SELECT number FROM payment`,
        ).catch((error: unknown) => {
          // Another payment of one of these invoices got in flight since the check above.
          if (isUniqueViolation(error, 'payment_allocations_one_in_flight_idx')) {
            const key = uniqueViolationKey(error);
            const invoice = invoices.find((i) => key?.includes(i.id));
            throw alreadyPaying(invoice?.number ?? 'the invoice');
          }
          throw error;
        })
      ).rows[0]!.number;
      const charge: ChargeFacts = {
        number,
        status: 'pending',
        amountCents: totalCents,
        currency,
        idempotencyKey,
        gatewayRef: method.gatewayRef,
        customerRef: method.customerRef,
        organizationId: input.organizationId,
        allocations: input.allocations,
      };
      return { paymentId, repeated: false, charge };
    });
  } catch (error) {
    // Two requests with the same key at once: the second one's insert met the first's row.
    if (isUniqueViolation(error, 'payments_request_key_idx')) {
      const earlier = await paymentWithRequestKey(
        context.pool,
        input.organizationId,
        input.requestKey,
      );
      if (earlier) return { paymentId: earlier, repeated: true };
    }
    throw error;
  }
}

/** What charging a payment needs to know of it and its method. */
export interface ChargeFacts {
  number: string;
  status: PaymentStatus;
  amountCents: number;
  currency: string;
  idempotencyKey: string;
  gatewayRef: string;
  customerRef: string | null;
  organizationId: string;
  /** Its allocations as written (integer minor units), when the caller just wrote them. */
  allocations?: { invoiceId: string; amountCents: number }[];
}

/**
 * Step 2 and 3: charges a pending payment with its idempotency key and applies the answer.
 * A lost answer leaves it pending (for the reconciliation job). A request the processor
 * refused outright (a detached method, a mismatched key) is a failed payment with the reason.
 * Answers the status afterwards. `charge`: the payment as startPayment just wrote it (pending),
 * which saves reading it again; without it the payment is read.
 */
export async function chargePayment(
  deps: Deps,
  gateway: PaymentGateway,
  options: { paymentId: string; actor: Actor; charge?: ChargeFacts },
): Promise<PaymentStatus> {
  return (await chargeWithView(deps, gateway, options)).status;
}

/**
 * chargePayment, also answering the payment as its payer reads it when the answer's statement
 * gave it (null when nothing was applied: a lost answer, a payment no longer pending).
 */
async function chargeWithView(
  deps: Deps,
  gateway: PaymentGateway,
  options: { paymentId: string; actor: Actor; charge?: ChargeFacts },
): Promise<{ status: PaymentStatus; view: PaymentView | null }> {
  const row =
    options.charge ??
    (
      await deps.pool.query<ChargeFacts>(
        `SELECT p.number, p.status, p.amount_cents AS "amountCents", p.currency,
              p.idempotency_key AS "idempotencyKey", m.gateway_ref AS "gatewayRef",
              m.customer_ref AS "customerRef", p.organization_id AS "organizationId"
         FROM payments p JOIN payment_methods m ON m.id = p.payment_method_id
        WHERE p.id = $1`,
        [options.paymentId],
      )
    ).rows[0];
  if (!row) throw AppError.notFound('Payment');
  if (row.status !== 'pending') return { status: row.status, view: null };
  const answer = await askProcessor(gateway, { paymentId: options.paymentId, charge: row });
  if (!answer) return { status: 'pending', view: null };
  const result = answer;
  if (options.charge?.allocations) {
    const applied = await applyWithInvoicesPaid(deps, options, options.charge.allocations, result);
    if (applied) return applied;
  }
  // Pipelined as startPayment's: BEGIN goes with the lock, COMMIT with the outcome's statement.
  return withPipelinedTransaction(deps.pool, async (tx) => {
    const payment = await lockPayment(tx, { paymentId: options.paymentId });
    if (!payment) throw AppError.notFound('Payment');
    return applyChargeAnswerWithView(tx, deps, payment, result, options.actor);
  });
}

/** The payment had moved on when its answer came: the invoices paid ahead are rolled back. */
class PaymentMovedOn extends Error {}

/**
 * The answer to a payment this request has just written, when it is a success or an accepted
 * ACH debit: the payment's lock and its invoices' payment (applyInvoicePaymentsUpTo) go out in
 * one socket write with BEGIN, a round trip less than locking first (decision 45). That pays
 * the invoices before the lock's answer is read, so it is checked after: if the payment is no
 * longer the pending one written (reconciliation or a webhook got there first), the
 * transaction is rolled back and null answered, for the caller to apply the answer the
 * ordinary way. PostgreSQL runs the two in order, so the invoices are still locked after the
 * payment, as everywhere else. Null also for any other answer.
 */
async function applyWithInvoicesPaid(
  deps: Deps,
  options: { paymentId: string; actor: Actor; charge?: ChargeFacts },
  allocations: { invoiceId: string; amountCents: number }[],
  answer: ChargeAnswer,
): Promise<{ status: PaymentStatus; view: PaymentView | null } | null> {
  const expected =
    answer.status === 'succeeded' ? 'succeed' : answer.status === 'processing' ? 'process' : null;
  if (!expected || !options.charge) return null;
  const { organizationId } = options.charge;
  const paying = allocations.filter((allocation) => allocation.amountCents > 0);
  try {
    return await withPipelinedTransaction(deps.pool, async (tx) => {
      const [payment, applied] = await sendTogether(tx, () =>
        Promise.all([
          lockPayment(tx, { paymentId: options.paymentId }),
          applyInvoicePaymentsUpTo(
            tx,
            paying.map((allocation) => ({ organizationId, ...allocation })),
          ),
        ]),
      );
      const unchanged =
        payment &&
        paymentTransition(payment.status, answer.status, payment.failureCode) === expected &&
        sameAllocations(payment.allocations, allocations);
      if (!unchanged) throw new PaymentMovedOn();
      return applyChargeAnswerWithView(tx, deps, payment, answer, options.actor, applied);
    });
  } catch (error) {
    if (error instanceof PaymentMovedOn) return null;
    throw error;
  }
}

function sameAllocations(
  a: { invoiceId: string; amountCents: number }[],
  b: { invoiceId: string; amountCents: number }[],
): boolean {
  const key = (list: typeof a) =>
    list
      .map((allocation) => `${allocation.invoiceId}:${allocation.amountCents}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/**
 * Charges a pending payment at the processor with its own idempotency key, outside any
 * transaction, and answers what the processor said. Null when the outcome is unknown (no answer,
 * or the key is still in use by another request): the charge may have happened, so the payment
 * stays pending for the reconciliation job and is never charged again by the caller. A request
 * the processor refused outright (a detached method) is answered as a failure with its reason.
 * Errors other than the gateway's are thrown.
 */
export async function askProcessor(
  gateway: PaymentGateway,
  options: { paymentId: string; charge: ChargeFacts },
): Promise<ChargeAnswer | null> {
  const row = options.charge;
  try {
    return await gateway.charge({
      idempotencyKey: row.idempotencyKey,
      method: { gatewayRef: row.gatewayRef, customerRef: row.customerRef },
      amountCents: row.amountCents,
      currency: row.currency,
      description: `Portico payment ${row.number}`,
      metadata: { paymentId: options.paymentId, organizationId: row.organizationId },
    });
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    // Unknown outcome: the charge may have happened. Leave it pending; never charge again here.
    // A key the processor holds already (another request with it still in progress, as Stripe
    // answers) is no refusal either: whatever that request did is found by the key later.
    if (error.kind === 'unavailable' || error.kind === 'idempotency_mismatch') return null;
    return {
      status: 'failed' as const,
      chargeRef: null,
      failureCode: error.kind,
      failureMessage: `The payment processor refused the payment: ${error.message}`,
    };
  }
}

/**
 * A repeated request finds its payment still pending this long after it was written: the
 * request that wrote it is over (it died before charging, or lost the processor's answer).
 */
const retryChargesAfterSeconds = 30;

/**
 * Pay Selected, whole: step 1, then (for a new payment) steps 2 and 3. Answers the payment as
 * its payer reads it. A repeated request key answers the earlier payment as it is now; if that
 * payment is still pending after `retryChargesAfterSeconds`, the retry completes it: the charge
 * goes out with the payment's own idempotency key, so a processor that already has it answers
 * the first charge and moves no money again (the client asked to pay, and is not left waiting
 * for the reconciliation window).
 */
export async function payInvoices(input: PayInvoicesInput): Promise<PayInvoicesResult> {
  const started = await startPayment(input);
  let view: PaymentView | null = null;
  if (!started.repeated || (await abandonedPending(input.context, started.paymentId))) {
    ({ view } = await chargeWithView(input.context, input.gateway, {
      paymentId: started.paymentId,
      actor: input.actor,
      ...(started.charge ? { charge: started.charge } : {}),
    }));
  }
  // The answer's statement gave the payment as its payer reads it; else (a lost answer, a
  // repeated request) it is read now.
  const [payment] = view ? [view] : await paymentViews(input.context.pool, [started.paymentId]);
  return { payment: payment!, repeated: started.repeated };
}
