import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isSortKey, likePattern } from './keyset-cursor.js';

describe('keyset cursors', () => {
  const id = '0b9f6a56-2f6c-4c1e-9a43-3f1e6b2d1c9a';

  it('round-trips a cursor with a full-precision sort key', () => {
    const cursor = encodeCursor('emails', '2026-11-22 17:15:58.123456+00', id);
    expect(decodeCursor('emails', cursor)).toEqual(['2026-11-22 17:15:58.123456+00', id]);
  });

  it('refuses a cursor from another list or order, naming the field', () => {
    const cursor = encodeCursor('organizations:name:asc', 'pawnee parks dept.', id);
    expect(() => decodeCursor('organizations:name:desc', cursor)).toThrowError(/cursor/);
  });

  it('rejects a cursor it did not give out with a field error', () => {
    expect(() => decodeCursor('emails', 'not-a-cursor')).toThrowError(/cursor/);
  });

  it('refuses a sort key that would not cast to its type, and an id that is not a uuid', () => {
    const cursor = (key: string, rowId = id) => encodeCursor('emails', key, rowId);
    expect(() => decodeCursor('emails', cursor('yesterday'), 'timestamptz')).toThrowError(/cursor/);
    expect(() => decodeCursor('emails', cursor('2026-02-30'), 'date')).toThrowError(/cursor/);
    expect(() => decodeCursor('emails', cursor('a\u0000b'))).toThrowError(/cursor/);
    expect(() => decodeCursor('emails', cursor('x', '-'.repeat(36)))).toThrowError(/cursor/);
    expect(isSortKey('2026-11-22 17:15:58.123456+00', 'timestamptz')).toBe(true);
    expect(isSortKey('-infinity', 'timestamptz')).toBe(true);
    expect(isSortKey('2026-11-22 24:00:00+00', 'timestamptz')).toBe(false);
    expect(isSortKey('2024-02-29', 'date')).toBe(true);
    expect(isSortKey('any name, even 2026-13-45', 'text')).toBe(true);
  });

  it('escapes LIKE wildcards and lowercases the search', () => {
    expect(likePattern('50%_Off')).toBe('%50\\%\\_off%');
  });
});
