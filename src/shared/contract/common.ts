import { z } from 'zod';

/**
 * The API contract: what the server answers, declared once in zod and used three ways. Each
 * route names these schemas in its `schema.response`, and Fastify serializes every answer
 * through them (fastify-type-provider-zod's serializerCompiler): an object schema is an
 * allow-list, so a key it does not name never leaves the server. The OpenAPI document is
 * generated from the same schemas, and the web app and the tests take their types from them
 * with `Answer<typeof schema>` (docs/decisions/0024, 0027). This folder imports only zod and
 * src/shared, so the browser bundle can use it.
 */

/** Every `code` an error body may carry: AppError's codes, and `internal` for a 500. */
export const errorCodes = [
  'validation',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  /** A contact signed in with a temporary password must change it before anything else. */
  'password_change_required',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/**
 * The one error body every 4xx and 5xx answer carries (the error handler, the 404 handler):
 * `code` says what kind of refusal, `message` is a sentence for people, `fields` names each
 * bad field and why (400).
 */
export const errorBody = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })),
  }),
});
export type ErrorBody = z.infer<typeof errorBody>;

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

/** A value as it arrives in a browser after JSON: every Date becomes its ISO 8601 string. */
export type Json<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Json<Item>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/**
 * The type of an answer as the web app and the tests receive it: the schema's output, after
 * JSON. `Answer<typeof organizationDetail>` is what `GET /api/organizations/{id}` puts under
 * `organization`.
 */
export type Answer<Schema extends z.ZodType> = Json<z.output<Schema>>;
