import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEmailDetail } from '../../src/modules/email/email-history.js';
import { startMailWorkers } from '../support/mail-workers.js';
import { freePort, SmtpSink } from '../support/smtp-sink.js';
import {
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * A Welcome or Password Reset email queued before a change of the contact's password, and
 * delivered only after it (the SMTP server was down meanwhile), must not carry a working link:
 * any change of password ends every outstanding link, delivered or not (decision 17).
 */
let testApp: TestApp;
let billing: ApiClient;
let sink: SmtpSink | undefined;
let workers: { close: () => Promise<unknown> | unknown } | undefined;
let port: number;
let leslie: string;
let pawnee: string;

beforeAll(async () => {
  testApp = await startTestApp({ EMAIL_RETRY_DELAY_SECONDS: '1', EMAIL_MAX_ATTEMPTS: '20' });
  port = await freePort();
  workers = await startMailWorkers(testApp, port);
  billing = await signedInAs(testApp.app, 'billing');
  leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
});
afterAll(async () => {
  await workers?.close();
  await sink?.stop();
  await testApp?.close();
});

const detail = (messageId: string) => getEmailDetail({ pool: testApp.database.pool, messageId });

async function queueLinkEmail(kind: 'welcome' | 'password_reset') {
  const sent = await billing.post(`/api/contacts/${leslie}/emails`, {
    organizationId: pawnee,
    kind,
  });
  expect(sent.statusCode, sent.body).toBe(202);
  const messageId = sent.json().messageId as string;
  await expect
    .poll(async () => (await detail(messageId)).events.map((e: { kind: string }) => e.kind), {
      timeout: 20_000,
    })
    .toContain('retry_scheduled');
  return messageId;
}

describe('a link email delivered after a password change', () => {
  it('is not sent, and fails with the reason in its history', async () => {
    const welcome = await queueLinkEmail('welcome');
    const reset = await queueLinkEmail('password_reset');

    const changed = await billing.post(`/api/contacts/${leslie}/temporary-password`, {
      password: 'Temporary pass 2468',
    });
    expect(changed.statusCode, changed.body).toBe(204);

    sink = await new SmtpSink().start(port);
    for (const messageId of [welcome, reset]) {
      // Delivered or given up: whichever the worker does once the server is back.
      await expect
        .poll(async () => ['sent', 'failed'].includes((await detail(messageId)).status), {
          timeout: 15_000,
          interval: 200,
        })
        .toBe(true);
      const history = await detail(messageId);
      expect(history.status).toBe('failed');
      expect(history.lastError).toMatch(/password was changed after this email was queued/);
      expect(history.events.at(-1)?.kind).toBe('failed');
    }
    expect(sink.received).toHaveLength(0);
    const links = await testApp.database.pool.query(
      'SELECT 1 FROM contact_tokens WHERE contact_id = $1 AND used_at IS NULL',
      [leslie],
    );
    expect(links.rowCount).toBe(0);
  });

  it('a link email queued after the change is still delivered', async () => {
    // Another staff user, so it is not taken for a double click on the reset sent above.
    const admin = await signedInAs(testApp.app, 'master_admin');
    const sent = await admin.post(`/api/contacts/${leslie}/emails`, {
      organizationId: pawnee,
      kind: 'password_reset',
    });
    expect(sent.statusCode, sent.body).toBe(202);
    await expect
      .poll(async () => (await detail(sent.json().messageId)).status, { timeout: 15_000 })
      .toBe('sent');
    expect(sink!.received).toHaveLength(1);
  });
});
