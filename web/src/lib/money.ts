/**
 * Money in the API is integer minor units (cents, yen, fils: the currency's ISO 4217 digits)
 * with a currency code. Everything here stays in integers (BigInt where products can grow):
 * no floating point touches a price or a total.
 */

// Formatting and reading amounts and quantities is one rule shared with the server (CSV import,
// API, documents): a price typed here is read exactly as the same text in an imported file.
export {
  currencyDigits,
  formatMoney,
  formatQuantity,
  formatRate,
  minorToDecimal,
  minorToInput,
  parseAmount,
  parseQuantity,
  quantityToText,
  type Parsed,
} from '../../../src/shared/money';
// The currencies an organization may be billed in, with their ISO 4217 minor units.
export { offeredCurrencies, type Currency } from '../../../src/shared/currencies';

/** n / d rounded half away from zero, for integers (d > 0). */
function divideRounded(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const rounded = (magnitude * 2n + d) / (d * 2n);
  return negative ? -rounded : rounded;
}

/** A line's amount: quantity × unit price, rounded half-up to the minor unit. */
export function lineAmountCents(quantityTenThousandths: bigint, unitPriceCents: number): number {
  return Number(divideRounded(quantityTenThousandths * BigInt(unitPriceCents), 10_000n));
}

/** Tax on a taxable amount at a rate in parts per million, rounded half-up to the minor unit. */
export function taxCents(taxableCents: number, ratePpm: number): number {
  return Number(divideRounded(BigInt(taxableCents) * BigInt(ratePpm), 1_000_000n));
}

/** "1 day overdue", "12 days overdue". */
export function overdueLabel(days: number): string {
  return `${days} day${days === 1 ? '' : 's'} overdue`;
}
