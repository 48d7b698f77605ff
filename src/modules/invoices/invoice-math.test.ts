import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  daysOverdue,
  dueDateFor,
  invoiceStatus,
  invoiceTotals,
  isValidDate,
  lineAmountCents,
  maxQuantityTenThousandths,
  maxRatePpm,
  maxUnitPriceCents,
  taxCents,
} from './invoice-math.js';
import {
  formatRatePercent,
  parseQuantity,
  parseRatePercent,
  quantityToText,
} from '../../shared/money.js';

/** A quantity known to be valid, in ten-thousandths. */
function units(text: string): number {
  const parsed = parseQuantity(text);
  if (!parsed.ok) throw new Error(`${text} ${parsed.message}`);
  return parsed.value;
}

/** Half-up division of non-negative BigInts: the reference the integer code must match. */
function halfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

const quantity = fc.integer({ min: 0, max: maxQuantityTenThousandths });
const unitPrice = fc.integer({ min: 0, max: maxUnitPriceCents });
const ratePpm = fc.integer({ min: 0, max: maxRatePpm });
const line = fc.record({
  quantityTenThousandths: quantity,
  unitPriceCents: unitPrice,
  taxable: fc.boolean(),
});

describe('invoice arithmetic', () => {
  it('rounds a line amount half-up exactly as a BigInt reference does', () => {
    fc.assert(
      fc.property(quantity, unitPrice, (q, price) => {
        const expected = halfUp(BigInt(q) * BigInt(price), 10_000n);
        expect(BigInt(lineAmountCents(q, price))).toBe(expected);
      }),
    );
  });

  it('rounds tax half-up exactly as a BigInt reference does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000_000_000 }), ratePpm, (subtotal, rate) => {
        expect(BigInt(taxCents(subtotal, rate))).toBe(
          halfUp(BigInt(subtotal) * BigInt(rate), 1_000_000n),
        );
      }),
    );
  });

  it('adds up: lines sum to the subtotal, subtotal plus tax is the total, nothing negative', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 50 }), ratePpm, (lines, rate) => {
        const totals = invoiceTotals(lines, rate);
        const sum = totals.lineAmounts.reduce((a, b) => a + b, 0);
        expect(totals.subtotalCents).toBe(sum);
        expect(totals.subtotalCents + totals.taxCents).toBe(totals.totalCents);
        expect(totals.taxableSubtotalCents).toBeLessThanOrEqual(totals.subtotalCents);
        for (const amount of [...totals.lineAmounts, totals.taxCents, totals.totalCents]) {
          expect(amount).toBeGreaterThanOrEqual(0);
          expect(Number.isSafeInteger(amount)).toBe(true);
        }
        const taxable = lines.reduce(
          (acc, l, i) => acc + (l.taxable ? BigInt(totals.lineAmounts[i]!) : 0n),
          0n,
        );
        expect(BigInt(totals.taxCents)).toBe(halfUp(taxable * BigInt(rate), 1_000_000n));
      }),
    );
  });

  it('rounds the examples a person checks by hand', () => {
    expect(lineAmountCents(units('1.5'), 333)).toBe(500); // 499.5 → 500
    expect(lineAmountCents(units('0.0001'), 4999)).toBe(0); // 0.4999 → 0
    expect(lineAmountCents(units('0.0001'), 5000)).toBe(1); // 0.5 → 1
    expect(lineAmountCents(units('3'), 125000)).toBe(375000);
    expect(taxCents(1000, 72_500)).toBe(73); // 72.5 → 73
    expect(taxCents(999, 72_500)).toBe(72); // 72.4275 → 72
    const totals = invoiceTotals(
      [
        { quantityTenThousandths: 20_000, unitPriceCents: 12_500, taxable: true },
        { quantityTenThousandths: 10_000, unitPriceCents: 5_000, taxable: false },
      ],
      72_500,
    );
    expect(totals).toMatchObject({ subtotalCents: 30_000, taxCents: 1_813, totalCents: 31_813 });
  });

  it('round-trips quantities through parse and format', () => {
    fc.assert(
      fc.property(quantity, (q) => {
        expect(units(quantityToText(q))).toBe(q);
      }),
    );
    fc.assert(
      fc.property(ratePpm, (ppm) => {
        expect(parseRatePercent(formatRatePercent(ppm))).toBe(ppm);
      }),
    );
  });

  it('formats quantities and reads and formats tax rates', () => {
    expect(quantityToText(15_000)).toBe('1.5');
    expect(parseRatePercent('7.25')).toBe(72_500);
    expect(parseRatePercent('100.0001')).toBeNull();
    expect(formatRatePercent(88_750)).toBe('8.875');
    expect(formatRatePercent(70_000)).toBe('7.00');
  });

  it('derives the status from the state and the numbers', () => {
    expect(invoiceStatus({ state: 'draft', totalCents: 100, amountPaidCents: 0 })).toBe('draft');
    expect(invoiceStatus({ state: 'void', totalCents: 100, amountPaidCents: 0 })).toBe('void');
    expect(invoiceStatus({ state: 'issued', totalCents: 100, amountPaidCents: 0 })).toBe('open');
    expect(invoiceStatus({ state: 'issued', totalCents: 100, amountPaidCents: 40 })).toBe(
      'partially_paid',
    );
    expect(invoiceStatus({ state: 'issued', totalCents: 100, amountPaidCents: 100 })).toBe('paid');
    expect(invoiceStatus({ state: 'issued', totalCents: 0, amountPaidCents: 0 })).toBe('paid');
  });

  it('computes due dates from terms and days overdue', () => {
    expect(dueDateFor('2024-01-31', 'Net 30')).toBe('2024-03-01');
    expect(dueDateFor('2024-01-31', 'Due on receipt')).toBe('2024-01-31');
    expect(dueDateFor('2024-01-31', 'Net 30', '2024-02-05')).toBe('2024-02-05');
    expect(daysOverdue('2024-03-01', '2024-03-11')).toBe(10);
    expect(daysOverdue('2024-03-01', '2024-02-11')).toBe(0);
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2023-02-29')).toBe(false);
    expect(isValidDate('2024-1-01')).toBe(false);
  });
});
