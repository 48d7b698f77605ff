import { describe, expect, it } from 'vitest';
import { requiredText } from './fields.js';

describe('requiredText', () => {
  const name = requiredText(100);
  const problem = (value: string) => {
    const parsed = name.safeParse(value);
    return parsed.success ? null : parsed.error.issues[0]?.message;
  };

  it('keeps names in any script, trimmed', () => {
    expect(name.parse('  Γραφείο Visa ')).toBe('Γραφείο Visa');
    expect(name.parse('事務所のカード')).toBe('事務所のカード');
    expect(name.parse('بطاقة المكتب')).toBe('بطاقة المكتب');
    expect(name.parse('💳')).toBe('💳');
    // A joiner inside a visible name is part of it (an emoji sequence, a Persian word).
    expect(name.parse('👩‍💻 card')).toBe('👩‍💻 card');
  });

  it('refuses text that reads as empty: spaces, zero-width characters, direction marks', () => {
    // Said once: not "is required; is required: it has no visible character".
    const empty = name.safeParse('   ');
    expect(empty.success ? [] : empty.error.issues.map((issue) => issue.message)).toEqual([
      'is required',
    ]);
    expect(problem('\u200B\u200B')).toBe('is required: it has no visible character');
    expect(problem('\u200D\u2060\uFEFF')).toBe('is required: it has no visible character');
    expect(problem('\u200F \u200E')).toBe('is required: it has no visible character');
  });
});
