import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/platform/http/app.js';
import { ApiClient, startTestApp, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let app: App;
const lines: string[] = [];

beforeAll(async () => {
  testApp = await startTestApp();
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n')));
  app = await buildApp(
    { ...testApp.context, config: { ...testApp.context.config, LOG_LEVEL: 'trace' } },
    stream,
  );
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await testApp.close();
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
});
