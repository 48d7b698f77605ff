import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, likePattern } from './keyset-cursor.js';

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

  it('escapes LIKE wildcards and lowercases the search', () => {
    expect(likePattern('50%_Off')).toBe('%50\\%\\_off%');
  });
});
