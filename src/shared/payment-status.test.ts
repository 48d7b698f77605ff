import { describe, expect, it } from 'vitest';
import { paymentStatusLabel } from './contract/payments.js';

describe('paymentStatusLabel', () => {
  it('names a completed payment by what was refunded of it', () => {
    expect(paymentStatusLabel({ status: 'succeeded', amountCents: 5_000, refundedCents: 0 })).toBe(
      'Paid',
    );
    expect(
      paymentStatusLabel({ status: 'succeeded', amountCents: 5_000, refundedCents: 1_500 }),
    ).toBe('Partly refunded');
    expect(
      paymentStatusLabel({ status: 'succeeded', amountCents: 5_000, refundedCents: 5_000 }),
    ).toBe('Refunded');
  });

  it('reads every other status by its label', () => {
    expect(paymentStatusLabel({ status: 'returned', amountCents: 5_000, refundedCents: 0 })).toBe(
      'Returned',
    );
    expect(paymentStatusLabel({ status: 'failed', amountCents: 5_000, refundedCents: 0 })).toBe(
      'Failed',
    );
  });
});
