import { z } from 'zod';
import { instant } from './common.js';

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
