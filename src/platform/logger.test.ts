import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './logger.js';

describe('scrubSecrets', () => {
  it('removes link tokens and passwords from URLs, keeping the rest', () => {
    expect(scrubSecrets('/portal/reset-password?token=abc_DEF-1&next=%2Fportal')).toBe(
      '/portal/reset-password?token=[redacted]&next=%2Fportal',
    );
    expect(scrubSecrets('/x?a=1&newPassword=hunter2')).toBe('/x?a=1&newPassword=[redacted]');
  });

  it('removes card-like numbers however they are grouped, but not JSON numbers or ids', () => {
    for (const card of ['4242424242424242', '4242 4242 4242 4242', '4242-4242-4242-4242']) {
      expect(scrubSecrets(`search=${card} end`)).toBe('search=[redacted] end');
    }
    expect(scrubSecrets('?q=4242%204242%204242%204242')).toBe('?q=[redacted]');
    const line = '{"time":1796049706771,"responseTime":107.70841699999983,"n":"1796049706770"}';
    expect(scrubSecrets(line)).toBe(line);
    expect(scrubSecrets('123e4567-e89b-12d3-a456-426614174000')).toBe(
      '123e4567-e89b-12d3-a456-426614174000',
    );
  });
});
