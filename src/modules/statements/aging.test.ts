import { describe, expect, it } from 'vitest';
import { daysPastDue } from '../invoices/invoice-math.js';
import { ageBalances, bucketFor } from './aging.js';

describe('receivables aging', () => {
  it('counts whole days past the due date', () => {
    expect(daysPastDue('2026-11-01', '2026-11-22')).toBe(21);
    expect(daysPastDue('2026-11-30', '2026-11-22')).toBe(-8);
  });

  it('puts each day count in the bucket an accountant expects', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91].map(bucketFor)).toEqual([
      'current',
      'days1to30',
      'days1to30',
      'days31to60',
      'days31to60',
      'days61to90',
      'days61to90',
      'over90',
    ]);
  });

  it('sums balances into buckets that add up to the total due', () => {
    const items = [
      { dueDate: '2026-12-01', balanceCents: 10_000 },
      { dueDate: '2026-11-10', balanceCents: 2_550 },
      { dueDate: '2026-09-01', balanceCents: 700 },
      { dueDate: '2026-01-15', balanceCents: 99 },
    ];
    const aging = ageBalances(items, '2026-11-22');
    expect(aging).toEqual({
      current: 10_000,
      days1to30: 2_550,
      days31to60: 0,
      days61to90: 700,
      over90: 99,
    });
    const total = Object.values(aging).reduce((a, b) => a + b, 0);
    expect(total).toBe(items.reduce((sum, i) => sum + i.balanceCents, 0));
  });
});
