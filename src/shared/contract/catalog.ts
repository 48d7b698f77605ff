import { z } from 'zod';
import { instant } from './common.js';
import { requiredText } from './fields.js';
import { parseRatePercent } from '../money.js';

/** What the service category and tax rate routes answer (allow-lists: platform/http/responses.ts). */

/** A service category: its place in the lists, and when it was archived (null: in use). */
export const serviceCategoryBody = z.object({
  id: z.guid(),
  name: z.string(),
  position: z.number().int(),
  archivedAt: instant.nullable(),
});

/** A tax rate: in parts per million, and as the percentage people type ("7.25"). */
export const taxRateBody = z.object({
  id: z.guid(),
  name: z.string(),
  ratePpm: z.number().int(),
  ratePercent: z.string(),
  archivedAt: instant.nullable(),
});

/** A service category or tax rate as POST and PATCH answer it. */
export const serviceCategoryAnswer = z.object({ serviceCategory: serviceCategoryBody });
export const taxRateAnswer = z.object({ taxRate: taxRateBody });

/** A tax rate as people type it ("7.25"), read into parts per million. */
const ratePercent = z.string('must be a percentage such as "7.25"').transform((text, ctx) => {
  const ppm = parseRatePercent(text);
  if (ppm === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a percentage from 0 to 100, up to 4 decimals',
    });
    return z.NEVER;
  }
  return ppm;
});

/** A place in the pickers' order. */
const position = z.number().int('must be a whole number').min(0).max(100_000);

/** POST /api/service-categories: a new category's name. */
export const newServiceCategoryRequest = z.object({ name: requiredText(100) });

/** PATCH /api/service-categories/{id}: any of a new name, a place in the order, archived or not. */
export const serviceCategoryChangesRequest = z.object({
  name: requiredText(100).optional(),
  position: position.optional(),
  archived: z.boolean('must be true or false').optional(),
});

/** POST /api/tax-rates: a name and the rate as a percentage (its output is parts per million). */
export const newTaxRateRequest = z.object({ name: requiredText(100), ratePercent });

/** PATCH /api/tax-rates/{id}: any of a new name, a new rate, archived or not. */
export const taxRateChangesRequest = z.object({
  name: requiredText(100).optional(),
  ratePercent: ratePercent.optional(),
  archived: z.boolean('must be true or false').optional(),
});
