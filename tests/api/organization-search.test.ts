import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let staff: ApiClient;
beforeAll(async () => {
  testApp = await startTestApp();
  staff = await signedInAs(testApp.app, 'read_only');
});
afterAll(async () => testApp.close());

async function walk(query: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { organizations: { name: string }[]; nextCursor: string | null } = (
      await staff.get(`/api/organizations?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    ).json();
    names.push(...page.organizations.map((o) => o.name));
    cursor = page.nextCursor;
  } while (cursor);
  return names;
}

async function expected(term: string, order: 'asc' | 'desc'): Promise<string[]> {
  const result = await testApp.database.pool.query(
    `SELECT name FROM organizations WHERE archived_at IS NULL AND lower(name) LIKE $1
      ORDER BY lower(name) ${order}, id ${order}`,
    [`%${term}%`],
  );
  return result.rows.map((r) => r.name);
}

describe('organization search pages', () => {
  // Terms of three letters or more read matches through the trigram index; shorter ones walk
  // the sort index. Both must page the same way.
  it.each(['dental', 'ar', 'e'])('pages a search for "%s" in both directions', async (term) => {
    const ascending = await walk(`q=${term}&sort=name&direction=asc`);
    expect(ascending.length).toBeGreaterThan(0);
    expect(ascending).toEqual(await expected(term, 'asc'));
    expect(await walk(`q=${term}&sort=name&direction=desc`)).toEqual(await expected(term, 'desc'));
  });

  it('refuses a cursor from one order replayed against another', async () => {
    const first = (await staff.get('/api/organizations?sort=createdAt&limit=2')).json();
    const replayed = await staff.get(
      `/api/organizations?sort=lastLogin&limit=2&cursor=${first.nextCursor}`,
    );
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json().error.fields[0].field).toBe('cursor');
  });
});
