import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, scrubSecrets } from './logger.js';

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

describe('redaction', () => {
  it('never writes a bank account number or a security code, wherever an object holds one', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino(loggerOptions('info'), sink);
    logger.info({
      body: { type: 'ach', accountNumber: '000111111116', routingNumber: '110000000' },
    });
    logger.info({ body: { type: 'card', number: '4000 0000 0000 0002', cvc: '7531' } });
    logger.info({ accountNumber: '000222222227', cvc: '987' }, 'top level');
    const text = lines.join('');
    for (const secret of ['000111111116', '000222222227', '4000 0000 0000 0002', '7531', '987']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('"routingNumber":"110000000"');
  });
});
