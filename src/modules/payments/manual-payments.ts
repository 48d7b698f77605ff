import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/context.js';
import { currentTime } from '../../platform/context.js';
import { withTransaction, type Transaction } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { currencyDigits, formatMoney } from '../../platform/money.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { applyInvoicePayment, lockOpenInvoicesForPayment } from '../invoices/invoice-payments.js';
import { maxInvoiceTotalCents } from '../invoices/invoice-math.js';
import { businessToday } from '../settings/business-date.js';
import {
  manualMethodLabels,
  type ManualPaymentMethod,
} from '../../shared/contract/staff-payments.js';
import { checkAllocations } from './pay-invoices.js';
import { enqueuePaymentEmails } from './payment-receipts.js';
import { creditBalances, staffPaymentViews, type StaffPaymentView } from './transactions.js';

/**
 * Recording money received outside the gateway (a check, a wire, cash): staff say how much came
 * in, when, with what reference, and which of the organization's open invoices it pays. The
 * payment is born succeeded (the money is already in the MSP's bank); what is not allocated
 * stays with it as unapplied credit, for staff to apply later (credits.ts).
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

/**
 * Checks an amount typed for a currency, in its minor units: a whole number (a fraction means
 * more decimals than the currency has), more than 0, and no more than the largest invoice total
 * (maxInvoiceTotalCents: $100,000,000,000.00 in cents), so that sums of amounts stay exact.
 * Throws a 400 naming `field`.
 */
export function checkAmount(field: string, amount: number, currency: string): void {
  if (!Number.isFinite(amount)) throw AppError.validation(field, 'must be an amount');
  if (!Number.isInteger(amount)) {
    const digits = currencyDigits(currency);
    throw AppError.validation(
      field,
      digits === 0
        ? `cannot have decimals: ${currency} has none`
        : `has more decimals than ${currency} has (${digits})`,
    );
  }
  if (amount < 0) throw AppError.validation(field, 'cannot be negative');
  if (amount === 0) throw AppError.validation(field, 'must be more than 0');
  if (amount > maxInvoiceTotalCents) {
    throw AppError.validation(
      field,
      `cannot be more than ${formatMoney(maxInvoiceTotalCents, currency)}`,
    );
  }
}

/** The organization's currency, or 404 when there is no such organization. */
export async function organizationCurrency(
  tx: Pick<Transaction, 'client'>,
  organizationId: string,
): Promise<string> {
  const row = (
    await tx.client.query<{ currency: string }>(
      `SELECT currency FROM organizations WHERE id = $1`,
      [organizationId],
    )
  ).rows[0];
  if (!row) throw AppError.notFound('Organization');
  return row.currency;
}

/** The next payment number, P-000123, from the payments' sequence. */
export async function nextPaymentNumber(tx: Pick<Transaction, 'client'>): Promise<string> {
  return (
    await tx.client.query<{ number: string }>(
      `SELECT 'P-' || lpad(nextval('payment_number_seq')::text, 6, '0') AS number`,
    )
  ).rows[0]!.number;
}

export interface RecordManualPaymentInput {
  context: Deps;
  actor: Actor;
  organizationId: string;
  method: ManualPaymentMethod;
  /** The check number or wire reference ('' when there is none). */
  reference: string;
  /** The business date the money came in (YYYY-MM-DD); not after today. */
  receivedOn: string;
  /** What came in, in minor units of the organization's currency. */
  amountCents: number;
  /** What of it goes to which open invoice (each > 0 and ≤ its balance; may be none). */
  allocations: { invoiceId: string; amountCents: number }[];
  /**
   * The key staff's request carried (Idempotency-Key header): the same request sent again
   * answers the payment it recorded instead of recording the money twice.
   */
  requestKey?: string | undefined;
}

/**
 * Records a manual payment, in one transaction: the invoices are locked and checked (404 for
 * another organization's or a draft, 409 for a void one, 400 naming
 * `allocations.<n>.amountCents` for 0, negative, too many decimals or more than the balance),
 * `amountCents` is checked (400 naming it, also when the allocations add up to more), the
 * payment is written succeeded with its allocations and applied to the invoices, audited, and
 * the Payment Receipt (to the Default Notification Emails) and staff's Payment Made are queued.
 * Answers the payment as staff read it.
 */
