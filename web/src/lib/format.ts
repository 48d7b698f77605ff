import {
  addDays as addCalendarDays,
  calendarDateIn,
  defaultDateFormat,
  formatDate as formatCalendarDate,
  formatTimestamp,
  type DateDisplay,
} from '../../../src/shared/dates';

/**
 * How dates are shown: the MSP's date format and time zone, from the session answer (staff
 * or portal), set before any page renders (see setDateDisplay). The formatting rule is
 * src/shared/dates.ts, the one the server's emails and documents use, so a date reads the same
 * in the console, the portal, an email and a PDF. Until a session answers: ISO dates, UTC.
 */
let display: DateDisplay = { dateFormat: defaultDateFormat, timeZone: 'UTC' };
/** Today in the MSP's time zone, as the last session answer said; null before one answers. */
let businessToday: string | null = null;

/** Takes the MSP's date format, time zone and today's business date from a session answer. */
export function setDateDisplay(next: (DateDisplay & { today?: string }) | undefined): void {
  if (!next) return;
  display = { dateFormat: next.dateFormat, timeZone: next.timeZone };
  businessToday = next.today ?? businessToday;
}

/**
 * What a date box needs: the MSP's date format (to write and read typed dates) and today's
 * business date (the calendar's "today"), never the browser's own date.
 */
export function dateEntry(): { dateFormat: DateDisplay['dateFormat']; today: string | null } {
  return { dateFormat: display.dateFormat, today: businessToday };
}

/**
 * A calendar date ("2025-03-01": issue, due and statement dates) in the MSP's format. Read from
 * the string, never through Date, so a due date cannot move a day in any time zone.
 */
export function formatDay(value: string | null | undefined, none = '—'): string {
  if (!value) return none;
  return formatCalendarDate(value, display.dateFormat);
}

/** "YYYY-MM-DD" plus some days (calendar arithmetic), or null for text that is not a date. */
export function addDays(isoDate: string, days: number): string | null {
  return addCalendarDays(isoDate, days);
}

/** An instant as "<date> hh:mm:ss AM", on the MSP's clock, in the MSP's date format. */
export function formatDateTime(value: string | null | undefined, never = 'Never'): string {
  return formatTimestamp(value, display, { none: never });
}

/** The date an instant falls on, on the MSP's clock, for tables where the time is noise. */
export function formatDate(value: string | null | undefined, never = 'Never'): string {
  if (!value) return never;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return never;
  return formatCalendarDate(calendarDateIn(instant, display.timeZone), display.dateFormat);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "<date> hh:mm AM" on the MSP's clock: email history rows and their events. */
export function formatDateTimeMinutes(value: string | null | undefined, never = 'Never'): string {
  return formatTimestamp(value, display, { seconds: false, none: never });
}

/** A byte count in B, KB or MB, for attachment sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
