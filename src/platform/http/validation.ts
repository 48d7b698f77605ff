import { z } from 'zod';

/** Shared request pieces, so every route words its errors the same way. */
export const idParam = z.object({ id: z.uuid('must be a valid id') });

// The text and email fields live in the contract, so the web app's form types share them.
export {
  emailAddress,
  optionalText,
  pageLimit,
  requiredText,
  verbatimText,
} from '../../shared/contract/fields.js';
