import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../platform/context.js';
import { currentTime } from '../../platform/context.js';
import { queryNamed, type Transaction } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { auditInsertMany, type Actor, type AuditEntry } from '../audit/audit.js';
import { lockInvoicesForPayments } from '../invoices/invoice-payments.js';
import { paymentSettingsOfRow, paymentSettingsTodayColumns } from '../settings/settings.service.js';
import { settings } from '../settings/settings.schema.js';
import type { PaymentGateway } from './gateway.js';
import { alreadyPaying, checkAllocations, type ChargeFacts } from './pay-invoices.js';
import { chargeableMethod, methodLabel } from './payment-methods.js';
import { paymentMethods } from './payments.schema.js';

/**
 * Many one-invoice payments started in one transaction (the AutoPay run's chunk,
 * docs/decisions/0048-autopay-chunked-run.md): what `startPayment` does for one, set-based.
 * Each payment is checked as startPayment checks it (checkAllocations, chargeableMethod, the
 * one-in-flight rule, the request key), under the same invoice locks; the payments, their
 * in-flight allocations and their audit rows are written by one statement.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

/** One payment of one invoice, as the AutoPay run asks for it. */
export interface BatchPaymentInput {
  organizationId: string;
  invoiceId: string;
  /**
   * The amount, in minor units of the invoice's currency: the invoice's whole balance as the
   * caller read it. An invoice whose balance is no longer that is refused (paid in part, or
   * paid, since).
   */
  amountCents: number;
  paymentMethodId: string;
  /** The payment's request key: a key that made a payment already answers that payment. */
  requestKey: string;
}

/**
 * What became of one payment of the batch: started (pending, to be charged with `charge`),
 * existing (its request key made a payment already: nothing was written), or refused with the
 * error startPayment would have thrown for it.
 */
export type BatchStart =
  | { kind: 'started'; paymentId: string; charge: ChargeFacts }
  | { kind: 'existing'; paymentId: string }
  | { kind: 'refused'; error: AppError };

/**
 * Starts the batch's payments on `tx` (the caller's transaction: the AutoPay run records its
 * skips on it too), answers each one's fate in input order. Invoices appear at most once.
 * Throws (and the caller's transaction must be rolled back) when a write meets a payment
 * another process wrote meanwhile (a unique violation on the request key or the one-in-flight
 * index): the caller then starts those payments one by one with startPayment.
 */
