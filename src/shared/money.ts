/**
 * Money and quantities as people type and read them, one rule for the whole product: the API,
 * the CSV import, documents and emails on the server, and the console and portal in the
 * browser (web/ imports this file; Vite bundles it). Pure: no I/O, no floating point on an
 * amount; its one import is the currency table, itself pure data.
 *
 * An amount is an integer number of its currency's minor units: cents for USD, yen for JPY
 * (which has none), fils for KWD (three digits). How many digits a currency has comes from
 * the ISO 4217 table in currencies.ts, never from a hard-coded 100 nor from the runtime's
 * Intl, whose data differs between Node and browsers (docs/decisions/0022). Intl only
 * supplies symbols and grouping.
 *
 * Typed amounts are read the en-US way: a period is the decimal mark, commas may group the
 * whole part in threes ("1,234.56"). "1.234,56" is refused with a message that says why,
 * rather than guessed at (docs/decisions: amounts are read one way).
 */

import { minorUnitDigits, showsCurrencyCode } from './currencies.js';

/** The largest quantity a line takes: one million units, in ten-thousandths. */
export const maxQuantityTenThousandths = 1_000_000 * 10_000;

/** What a parse answers: the value, or the reason it is not one (to follow a field name). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * The formatter for `currency`. Intl gives only the symbol and the grouping: the digits are
 * pinned to ISO 4217's (minimum = maximum), so Node and every browser print the same string
 * whatever their own data says a currency's digits are; a currency whose symbol runtimes
 * disagree on is written with its code (currencies.ts, `showCode`).
 */
function currencyFormatter(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency);
  if (!formatter) {
    const digits = currencyDigits(currency);
    const fixed = { minimumFractionDigits: digits, maximumFractionDigits: digits };
    try {
      formatter = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        ...(showsCurrencyCode(currency) ? { currencyDisplay: 'code' as const } : {}),
        ...fixed,
      });
    } catch {
      // A code Intl does not know still shows the amount, with the code in front.
      formatter = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: 'XXX',
        currencyDisplay: 'code',
        ...fixed,
      });
    }
    formatters.set(currency, formatter);
  }
  return formatter;
}

/**
 * The number of minor-unit digits of a currency, from ISO 4217 (src/shared/currencies.ts),
 * never from the runtime's Intl: USD 2, JPY 0, KWD 3, HUF 2, IQD 3, CLF 4.
 */
export function currencyDigits(currency: string): number {
  return minorUnitDigits(currency);
}

