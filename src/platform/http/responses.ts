import { z } from 'zod';
import { errorBody } from '../../shared/contract/common.js';

export {
  calendarDate,
  errorBody,
  instant,
  keysetPage,
  noContent,
} from '../../shared/contract/common.js';

/**
 * What a route may answer, declared per status code in its `schema.response`. Fastify
 * serializes each answer through its schema (fastify-type-provider-zod's serializerCompiler):
 * an object schema is an allow-list, so a key it does not name never leaves the server, and an
 * answer that does not fit it is a 500 rather than a leak. The OpenAPI document is generated
 * from the same schemas (docs/decisions/0024).
 */

/**
 * The error answers of a route, to spread into its `response` next to its success answers:
 * every 4xx and 5xx status carries `errorBody`.
 */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

/** A PDF document answer (the bytes; OpenAPI: application/pdf). */
export const pdfDocument = {
  description: 'The document as a PDF',
  content: { 'application/pdf': { schema: z.string().describe('PDF bytes') } },
};

/** An HTML document answer (a printable page; OpenAPI: text/html). */
export const htmlDocument = {
  description: 'The document as an HTML page',
  content: { 'text/html': { schema: z.string().describe('HTML page') } },
};

/**
 * A stored file answer (an email attachment): its bytes, under the content type it was stored
 * with, as a download (content-disposition: attachment).
 */
export const fileDownload = {
  description: 'The file, with the content type it was stored with',
  content: { 'application/octet-stream': { schema: z.string().describe('File bytes') } },
};