export async function recordManualPayment(
  input: RecordManualPaymentInput,
): Promise<StaffPaymentView> {
  const { context } = input;
  return withTransaction(context.pool, async (tx) => {
    if (input.requestKey) {
      // Requests with one key wait for each other here, so the second sees what the first
      // recorded (and answers it) instead of refusing invoices the first has just paid.
      await tx.client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `manual-payment:${input.organizationId}:${input.requestKey}`,
      ]);
      const found = await tx.client.query<{ id: string }>(
        `SELECT id FROM payments WHERE organization_id = $1 AND request_key = $2`,
        [input.organizationId, input.requestKey],
      );
      const earlier = found.rows[0]?.id;
      if (earlier) return (await staffPaymentViews(tx.client, [earlier]))[0]!;
    }
    const currency = await organizationCurrency(tx, input.organizationId);
    const today = await businessToday(tx.client, currentTime(context));
    if (input.receivedOn > today) {
      throw AppError.validation('receivedOn', 'cannot be after today');
    }
    const invoices = await lockOpenInvoicesForPayment(tx, {
      organizationId: input.organizationId,
      invoiceIds: input.allocations.map((a) => a.invoiceId),
    });
    const allocated = input.allocations.length
      ? checkAllocations(input.allocations, invoices).totalCents
      : 0;
    checkAmount('amountCents', input.amountCents, currency);
    if (allocated > input.amountCents) {
      throw AppError.validation(
        'amountCents',
        `is less than the ${formatMoney(allocated, currency)} allocated to invoices`,
      );
    }
    const unapplied = input.amountCents - allocated;
    if (unapplied > 0) {
      // The organization's credit is summed wherever it is shown: kept within one invoice's
      // largest total, the sums stay exact.
      const credit = (await creditBalances(tx.client, input.organizationId)).find(
        (balance) => balance.currency === currency,
      );
      if ((credit?.unappliedCents ?? 0) + unapplied > maxInvoiceTotalCents) {
        throw AppError.validation(
          'amountCents',
          `would leave the organization more than ${formatMoney(maxInvoiceTotalCents, currency)} of unapplied credit: allocate it to invoices, or apply the credit first`,
        );
      }
    }

    const paymentId = randomUUID();
    const number = await nextPaymentNumber(tx);
    const label = [manualMethodLabels[input.method], input.reference].filter(Boolean).join(' ');
    await tx.client.query(
      `INSERT INTO payments (id, number, organization_id, source, status, amount_cents, currency,
                             method_type, method_label, reference, received_on,
                             created_by_staff_id, settled_at, request_key)
       VALUES ($1, $2, $3, 'manual', 'succeeded', $4, $5, $6, $7, $8, $9, $10, now(), $11)`,
      [
        paymentId,
        number,
        input.organizationId,
        input.amountCents,
        currency,
        input.method,
        label,
        input.reference,
        input.receivedOn,
        input.actor.id,
        input.requestKey ?? null,
      ],
    );
    for (const allocation of input.allocations) {
      await tx.client.query(
        `INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents, applied_cents, in_flight)
         VALUES ($1, $2, $3, $3, false)`,
        [paymentId, allocation.invoiceId, allocation.amountCents],
      );
      await applyInvoicePayment(tx, {
        invoiceId: allocation.invoiceId,
        deltaCents: allocation.amountCents,
      });
    }
    await recordAudit(tx.db, input.actor, {
      organizationId: input.organizationId,
      entityType: 'payment',
      entityId: paymentId,
      entityLabel: number,
      action: 'payment.recorded',
      after: {
        status: 'succeeded',
        method: input.method,
        reference: input.reference,
        receivedOn: input.receivedOn,
        amountCents: input.amountCents,
        currency,
        allocations: input.allocations,
        unappliedCents: input.amountCents - allocated,
      },
    });
    await enqueuePaymentEmails(tx, context, { paymentId, kind: 'receipt', actor: input.actor });
    const [payment] = await staffPaymentViews(tx.client, [paymentId]);
    return payment!;
  });
}