export async function startPayments(
  tx: Transaction,
  options: {
    context: Deps;
    gateway: PaymentGateway;
    actor: Actor;
    source: 'autopay' | 'scheduled';
    payments: BatchPaymentInput[];
  },
): Promise<BatchStart[]> {
  const { payments } = options;
  if (payments.length === 0) return [];
  const invoices = await lockInvoicesForPayments(tx, payments);
  // After the invoice locks (as startPayment): a payment with one of these keys, or of one of
  // these invoices, written by anyone else has committed by now.
  const earlier = await tx.client.query<{ id: string; organizationId: string; requestKey: string }>(
    `SELECT p.id, p.organization_id AS "organizationId", p.request_key AS "requestKey"
       FROM payments p
       JOIN unnest($1::uuid[], $2::text[]) AS k(organization_id, request_key)
         ON p.organization_id = k.organization_id AND p.request_key = k.request_key`,
    [payments.map((p) => p.organizationId), payments.map((p) => p.requestKey)],
  );
  const inFlight = await tx.client.query<{ invoiceId: string }>(
    `SELECT DISTINCT invoice_id AS "invoiceId" FROM payment_allocations
      WHERE in_flight AND invoice_id = ANY($1::uuid[])`,
    [payments.map((p) => p.invoiceId)],
  );
  const [settingsRow] = await tx.db
    .select(paymentSettingsTodayColumns)
    .from(settings)
    .where(eq(settings.id, 1));
  if (!settingsRow) throw new Error('The settings row is missing: run the migrations');
  const { today, ...paymentSettings } = paymentSettingsOfRow(
    settingsRow,
    currentTime(options.context),
  );
  const methods = await tx.db
    .select()
    .from(paymentMethods)
    .where(inArray(paymentMethods.id, [...new Set(payments.map((p) => p.paymentMethodId))]));

  const earlierByKey = new Map(
    earlier.rows.map((row) => [`${row.organizationId}|${row.requestKey}`, row.id]),
  );
  const inFlightIds = new Set(inFlight.rows.map((row) => row.invoiceId));
  const invoiceById = new Map(invoices.map((invoice) => [invoice.id, invoice]));
  const methodById = new Map(methods.map((method) => [method.id, method]));

  const answers: BatchStart[] = [];
  const toWrite: {
    index: number;
    id: string;
    charge: ChargeFacts;
    input: BatchPaymentInput;
    method: (typeof methods)[number];
  }[] = [];
  for (const [index, input] of payments.entries()) {
    const found = earlierByKey.get(`${input.organizationId}|${input.requestKey}`);
    if (found) {
      answers.push({ kind: 'existing', paymentId: found });
      continue;
    }
    try {
      const invoice = invoiceById.get(input.invoiceId);
      const { currency, totalCents } = checkAllocations(
        [
          {
            invoiceId: input.invoiceId,
            amountCents: input.amountCents,
            balanceCents: input.amountCents,
          },
        ],
        invoice ? [invoice] : [],
      );
      const candidate = methodById.get(input.paymentMethodId);
      const method = await chargeableMethod(tx, {
        organizationId: input.organizationId,
        methodId: input.paymentMethodId,
        gateway: options.gateway.name,
        today,
        settings: paymentSettings,
        row: candidate && candidate.organizationId === input.organizationId ? candidate : null,
      });
      if (inFlightIds.has(input.invoiceId)) throw alreadyPaying(invoice!.number);
      const id = randomUUID();
      const charge: ChargeFacts = {
        number: '',
        status: 'pending',
        amountCents: totalCents,
        currency,
        idempotencyKey: `portico-payment-${id}`,
        gatewayRef: method.gatewayRef,
        customerRef: method.customerRef,
        organizationId: input.organizationId,
      };
      toWrite.push({ index, id, charge, input, method });
      answers.push({ kind: 'started', paymentId: id, charge });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      answers.push({ kind: 'refused', error });
    }
  }
  if (toWrite.length === 0) return answers;

  // The payment numbers first (the audit rows name them), in input order.
  const numbers = await tx.client.query<{ number: string }>(
    `SELECT 'P-' || lpad(nextval('payment_number_seq')::text, 6, '0') AS number
       FROM generate_series(1, $1::int)`,
    [toWrite.length],
  );
  toWrite.forEach((entry, i) => {
    entry.charge.number = numbers.rows[i]!.number;
  });
  const audits: AuditEntry[] = toWrite.map(({ id, charge, input, method }) => ({
    organizationId: input.organizationId,
    entityType: 'payment',
    entityId: id,
    entityLabel: charge.number,
    action: 'payment.started',
    after: {
      status: 'pending',
      amountCents: charge.amountCents,
      currency: charge.currency,
      method: methodLabel(method),
      allocations: [
        {
          invoiceId: input.invoiceId,
          amountCents: input.amountCents,
          balanceCents: input.amountCents,
        },
      ],
    },
  }));
  const column = <T>(pick: (entry: (typeof toWrite)[number]) => T) => sql.param(toWrite.map(pick));
  // The payments, their allocations (in flight) and their audit rows in one statement. A
  // request key or an in-flight invoice met here (not seen above, under the same locks: a
  // process that skipped them) throws, and the caller's transaction writes nothing.
  const written = await queryNamed<{ id: string }>(
    tx.client,
    'start-payments-batch',
    sql`WITH input AS (
       SELECT * FROM unnest(${column((e) => e.id)}::uuid[], ${column((e) => e.charge.number)}::text[],
                            ${column((e) => e.input.organizationId)}::uuid[],
                            ${column((e) => e.charge.amountCents)}::bigint[],
                            ${column((e) => e.charge.currency)}::text[],
                            ${column((e) => e.method.id)}::uuid[],
                            ${column((e) => e.method.type)}::text[],
                            ${column((e) => methodLabel(e.method))}::text[],
                            ${column((e) => e.charge.idempotencyKey)}::text[],
                            ${column((e) => e.input.requestKey)}::text[],
                            ${column((e) => e.input.invoiceId)}::uuid[])
         AS x(id, number, organization_id, amount_cents, currency, payment_method_id, method_type,
              method_label, idempotency_key, request_key, invoice_id)
     ), payment AS (
       INSERT INTO payments (id, number, organization_id, source, status, amount_cents, currency,
                             payment_method_id, method_type, method_label, gateway,
                             idempotency_key, request_key, created_by_contact_id)
       SELECT id, number, organization_id, ${options.source}, 'pending', amount_cents, currency,
              payment_method_id, method_type, method_label, ${options.gateway.name},
              idempotency_key, request_key, NULL
         FROM input
       RETURNING id
     ), allocations AS (
       INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents, applied_cents,
                                        in_flight)
       SELECT x.id, x.invoice_id, x.amount_cents, x.amount_cents, true
         FROM input x JOIN payment p ON p.id = x.id
     ), audit AS (${auditInsertMany(options.actor, audits)})
     SELECT id FROM payment`,
  );
  if (written.rows.length !== toWrite.length) {
    throw new Error(`startPayments wrote ${written.rows.length} of ${toWrite.length} payments`);
  }
  return answers;
}
