/**
 * Money in the API is integer cents with a currency code. Everything here stays in integers
 * (BigInt where products can grow): no floating point touches a price or a total.
 */

const formatters = new Map<string, Intl.NumberFormat>();

/** "$1,250.00" for 125000 cents in USD; the invoice's own currency decides the symbol. */
export function formatMoney(cents: number, currency = 'USD'): string {
  let formatter = formatters.get(currency);
  if (!formatter) {
    try {
      formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      // An unknown code still shows the amount, with the code in front.
      formatter = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: 'USD',
        currencyDisplay: 'code',
      });
    }
    formatters.set(currency, formatter);
  }
  // Cents to units by string, so 0.1 + 0.2 never shows up in a total.
  return formatter.format(Number(centsToDecimal(cents)));
}

/** 125000 → "1250.00"; -5 → "-0.05". Exact for every safe integer. */
export function centsToDecimal(cents: number): string {
  const negative = cents < 0;
  const digits = String(Math.abs(Math.trunc(cents))).padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** 125000 → "1,250.00": what a price input shows for a stored price. */
export function centsToInput(cents: number): string {
  const [whole = '0', fraction = '00'] = centsToDecimal(cents).split('.');
  const negative = whole.startsWith('-');
  const grouped = (negative ? whole.slice(1) : whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${fraction}`;
}

/**
 * Parses what a person types as a price ("1,250.00", "$19.9", "-5", ".5") into integer cents,
 * by string arithmetic. Null when it is not a price or has more than two decimals.
 */
export function parseMoneyToCents(text: string): number | null {
  let value = text.trim().replace(/\s+/g, '');
  let negative = false;
  if (value.startsWith('-')) {
    negative = true;
    value = value.slice(1);
  }
  value = value.replace(/^\$/, '');
  if (value.startsWith('-') && !negative) {
    negative = true;
    value = value.slice(1);
  }
  // Thousands separators: only in the whole part, in groups of three.
  const match = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d{0,2}))?$/.exec(value);
  if (!match) return null;
  const whole = (match[1] ?? '').replace(/,/g, '');
  const fraction = match[2] ?? '';
  if (whole === '' && fraction === '') return null;
  // Past 13 digits cents stop being safe integers; no invoice line is that large.
  if (whole.replace(/^0+/, '').length > 13) return null;
  const cents = Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0'));
  return negative && cents !== 0 ? -cents : cents;
}

/**
 * A quantity as the API takes it: a decimal string with up to four decimals ("1", "2.5",
 * "0.0125"). Returns the normalized string and the quantity in ten-thousandths, or null.
 */
export function parseQuantity(text: string): { value: string; tenThousandths: bigint } | null {
  const value = text.trim().replace(/,/g, '');
  const match = /^(-?)(\d*)(?:\.(\d{0,4}))?$/.exec(value);
  if (!match) return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return null;
  if (whole.replace(/^0+/, '').length > 12) return null;
  const tenThousandths = BigInt(whole || '0') * 10_000n + BigInt(fraction.padEnd(4, '0'));
  const normalized =
    `${sign}${whole.replace(/^0+(?=\d)/, '') || '0'}` + (fraction ? `.${fraction}` : '');
  return { value: normalized, tenThousandths: sign ? -tenThousandths : tenThousandths };
}

/** n / d rounded half away from zero, for integers (d > 0). */
function divideRounded(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const rounded = (magnitude * 2n + d) / (d * 2n);
  return negative ? -rounded : rounded;
}

/** A line's amount: quantity × unit price, rounded half-up to the cent. */
export function lineAmountCents(quantityTenThousandths: bigint, unitPriceCents: number): number {
  return Number(divideRounded(quantityTenThousandths * BigInt(unitPriceCents), 10_000n));
}

/** Tax on a taxable amount at a rate in parts per million, rounded half-up to the cent. */
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
