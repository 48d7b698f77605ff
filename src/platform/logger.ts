import type { IncomingMessage } from 'node:http';
import { pino, type LoggerOptions } from 'pino';

/** Paths that must never reach a log line, wherever they appear. */
export const redactedPaths = [
  'password',
  '*.password',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'passwordConfirmation',
  '*.passwordConfirmation',
  'newPasswordConfirmation',
  '*.newPasswordConfirmation',
  'token',
  '*.token',
  'totpSecret',
  '*.totpSecret',
  // Payment details, should an object carrying them ever be logged (the sandbox processor's
  // tokenization body). Card numbers are also scrubbed from every line (`scrubSecrets`); bank
  // account numbers and security codes are too short to be told apart from other digits.
  'cvc',
  '*.cvc',
  'accountNumber',
  '*.accountNumber',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

const censor = '[redacted]';

/** Query parameters whose values are credentials: an emailed link's token, a password. */
const secretParameter = /([?&;](?:[\w-]*token|[\w-]*password|code|secret)=)[^&#\s"]*/gi;

/**
 * A card-like number: 13 to 19 digits, alone or in groups split by spaces, dashes or their
 * URL encodings (4242 4242 4242 4242, 4242-4242-…, 4242%204242…). A JSON number (the line's
 * time, after `":`) and the digits after a decimal point are not candidates.
 */
const cardLikeNumber = /(?<![\d.]|":)\d(?:(?:[ -]|%20|\+)?\d){12,18}(?!\d)/g;

/** The Luhn check every payment card number passes (and 9 in 10 other digit runs fail). */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Removes what must never be logged from a text (a URL, a message, a whole log line): the
 * values of token and password query parameters, and card-like numbers. The last line of
 * defence after redaction by path, for secrets that sit inside strings.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(secretParameter, `$1${censor}`)
    .replace(cardLikeNumber, (match) =>
      passesLuhn(match.replace(/%20/g, '').replace(/\D/g, '')) ? censor : match,
    );
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor },
    serializers: {
      // Fastify's request summary, with the URL's secrets removed.
      req: (request: IncomingMessage & { hostname?: string; ip?: string }) => ({
        method: request.method,
        url: scrubSecrets(request.url ?? ''),
        host: request.hostname ?? request.headers?.host,
        remoteAddress: request.ip ?? request.socket?.remoteAddress,
      }),
    },
    // Every line, whatever wrote it (an error message echoing a URL, a job's reason), is
    // scrubbed as it is written.
    hooks: { streamWrite: scrubSecrets },
  };
}

export function createLogger(level: string) {
  return pino(loggerOptions(level));
}

export type Logger = ReturnType<typeof createLogger>;
