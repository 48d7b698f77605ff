import { describe, expect, it } from 'vitest';
import { escapeHtml } from './invoice-document.js';
import { invoiceStatus, invoiceStatusLabels } from '../../shared/invoice-status.js';

// Quantities and rates on a document are formatted by src/shared/money.ts (its tests).
describe('invoice document formatting', () => {
  it('reads the status from the state and the numbers', () => {
    const issued = {
      state: 'issued' as 'draft' | 'issued' | 'void',
      amountPaidCents: 0,
      totalCents: 100,
    };
    const label = (invoice: Parameters<typeof invoiceStatus>[0]) =>
      invoiceStatusLabels[invoiceStatus(invoice)];
    expect(label({ ...issued, state: 'draft' })).toBe('Draft');
    expect(label({ ...issued, state: 'void' })).toBe('Void');
    expect(label(issued)).toBe('Open');
    expect(label({ ...issued, amountPaidCents: 50 })).toBe('Partially paid');
    expect(label({ ...issued, amountPaidCents: 100 })).toBe('Paid');
  });

  it('escapes every character HTML treats specially', () => {
    expect(escapeHtml(`<a href="x">Tom's & Co</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Co&lt;/a&gt;',
    );
  });
});
