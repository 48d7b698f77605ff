import { and, eq, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import type { Transaction } from '../../platform/database.js';
import { businessToday } from '../settings/business-date.js';
import { getPaymentSettings, type PaymentSettings } from '../settings/settings.service.js';
import { paymentMethods } from './payments.schema.js';

/**
 * The rules a saved payment method obeys when it is charged (docs/decisions/0028-payment-core.md):
 * which methods may be charged, and how failed and successful charges lock and unlock them. The
 * pay flow, AutoPay and scheduled payments all call these, so a method is refused the same way
 * whatever charges it.
 */

/** A saved payment method row as the payments module holds it (gateway refs included). */
export type PaymentMethodRow = typeof paymentMethods.$inferSelect;

/** Decline codes that lock a card at once: the bank says it is not the holder's any more. */
const lockAtOnce: Record<string, string> = {
  lost_card: 'the bank reported this card lost',
  stolen_card: 'the bank reported this card stolen',
};

/** What people read for a method: "Visa •••• 4242", "Bank account •••• 6789". */
export function methodLabel(method: Pick<PaymentMethodRow, 'type' | 'brand' | 'last4'>): string {
  if (method.type === 'ach') return `Bank account •••• ${method.last4}`;
  return `${brandName(method.brand)} •••• ${method.last4}`;
}

const brandNames: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
};

/** A processor's brand code as people write it ("amex" → "American Express"). */
export function brandName(brand: string | null): string {
  if (!brand) return 'Card';
  return brandNames[brand] ?? brand.charAt(0).toUpperCase() + brand.slice(1);
}

/** "03/2026": how a card's expiry is written everywhere (forms, lists, refusals, emails). */
export function expiryLabel(method: Pick<PaymentMethodRow, 'expMonth' | 'expYear'>): string {
  return `${String(method.expMonth ?? 0).padStart(2, '0')}/${method.expYear ?? 0}`;
}

/**
 * True when a card's expiry month is before the business month of `today` (YYYY-MM-DD in the
 * MSP's time zone): a card is good through the last day of the month printed on it. Bank
 * accounts never expire.
 */
export function isExpired(
  method: Pick<PaymentMethodRow, 'type' | 'expMonth' | 'expYear'>,
  today: string,
): boolean {
  if (method.type !== 'card' || method.expMonth === null || method.expYear === null) return false;
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return method.expYear * 12 + method.expMonth < year * 12 + month;
}

/** The words for a method type turned off in Configuration > Billing. */
export function typeTurnedOff(type: PaymentMethodRow['type']): string {
  return type === 'card'
    ? 'Card payments are turned off'
    : 'Bank account (ACH) payments are turned off';
}

/** Whether the installation accepts this method type now (Configuration > Billing > Payments). */
export function typeEnabled(type: PaymentMethodRow['type'], settings: PaymentSettings): boolean {
  return type === 'card' ? settings.cardPaymentsEnabled : settings.achPaymentsEnabled;
}

/**
 * The organization's method, if it may be charged now; otherwise the refusal, with the reason in
 * words: 404 when the id is unknown or another organization's; 409 when it was removed, is
 * locked (with the lock's reason), is a card that expired ("The card expired in 03/2026"), its
 * type is turned off for the installation, or it was saved with another processor than the one
 * running (`gateway`). The 409s name `field` (default `paymentMethodId`).
 *
 * Reads without a row lock on purpose: the pay transaction locks the invoices, and a lock on
 * the method there would order against the answer's update of the method (deadlock). A removal
 * racing a payment is caught by the processor, which refuses a detached method.
 */