/** Integer `units` scaled down by 10^digits as a plain decimal string: (-5, 2) → "-0.05". */
function scaledToDecimal(units: number, digits: number): string {
  const negative = units < 0;
  const text = String(Math.abs(Math.trunc(units))).padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  const fraction = digits ? `.${text.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

const group = (whole: string) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Minor units as a decimal string in the currency's own digits, exact for every safe integer:
 * 150 USD → "1.50", 150 JPY → "150", 1500 KWD → "1.500", -5 USD → "-0.05".
 */
export function minorToDecimal(minor: number, currency: string): string {
  return scaledToDecimal(minor, currencyDigits(currency));
}

/** What an amount input shows for a stored amount: 125000 USD → "1,250.00", 1250 JPY → "1,250". */
export function minorToInput(minor: number, currency: string): string {
  const [whole = '0', fraction] = minorToDecimal(minor, currency).split('.');
  const negative = whole.startsWith('-');
  const grouped = group(negative ? whole.slice(1) : whole);
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/**
 * An amount for people to read, with the currency's symbol and digits: 150 USD → "$1.50",
 * 150 JPY → "¥150", 1500 KWD → "KWD 1.500". Exact: Intl is given the decimal string.
 */
export function formatMoney(minor: number, currency = 'USD'): string {
  const formatter = currencyFormatter(currency);
  const text = formatter.format(minorToDecimal(minor, currency) as `${number}`);
  // An unknown code was formatted as XXX; name the code the amount really is in.
  return formatter.resolvedOptions().currency === currency ? text : text.replace('XXX', currency);
}

/** The ways an amount in `currency` may be marked: "$", "US$", "¥", "KWD", "USD". */
function currencyMarks(currency: string): string[] {
  const marks = new Set<string>([currency]);
  for (const currencyDisplay of ['symbol', 'narrowSymbol'] as const) {
    try {
      const parts = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        currencyDisplay,
      }).formatToParts(1);
      const mark = parts.find((p) => p.type === 'currency')?.value;
      if (mark) marks.add(mark);
    } catch {
      // Unknown code: only the code itself marks it.
    }
  }
  // Longest first, so "US$" is taken whole rather than as "U" followed by junk.
  return [...marks].sort((a, b) => b.length - a.length);
}

const minusSigns = /^[-\u2212]/;

/**
 * The one reading of a typed decimal: optional currency mark before or after, a minus refused
 * as negative, commas only in groups of three in the whole part, a period before at most
 * `digits` decimals. Answers the value scaled by 10^digits, as a BigInt.
 */
function parseScaled(
  input: string,
  options: { digits: number; marks: string[]; what: string; example: string },
): Parsed<bigint> {
  let text = input.trim();
  if (text === '') return { ok: false, message: 'is required' };
  const notA = {
    ok: false as const,
    message: `must be ${options.what} such as ${options.example}`,
  };
  let negative = false;
  const takeSign = () => {
    if (minusSigns.test(text)) {
      negative = true;
      text = text.slice(1).trim();
    }
  };
  takeSign();
  // Accounting brackets are a negative amount too: "(12.00)".
  if (text.startsWith('(') && text.endsWith(')')) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  for (const mark of options.marks) {
    if (text.startsWith(mark)) {
      text = text.slice(mark.length).trim();
      break;
    }
    if (text.endsWith(mark)) {
      text = text.slice(0, -mark.length).trim();
      break;
    }
  }
  takeSign();
  if (negative) return { ok: false, message: 'must not be negative' };

  // A comma then one, two or four-plus digits at the end is a decimal comma ("1.234,56",
  // "12,5"); a group of exactly three ("1,234") is a thousands separator.
  if (/^[\d.]*\d,(\d{1,2}|\d{4,})$/.test(text)) {
    return {
      ok: false,
      message:
        'has a comma as its decimal mark; write it with a period for decimals ' +
        `and commas only between thousands, such as ${options.example}`,
    };
  }
  const match = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return notA;
  const whole = (match[1] ?? '').replace(/,/g, '');
  const fraction = match[2] ?? '';
  if (whole === '' && fraction === '') return notA;
  if (fraction.length > options.digits) {
    return {
      ok: false,
      message:
        options.digits === 0
          ? `must be a whole number, such as ${options.example}`
          : `must have at most ${options.digits} decimals`,
    };
  }
  return {
    ok: true,
    value:
      BigInt(whole || '0') * 10n ** BigInt(options.digits) +
      BigInt(fraction.padEnd(options.digits, '0') || '0'),
  };
}

/**
 * Reads an amount typed in `currency` ("1,234.56", "$1,234.56", ".5", "1250") into minor
 * units: "150" JPY → 150, "1.5" USD → 150, "1.5" KWD → 1500. Refuses, with the reason:
 * a negative amount, more decimals than the currency has, a decimal comma, another
 * currency's symbol, anything above `max` minor units (default: the largest safe integer).
 */
export function parseAmount(
  text: string,
  currency: string,
  options: { max?: number } = {},
): Parsed<number> {
  const digits = currencyDigits(currency);
  const parsed = parseScaled(text, {
    digits,
    marks: currencyMarks(currency),
    what: `an amount in ${currency}`,
    example: minorToInput(1250 * 10 ** digits, currency),
  });
  if (!parsed.ok) return parsed;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (parsed.value > BigInt(max)) {
    return { ok: false, message: `must be at most ${minorToInput(max, currency)}` };
  }
  return { ok: true, value: Number(parsed.value) };
}

/**
 * Reads a line quantity ("2", "1.5", ".5", "1,000", "0.0001") into ten-thousandths, the same
 * way as an amount: up to 4 decimals, not negative, at most one million.
 */
export function parseQuantity(text: string): Parsed<number> {
  const parsed = parseScaled(text, {
    digits: 4,
    marks: [],
    what: 'a number',
    example: '1.5 (up to 4 decimals)',
  });
  if (!parsed.ok) return parsed;
  if (parsed.value > BigInt(maxQuantityTenThousandths)) {
    return { ok: false, message: 'must be at most 1,000,000' };
  }
  return { ok: true, value: Number(parsed.value) };
}

/** Ten-thousandths as the shortest decimal string: 15000 → "1.5", 20000 → "2". */
export function quantityToText(tenThousandths: number): string {
  return scaledToDecimal(tenThousandths, 4).replace(/\.?0+$/, '');
}

/**
 * A quantity for people to read (documents, emails): up to 4 decimals, trailing zeros trimmed,
 * the whole part grouped in threes: 15000 → "1.5", 12_345_678 → "1,234.5678". What a quantity
 * box shows and the API answers is quantityToText, which reads back the same.
 */
export function formatQuantity(tenThousandths: number): string {
  const [whole = '0', fraction] = quantityToText(tenThousandths).split('.');
  const negative = whole.startsWith('-');
  const grouped = group(negative ? whole.slice(1) : whole);
  return `${negative ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** 100 % in parts per million: the largest tax rate. */
export const maxRatePpm = 1_000_000;

/**
 * A tax rate in parts per million as a percentage to read, trailing zeros trimmed: 72_500 →
 * "7.25%", 88_750 → "8.875%", 70_000 → "7%" (documents, the console, the portal).
 */
export function formatRate(ppm: number): string {
  return `${scaledToDecimal(ppm, 4).replace(/\.?0+$/, '')}%`;
}

/**
 * A tax rate as its percentage box shows it, with at least 2 decimals: 72_500 → "7.25",
 * 88_750 → "8.875", 70_000 → "7.00" (the API's `ratePercent`). One ten-thousandth of a
 * percent is one part per million.
 */
export function formatRatePercent(ppm: number): string {
  const [whole = '0', fraction = ''] = scaledToDecimal(ppm, 4).split('.');
  let kept = fraction;
  while (kept.length > 2 && kept.endsWith('0')) kept = kept.slice(0, -1);
  return `${whole}.${kept}`;
}

/**
 * Reads a percentage typed for a tax rate ("7.25": digits, then at most 4 decimals; 0 to 100)
 * into parts per million (72_500); null for anything else (a sign, a comma, more decimals).
 */
export function parseRatePercent(text: string): number | null {
  const match = /^(\d{1,12})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!match) return null;
  const ppm = Number(match[1]) * 10_000 + Number((match[2] ?? '').padEnd(4, '0'));
  return Number.isSafeInteger(ppm) && ppm <= maxRatePpm ? ppm : null;
}
