import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInWithTemporaryPassword } from '../support/portal-client.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What every answer tells the browser and the caches between: HSTS only over HTTPS (a plain
 * HTTP LAN install must not be pinned to HTTPS it does not serve), and no copy kept of an
 * answer that carries one person's data.
 */
let testApp: TestApp;
let proxied: TestApp;
let admin: ApiClient;
let portal: ApiClient;

beforeAll(async () => {
  testApp = await startTestApp();
  proxied = await startTestApp({ TRUST_PROXY: 'true' });
  admin = await signedInAs(testApp.app, 'master_admin');
  portal = await signedInWithTemporaryPassword(testApp, admin, 'lknope@pawnee-indiana.gov');
});
afterAll(async () => {
  await testApp.close();
  await proxied.close();
});

describe('Strict-Transport-Security', () => {
  it('is not sent over plain HTTP', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/auth/session' });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('is not sent when a client claims HTTPS but no proxy is trusted', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('is sent over HTTPS behind a trusted proxy', async () => {
    const response = await proxied.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const plain = await proxied.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { 'x-forwarded-proto': 'http' },
    });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('Cache-Control on API answers', () => {
  it('is no-store on every GET route of the API, staff and portal, answer or error', async () => {
    const routes = testApp.app.routeTable.filter(
      (route) => route.method === 'GET' && route.url.startsWith('/api/'),
    );
    expect(routes.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const route of routes) {
      const url = route.url.replace(/:\w+/g, '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f');
      const client = route.url.startsWith('/api/portal/') ? portal : admin;
      const response = await client.get(url);
      if (!/\bno-store\b/.test(String(response.headers['cache-control']))) {
        missing.push(`${route.url}: ${response.statusCode} ${response.headers['cache-control']}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('is no-store on the portal session and invoice list, and on refusals', async () => {
    for (const response of [
      await portal.get('/api/portal/session'),
      await portal.get('/api/portal/invoices'),
      await admin.get('/api/organizations'),
      await testApp.app.inject({ method: 'GET', url: '/api/organizations' }),
      await admin.post('/api/organizations', { name: '' }),
    ]) {
      expect(response.headers['cache-control']).toMatch(/\bno-store\b/);
    }
  });
});

describe('Security headers (helmet)', () => {
  const expected = (headers: Record<string, unknown>) => ({
    csp: String(headers['content-security-policy'] ?? ''),
    frameOptions: headers['x-frame-options'],
    nosniff: headers['x-content-type-options'],
    referrer: headers['referrer-policy'],
    opener: headers['cross-origin-opener-policy'],
  });

  it('are on every GET route of the API, staff and portal, answer or error, and on other answers', async () => {
    const routes = testApp.app.routeTable.filter(
      (route) => route.method === 'GET' && route.url.startsWith('/api/'),
    );
    const missing: string[] = [];
    const answers = [
      ...(await Promise.all(
        routes.map(async (route) => {
          const url = route.url.replace(/:\w+/g, '6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f');
          const client = route.url.startsWith('/api/portal/') ? portal : admin;
          return { url, response: await client.get(url) };
        }),
      )),
      { url: '/', response: await testApp.app.inject({ method: 'GET', url: '/' }) },
      { url: 'no route', response: await testApp.app.inject({ method: 'GET', url: '/api/none' }) },
      {
        url: 'signed out',
        response: await testApp.app.inject({ method: 'GET', url: '/api/organizations' }),
      },
    ];
    for (const { url, response } of answers) {
      const headers = expected(response.headers);
      // An attachment download narrows the policy further (sandbox); everything else has the
      // installation's own, which starts with default-src 'self'.
      const policyHolds =
        /^default-src 'self'.*script-src 'self'/.test(headers.csp) || /^sandbox/.test(headers.csp);
      if (
        !policyHolds ||
        headers.frameOptions !== 'SAMEORIGIN' ||
        headers.nosniff !== 'nosniff' ||
        headers.referrer !== 'no-referrer' ||
        headers.opener !== 'same-origin'
      ) {
        missing.push(`${url}: ${response.statusCode} ${JSON.stringify(headers)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('do not add upgrade-insecure-requests, so a plain-HTTP LAN install keeps working', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/auth/session' });
    expect(String(response.headers['content-security-policy'])).not.toContain(
      'upgrade-insecure-requests',
    );
  });
});
