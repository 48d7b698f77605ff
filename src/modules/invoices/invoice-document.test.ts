import { describe, expect, it } from 'vitest';
import { escapeHtml, formatQuantity, formatRate, invoiceStatus } from './invoice-document.js';

describe('invoice document formatting', () => {
  it('shows quantities with at most 4 decimals, trailing zeros trimmed', () => {
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
    expect([72_500, 88_750, 70_000, 0].map(formatRate)).toEqual(['7.25%', '8.875%', '7%', '0%']);
  });

  it('reads the status from the state and the numbers', () => {
    const issued = { state: 'issued' as const, amountPaidCents: 0, balanceCents: 100 };
    expect(invoiceStatus({ ...issued, state: 'draft' })).toBe('Draft');
    expect(invoiceStatus({ ...issued, state: 'void' })).toBe('Void');
    expect(invoiceStatus(issued)).toBe('Open');
    expect(invoiceStatus({ ...issued, amountPaidCents: 50, balanceCents: 50 })).toBe(
      'Partially paid',
    );
    expect(invoiceStatus({ ...issued, amountPaidCents: 100, balanceCents: 0 })).toBe('Paid');
  });

  it('escapes every character HTML treats specially', () => {
    expect(escapeHtml(`<a href="x">Tom's & Co</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Co&lt;/a&gt;',
    );
  });
});
