import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { ErrorBody } from '../../src/shared/contract/common.js';
import type { TestApp } from './test-app.js';

/** One bad field of a 400 (or 409) and why. */
type FieldError = ErrorBody['error']['fields'][number];

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

/**
 * Everything a staff action could change, read straight from the database, so a refused
 * request can be shown to have changed nothing. Sessions and sign-in attempts are left out:
 * reading and signing in touch them.
 */
export async function databaseSnapshot(testApp: TestApp): Promise<Record<string, unknown[]>> {
  const tables: Record<string, string> = {
    organizations: 'SELECT * FROM organizations ORDER BY id',
    contacts: 'SELECT * FROM contacts ORDER BY id',
    contactOrganizations:
      'SELECT * FROM contact_organizations ORDER BY organization_id, contact_id',
    accessProfiles: 'SELECT * FROM access_profiles ORDER BY id',
    staffUsers: 'SELECT * FROM staff_users ORDER BY id',
    auditEvents: 'SELECT * FROM audit_events ORDER BY id',
  };
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, query] of Object.entries(tables)) {
    snapshot[name] = (await testApp.database.pool.query(query)).rows;
  }
  return snapshot;
}
