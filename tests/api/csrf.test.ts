import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import {
  ApiClient,
  contactId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { errorOf } from '../support/api-assertions.js';

/**
 * CSRF protection and session lookup follow the route a request reaches, however its target
 * is spelled (percent-encoded, absolute-form), and a CSRF token works only with the session it
 * was given to.
 */
let testApp: TestApp;
let base = '';

beforeAll(async () => {
  testApp = await startTestApp();
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => testApp.close());

/** A signed-in staff browser's cookies and token, as raw values. */
async function staffBrowser(email: string, password: string) {
  const session = await testApp.app.inject({ method: 'GET', url: '/api/auth/session' });
  const csrf = session.cookies.find((c) => c.name === 'portico_csrf')!.value;
  const signIn = await testApp.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    headers: { cookie: `portico_csrf=${csrf}`, 'x-csrf-token': session.json().csrfToken },
    payload: { email, password },
  });
  expect(signIn.statusCode, signIn.body).toBe(200);
  const staff = signIn.cookies.find((c) => c.name === 'portico_staff')!.value;
  const cookie = `portico_csrf=${csrf}; portico_staff=${staff}`;
  const token = (
    await testApp.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie } })
  ).json().csrfToken as string;
  return { csrf, staff, cookie, token };
}

/** Sends a raw request line over HTTP, so the target can be in absolute form. */
function rawHttp(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: target,
        headers: {
          ...headers,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const organizationCount = async () =>
  (await testApp.database.pool.query('SELECT count(*)::int AS n FROM organizations')).rows[0].n;

describe('a request target spelled differently reaches the same protection', () => {
  it('refuses a percent-encoded state-changing request without a token, and keeps the session', async () => {
    const browser = await staffBrowser('admin@portico.test', 'portico-admin-demo');
    const before = await organizationCount();
    for (const url of ['/%61pi/auth/sign-out', '/%61pi/organizations', '/api/%6Frganizations']) {
      const response = await testApp.app.inject({
        method: 'POST',
        url,
        headers: { cookie: browser.cookie },
        payload: { name: 'Forged Org' },
      });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(403);
      expect(errorOf(response).message).toMatch(/CSRF/);
    }
    expect(await organizationCount()).toBe(before);
    const session = await testApp.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { cookie: browser.cookie },
    });
    expect(session.json().user?.email).toBe('admin@portico.test');
  });

  it('refuses an absolute-form state-changing request without a token', async () => {
    const browser = await staffBrowser('admin@portico.test', 'portico-admin-demo');
    const before = await organizationCount();
    for (const target of [
      `${base}/api/organizations`,
      `${base}/%61pi/organizations`,
      `${base}/api/auth/sign-out`,
    ]) {
      const response = await rawHttp('POST', target, { cookie: browser.cookie }, { name: 'X' });
      expect(response.status, `${target}: ${response.body}`).toBe(403);
    }
    expect(await organizationCount()).toBe(before);
  });

  it('resolves the sessions by the route reached, however the target is spelled', async () => {
    const browser = await staffBrowser('billing@portico.test', 'portico-billing-demo');
    for (const url of ['/%61pi/auth/session', '/api/%61uth/session']) {
      const response = await testApp.app.inject({
        method: 'GET',
        url,
        headers: { cookie: browser.cookie },
      });
      expect(response.json().user?.email, url).toBe('billing@portico.test');
    }
    const absolute = await rawHttp('GET', `${base}/api/auth/session`, { cookie: browser.cookie });
    expect(JSON.parse(absolute.body).user?.email).toBe('billing@portico.test');
  });
});

describe('a CSRF token belongs to one session', () => {
  it('refuses a staff token minted for session A with session B’s cookie', async () => {
    const a = await staffBrowser('admin@portico.test', 'portico-admin-demo');
    const b = await staffBrowser('billing@portico.test', 'portico-billing-demo');
    const before = await organizationCount();
    const send = (cookie: string, token: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/organizations',
        headers: { cookie, 'x-csrf-token': token },
        payload: { name: 'Tossed Cookie Inc' },
      });
    // A's token and A's CSRF secret, with B's session: as a planted cookie would make it.
    const crossed = await send(`portico_csrf=${a.csrf}; portico_staff=${b.staff}`, a.token);
    expect(crossed.statusCode, crossed.body).toBe(403);
    expect(await organizationCount()).toBe(before);
    // Each with its own token still works.
    const own: LightMyRequestResponse = await send(b.cookie, b.token);
    expect(own.statusCode, own.body).toBe(201);
  });

  it('refuses a portal token minted for one contact’s session with another’s cookie', async () => {
    const admin = await signedInAs(testApp.app, 'master_admin');
    const sessions: { csrf: string; portal: string; token: string }[] = [];
    for (const email of ['lknope@pawnee-indiana.gov', 'aludgate@pawnee-indiana.gov']) {
      const id = await contactId(testApp, email);
      const password = `Temporary ${email.length} passphrase`;
      expect(
        (await admin.post(`/api/contacts/${id}/temporary-password`, { password })).statusCode,
      ).toBe(204);
      const client = new ApiClient(testApp.app, '/api/portal/session');
      const signIn = await client.post('/api/portal/sign-in', { email, password });
      expect(signIn.statusCode, signIn.body).toBe(200);
      const portal = signIn.cookies.find((c) => c.name === 'portico_portal')!.value;
      const first = await testApp.app.inject({ method: 'GET', url: '/api/portal/session' });
      const csrf = first.cookies.find((c) => c.name === 'portico_csrf')!.value;
      const session = await testApp.app.inject({
        method: 'GET',
        url: '/api/portal/session',
        headers: { cookie: `portico_csrf=${csrf}; portico_portal=${portal}` },
      });
      sessions.push({ csrf, portal, token: session.json().csrfToken });
    }
    const [leslie, april] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    const signOut = (cookie: string, token: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/portal/sign-out',
        headers: { cookie, 'x-csrf-token': token },
      });
    const crossed = await signOut(
      `portico_csrf=${leslie.csrf}; portico_portal=${april.portal}`,
      leslie.token,
    );
    expect(crossed.statusCode, crossed.body).toBe(403);
    const own = await signOut(
      `portico_csrf=${april.csrf}; portico_portal=${april.portal}`,
      april.token,
    );
    expect(own.statusCode, own.body).toBe(200);
  });

  it('gives a signed-in browser a token for its new session with the sign-in answer', async () => {
    const client = new ApiClient(testApp.app);
    const signIn = await client.signIn('readonly@portico.test', 'portico-readonly-demo');
    expect(signIn.statusCode, signIn.body).toBe(200);
    expect(signIn.headers['x-csrf-token']).toEqual(expect.any(String));
    // The same browser's next change goes through with that token.
    expect((await client.post('/api/auth/sign-out')).statusCode).toBe(200);
  });
});
