import { AppError } from './errors.js';

/**
 * Keyset pagination cursors: the last row's sort key (as PostgreSQL prints it, so timestamps
 * keep their microseconds) and id, plus the list and order they belong to, so a cursor from
 * one sort cannot be replayed against another.
 */
export function encodeCursor(scope: string, sortKey: string, id: string): string {
  return Buffer.from(JSON.stringify([scope, sortKey, id])).toString('base64url');
}

/** How PostgreSQL reads a cursor's sort key back: the cast in the list's keyset condition. */
export type SortKeyType = 'text' | 'date' | 'timestamptz';

/** What a list's row ids are: uuids, or bigserial numbers (sign-in attempts). */
export type RowIdType = 'uuid' | 'bigint';

const idPatterns: Record<RowIdType, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  // Up to 18 digits: always within bigint, so the cast cannot overflow.
  bigint: /^[1-9]\d{0,17}$/,
};

/**
 * Reads a cursor back as [sortKey, id] for the list named by `scope`, whose sort key PostgreSQL
 * casts to `sortKeyType` and whose ids are `idType`. Anything this list did not give out (not
 * base64url JSON, another list's or order's cursor, a sort key that would not cast, an id of
 * another kind) is a 400 naming `cursor`, never a database error.
 */
export function decodeCursor(
  scope: string,
  cursor: string,
  sortKeyType: SortKeyType = 'text',
  idType: RowIdType = 'uuid',
): [sortKey: string, id: string] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (
    Array.isArray(value) &&
    value.length === 3 &&
    value[0] === scope &&
    typeof value[1] === 'string' &&
    isSortKey(value[1], sortKeyType) &&
    typeof value[2] === 'string' &&
    idPatterns[idType].test(value[2])
  ) {
    return [value[1], value[2]];
  }
  throw invalidCursor();
}

/**
 * Whether a sort key read from a cursor casts to its type: text PostgreSQL can store (no NUL,
 * no lone surrogate), a real calendar date (YYYY-MM-DD), or a timestamp as PostgreSQL prints
 * timestamptz (`2026-11-22 17:15:58.123456+00`, or ±infinity, which coalesce() sorts by).
 */
export function isSortKey(value: string, type: SortKeyType): boolean {
  switch (type) {
    case 'text':
      return !value.includes('\u0000') && !/[\ud800-\udfff]/u.test(value);
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      return match !== null && isCalendarDate(match);
    }
    case 'timestamptz': {
      if (value === 'infinity' || value === '-infinity') return true;
      const match =
        /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/.exec(
          value,
        );
      return (
        match !== null &&
        isCalendarDate(match) &&
        Number(match[4]) < 24 &&
        Number(match[5]) < 60 &&
        Number(match[6]) < 60
      );
    }
  }
}

/** Year, month and day (groups 1 to 3) name a day that exists. */
function isCalendarDate(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

export function invalidCursor(): AppError {
  return AppError.validation('cursor', 'is not a cursor this list gave out');
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%", not everything. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
