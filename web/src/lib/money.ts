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
  minorToDecimal,
  minorToInput,
  parseAmount,
  parseQuantity,
  quantityToText,
  type Parsed,
} from '../../../src/shared/money';

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

/** 72500 ppm → "7.25%", by string arithmetic. */
export function formatRatePpm(ratePpm: number): string {
  const digits = String(Math.abs(ratePpm)).padStart(5, '0');
  const whole = digits.slice(0, -4);
  const fraction = digits.slice(-4).replace(/0+$/, '');
  return `${ratePpm < 0 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}%`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * "MM-DD-YYYY" for a calendar date ("2025-03-01"). Read from the string, not through Date,
 * so a due date never moves a day in a time zone west of UTC.
 */
export function formatDay(value: string | null | undefined, none = '—'): string {
  if (!value) return none;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return value;
  return `${match[2]}-${match[3]}-${match[1]}`;
}

/** Today's date in the browser's time zone, as "YYYY-MM-DD". */
export function todayIso(): string {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "YYYY-MM-DD" plus some days, in calendar arithmetic (UTC, so no daylight-saving drift). */
export function addDays(isoDate: string, days: number): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return null;
  date.setUTCDate(date.getUTCDate() + days);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** "1 day overdue", "12 days overdue". */
export function overdueLabel(days: number): string {
  return `${days} day${days === 1 ? '' : 's'} overdue`;
}
