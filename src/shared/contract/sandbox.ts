import { z } from 'zod';

/**
 * The sandbox processor's tokenization endpoint, `POST /sandbox/v1/tokens`: the browser sends
 * card or bank data there (never to a Portico /api route) and gets a single-use token to hand
 * to Portico. The body's types are checked here; every rule on the numbers themselves (Luhn,
 * length per brand, expiry, CVC length, ABA checksum) is the sandbox's, answered as a 400
 * naming the field, so the same words reach the API and the form.
 */

const typed = z.string().max(64);
const monthOrYear = z.union([z.number().int(), z.string().max(4)]);

export const sandboxCardRequest = z.object({
  type: z.literal('card'),
  /** The card number; spaces and dashes between groups are ignored. */
  number: typed,
  expMonth: monthOrYear,
  /** Four digits, or two (30 is 2030). */
  expYear: monthOrYear,
  cvc: typed,
  /** The name on the card (optional). */
  name: z.string().max(400).optional(),
});

export const sandboxBankAccountRequest = z.object({
  type: z.literal('ach'),
  routingNumber: typed,
  accountNumber: typed,
  accountHolderName: z.string().max(400),
  /** 'checking' or 'savings'. */
  accountType: typed,
});

export const sandboxTokenRequest = z.discriminatedUnion('type', [
  sandboxCardRequest,
  sandboxBankAccountRequest,
]);
export type SandboxTokenRequest = z.input<typeof sandboxTokenRequest>;

/** A token and what the processor kept of the data: never the number itself. */
export const sandboxTokenBody = z.object({
  token: z.string(),
  type: z.enum(['card', 'ach']),
  brand: z.string().nullable(),
  last4: z.string(),
  expMonth: z.number().int().nullable(),
  expYear: z.number().int().nullable(),
  bankName: z.string().nullable(),
});
