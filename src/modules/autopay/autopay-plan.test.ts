import { describe, expect, it } from 'vitest';
import { businessToday } from '../settings/business-date.js';
import { chargeDate, lastDayOfMonth, matchRule, type PlanRule } from './autopay-plan.js';

const hosting = '11111111-1111-4111-8111-111111111111';
const hardware = '22222222-2222-4222-8222-222222222222';

function rule(overrides: Partial<PlanRule> & { id: string; position: number }): PlanRule {
  return {
    enabled: true,
    serviceCategoryIds: [],
    paymentMethodId: null,
    timing: 'due_date',
    days: null,
    dayOfMonth: null,
    maxAmountCents: null,
    ...overrides,
  };
}

const invoice = (serviceCategoryId: string, balanceCents: number) => ({
  serviceCategoryId,
  balanceCents,
  issueDate: '2026-01-10',
  dueDate: '2026-02-09',
});

describe('matchRule: the first enabled rule that covers the invoice pays it', () => {
  it('takes rules in their order, whatever order they are given in', () => {
    const rules = [
      rule({ id: 'second', position: 2 }),
      rule({ id: 'first', position: 1, serviceCategoryIds: [hosting] }),
    ];
    expect(matchRule(rules, invoice(hosting, 5000))?.id).toBe('first');
    expect(matchRule(rules, invoice(hardware, 5000))?.id).toBe('second');
  });

  it('skips a rule turned off, and matches nothing when no rule names the category', () => {
    const rules = [
      rule({ id: 'off', position: 1, enabled: false }),
      rule({ id: 'hosting', position: 2, serviceCategoryIds: [hosting] }),
    ];
    expect(matchRule(rules, invoice(hosting, 100))?.id).toBe('hosting');
    expect(matchRule(rules, invoice(hardware, 100))).toBeNull();
  });

  it('an empty category list means every category', () => {
    expect(matchRule([rule({ id: 'all', position: 1 })], invoice(hardware, 1))?.id).toBe('all');
  });

  it('a cap covers invoices up to it, inclusive; a bigger one falls to the next rule', () => {
    const rules = [
      rule({ id: 'small', position: 1, maxAmountCents: 50_000 }),
      rule({ id: 'hosting-any', position: 2, serviceCategoryIds: [hosting] }),
    ];
    expect(matchRule(rules, invoice(hosting, 50_000))?.id).toBe('small');
    expect(matchRule(rules, invoice(hosting, 50_001))?.id).toBe('hosting-any');
    // A one-off hardware project above the cap is not charged by surprise.
    expect(matchRule(rules, invoice(hardware, 1_250_000))).toBeNull();
  });
});

