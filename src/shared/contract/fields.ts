import { z } from 'zod';

/**
 * Request fields every route words its errors the same way with, here so the web app's form
 * types (`z.input<typeof body>`) come from the schemas the server validates with.
 */

/** Passwords (staff and portal): at least this many characters. */
export const minimumPasswordLength = 12;

export const emailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

// PostgreSQL text cannot hold a NUL character: refuse it here, with the field's name,
// rather than fail on the insert.
const noNul = (value: string) => !value.includes('\u0000');
const noNulMessage = 'must not contain a NUL character';

// Text made only of invisible characters (zero-width spaces, joiners, direction marks: Unicode's
// format characters) reads as empty wherever it is shown.
// (Empty text is min(1)'s to refuse, once: "is required".)
const visible = (value: string) => value === '' || /[^\p{White_Space}\p{Cf}]/u.test(value);

export const requiredText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .refine(noNul, noNulMessage)
    .refine(visible, 'is required: it has no visible character');

export const optionalText = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).refine(noNul, noNulMessage);

/** A list page's size (`limit` in a query string): 1 to 200 rows, 25 when not given. */
export const pageLimit = z.coerce.number().int().min(1).max(200).default(25);

/** Text kept exactly as typed (no trimming), such as notes. */
export const verbatimText = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`).refine(noNul, noNulMessage);
