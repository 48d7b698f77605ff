import { describe, expect, it } from 'vitest';
import {
  addDays,
  calendarDateIn,
  canonicalTimeZone,
  dateProblem,
  dateFormats,
  formatDate,
  formatTimestamp,
  parseDate,
} from './dates.js';

describe('formatDate', () => {
  it('writes a calendar date in each format an MSP may choose', () => {
    expect(dateFormats.map((format) => formatDate('2026-03-01', format))).toEqual([
      '03/01/2026',
      '01/03/2026',
      '2026-03-01',
      '1 Mar 2026',
    ]);
    expect(formatDate('2026-12-31', 'D MMM YYYY')).toBe('31 Dec 2026');
  });

  it('leaves text that is not a date as it is', () => {
    expect(formatDate('soon', 'MM/DD/YYYY')).toBe('soon');
  });
});

describe('parseDate', () => {
  it('reads back what formatDate writes, in each format', () => {
    for (const format of dateFormats) {
      for (const date of ['2031-02-05', '2026-12-31', '2028-02-29']) {
        expect(parseDate(formatDate(date, format), format)).toBe(date);
      }
    }
  });

  it('reads day and month in the order of the chosen format', () => {
    expect(parseDate('05/02/2031', 'DD/MM/YYYY')).toBe('2031-02-05');
    expect(parseDate('05/02/2031', 'MM/DD/YYYY')).toBe('2031-05-02');
    expect(parseDate(' 5.2.2031 ', 'DD/MM/YYYY')).toBe('2031-02-05');
    expect(parseDate('5 february, 2031', 'D MMM YYYY')).toBe('2031-02-05');
    expect(parseDate('05 FEB 2031', 'D MMM YYYY')).toBe('2031-02-05');
  });

  it('reads an ISO date in every format', () => {
    for (const format of dateFormats) expect(parseDate('2031-02-05', format)).toBe('2031-02-05');
  });

  it('refuses dates that do not exist, other formats and dates still being typed', () => {
    expect(parseDate('31/02/2031', 'DD/MM/YYYY')).toBeNull();
    expect(parseDate('29/02/2030', 'DD/MM/YYYY')).toBeNull();
    expect(parseDate('13/01/2031', 'MM/DD/YYYY')).toBeNull();
    expect(parseDate('05/02/2031', 'YYYY-MM-DD')).toBeNull();
    expect(parseDate('05/02/203', 'DD/MM/YYYY')).toBeNull();
    expect(parseDate('5 Fbr 2031', 'D MMM YYYY')).toBeNull();
    expect(parseDate('', 'DD/MM/YYYY')).toBeNull();
  });
});

describe('calendarDateIn', () => {
  const instant = new Date('2026-03-01T02:00:00Z');

  it("is the date on the zone's wall clock, not in UTC", () => {
    expect(calendarDateIn(instant, 'America/Los_Angeles')).toBe('2026-02-28');
    expect(calendarDateIn(instant, 'Pacific/Auckland')).toBe('2026-03-01');
    expect(calendarDateIn(instant, 'UTC')).toBe('2026-03-01');
  });
});

describe('formatTimestamp', () => {
  it("shows an instant on the MSP's clock in its date format", () => {
    const display = { dateFormat: 'DD/MM/YYYY', timeZone: 'America/Chicago' } as const;
    expect(formatTimestamp('2026-03-01T02:05:09Z', display)).toBe('28/02/2026 08:05:09 PM');
    expect(formatTimestamp('2026-03-01T02:05:09Z', display, { seconds: false })).toBe(
      '28/02/2026 08:05 PM',
    );
    expect(formatTimestamp(null, display, { none: 'Never' })).toBe('Never');
  });
});

describe('addDays and canonicalTimeZone', () => {
  it('adds calendar days across months and refuses what is not a date', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('tomorrow', 1)).toBeNull();
  });

  it("takes Intl's spelling of a zone it knows, and nothing else", () => {
    expect(canonicalTimeZone('america/los_angeles')).toBe('America/Los_Angeles');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });
});

describe('dateProblem', () => {
  it('says why typed text is not a date, quoting it, in the format the box reads', () => {
    expect(dateProblem('31/02/2027', 'DD/MM/YYYY')).toBe(
      '31/02/2027 is not a date: February 2027 has 28 days.',
    );
    expect(dateProblem('02/30/2028', 'MM/DD/YYYY')).toBe(
      '02/30/2028 is not a date: February 2028 has 29 days.',
    );
    expect(dateProblem('2027-04-31', 'D MMM YYYY')).toBe(
      '2027-04-31 is not a date: April 2027 has 30 days.',
    );
    expect(dateProblem('13/13/2027', 'DD/MM/YYYY')).toBe(
      '13/13/2027 is not a date: there is no month 13.',
    );
    expect(dateProblem('00/12/2027', 'DD/MM/YYYY')).toBe(
      '00/12/2027 is not a date: there is no day 0.',
    );
    expect(dateProblem('5 Foo 2027', 'D MMM YYYY')).toBe(
      '5 Foo 2027 is not a date: there is no month “Foo”; type it as D MMM YYYY, for example 25 Dec 2027.',
    );
    expect(dateProblem(' tomorrow ', 'DD/MM/YYYY')).toBe(
      '“tomorrow” is not a date: type it as DD/MM/YYYY, for example 25/12/2027.',
    );
    expect(dateProblem('31/12/2027', 'YYYY-MM-DD')).toBe(
      '“31/12/2027” is not a date: type it as YYYY-MM-DD, for example 2027-12-25.',
    );
  });

  it('has nothing to say of a date it reads, or of an empty box', () => {
    expect(dateProblem('29/02/2028', 'DD/MM/YYYY')).toBeNull();
    expect(dateProblem('2027-12-25', 'MM/DD/YYYY')).toBeNull();
    expect(dateProblem('5 february 2031', 'D MMM YYYY')).toBeNull();
    expect(dateProblem('  ', 'DD/MM/YYYY')).toBeNull();
  });
});
