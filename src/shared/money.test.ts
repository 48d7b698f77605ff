import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  currencyDigits,
  formatMoney,
  formatQuantity,
  formatRate,
  formatRatePercent,
  maxQuantityTenThousandths,
  maxRatePpm,
  minorToDecimal,
  minorToInput,
  parseAmount,
  parseQuantity,
  parseRatePercent,
  quantityToText,
  type Parsed,
} from './money.js';
import { isOfferedCurrency, offeredCurrencies } from './currencies.js';

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

const messageOf = (parsed: Parsed<unknown>) => (parsed.ok ? null : parsed.message);

// One currency of each minor unit: none, cents, thousandths, ten-thousandths.
const currencies = ['JPY', 'USD', 'EUR', 'KWD', 'BHD', 'CLF'] as const;
const currency = fc.constantFrom(...currencies);
const minor = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** The BigInt reference reading of a plain "whole.fraction" string in `digits` digits. */
function reference(whole: string, fraction: string, digits: number): bigint {
  return BigInt(whole || '0') * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
}

describe('currency digits', () => {
  it('come from ISO 4217: JPY none, USD two, KWD and BHD three', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('KWD')).toBe(3);
    expect(currencyDigits('BHD')).toBe(3);
  });

  it('are ISO 4217’s, whatever the runtime’s Intl data says', () => {
    // ISO 4217 list one, column "Minor unit". Node 20 and Chromium 138 disagree on the first
    // four; both get IQD and LBP wrong.
    const iso = { HUF: 2, COP: 2, IDR: 2, PKR: 2, RSD: 2, IQD: 3, LBP: 2, JPY: 0, KWD: 3 };
    for (const [code, digits] of Object.entries(iso)) {
      expect(currencyDigits(code), code).toBe(digits);
      expect(isOfferedCurrency(code), code).toBe(true);
    }
    // A unit of account, not money an invoice is paid in: not offered, but read in its digits.
    expect(isOfferedCurrency('CLF')).toBe(false);
    expect(currencyDigits('CLF')).toBe(4);
  });

  it('show every offered currency in exactly its ISO digits', () => {
    for (const { code, digits } of offeredCurrencies) {
      const shown = formatMoney(123_456_789, code);
      const decimals = /\d(?:\.(\d+))?(?:\D*)$/.exec(shown)?.[1] ?? '';
      expect(decimals.length, `${code}: ${shown}`).toBe(digits);
      expect(valueOf(parseAmount(shown, code)), code).toBe(123_456_789);
    }
    expect(formatMoney(125_000, 'HUF').replace(/\s/g, ' ')).toBe('HUF 1,250.00');
    expect(formatMoney(1_250_000, 'IQD').replace(/\s/g, ' ')).toBe('IQD 1,250.000');
  });

  it('format minor units in each currency’s own digits', () => {
    expect(formatMoney(150, 'JPY')).toBe('¥150');
    expect(formatMoney(150, 'USD')).toBe('$1.50');
    expect(formatMoney(1500, 'KWD')).toBe('KWD\u00a01.500');
    expect(formatMoney(125_000, 'EUR')).toBe('€1,250.00');
    expect(formatMoney(-5, 'USD')).toBe('-$0.05');
    expect(minorToInput(1_234_567, 'JPY')).toBe('1,234,567');
    expect(minorToInput(1_234_567, 'KWD')).toBe('1,234.567');
    expect(minorToDecimal(7, 'BHD')).toBe('0.007');
  });

  it('format exactly, even past what a float holds in cents', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('$90,071,992,547,409.91');
  });
});

