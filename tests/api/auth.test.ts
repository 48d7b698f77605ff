import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
beforeAll(async () => {
  testApp = await startTestApp({ SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3' });
});
afterAll(async () => testApp.close());

describe('staff sign-in', () => {
  it('signs in with the right password and reads the session', async () => {
    const client = await signedInAs(testApp.app, 'master_admin');
    const session = await client.get('/api/auth/session');
    expect(session.json().user).toMatchObject({
      email: 'admin@portico.test',
      role: 'master_admin',
    });
  });

  it('sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const client = new ApiClient(testApp.app);
    const response = await client.signIn('billing@portico.test', 'portico-billing-demo');
    const cookie = response.cookies.find((c) => c.name === 'portico_staff');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
  });

  it('answers an unknown email exactly as a wrong password', async () => {
    const client = new ApiClient(testApp.app);
    const unknown = await client.signIn('nobody@portico.test', 'whatever-password');
    const wrong = await client.signIn('readonly@portico.test', 'not-the-password');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('records why a sign-in failed in the login history, for staff to read', async () => {
    const result = await testApp.database.pool.query(
      `SELECT reason FROM staff_login_attempts WHERE email = 'readonly@portico.test' AND NOT succeeded`,
    );
    expect(result.rows.map((r) => r.reason)).toContain('wrong password');
  });

  it('locks an account after too many failures, even with the right password', async () => {
    const client = new ApiClient(testApp.app);
    for (let i = 0; i < 3; i++) {
      expect((await client.signIn('billing@portico.test', 'wrong-password')).statusCode).toBe(401);
    }
    const locked = await client.signIn('billing@portico.test', 'portico-billing-demo');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('rate_limited');
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: 'admin@portico.test', password: 'portico-admin-demo' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.message).toMatch(/CSRF/);
  });

  it('signs out and the session no longer works', async () => {
    const client = await signedInAs(testApp.app, 'master_admin');
    expect((await client.post('/api/auth/sign-out')).statusCode).toBe(200);
    expect((await client.get('/api/organizations')).statusCode).toBe(401);
  });

  it('asks an anonymous caller to sign in', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/organizations' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthenticated');
  });

  it('stores passwords as argon2id hashes', async () => {
    const result = await testApp.database.pool.query(
      `SELECT password_hash FROM staff_users WHERE email = 'admin@portico.test'`,
    );
    expect(result.rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('behind an HTTPS reverse proxy', () => {
  let proxied: TestApp;
  beforeAll(async () => {
    proxied = await startTestApp({ TRUST_PROXY: 'true', SIGN_IN_MAX_ATTEMPTS_PER_IP: '4' });
  });
  afterAll(async () => proxied.close());

  async function signInFrom(ip: string, password: string) {
    const session = await proxied.app.inject({ method: 'GET', url: '/api/auth/session' });
    const csrfCookie = session.cookies.find((c) => c.name === 'portico_csrf')!;
    return proxied.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: {
        'x-forwarded-proto': 'https',
        'x-forwarded-for': ip,
        'x-csrf-token': session.json().csrfToken,
        cookie: `portico_csrf=${csrfCookie.value}`,
      },
      payload: { email: 'admin@portico.test', password },
    });
  }

  it('marks the session cookie Secure', async () => {
    const response = await signInFrom('203.0.113.1', 'portico-admin-demo');
    expect(response.statusCode).toBe(200);
    expect(response.cookies.find((c) => c.name === 'portico_staff')?.secure).toBe(true);
  });

  it('limits sign-in attempts per client IP, and not for other IPs', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await signInFrom('203.0.113.9', 'wrong')).statusCode);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    expect((await signInFrom('203.0.113.10', 'portico-admin-demo')).statusCode).toBe(200);
  });
});
