/**
 * Business dates, shared by the server (emails, documents, "today") and the web app (console and
 * portal), so a date reads the same on every surface. Nothing here imports anything: both the
 * Node server and the Vite build load this file as it is.
 *
 * A business date is a calendar date written "YYYY-MM-DD" (an invoice's issue and due dates, a
 * statement date). It is formatted from its text, never through a Date, so it cannot move a
 * day in a time zone. A timestamp (an instant) is shown in the MSP's time zone.
 */

/** The date formats an MSP may choose (Configuration > Billing). */
export const dateFormats = ['MM/DD/YYYY', 'DD/MM/YYYY', 'YYYY-MM-DD', 'D MMM YYYY'] as const;
export type DateFormat = (typeof dateFormats)[number];

/**
 * ISO dates: unambiguous in every country, and what emails and documents have always shown
 * clients (docs/decisions/0015-business-dates.md).
 */
export const defaultDateFormat: DateFormat = 'YYYY-MM-DD';

export function isDateFormat(value: string): value is DateFormat {
  return (dateFormats as readonly string[]).includes(value);
}

/** How dates are shown: the MSP's chosen format and time zone (an IANA name). */
export interface DateDisplay {
  dateFormat: DateFormat;
  timeZone: string;
}

// Fixed English abbreviations: the format must not change with the reader's browser locale.
const monthNames = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

// Typed dates may spell the month out (parseDate); these are only read, never written.
const fullMonthNames = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;

const isoDatePrefix = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * A calendar date ("2026-03-01") in the given format: "03/01/2026", "01/03/2026", "2026-03-01"
 * or "1 Mar 2026". Text that is not an ISO date comes back as it is.
 */
