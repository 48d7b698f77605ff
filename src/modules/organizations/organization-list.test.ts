import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, likePattern } from './organization-list.js';

describe('organization list helpers', () => {
  it('round-trips a cursor with a full-precision sort key', () => {
    const id = '0b9f6a56-2f6c-4c1e-9a43-3f1e6b2d1c9a';
    const cursor = encodeCursor('2026-11-22 17:15:58.123456+00', id);
    expect(decodeCursor(cursor)).toEqual(['2026-11-22 17:15:58.123456+00', id]);
  });

  it('rejects a cursor it did not give out with a field error', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrowError(/cursor/);
  });

  it('escapes LIKE wildcards and lowercases the search', () => {
    expect(likePattern('50%_Off')).toBe('%50\\%\\_off%');
  });
});
