import { z } from 'zod';

/**
 * What a route may answer, declared per status code in its `schema.response`. Fastify
 * serializes each answer through its schema (fastify-type-provider-zod's serializerCompiler):
 * an object schema is an allow-list, so a key it does not name never leaves the server, and an
 * answer that does not fit it is a 500 rather than a leak. The OpenAPI document is generated
 * from the same schemas (docs/decisions/0024).
 */

/**
 * The one error body every 4xx and 5xx answer carries (app.ts's error handler, the 404
 * handler): `code` says what kind of refusal (AppError's codes, plus `internal` for a 500),
 * `message` is a sentence for people, `fields` names each bad field and why (400).
 */
export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })),
  }),
});

/**
 * The error answers of a route, to spread into its `response` next to its success answers:
 * every 4xx and 5xx status carries `errorBody`.
 */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

/** A 204 answer: no body. */
export const noContent = z.null().describe('No content');

/** An instant as the server holds it (a Date), written as an ISO 8601 date-time. */
export const instant = z.date();

/** A calendar date, YYYY-MM-DD (a business date: docs/decisions/0015). */
export const calendarDate = z.string();

/**
 * A page of a keyset-paginated list (platform/keyset-cursor.ts): the rows under `key`, how
 * many the whole list holds and the cursor of the next page (null on the last one).
 */
export function keysetPage<K extends string, Row extends z.ZodType>(key: K, row: Row) {
  return z.object({
    [key]: z.array(row),
    total: z.number().int(),
    nextCursor: z.string().nullable(),
  } as { [P in K]: z.ZodArray<Row> } & {
    total: z.ZodNumber;
    nextCursor: z.ZodNullable<z.ZodString>;
  });
}

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
