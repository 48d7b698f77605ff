/**
 * The browser side of the sandbox payment processor: card and bank details go from the form
 * straight to the processor's tokenization endpoint (POST /sandbox/v1/tokens), never to a
 * Portico /api route, and the form hands Portico only the token that comes back
 * (docs/decisions/0030). Plain fetch, not the Portico API client: the processor takes no
 * session cookie and no CSRF token, and none is sent to it.
 */

import type { Answer } from '../../../../src/shared/contract/common';
import type {
  sandboxTokenBody,
  SandboxTokenRequest,
} from '../../../../src/shared/contract/sandbox';

/** The processor's endpoint, on the same origin as Portico while the sandbox runs. */
const tokensUrl = '/sandbox/v1/tokens';

type CardRequest = Extract<SandboxTokenRequest, { type: 'card' }>;
type BankAccountRequest = Extract<SandboxTokenRequest, { type: 'ach' }>;

/** A field of the processor's request, as its 400 names it. */
type CardField = Exclude<keyof CardRequest, 'type'>;
type BankAccountField = Exclude<keyof BankAccountRequest, 'type'>;

/** The token, and what the processor kept of the details (brand, last four, expiry). */
export type TokenizedMethod = Answer<typeof sandboxTokenBody>;

/**
 * What tokenizing answers: the token, or the reasons it was refused in the shape a Mantine
 * form shows (`form.setErrors(fieldErrors)`, keyed by the form's field names) plus a sentence
 * for the whole form (`message`: which fields, or why nothing arrived).
 */
export type TokenizeAnswer =
  | ({ ok: true } & TokenizedMethod)
  | { ok: false; message: string; fieldErrors: Record<string, string> };

/** Renames a processor field to the form's own (the holder's name is often `billingName`). */
export type FieldNames<Field extends string> = Partial<Record<Field, string>>;

/**
 * Tokenizes a card: number (spaces allowed), expiry month and year as typed (two-digit years
 * are 20xx), CVC and the name on the card. Refusals name each field: a number failing the Luhn
 * check or of the wrong length for its brand, a past expiry, a month outside 1–12, a CVC of the
 * wrong length (4 digits for American Express).
 */
export function tokenizeCard(
  card: Omit<CardRequest, 'type'>,
  fieldNames: FieldNames<CardField> = {},
): Promise<TokenizeAnswer> {
  return tokenize({ type: 'card', ...card }, fieldNames);
}

/**
 * Tokenizes a US bank account for ACH debits: routing number (ABA checksum), account number,
 * the account holder's name and 'checking' or 'savings'.
 */
export function tokenizeBankAccount(
  account: Omit<BankAccountRequest, 'type'>,
  fieldNames: FieldNames<BankAccountField> = {},
): Promise<TokenizeAnswer> {
  return tokenize({ type: 'ach', ...account }, fieldNames);
}

async function tokenize(
  body: SandboxTokenRequest,
  fieldNames: Record<string, string | undefined>,
): Promise<TokenizeAnswer> {
  let response: Response;
  try {
    response = await fetch(tokensUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      // The processor is not Portico: no cookie goes with the details.
      credentials: 'omit',
      body: JSON.stringify(body),
    });
  } catch {
    return refused(
      'The payment processor could not be reached. Check your connection and try again.',
    );
  }
  const answer: unknown = await response.json().catch(() => null);
  if (response.ok && isTokenized(answer)) return { ok: true, ...answer };
  const error = errorOf(answer);
  if (!error) {
    return refused(
      `The payment processor did not answer as expected (${response.status}). Try again.`,
    );
  }
  const fieldErrors: Record<string, string> = {};
  for (const field of error.fields ?? []) {
    fieldErrors[fieldNames[field.field] ?? field.field] = field.message;
  }
  const message =
    response.status === 400 && error.fields && error.fields.length > 0
      ? 'Some payment details need correcting: see the fields marked in red.'
      : error.message;
  return { ok: false, message, fieldErrors };
}

function refused(message: string): TokenizeAnswer {
  return { ok: false, message, fieldErrors: {} };
}

function isTokenized(value: unknown): value is TokenizedMethod {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { token?: unknown }).token === 'string'
  );
}

function errorOf(
  value: unknown,
): { message: string; fields?: { field: string; message: string }[] } | null {
  if (typeof value !== 'object' || value === null || !('error' in value)) return null;
  const error = (value as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { message, fields } = error as { message?: unknown; fields?: unknown };
  if (typeof message !== 'string') return null;
  return {
    message,
    fields: Array.isArray(fields)
      ? fields.filter(
          (f): f is { field: string; message: string } =>
            typeof f === 'object' &&
            f !== null &&
            typeof (f as { field?: unknown }).field === 'string' &&
            typeof (f as { message?: unknown }).message === 'string',
        )
      : [],
  };
}