describe('reading a typed amount', () => {
  it('reads what the console and the import are given', () => {
    expect(valueOf(parseAmount('1,234.56', 'USD'))).toBe(123_456);
    expect(valueOf(parseAmount('$1,234.56', 'USD'))).toBe(123_456);
    expect(valueOf(parseAmount('.5', 'USD'))).toBe(50);
    expect(valueOf(parseAmount(' 1250 ', 'USD'))).toBe(125_000);
    expect(valueOf(parseAmount('1,234.56 USD', 'USD'))).toBe(123_456);
    expect(valueOf(parseAmount('150', 'JPY'))).toBe(150);
    expect(valueOf(parseAmount('¥1,500', 'JPY'))).toBe(1500);
    expect(valueOf(parseAmount('1.5', 'KWD'))).toBe(1500);
    expect(valueOf(parseAmount('€3.5', 'EUR'))).toBe(350);
  });

  it('says why it refuses one', () => {
    expect(messageOf(parseAmount('-1', 'USD'))).toBe('must not be negative');
    expect(messageOf(parseAmount('$-1', 'USD'))).toBe('must not be negative');
    expect(messageOf(parseAmount('(12.00)', 'USD'))).toBe('must not be negative');
    expect(messageOf(parseAmount('1.234,56', 'USD'))).toMatch(/comma as its decimal mark/);
    expect(messageOf(parseAmount('12,5', 'USD'))).toMatch(/comma as its decimal mark/);
    expect(messageOf(parseAmount('1.999', 'USD'))).toBe('must have at most 2 decimals');
    expect(messageOf(parseAmount('1.5', 'JPY'))).toBe('must be a whole number, such as 1,250');
    expect(messageOf(parseAmount('1.2345', 'KWD'))).toBe('must have at most 3 decimals');
    expect(messageOf(parseAmount('', 'USD'))).toBe('is required');
    expect(messageOf(parseAmount('€5', 'USD'))).toBe('must be an amount in USD such as 1,250.00');
    for (const bad of ['ten', '1e3', '1,23,456', '1..2', '$', '.', '1 2', 'NaN', '0x10']) {
      expect(parseAmount(bad, 'USD').ok, bad).toBe(false);
    }
    expect(messageOf(parseAmount('100.01', 'USD', { max: 10_000 }))).toBe('must be at most 100.00');
  });

  it('reads back every amount it shows, in every currency, grouped or not, with its symbol', () => {
    fc.assert(
      fc.property(minor, currency, (n, code) => {
        expect(valueOf(parseAmount(minorToDecimal(n, code), code))).toBe(n);
        expect(valueOf(parseAmount(minorToInput(n, code), code))).toBe(n);
        expect(valueOf(parseAmount(formatMoney(n, code), code))).toBe(n);
      }),
    );
  });

  it('agrees with a BigInt reading on any plain decimal, and refuses extra decimals', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{0,15}$/),
        fc.stringMatching(/^\d{0,5}$/),
        currency,
        (whole, fraction, code) => {
          fc.pre(whole !== '' || fraction !== '');
          const digits = currencyDigits(code);
          const parsed = parseAmount(fraction ? `${whole}.${fraction}` : whole, code);
          const expected = reference(whole, fraction, digits);
          if (fraction.length > digits || expected > BigInt(Number.MAX_SAFE_INTEGER)) {
            expect(parsed.ok).toBe(false);
          } else {
            expect(BigInt(valueOf(parsed))).toBe(expected);
          }
        },
      ),
    );
  });

  it('never takes a negative amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), currency, (n, code) => {
        expect(messageOf(parseAmount(`-${minorToInput(n, code)}`, code))).toBe(
          'must not be negative',
        );
      }),
    );
  });
});

describe('reading a typed quantity', () => {
  it('reads quantities as amounts are read, to 4 decimals', () => {
    expect(valueOf(parseQuantity('2'))).toBe(20_000);
    expect(valueOf(parseQuantity('.5'))).toBe(5_000);
    expect(valueOf(parseQuantity('1,000'))).toBe(10_000_000);
    expect(valueOf(parseQuantity('0.0001'))).toBe(1);
    expect(valueOf(parseQuantity('1.'))).toBe(10_000);
    expect(messageOf(parseQuantity('-1'))).toBe('must not be negative');
    expect(messageOf(parseQuantity('1.23456'))).toBe('must have at most 4 decimals');
    expect(messageOf(parseQuantity('1,5'))).toMatch(/comma as its decimal mark/);
    expect(messageOf(parseQuantity('1000000.0001'))).toBe('must be at most 1,000,000');
    for (const bad of ['abc', '', '1e3', '+1', 'NaN', '$1']) {
      expect(parseQuantity(bad).ok, bad).toBe(false);
    }
  });

  it('round-trips every quantity through its text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: maxQuantityTenThousandths }), (q) => {
        expect(valueOf(parseQuantity(quantityToText(q)))).toBe(q);
      }),
    );
  });
});

describe('quantities and tax rates as people read them', () => {
  it('shows quantities with at most 4 decimals, trailing zeros trimmed, thousands grouped', () => {
    expect([10_000, 15_000, 21_250, 1, 12_345_678, 0, -5_000].map(formatQuantity)).toEqual([
      '1',
      '1.5',
      '2.125',
      '0.0001',
      '1,234.5678',
      '0',
      '-0.5',
    ]);
  });

  it('shows tax rates in parts per million as percentages', () => {
    expect([72_500, 88_750, 70_000, 0, 1_000_000].map(formatRate)).toEqual([
      '7.25%',
      '8.875%',
      '7%',
      '0%',
      '100%',
    ]);
  });

  it('writes a rate for its percentage box with at least 2 decimals, and reads it back', () => {
    expect([72_500, 88_750, 70_000, 0, 1].map(formatRatePercent)).toEqual([
      '7.25',
      '8.875',
      '7.00',
      '0.00',
      '0.0001',
    ]);
    expect(parseRatePercent('7.25')).toBe(72_500);
    expect(parseRatePercent(' 100 ')).toBe(1_000_000);
    for (const refused of ['100.0001', '-1', '7.25%', '7,25', '.5', '1.23456', '']) {
      expect(parseRatePercent(refused), refused).toBeNull();
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: maxRatePpm }), (ppm) => {
        expect(parseRatePercent(formatRatePercent(ppm))).toBe(ppm);
      }),
    );
  });
});
