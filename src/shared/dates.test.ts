import { describe, expect, it } from 'vitest';
import {
  addDays,
  calendarDateIn,
  canonicalTimeZone,
  dateFormats,
  formatDate,
  formatTimestamp,
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
