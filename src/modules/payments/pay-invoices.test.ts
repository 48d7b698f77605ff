import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import type { LockedInvoice } from '../invoices/invoice-payments.js';
import { paymentTransition } from './charge-results.js';
import { checkAllocations } from './pay-invoices.js';

const invoice = (overrides: Partial<LockedInvoice> = {}): LockedInvoice => ({
  id: '00000000-0000-4000-8000-000000000001',
  number: 'INV-1',
  state: 'issued',
  currency: 'USD',
  totalCents: 10_000,
  balanceCents: 10_000,
  ...overrides,
});
const second = invoice({ id: '00000000-0000-4000-8000-000000000002', number: 'INV-2' });

/** The refusal checkAllocations throws: its status, the field it names and the message. */
function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return {
      status: error.status,
      field: error.fields[0]?.field,
      message: error.fields[0]?.message,
    };
  }
  throw new Error('no refusal');
}

describe('checkAllocations', () => {
  it('answers the currency and the total of amounts up to each balance', () => {
    expect(
      checkAllocations(
        [
          { invoiceId: invoice().id, amountCents: 10_000 },
          { invoiceId: second.id, amountCents: 2_550 },
        ],
        [invoice(), second],
      ),
    ).toEqual({ currency: 'USD', totalCents: 12_550 });
  });

  it('refuses 0, negative, over the balance and fractions of a cent, naming the field', () => {
    const one = (amountCents: number, inv = invoice()) =>
      refusal(() => checkAllocations([{ invoiceId: inv.id, amountCents }], [inv]));
    expect(one(0)).toEqual({
      status: 400,
      field: 'allocations.0.amountCents',
      message: 'must be more than 0',
    });
    expect(one(-5).message).toBe('cannot be negative');
    expect(one(10_001).message).toBe('is more than the balance of INV-1 ($100.00)');
    expect(one(100.5).message).toBe('has more decimals than USD has (2)');
    expect(one(1.5, invoice({ currency: 'JPY' })).message).toBe(
      'cannot have decimals: JPY has none',
    );
    expect(one(1, invoice({ balanceCents: 0 })).message).toBe('invoice INV-1 is already paid');
  });

  it('refuses an unknown or draft invoice (404), a void one (409), one listed twice, mixed currencies', () => {
    expect(
      refusal(() => checkAllocations([{ invoiceId: second.id, amountCents: 1 }], [invoice()]))
        .status,
    ).toBe(404);
    expect(
      refusal(() =>
        checkAllocations(
          [{ invoiceId: invoice().id, amountCents: 1 }],
          [invoice({ state: 'draft' })],
        ),
      ).status,
    ).toBe(404);
    expect(
      refusal(() =>
        checkAllocations(
          [{ invoiceId: invoice().id, amountCents: 1 }],
          [invoice({ state: 'void' })],
        ),
      ),
    ).toMatchObject({ status: 409, field: 'allocations.0.invoiceId' });
    expect(
      refusal(() =>
        checkAllocations(
          [
            { invoiceId: invoice().id, amountCents: 1 },
            { invoiceId: invoice().id, amountCents: 1 },
          ],
          [invoice()],
        ),
      ),
    ).toEqual({
      status: 400,
      field: 'allocations.1.invoiceId',
      message: 'lists the same invoice twice',
    });
    expect(
      refusal(() =>
        checkAllocations(
          [
            { invoiceId: invoice().id, amountCents: 1 },
            { invoiceId: second.id, amountCents: 1 },
          ],
          [invoice(), { ...second, currency: 'EUR' }],
        ),
      ).field,
    ).toBe('allocations.1.invoiceId');
  });
});

describe('paymentTransition', () => {
  it('moves a pending payment by the processor’s answer', () => {
    expect(paymentTransition('pending', 'succeeded')).toBe('succeed');
    expect(paymentTransition('pending', 'processing')).toBe('process');
    expect(paymentTransition('pending', 'failed')).toBe('fail');
  });

  it('settles or returns a processing (ACH) payment, and leaves it while it processes', () => {
    expect(paymentTransition('processing', 'succeeded')).toBe('settle');
    expect(paymentTransition('processing', 'failed')).toBe('return');
    expect(paymentTransition('processing', 'processing')).toBeNull();
  });

  it('never moves a final payment: an answer applied twice changes nothing', () => {
    for (const from of ['succeeded', 'failed', 'returned'] as const) {
      for (const answer of ['succeeded', 'processing', 'failed'] as const) {
        expect(paymentTransition(from, answer)).toBeNull();
      }
    }
  });

  it('keeps a charge that arrives after its payment was failed as never received', () => {
    expect(paymentTransition('failed', 'succeeded', 'not_reached')).toBe('recover');
    expect(paymentTransition('failed', 'processing', 'not_reached')).toBe('recover_processing');
    expect(paymentTransition('failed', 'failed', 'not_reached')).toBeNull();
    expect(paymentTransition('failed', 'succeeded', 'card_declined')).toBeNull();
  });
});