export async function chargeableMethod(
  tx: Transaction,
  options: {
    organizationId: string;
    methodId: string;
    /** The running gateway's name; a method saved with the other one cannot be charged. */
    gateway?: PaymentMethodRow['gateway'];
    /** Today in the MSP's time zone; read from the settings when absent. */
    today?: string;
    field?: string;
  },
): Promise<PaymentMethodRow> {
  const field = options.field ?? 'paymentMethodId';
  const [method] = await tx.db
    .select()
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.id, options.methodId),
        eq(paymentMethods.organizationId, options.organizationId),
      ),
    );
  if (!method) throw AppError.notFound('Payment method');
  const refuse = (message: string) => new AppError('conflict', message, [{ field, message }]);
  const name = `“${method.friendlyName}” (${methodLabel(method)})`;
  if (method.removedAt) {
    throw refuse(`The payment method ${name} was removed; choose another one`);
  }
  if (method.lockedAt) {
    throw refuse(
      `The payment method ${name} is locked: ${method.lockedReason ?? 'too many failed charges'}. ` +
        'Edit the method to unlock it, or ask us to unlock it',
    );
  }
  const today = options.today ?? (await businessToday(tx.client));
  if (isExpired(method, today)) {
    throw refuse(`The card expired in ${expiryLabel(method)}; edit its expiry or add another card`);
  }
  const settings = await getPaymentSettings(tx.db);
  if (!typeEnabled(method.type, settings)) {
    throw refuse(`${typeTurnedOff(method.type)}; choose another payment method`);
  }
  if (options.gateway && method.gateway !== options.gateway) {
    throw refuse(
      `The payment method ${name} was saved with another payment processor; add it again`,
    );
  }
  return method;
}

/**
 * A charge on the method failed (a decline, or an ACH return): one more failure in a row. The
 * method is locked when the count reaches Configuration > Billing's "lock after" (default 15),
 * or at once for a lost or stolen card, with a reason people read ("Locked after 15 failed
 * charges in a row", "Locked at once: the bank reported this card stolen"). Answers the lock
 * reason when this failure locked the method, else null. Call it in the transaction that records
 * the failure.
 */
export async function recordChargeFailure(
  tx: Transaction,
  methodId: string,
  failureCode: string | null,
): Promise<string | null> {
  const settings = await getPaymentSettings(tx.db);
  const immediate = failureCode ? lockAtOnce[failureCode] : undefined;
  const threshold = settings.methodLockAfterFailures;
  const thresholdReason = `Locked after ${threshold} failed charges in a row`;
  const reason = immediate ? `Locked at once: ${immediate}` : thresholdReason;
  const [row] = await tx.db
    .update(paymentMethods)
    .set({
      failedChargeCount: sql`${paymentMethods.failedChargeCount} + 1`,
      // An already locked method keeps the reason it was locked for.
      lockedAt: sql`CASE WHEN ${paymentMethods.lockedAt} IS NOT NULL THEN ${paymentMethods.lockedAt}
        WHEN ${immediate ? sql`TRUE` : sql`${paymentMethods.failedChargeCount} + 1 >= ${threshold}`}
        THEN now() END`,
      lockedReason: sql`CASE WHEN ${paymentMethods.lockedAt} IS NOT NULL THEN ${paymentMethods.lockedReason}
        WHEN ${immediate ? sql`TRUE` : sql`${paymentMethods.failedChargeCount} + 1 >= ${threshold}`}
        THEN ${reason}::text END`,
      updatedAt: sql`now()`,
    })
    .where(eq(paymentMethods.id, methodId))
    .returning({
      lockedReason: paymentMethods.lockedReason,
      newlyLocked: sql<boolean>`${paymentMethods.lockedAt} = now()`,
    });
  return row?.newlyLocked ? row.lockedReason : null;
}

/**
 * A charge on the method succeeded: the failures in a row start again from 0. A lock stays (only
 * staff's unlock or an edit lifts it). Call it in the transaction that records the success.
 */
export async function recordChargeSuccess(tx: Transaction, methodId: string): Promise<void> {
  await tx.db
    .update(paymentMethods)
    .set({ failedChargeCount: 0, updatedAt: sql`now()` })
    .where(and(eq(paymentMethods.id, methodId), sql`${paymentMethods.failedChargeCount} <> 0`));
}
