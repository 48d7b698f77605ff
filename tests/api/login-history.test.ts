import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldErrors, staffUserId } from '../support/api-assertions.js';
import {
  contactId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type { contactLoginHistoryPage } from '../../src/shared/contract/portal.js';
import type { staffLoginHistoryPage } from '../../src/shared/contract/staff.js';

/**
 * The contact's portal login history (the console's Login history window) and a staff user's
 * login history page with keyset cursors: every attempt kept is reachable, newest first, none
 * twice, rather than the list stopping at the newest 100.
 */
let testApp: TestApp;
let admin: ApiClient;
let leslie: string;
let readOnlyStaff: string;
const attemptCount = 150;

/** A page of a staff user's or a contact's sign-in attempts: the test reads what both share. */
type HistoryPage = Answer<typeof staffLoginHistoryPage> | Answer<typeof contactLoginHistoryPage>;
type Attempt = HistoryPage['attempts'][number];

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  readOnlyStaff = await staffUserId(testApp, 'readonly@portico.test');
  const pool = testApp.database.pool;
  // 150 attempts a minute apart, numbered in their reason; every tenth shares the time of the
  // one before it, so the order also rests on the id.
  await pool.query(
    `INSERT INTO contact_login_attempts (email, contact_id, ip, succeeded, reason, attempted_at)
     SELECT 'lknope@pawnee-indiana.gov', $1, '192.0.2.7', g % 3 = 0, 'attempt ' || g,
            timestamptz '2026-03-01 12:00:00.123456+00' + make_interval(mins => g - g / 10)
       FROM generate_series(1, $2::int) AS g`,
    [leslie, attemptCount],
  );
  await pool.query('DELETE FROM staff_login_attempts WHERE staff_user_id = $1', [readOnlyStaff]);
  await pool.query(
    `INSERT INTO staff_login_attempts (email, staff_user_id, ip, succeeded, reason, attempted_at)
     SELECT 'readonly@portico.test', $1, '192.0.2.8', g % 3 = 0, 'attempt ' || g,
            timestamptz '2026-03-01 12:00:00.123456+00' + make_interval(mins => g - g / 10)
       FROM generate_series(1, $2::int) AS g`,
    [readOnlyStaff, attemptCount],
  );
});
afterAll(async () => testApp?.close());

/** Every page of a history, following nextCursor until it is null. */
async function readAll(
  url: string,
  limit: number,
): Promise<{ pages: HistoryPage[]; all: Attempt[] }> {
  const pages: HistoryPage[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await admin.get(`${url}?limit=${limit}${query}`);
    expect(response.statusCode, response.body).toBe(200);
    const page: HistoryPage = response.json<HistoryPage>();
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return { pages, all: pages.flatMap((page): Attempt[] => page.attempts) };
}

/** The numbers of the attempts inserted above, newest first (ties: the later-numbered first). */
const newestFirst = Array.from({ length: attemptCount }, (_, i) => attemptCount - i);

describe.each([
  ['a contact’s portal login history', () => `/api/contacts/${leslie}/login-history`],
  ['a staff user’s login history', () => `/api/staff-users/${readOnlyStaff}/login-history`],
])('%s', (_name, url) => {
  it('reaches all 150 attempts, newest first, none twice, and says how many there are', async () => {
    const { pages, all } = await readAll(url(), 40);
    expect(pages.map((page) => page.attempts.length)).toEqual([40, 40, 40, 30]);
    for (const page of pages) expect(page.total).toBe(attemptCount);
    expect(all.map((attempt) => Number(attempt.reason.replace('attempt ', '')))).toEqual(
      newestFirst,
    );
    const times = all.map((attempt) => Date.parse(attempt.attemptedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('answers a page of 25 by default', async () => {
    const first = (await admin.get(url())).json<HistoryPage>();
    expect(first.attempts).toHaveLength(25);
    expect(first.nextCursor).not.toBeNull();
  });

  it('refuses a cursor it did not give out with 400 naming cursor', async () => {
    const other = (
      await admin.get(`/api/contacts/${leslie}/login-history?limit=1`)
    ).json<HistoryPage>().nextCursor!;
    const staffCursor = (
      await admin.get(`/api/staff-users/${readOnlyStaff}/login-history?limit=1`)
    ).json<HistoryPage>().nextCursor!;
    const own = url().startsWith('/api/contacts/') ? other : staffCursor;
    const foreign = own === other ? staffCursor : other;
    const [scope, sortKey] = JSON.parse(Buffer.from(own, 'base64url').toString()) as string[];
    const crafted = [
      'garbage!!',
      foreign,
      Buffer.from(
        JSON.stringify([scope, sortKey, '0b9f6a56-2f6c-4c1e-9a43-3f1e6b2d1c9a']),
      ).toString('base64url'),
      Buffer.from(JSON.stringify([scope, sortKey, '99999999999999999999'])).toString('base64url'),
      Buffer.from(JSON.stringify([scope, 'yesterday', '12'])).toString('base64url'),
    ];
    for (const cursor of crafted) {
      expectFieldErrors(await admin.get(`${url()}?cursor=${encodeURIComponent(cursor)}`), [
        'cursor',
      ]);
    }
  });
});
