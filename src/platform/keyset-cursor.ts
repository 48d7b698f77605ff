import { AppError } from './errors.js';

/**
 * Keyset pagination cursors: the last row's sort key (as PostgreSQL prints it, so timestamps
 * keep their microseconds) and id, plus the list and order they belong to, so a cursor from
 * one sort cannot be replayed against another.
 */
export function encodeCursor(scope: string, sortKey: string, id: string): string {
  return Buffer.from(JSON.stringify([scope, sortKey, id])).toString('base64url');
}

export function decodeCursor(scope: string, cursor: string): [sortKey: string, id: string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      value[0] === scope &&
      typeof value[1] === 'string' &&
      typeof value[2] === 'string' &&
      /^[0-9a-f-]{36}$/.test(value[2])
    ) {
      return [value[1], value[2]];
    }
  } catch {
    // fall through to the validation error
  }
  throw invalidCursor();
}

export function invalidCursor(): AppError {
  return AppError.validation('cursor', 'is not a cursor this list gave out');
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%", not everything. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
