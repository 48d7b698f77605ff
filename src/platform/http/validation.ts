import { z } from 'zod';

/** Shared request pieces, so every route words its errors the same way. */
export const idParam = z.object({ id: z.uuid('must be a valid id') });

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

export const requiredText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .refine(noNul, noNulMessage);

export const optionalText = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).refine(noNul, noNulMessage);

/** Text kept exactly as typed (no trimming), such as notes. */
export const verbatimText = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`).refine(noNul, noNulMessage);

export const pageLimit = z.coerce.number().int().min(1).max(200).default(25);
