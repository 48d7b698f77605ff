import { describe, expect, it } from 'vitest';
import {
  addDays,
  afterFailure,
  autopayRequestKey,
  isHardDecline,
  nextTry,
} from './autopay-retry.js';

const policy = { retries: 3, daysBetween: 3 };

describe('AutoPay retry policy', () => {
  it('retries a soft decline 3 days later, up to 3 more tries, then gives up', () => {
    const tries = [1, 2, 3, 4].map((tryNumber) =>
      afterFailure({ failureCode: 'insufficient_funds', tryNumber, today: '2026-12-30', policy }),
    );
    expect(tries).toEqual([
      { outcome: 'retry_scheduled', hard: false, nextTryOn: '2027-01-02' },
      { outcome: 'retry_scheduled', hard: false, nextTryOn: '2027-01-02' },
      { outcome: 'retry_scheduled', hard: false, nextTryOn: '2027-01-02' },
      { outcome: 'gave_up', hard: false },
    ]);
  });

  it('never retries a hard decline (lost, stolen, expired card, closed or unknown account)', () => {
    for (const code of [
      'lost_card',
      'stolen_card',
      'expired_card',
      'account_closed',
      'no_account',
    ]) {
      expect(isHardDecline(code)).toBe(true);
      expect(
        afterFailure({ failureCode: code, tryNumber: 1, today: '2026-01-01', policy }),
      ).toEqual({ outcome: 'failed', hard: true });
    }
    for (const code of ['generic_decline', 'card_declined', 'insufficient_funds', null]) {
      expect(isHardDecline(code)).toBe(false);
    }
  });

  it('with no retries set, gives up after the first soft decline', () => {
    expect(
      afterFailure({
        failureCode: 'card_declined',
        tryNumber: 1,
        today: '2026-01-01',
        policy: { retries: 0, daysBetween: 3 },
      }),
    ).toEqual({ outcome: 'gave_up', hard: false });
  });

  it('counts days across month ends and leap days', () => {
    expect(addDays('2028-02-27', 3)).toBe('2028-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('names one payment per invoice, cycle and try', () => {
    expect(autopayRequestKey('i-1', '2026-12-01', 2)).toBe('autopay:i-1:2026-12-01:2');
  });
});

describe('the next try of a cycle (what the preview shows and the run does)', () => {
  const cycle = '2026-08-03';
  const latest = (outcome: string, more: { reason?: string; nextTryOn?: string } = {}) => ({
    tryNumber: 2,
    outcome,
    reason: more.reason ?? null,
    nextTryOn: more.nextTryOn ?? null,
  });

  it('the first try on the cycle date; a retry on its date with the next number', () => {
    expect(nextTry(cycle, undefined)).toEqual({ tryNumber: 1, tryOn: cycle });
    expect(nextTry(cycle, latest('retry_scheduled', { nextTryOn: '2026-08-09' }))).toEqual({
      tryNumber: 3,
      tryOn: '2026-08-09',
    });
  });

  it('a skip that may pass is the same try again; a final skip ends the cycle', () => {
    expect(nextTry(cycle, latest('skipped', { reason: 'method_locked' }))).toEqual({
      tryNumber: 2,
      tryOn: cycle,
    });
    expect(nextTry(cycle, latest('skipped', { reason: 'paid_in_part' }))).toBeNull();
    expect(nextTry(cycle, latest('skipped', { reason: 'The invoice is void.' }))).toBeNull();
  });

  it('nothing after a charge, a hard decline or the last try', () => {
    for (const outcome of ['charged', 'failed', 'gave_up']) {
      expect(nextTry(cycle, latest(outcome)), outcome).toBeNull();
    }
  });
});
