/**
 * Invoice arithmetic, pure and in integers only: quantities in ten-thousandths (4 decimals),
 * money in cents, tax rates in parts per million. Every rounding is half-up to the cent.
 */

// Quantities and amounts are read by the rule the console shares (src/shared/money.ts).
export { maxQuantityTenThousandths, maxRatePpm } from '../../shared/money.js';
export { maxInvoiceTotalCents, maxUnitPriceCents } from '../../shared/invoice-limits.js';
export { isValidDate } from '../../shared/dates.js';
import { termDays, type InvoiceTerms } from '../../shared/contract/invoices.js';
export { invoiceTerms, termDays, type InvoiceTerms } from '../../shared/contract/invoices.js';
/**
 * value × numerator / denominator rounded half-up, for non-negative integers, exactly: the
 * value is split at the denominator so no intermediate product leaves the safe integer range.
 */
function mulDivHalfUp(value: number, numerator: number, denominator: number): number {
  const high = Math.floor(value / denominator);
  const low = value % denominator;
  const result = high * numerator + Math.floor((low * numerator + denominator / 2) / denominator);
  if (!Number.isSafeInteger(result)) throw new RangeError('amount is too large');
  return result;
}

/** A line's amount: quantity × unit price, rounded half-up to the cent. */
export function lineAmountCents(quantityTenThousandths: number, unitPriceCents: number): number {
  assertNonNegativeInteger(quantityTenThousandths, 'quantity');
  assertNonNegativeInteger(unitPriceCents, 'unit price');
  return mulDivHalfUp(quantityTenThousandths, unitPriceCents, 10_000);
}

/** Tax on a taxable subtotal at a rate in parts per million, rounded half-up to the cent. */
export function taxCents(taxableSubtotalCents: number, ratePpm: number): number {
  assertNonNegativeInteger(taxableSubtotalCents, 'taxable subtotal');
  assertNonNegativeInteger(ratePpm, 'tax rate');
  return mulDivHalfUp(taxableSubtotalCents, ratePpm, 1_000_000);
}

function assertNonNegativeInteger(value: number, what: string) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer`);
  }
}

export interface LineInput {
  quantityTenThousandths: number;
  unitPriceCents: number;
  taxable: boolean;
}

export interface InvoiceTotals {
  lineAmounts: number[];
  subtotalCents: number;
  taxableSubtotalCents: number;
  taxCents: number;
  totalCents: number;
}

/** Every number of an invoice from its lines and tax rate: subtotal + tax = total. */
export function invoiceTotals(lines: LineInput[], ratePpm: number): InvoiceTotals {
  const lineAmounts = lines.map((l) => lineAmountCents(l.quantityTenThousandths, l.unitPriceCents));
  let subtotalCents = 0;
  let taxableSubtotalCents = 0;
  lineAmounts.forEach((amount, i) => {
    subtotalCents += amount;
    if (lines[i]!.taxable) taxableSubtotalCents += amount;
  });
  const tax = taxCents(taxableSubtotalCents, ratePpm);
  const totalCents = subtotalCents + tax;
  if (!Number.isSafeInteger(totalCents)) throw new RangeError('amount is too large');
  return { lineAmounts, subtotalCents, taxableSubtotalCents, taxCents: tax, totalCents };
}

import { type InvoiceStatus } from '../../shared/invoice-status.js';

export { invoiceStatus, invoiceStatuses, type InvoiceStatus } from '../../shared/invoice-status.js';

/**
 * The same rule in SQL over an invoices row aliased `alias`, one condition per status, so a
 * status filter is a predicate on columns (the open one matches the partial index).
 */
export function statusCondition(status: InvoiceStatus, alias = 'i'): string {
  const a = alias;
  switch (status) {
    case 'draft':
      return `${a}.state = 'draft'`;
    case 'void':
      return `${a}.state = 'void'`;
    case 'paid':
      return `${a}.state = 'issued' AND ${a}.total_cents <= ${a}.amount_paid_cents`;
    case 'partially_paid':
      return `${a}.state = 'issued' AND ${a}.total_cents > ${a}.amount_paid_cents AND ${a}.amount_paid_cents > 0`;
    case 'open':
      return `${a}.state = 'issued' AND ${a}.total_cents > ${a}.amount_paid_cents AND ${a}.amount_paid_cents = 0`;
  }
}

/**
 * "Open as of a date", the one definition every balance uses (statement, aging, portal tiles
 * and list, staff overdue list, Invoice Due notices): issued (neither draft nor void), a
 * balance above zero, and issued on or before the date, so an invoice dated tomorrow is owed
 * from tomorrow on everywhere at once. `asOf` is SQL giving a date: a parameter such as `$2`
 * or a column. The first two terms are the predicate of the open-invoice partial indexes.
 */
export function openAsOfCondition(asOf: string, alias = 'i'): string {
  const a = alias;
  return `${a}.state = 'issued' AND ${a}.total_cents > ${a}.amount_paid_cents AND ${a}.issue_date <= ${asOf}::date`;
}

export function statusSql(alias = 'i'): string {
  const a = alias;
  return `CASE WHEN ${a}.state = 'draft' THEN 'draft' WHEN ${a}.state = 'void' THEN 'void'
    WHEN ${a}.total_cents <= ${a}.amount_paid_cents THEN 'paid'
    WHEN ${a}.amount_paid_cents > 0 THEN 'partially_paid' ELSE 'open' END`;
}

const dayMs = 24 * 60 * 60 * 1000;
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
}

/** Whole days past the due date as of today; 0 when not yet due. */
export function daysOverdue(dueDate: string, today: string): number {
  const days = Math.round(
    (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / dayMs,
  );
  return Math.max(0, days);
}

/** The due date: as given, or the issue date plus the terms' days. */
export function dueDateFor(issueDate: string, terms: InvoiceTerms, dueDate?: string): string {
  return dueDate ?? addDays(issueDate, termDays[terms]);
}

/**
 * Whole days from an ISO due date (YYYY-MM-DD) to the ISO date `asOf`; negative or zero is not
 * yet past due. Invoice Due notices and the statements' aging count days with it.
 */
export function daysPastDue(dueDate: string, asOf: string): number {
  return Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / dayMs);
}