describe('chargeDate: business dates, calendar arithmetic', () => {
  const inv = { issueDate: '2026-01-10', dueDate: '2026-02-09' };

  it('charges on, before or after the due date, or after the invoice date', () => {
    expect(chargeDate({ timing: 'due_date', days: null, dayOfMonth: null }, inv)).toBe(
      '2026-02-09',
    );
    expect(chargeDate({ timing: 'before_due_date', days: 10, dayOfMonth: null }, inv)).toBe(
      '2026-01-30',
    );
    expect(chargeDate({ timing: 'after_due_date', days: 20, dayOfMonth: null }, inv)).toBe(
      '2026-03-01',
    );
    expect(chargeDate({ timing: 'after_invoice_date', days: 0, dayOfMonth: null }, inv)).toBe(
      '2026-01-10',
    );
    expect(chargeDate({ timing: 'after_invoice_date', days: 22, dayOfMonth: null }, inv)).toBe(
      '2026-02-01',
    );
  });

  it('never charges before the invoice date, however many days before the due date', () => {
    // Due in 30 days, "90 days before the due date": the invoice date, not two months before it.
    const future = { issueDate: '2027-02-01', dueDate: '2027-03-03' };
    expect(chargeDate({ timing: 'before_due_date', days: 90, dayOfMonth: null }, future)).toBe(
      '2027-02-01',
    );
    expect(chargeDate({ timing: 'before_due_date', days: 30, dayOfMonth: null }, future)).toBe(
      '2027-02-01',
    );
    expect(chargeDate({ timing: 'before_due_date', days: 29, dayOfMonth: null }, future)).toBe(
      '2027-02-02',
    );
  });

  it('crosses month and year ends', () => {
    const december = { issueDate: '2026-12-20', dueDate: '2026-12-31' };
    expect(chargeDate({ timing: 'after_due_date', days: 1, dayOfMonth: null }, december)).toBe(
      '2027-01-01',
    );
    expect(chargeDate({ timing: 'day_of_month', days: null, dayOfMonth: 5 }, december)).toBe(
      '2027-01-05',
    );
    expect(
      chargeDate(
        { timing: 'before_due_date', days: 31, dayOfMonth: null },
        { ...december, issueDate: '2026-11-01' },
      ),
    ).toBe('2026-11-30');
  });

  it('a fixed day of the month: the first such day on or after the invoice date', () => {
    const dom = (dayOfMonth: number, issueDate: string) =>
      chargeDate(
        { timing: 'day_of_month', days: null, dayOfMonth },
        { issueDate, dueDate: issueDate },
      );
    expect(dom(15, '2026-01-10')).toBe('2026-01-15');
    expect(dom(10, '2026-01-10')).toBe('2026-01-10');
    expect(dom(1, '2026-01-10')).toBe('2026-02-01');
    expect(dom(31, '2026-04-05')).toBe('2026-04-30');
    expect(dom(31, '2026-01-31')).toBe('2026-01-31');
  });

  it('day 31 is the last day of February: the 28th in a common year, the 29th in a leap year', () => {
    const dom = (dayOfMonth: number, issueDate: string) =>
      chargeDate(
        { timing: 'day_of_month', days: null, dayOfMonth },
        { issueDate, dueDate: issueDate },
      );
    expect(dom(31, '2026-02-03')).toBe('2026-02-28');
    expect(dom(31, '2028-02-03')).toBe('2028-02-29');
    expect(dom(31, '2100-02-03')).toBe('2100-02-28'); // not a leap year: divisible by 100
    expect(dom(31, '2000-02-03')).toBe('2000-02-29'); // a leap year: divisible by 400
    expect(dom(30, '2027-02-01')).toBe('2027-02-28');
    expect(dom(29, '2028-02-01')).toBe('2028-02-29');
    // Issued after the last day of January's "31st"? The invoice of 31 January is charged that day.
    expect(dom(31, '2027-01-31')).toBe('2027-01-31');
    expect([2026, 2028].map((year) => lastDayOfMonth(year, 2))).toEqual([28, 29]);
    expect(lastDayOfMonth(2026, 12)).toBe(31);
  });

  it('N days across a daylight-saving change are N calendar days, in New York and Berlin', () => {
    // New York springs forward on 8 March 2026 and falls back on 1 November 2026; Berlin
    // springs forward on 29 March 2026 and falls back on 25 October 2026.
    const after = (dueDate: string, days: number) =>
      chargeDate(
        { timing: 'after_due_date', days, dayOfMonth: null },
        { issueDate: dueDate, dueDate },
      );
    const before = (dueDate: string, days: number) =>
      chargeDate(
        { timing: 'before_due_date', days, dayOfMonth: null },
        { issueDate: '2026-01-01', dueDate },
      );
    expect(after('2026-03-07', 1)).toBe('2026-03-08');
    expect(after('2026-03-07', 2)).toBe('2026-03-09');
    expect(after('2026-10-31', 1)).toBe('2026-11-01');
    expect(after('2026-10-31', 2)).toBe('2026-11-02');
    expect(before('2026-03-30', 3)).toBe('2026-03-27');
    expect(after('2026-10-24', 7)).toBe('2026-10-31');
    // And the run's "today" on those charge dates, at the first minute of the day there, is that
    // date: the charge falls on the day the rule says in the MSP's zone.
    expect(businessToday({ timeZone: 'America/New_York' }, new Date('2026-03-09T04:00:00Z'))).toBe(
      '2026-03-09',
    );
    expect(businessToday({ timeZone: 'America/New_York' }, new Date('2026-11-02T05:00:00Z'))).toBe(
      '2026-11-02',
    );
    expect(businessToday({ timeZone: 'Europe/Berlin' }, new Date('2026-03-26T23:00:00Z'))).toBe(
      '2026-03-27',
    );
    expect(businessToday({ timeZone: 'Europe/Berlin' }, new Date('2026-10-30T23:00:00Z'))).toBe(
      '2026-10-31',
    );
  });

  it('the business date near midnight is the MSP’s, not the server’s (UTC)', () => {
    // One minute before midnight in New York on the day DST starts: still 7 March there, while
    // UTC is already on the 8th. A rule charging on the 8th does not charge yet.
    const ny = { timeZone: 'America/New_York' };
    expect(businessToday(ny, new Date('2026-03-08T04:59:00Z'))).toBe('2026-03-07');
    expect(businessToday(ny, new Date('2026-03-08T05:00:00Z'))).toBe('2026-03-08');
    // After the change New York is UTC-4: midnight is 04:00 UTC.
    expect(businessToday(ny, new Date('2026-03-09T03:59:00Z'))).toBe('2026-03-08');
    expect(businessToday(ny, new Date('2026-03-09T04:00:00Z'))).toBe('2026-03-09');
    const berlin = { timeZone: 'Europe/Berlin' };
    expect(businessToday(berlin, new Date('2026-03-28T22:59:00Z'))).toBe('2026-03-28');
    expect(businessToday(berlin, new Date('2026-03-28T23:00:00Z'))).toBe('2026-03-29');
    expect(businessToday(berlin, new Date('2026-03-29T21:59:00Z'))).toBe('2026-03-29');
    expect(businessToday(berlin, new Date('2026-03-29T22:00:00Z'))).toBe('2026-03-30');
    const chargeOn = chargeDate(
      { timing: 'after_due_date', days: 1, dayOfMonth: null },
      { issueDate: '2026-03-07', dueDate: '2026-03-07' },
    );
    expect(chargeOn <= businessToday(ny, new Date('2026-03-08T04:59:00Z'))).toBe(false);
    expect(chargeOn <= businessToday(ny, new Date('2026-03-08T05:00:00Z'))).toBe(true);
  });
});
