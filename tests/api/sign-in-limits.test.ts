import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactId, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';
import { errorOf } from '../support/api-assertions.js';

/**
 * The per-address sign-in limit, as an office behind one address meets it: many people
 * signing in successfully never lock the address out; only failed attempts count.
 */
let testApp: TestApp;
const contactPassword = 'Office behind one address 42';

beforeAll(async () => {
  testApp = await startTestApp({
    SIGN_IN_MAX_ATTEMPTS_PER_IP: '3',
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '100',
  });
  const billing = await signedInAs(testApp.app, 'billing');
  const leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  const set = await billing.post(`/api/contacts/${leslie}/temporary-password`, {
    password: contactPassword,
  });
  expect(set.statusCode, set.body).toBe(204);
});
afterAll(async () => testApp.close());

/** One sign-in from the given address, as a browser does it: session (CSRF token), then POST. */
async function signInFrom(
  kind: 'staff' | 'portal',
  remoteAddress: string,
  email: string,
  password: string,
) {
  const sessionUrl = kind === 'staff' ? '/api/auth/session' : '/api/portal/session';
  const session = await testApp.app.inject({ method: 'GET', url: sessionUrl, remoteAddress });
  const csrfCookie = session.cookies.find((c) => c.name === 'portico_csrf')!;
  return testApp.app.inject({
    method: 'POST',
    url: kind === 'staff' ? '/api/auth/sign-in' : '/api/portal/sign-in',
    remoteAddress,
    headers: {
      'x-csrf-token': session.json().csrfToken,
      cookie: `portico_csrf=${csrfCookie.value}`,
    },
    payload: { email, password },
  });
}

describe('the staff per-address sign-in limit', () => {
  const office = '198.51.100.7';

  it('lets many successful sign-ins from one address through', async () => {
    for (let i = 0; i < 6; i++) {
      const response = await signInFrom(
        'staff',
        office,
        'admin@portico.test',
        'portico-admin-demo',
      );
      expect(response.statusCode, `sign-in ${i + 1}: ${response.body}`).toBe(200);
    }
  });

  it('still refuses an address after too many failures, whatever the account', async () => {
    const emails = ['nobody@portico.test', 'billing@portico.test', 'readonly@portico.test'];
    for (const email of emails) {
      expect((await signInFrom('staff', office, email, 'wrong-password')).statusCode).toBe(401);
    }
    const refused = await signInFrom('staff', office, 'admin@portico.test', 'portico-admin-demo');
    expect(refused.statusCode).toBe(429);
    expect(errorOf(refused).code).toBe('rate_limited');
    const elsewhere = await signInFrom(
      'staff',
      '198.51.100.8',
      'admin@portico.test',
      'portico-admin-demo',
    );
    expect(elsewhere.statusCode).toBe(200);
  });

  it('keeps the refusal in the login history, with its reason', async () => {
    const result = await testApp.database.pool.query(
      `SELECT reason FROM staff_login_attempts WHERE ip = $1 AND NOT succeeded ORDER BY id`,
      [office],
    );
    expect(result.rows.at(-1)?.reason).toMatch(/too many failed attempts from this address/);
  });
});

describe('the portal per-address sign-in limit', () => {
  const office = '198.51.100.20';

  it('lets many successful sign-ins from one address through', async () => {
    for (let i = 0; i < 6; i++) {
      const response = await signInFrom(
        'portal',
        office,
        'lknope@pawnee-indiana.gov',
        contactPassword,
      );
      expect(response.statusCode, `sign-in ${i + 1}: ${response.body}`).toBe(200);
    }
  });

  it('still refuses an address after too many failures, whatever the account', async () => {
    const emails = [
      'nobody@example.com',
      'aludgate@pawnee-indiana.gov',
      'lknope@pawnee-indiana.gov',
    ];
    for (const email of emails) {
      expect((await signInFrom('portal', office, email, 'wrong-password')).statusCode).toBe(401);
    }
    const refused = await signInFrom(
      'portal',
      office,
      'lknope@pawnee-indiana.gov',
      contactPassword,
    );
    expect(refused.statusCode).toBe(429);
    expect(errorOf(refused).code).toBe('rate_limited');
    const elsewhere = await signInFrom(
      'portal',
      '198.51.100.21',
      'lknope@pawnee-indiana.gov',
      contactPassword,
    );
    expect(elsewhere.statusCode).toBe(200);
  });
});
