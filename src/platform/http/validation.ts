import { z } from 'zod';

/** Shared request pieces, so every route words its errors the same way. */
export const idParam = z.object({ id: z.uuid('must be a valid id') });

export const emailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

export const requiredText = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

export const optionalText = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`);

export const pageLimit = z.coerce.number().int().min(1).max(200).default(25);
