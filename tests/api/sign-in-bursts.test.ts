import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { LightMyRequestResponse } from 'fastify';
import { contactId, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The sign-in limits against a burst: attempts sent all at once must not get more passwords
 * (or TOTP codes) checked than the limit allows, for the staff password step, the staff TOTP
 * step and the portal sign-in, per address and per account.
 */
const maxPerAddress = 5;
const maxPerAccount = 4;
const burst = (limit: number) => limit * 3;

let testApp: TestApp;
const contactPassword = 'Burst of wrong passwords 42';
const totpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

beforeAll(async () => {
  testApp = await startTestApp({
    SIGN_IN_MAX_ATTEMPTS_PER_IP: String(maxPerAddress),
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: String(maxPerAccount),
  });
  const billing = await signedInAs(testApp.app, 'billing');
  const leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  const set = await billing.post(`/api/contacts/${leslie}/temporary-password`, {
    password: contactPassword,
  });
  expect(set.statusCode, set.body).toBe(204);
});
afterAll(async () => testApp.close());

const cookieHeader = (cookies: Map<string, string>) =>
  [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');

function keepCookies(cookies: Map<string, string>, response: LightMyRequestResponse) {
  for (const cookie of response.cookies) cookies.set(cookie.name, cookie.value);
}

/** A browser's CSRF pair for staff or portal routes, fetched from `remoteAddress`. */
async function browserAt(kind: 'staff' | 'portal', remoteAddress: string) {
  const session = await testApp.app.inject({
    method: 'GET',
    url: kind === 'staff' ? '/api/auth/session' : '/api/portal/session',
    remoteAddress,
  });
  const cookies = new Map<string, string>();
  keepCookies(cookies, session);
  return { cookies, csrfToken: session.json<{ csrfToken: string }>().csrfToken };
}

/** One POST from `remoteAddress`, as the browser whose cookies and CSRF token are given. */
function postFrom(
  remoteAddress: string,
  browser: { cookies: Map<string, string>; csrfToken: string },
  url: string,
  payload: unknown,
) {
  return testApp.app.inject({
    method: 'POST',
    url,
    remoteAddress,
    headers: { 'x-csrf-token': browser.csrfToken, cookie: cookieHeader(browser.cookies) },
    payload: payload as Record<string, unknown>,
  });
}

/** Fires `count` wrong sign-ins at once; each gets its own browser first, as separate clients do. */
async function wrongSignInsAtOnce(
  kind: 'staff' | 'portal',
  count: number,
  attempt: (i: number) => { remoteAddress: string; email: string },
) {
  const browsers = await Promise.all(
    Array.from({ length: count }, (_, i) => browserAt(kind, attempt(i).remoteAddress)),
  );
  const url = kind === 'staff' ? '/api/auth/sign-in' : '/api/portal/sign-in';
  const responses = await Promise.all(
    browsers.map((browser, i) => {
      const { remoteAddress, email } = attempt(i);
      return postFrom(remoteAddress, browser, url, { email, password: 'not the password' });
    }),
  );
  for (const response of responses) expect([401, 429]).toContain(response.statusCode);
  return responses;
}

/** How many login-history rows of the table record a password or code actually checked. */
async function checked(
  table: 'staff_login_attempts' | 'contact_login_attempts',
  where: { ip?: string; email?: string },
) {
  const result = await testApp.database.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table}
      WHERE ($1::text IS NULL OR ip = $1) AND ($2::text IS NULL OR email = $2)
        AND NOT succeeded AND reason NOT LIKE 'locked:%'`,
    [where.ip ?? null, where.email ?? null],
  );
  return result.rows[0]!.n;
}

describe('the staff password step under a burst', () => {
  it('checks at most the per-address limit of passwords from one address', async () => {
    const office = '203.0.113.10';
    const responses = await wrongSignInsAtOnce('staff', burst(maxPerAddress), (i) => ({
      remoteAddress: office,
      email: `burst-${i}@portico.test`,
    }));
    expect(await checked('staff_login_attempts', { ip: office })).toBeLessThanOrEqual(
      maxPerAddress,
    );
    expect(responses.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(
      burst(maxPerAddress) - maxPerAddress,
    );
  });

  it('checks at most the per-account limit of passwords for one account', async () => {
    const email = 'readonly@portico.test';
    await wrongSignInsAtOnce('staff', burst(maxPerAccount), (i) => ({
      remoteAddress: `203.0.113.${100 + i}`,
      email,
    }));
    expect(await checked('staff_login_attempts', { email })).toBeLessThanOrEqual(maxPerAccount);
  });
});

describe('the portal sign-in under a burst', () => {
  it('checks at most the per-address limit of passwords from one address', async () => {
    const office = '203.0.113.20';
    await wrongSignInsAtOnce('portal', burst(maxPerAddress), (i) => ({
      remoteAddress: office,
      email: `burst-${i}@example.com`,
    }));
    expect(await checked('contact_login_attempts', { ip: office })).toBeLessThanOrEqual(
      maxPerAddress,
    );
  });

  it('checks at most the per-account limit of passwords for one contact', async () => {
    const email = 'lknope@pawnee-indiana.gov';
    await wrongSignInsAtOnce('portal', burst(maxPerAccount), (i) => ({
      remoteAddress: `203.0.113.${150 + i}`,
      email,
    }));
    expect(await checked('contact_login_attempts', { email })).toBeLessThanOrEqual(maxPerAccount);
  });

  it('still signs the contact in from elsewhere once the window has passed', async () => {
    await testApp.database.pool.query(
      `UPDATE contact_login_attempts SET attempted_at = attempted_at - interval '16 minutes'`,
    );
    const browser = await browserAt('portal', '203.0.113.30');
    const response = await postFrom('203.0.113.30', browser, '/api/portal/sign-in', {
      email: 'lknope@pawnee-indiana.gov',
      password: contactPassword,
    });
    expect(response.statusCode, response.body).toBe(200);
  });
});

/** Six digits that match none of the time steps the server accepts around now. */
async function wrongCode(): Promise<string> {
  const step = Math.floor(Date.now() / 30_000);
  const accepted = await Promise.all(
    [-2, -1, 0, 1, 2].map((d) => generate({ secret: totpSecret, epoch: (step + d) * 30 })),
  );
  let candidate = 123456;
  while (accepted.includes(String(candidate))) candidate++;
  return String(candidate);
}

/** A demo staff user with TOTP on, signed in with the password from `remoteAddress`: TOTP due. */
async function pendingTotpSession(email: string, password: string, remoteAddress: string) {
  await testApp.database.pool.query(
    'UPDATE staff_users SET totp_secret = $2, totp_enabled_at = now() WHERE email = $1',
    [email, totpSecret],
  );
  const browser = await browserAt('staff', remoteAddress);
  const signIn = await postFrom(remoteAddress, browser, '/api/auth/sign-in', { email, password });
  expect(signIn.statusCode, signIn.body).toBe(200);
  keepCookies(browser.cookies, signIn);
  const fresh = signIn.headers['x-csrf-token'];
  return { ...browser, csrfToken: typeof fresh === 'string' ? fresh : browser.csrfToken };
}

describe('the staff TOTP step under a burst', () => {
  it('checks at most the per-account limit of codes for one account', async () => {
    const session = await pendingTotpSession(
      'billing@portico.test',
      'portico-billing-demo',
      '203.0.113.40',
    );
    const code = await wrongCode();
    const responses = await Promise.all(
      Array.from({ length: burst(maxPerAccount) }, (_, i) =>
        postFrom(`203.0.113.${200 + i}`, session, '/api/auth/sign-in/totp', { code }),
      ),
    );
    for (const response of responses) expect([401, 429]).toContain(response.statusCode);
    const codes = await testApp.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM staff_login_attempts
        WHERE email = 'billing@portico.test' AND reason = 'wrong TOTP code'`,
    );
    expect(codes.rows[0]!.n).toBeLessThanOrEqual(maxPerAccount);
  });

  it('checks at most the per-address limit of codes from one address', async () => {
    const office = '203.0.113.50';
    const users = [
      { email: 'admin@portico.test', password: 'portico-admin-demo' },
      { email: 'readonly@portico.test', password: 'portico-readonly-demo' },
    ];
    // The read-only account's burst above is out of its window now.
    await testApp.database.pool.query(
      `UPDATE staff_login_attempts SET attempted_at = attempted_at - interval '16 minutes'`,
    );
    const sessions = await Promise.all(
      users.map((u, i) => pendingTotpSession(u.email, u.password, `203.0.113.${60 + i}`)),
    );
    const code = await wrongCode();
    const perUser = maxPerAccount;
    await Promise.all(
      sessions.flatMap((session) =>
        Array.from({ length: perUser }, () =>
          postFrom(office, session, '/api/auth/sign-in/totp', { code }),
        ),
      ),
    );
    // Each account alone stays under its own limit, so only the address limit can hold here.
    expect(users.length * perUser).toBeGreaterThan(maxPerAddress);
    const codes = await testApp.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM staff_login_attempts
        WHERE ip = $1 AND reason = 'wrong TOTP code'`,
      [office],
    );
    expect(codes.rows[0]!.n).toBeLessThanOrEqual(maxPerAddress);
  });
});

describe('turning TOTP off under a burst', () => {
  it('checks at most the per-account limit of passwords given as proof', async () => {
    const email = 'admin@portico.test';
    await testApp.database.pool.query(
      `UPDATE staff_login_attempts SET attempted_at = attempted_at - interval '16 minutes'`,
    );
    await testApp.database.pool.query(
      'UPDATE staff_users SET totp_secret = NULL, totp_enabled_at = NULL WHERE email = $1',
      [email],
    );
    const browser = await browserAt('staff', '203.0.113.70');
    const signIn = await postFrom('203.0.113.70', browser, '/api/auth/sign-in', {
      email,
      password: 'portico-admin-demo',
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    keepCookies(browser.cookies, signIn);
    const fresh = signIn.headers['x-csrf-token'];
    const session = { ...browser, csrfToken: typeof fresh === 'string' ? fresh : '' };
    await testApp.database.pool.query(
      'UPDATE staff_users SET totp_secret = $2, totp_enabled_at = now() WHERE email = $1',
      [email, totpSecret],
    );
    const responses = await Promise.all(
      Array.from({ length: burst(maxPerAccount) }, () =>
        testApp.app.inject({
          method: 'DELETE',
          url: '/api/auth/totp',
          remoteAddress: '203.0.113.70',
          headers: {
            'x-csrf-token': session.csrfToken,
            cookie: cookieHeader(session.cookies),
          },
          payload: { password: 'not the password' },
        }),
      ),
    );
    for (const response of responses) expect([400, 429]).toContain(response.statusCode);
    const checkedProofs = await testApp.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM staff_login_attempts
        WHERE email = $1 AND reason = 'wrong password (turning TOTP off)'`,
      [email],
    );
    expect(checkedProofs.rows[0]!.n).toBeLessThanOrEqual(maxPerAccount);
  });
});
