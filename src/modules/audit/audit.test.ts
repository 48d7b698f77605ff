import { describe, expect, it } from 'vitest';
import { changedFields } from './audit.js';

describe('changedFields', () => {
  it('keeps only the fields whose value changed', () => {
    expect(changedFields({ name: 'A', city: 'X' }, { name: 'B', city: 'X' })).toEqual({
      before: { name: 'A' },
      after: { name: 'B' },
    });
  });

  it('answers null when nothing changed, so no audit row is written', () => {
    expect(changedFields({ name: 'A' }, { name: 'A' })).toBeNull();
  });

  it('ignores fields the change does not mention', () => {
    expect(changedFields({ name: 'A', city: 'X' }, { city: 'Y' })).toEqual({
      before: { city: 'X' },
      after: { city: 'Y' },
    });
  });
});