export function formatDate(isoDate: string, format: DateFormat): string {
  const match = isoDatePrefix.exec(isoDate);
  if (!match) return isoDate;
  const [, year, month, day] = match as unknown as [string, string, string, string];
  switch (format) {
    case 'MM/DD/YYYY':
      return `${month}/${day}/${year}`;
    case 'DD/MM/YYYY':
      return `${day}/${month}/${year}`;
    case 'YYYY-MM-DD':
      return `${year}-${month}-${day}`;
    case 'D MMM YYYY':
      return `${Number(day)} ${monthNames[Number(month) - 1] ?? month} ${year}`;
  }
}

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** "YYYY-MM-DD" for a year, month and day that make a real date, else null. */
function isoDateOf(year: number, month: number, day: number): string | null {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * A calendar date typed in the given format, as "YYYY-MM-DD" ("05/02/2031" in DD/MM/YYYY →
 * "2031-02-05"), or null for text that is not a real date in that format. The reverse of
 * formatDate, and like it never through Date, so a typed date cannot move a day.
 *
 * Lenient where nothing can be misread: surrounding spaces; one- or two-digit day and month;
 * "/", "-" or "." between the numbers of MM/DD/YYYY and DD/MM/YYYY; in D MMM YYYY the English
 * month name or abbreviation in any case, with an optional comma ("5 feb 2031", "5 February,
 * 2031"); and an ISO date ("2031-02-05") in every format, since a four-digit year first cannot
 * be taken for a day or a month. The year always has four digits, so a date still being typed
 * ("05/02/203") is not read as one.
 */
export function parseDate(text: string, format: DateFormat): string | null {
  const value = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (iso) return isoDateOf(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (format === 'D MMM YYYY') {
    const named = /^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$/.exec(value);
    if (!named) return null;
    const name = named[2]!.toLowerCase();
    const month = monthNames.findIndex(
      (abbreviation, index) =>
        name === abbreviation.toLowerCase() || name === fullMonthNames[index],
    );
    return month < 0 ? null : isoDateOf(Number(named[3]), month + 1, Number(named[1]));
  }
  const numeric = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (!numeric || format === 'YYYY-MM-DD') return null;
  const [first, second, year] = [Number(numeric[1]), Number(numeric[2]), Number(numeric[3])];
  return format === 'MM/DD/YYYY' ? isoDateOf(year, first, second) : isoDateOf(year, second, first);
}

/** Full English month names, capitalised, for reasons a date box gives ("February 2027"). */
const monthWords = fullMonthNames.map((name) => name[0]!.toUpperCase() + name.slice(1));

/**
 * Why `text` is not a date in `format` (parseDate answers null), in words a date box shows
 * under itself, quoting what was typed: "31/02/2027 is not a date: February 2027 has 28 days.",
 * "13/13/2027 is not a date: there is no month 13.", "“tomorrow” is not a date: type it as
 * DD/MM/YYYY, for example 25/12/2027." Null for a date parseDate reads, and for empty text (a
 * box left empty says nothing; "required" is the form's to say).
 */
export function dateProblem(text: string, format: DateFormat): string | null {
  const value = text.trim();
  if (value === '' || parseDate(value, format) !== null) return null;
  const example = formatDate('2027-12-25', format);
  const shape = `type it as ${format}, for example ${example}.`;
  let parts: { year: number; month: number; day: number } | null = null;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const numeric = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  const named = /^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$/.exec(value);
  if (iso) {
    parts = { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
  } else if (numeric && (format === 'MM/DD/YYYY' || format === 'DD/MM/YYYY')) {
    const [first, second] = [Number(numeric[1]), Number(numeric[2])];
    parts =
      format === 'MM/DD/YYYY'
        ? { year: Number(numeric[3]), month: first, day: second }
        : { year: Number(numeric[3]), month: second, day: first };
  } else if (named && format === 'D MMM YYYY') {
    const name = named[2]!.toLowerCase();
    const month = monthNames.findIndex(
      (abbreviation, index) =>
        name === abbreviation.toLowerCase() || name === fullMonthNames[index],
    );
    if (month < 0) return `${value} is not a date: there is no month “${named[2]}”; ${shape}`;
    parts = { year: Number(named[3]), month: month + 1, day: Number(named[1]) };
  }
  if (!parts) return `“${value}” is not a date: ${shape}`;
  const { year, month, day } = parts;
  if (year < 1) return `${value} is not a date: there is no year 0.`;
  if (month < 1 || month > 12) return `${value} is not a date: there is no month ${month}.`;
  if (day < 1) return `${value} is not a date: there is no day 0.`;
  return `${value} is not a date: ${monthWords[month - 1]} ${year} has ${daysInMonth(year, month)} days.`;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts of an instant in a time zone (24-hour). */
function partsIn(instant: Date, timeZone: string) {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hours: Number(parts.hour),
    minutes: parts.minute ?? '00',
    seconds: parts.second ?? '00',
  };
}

/** The calendar date ("YYYY-MM-DD") an instant falls on in a time zone. */
export function calendarDateIn(instant: Date, timeZone: string): string {
  return partsIn(instant, timeZone).date;
}

/**
 * An instant as "<date in the chosen format> hh:mm:ss AM" (or without seconds), on the wall
 * clock of the display's time zone. Empty or unreadable values give `none`.
 */
export function formatTimestamp(
  value: Date | string | null | undefined,
  display: DateDisplay,
  options: { seconds?: boolean; none?: string } = {},
): string {
  const none = options.none ?? '';
  if (value === null || value === undefined || value === '') return none;
  const instant = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(instant.getTime())) return none;
  const parts = partsIn(instant, display.timeZone);
  const hour12 = parts.hours % 12 === 0 ? 12 : parts.hours % 12;
  const time =
    `${String(hour12).padStart(2, '0')}:${parts.minutes}` +
    (options.seconds === false ? '' : `:${parts.seconds}`);
  return `${formatDate(parts.date, display.dateFormat)} ${time} ${parts.hours < 12 ? 'AM' : 'PM'}`;
}

/**
 * The canonical IANA name of a time zone ("america/los_angeles" → "America/Los_Angeles"), or
 * null when Intl does not know it.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!name.trim()) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * A calendar date plus some days ("2026-02-28" + 1 → "2026-03-01"), in calendar arithmetic on
 * UTC midnights, so no daylight-saving change moves it. Null for text that is not a date.
 */
export function addDays(isoDate: string, days: number): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return null;
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD, from the year 1900 on. */
export function isValidDate(text: string): boolean {
  const match = isoDate.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return (
    date.getUTCFullYear() === Number(match[1]) &&
    date.getUTCMonth() === Number(match[2]) - 1 &&
    date.getUTCDate() === Number(match[3]) &&
    Number(match[1]) >= 1900
  );
}
