import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp } from './test-app.js';

export interface FieldError {
  field: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; fields: FieldError[] };
}

/** The error body every failed API call answers with. */
export function errorOf(response: LightMyRequestResponse): ErrorBody['error'] {
  return response.json<ErrorBody>().error;
}

/**
 * Asserts a refusal with the given status that names each of the given fields, every field
 * error carrying a reason a person can read.
 */
export function expectFieldErrors(
  response: LightMyRequestResponse,
  fields: string[],
  status = 400,
): FieldError[] {
  expect(response.statusCode, response.body).toBe(status);
  const error = errorOf(response);
  const named = error.fields.map((f) => f.field);
  for (const field of fields) expect(named, response.body).toContain(field);
  for (const fieldError of error.fields) expect(fieldError.message.trim()).not.toBe('');
  return error.fields;
}

/** A staff user's id, looked up by email. */
export async function staffUserId(testApp: TestApp, email: string): Promise<string> {
  const result = await testApp.database.pool.query('SELECT id FROM staff_users WHERE email = $1', [
    email,
  ]);
  return result.rows[0].id;
}

/** An access profile's id, looked up by exact name. */
export async function accessProfileId(testApp: TestApp, name: string): Promise<string> {
  const result = await testApp.database.pool.query(
    'SELECT id FROM access_profiles WHERE name = $1',
    [name],
  );
  return result.rows[0].id;
}

/** How many audit rows exist in all: a failed request must not add any. */
export async function auditRowCount(testApp: TestApp): Promise<number> {
  const result = await testApp.database.pool.query('SELECT count(*)::int AS n FROM audit_events');
  return result.rows[0].n;
}
