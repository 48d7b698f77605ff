import { describe, expect, it } from 'vitest';
import { describeDeliveryError } from './delivery-errors.js';

describe('delivery errors', () => {
  it('treats a refused connection as temporary, in plain words', () => {
    const failure = describeDeliveryError({
      code: 'ESOCKET',
      message: 'connect ECONNREFUSED 127.0.0.1:2525',
    });
    expect(failure.permanent).toBe(false);
    expect(failure.description).toMatch(/could not reach the mail server/);
  });

  it('treats 4xx answers as temporary and 5xx answers as permanent', () => {
    expect(describeDeliveryError({ responseCode: 451, response: '451 try later' }).permanent).toBe(
      false,
    );
    const unknownMailbox = describeDeliveryError({
      responseCode: 550,
      response: '550 no such user',
    });
    expect(unknownMailbox.permanent).toBe(true);
    expect(unknownMailbox.description).toMatch(/mailbox does not exist/);
  });

  it('retries 503, which is a session state error rather than a refusal', () => {
    expect(
      describeDeliveryError({ responseCode: 503, response: '503 bad sequence' }).permanent,
    ).toBe(false);
  });

  it('fails a malformed address at once', () => {
    expect(
      describeDeliveryError({ code: 'EENVELOPE', message: 'No recipients defined' }).permanent,
    ).toBe(true);
  });
});
