import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loggerOptions } from '../../src/platform/logger.js';
import { lastLocalMailId, startLocalMail, tokenFromInbox } from '../support/local-mail.js';
import {
  ApiClient,
  contactId,
  organizationId,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

let testApp: TestApp;
let app: App;
let mail: { close: () => Promise<void> };
const lines: string[] = [];

beforeAll(async () => {
  testApp = await startTestApp();
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n')));
  const context = {
    ...testApp.context,
    config: { ...testApp.context.config, LOG_LEVEL: 'trace' as const },
    // The workers log to the same place as the web requests.
    logger: pino(loggerOptions('trace'), stream),
  };
  app = await buildApp(context, stream);
  await app.ready();
  mail = await startLocalMail({ ...testApp, app, context });
});
afterAll(async () => {
  await mail?.close();
  await app?.close();
  await testApp?.close();
});

describe('logs', () => {
  it('carry a request id and never a password, token or session cookie', async () => {
    const client = new ApiClient(app);
    const signIn = await client.signIn('admin@portico.test', 'portico-admin-demo');
    expect(signIn.statusCode).toBe(200);
    const sessionCookie = signIn.cookies.find((c) => c.name === 'portico_staff')!.value;
    await client.get('/api/organizations');
    await client.signIn('admin@portico.test', 'a-wrong-password-123');

    const log = lines.join('\n');
    expect(log).toContain('"reqId"');
    expect(signIn.headers['x-request-id']).toBeTruthy();
    expect(log).toContain(String(signIn.headers['x-request-id']));
    expect(log).not.toContain('portico-admin-demo');
    expect(log).not.toContain('a-wrong-password-123');
    expect(log).not.toContain(sessionCookie);
  });

  it('keep no link token, password or card number through a whole portal flow', async () => {
    const card = '4242424242424242';
    const secrets: string[] = [card, '4242 4242 4242 4242', 'portico-billing-demo'];
    const staff = new ApiClient(app);
    expect((await staff.signIn('billing@portico.test', 'portico-billing-demo')).statusCode).toBe(
      200,
    );
    // A card number typed into a search box, and where a password belongs.
    await staff.get(`/api/organizations?search=${card}`);
    await staff.get(`/api/organizations?search=4242%204242%204242%204242`);
    const leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');

    let afterId = await lastLocalMailId(testApp);
    await staff.post(`/api/contacts/${leslie}/emails`, { organizationId: pawnee, kind: 'welcome' });
    const welcome = await tokenFromInbox(testApp, {
      to: 'lknope@pawnee-indiana.gov',
      path: '/set-password',
      afterId,
    });
    secrets.push(welcome);
    const portal = new ApiClient(app, '/api/portal/session');
    await portal.get(`/portal/set-password?token=${welcome}`);
    const first = 'Logged nowhere passphrase 1';
    secrets.push(first);
    expect(
      (
        await portal.post('/api/portal/set-password', {
          token: welcome,
          password: first,
          passwordConfirmation: first,
        })
      ).statusCode,
    ).toBe(200);
    await portal.post('/api/portal/sign-in', {
      email: 'lknope@pawnee-indiana.gov',
      password: card,
    });
    const signedIn = await portal.post('/api/portal/sign-in', {
      email: 'lknope@pawnee-indiana.gov',
      password: first,
    });
    expect(signedIn.statusCode).toBe(200);
    secrets.push(signedIn.cookies.find((c) => c.name === 'portico_portal')!.value);

    afterId = await lastLocalMailId(testApp);
    const anonymous = new ApiClient(app, '/api/portal/session');
    await anonymous.post('/api/portal/request-password-reset', {
      email: 'lknope@pawnee-indiana.gov',
    });
    const reset = await tokenFromInbox(testApp, {
      to: 'lknope@pawnee-indiana.gov',
      path: '/reset-password',
      afterId,
    });
    secrets.push(reset);
    await anonymous.get(`/portal/reset-password?token=${reset}&next=%2Fportal`);
    const second = 'Logged nowhere passphrase 2';
    secrets.push(second);
    expect(
      (
        await anonymous.post('/api/portal/reset-password', {
          token: reset,
          password: second,
          passwordConfirmation: second,
        })
      ).statusCode,
    ).toBe(200);
    // A used link, tried again: refused, and still not logged.
    await anonymous.get(`/api/portal/reset-password?token=${reset}`);

    const again = new ApiClient(app, '/api/portal/session');
    await again.post('/api/portal/sign-in', {
      email: 'lknope@pawnee-indiana.gov',
      password: second,
    });
    const third = 'Logged nowhere passphrase 3';
    secrets.push(third);
    expect(
      (
        await again.post('/api/portal/change-password', {
          currentPassword: second,
          newPassword: third,
          newPasswordConfirmation: third,
        })
      ).statusCode,
    ).toBe(200);

    const log = lines.join('\n');
    // The flow was logged, with what is not secret.
    expect(log).toContain('/portal/set-password');
    expect(log).toContain('/portal/reset-password');
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
