import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalMail } from '../support/local-mail.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type { localMailboxPage } from '../../src/shared/contract/email.js';

let testApp: TestApp;
let mail: { close: () => Promise<void> };
let admin: ApiClient;

beforeAll(async () => {
  testApp = await startTestApp();
  mail = await startLocalMail(testApp);
  admin = await signedInAs(testApp.app, 'master_admin');
});
afterAll(async () => {
  await mail?.close();
  await testApp?.close();
});

describe('the Local Mailbox', () => {
  it('shows subjects and names in any script as written, in the list and in the message', async () => {
    const pool = testApp.database.pool;
    const organization: string = (
      await pool.query(
        `INSERT INTO organizations (name) VALUES ('Dvořák & Syn s.r.o.') RETURNING id`,
      )
    ).rows[0].id;
    const contact: string = (
      await pool.query(
        `INSERT INTO contacts (name, email) VALUES ('Jiří Dvořák', 'jiri@dvorak.example') RETURNING id`,
      )
    ).rows[0].id;
    await pool.query(
      `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification)
       VALUES ($1, $2, true)`,
      [contact, organization],
    );
    const sent = await admin.post(`/api/organizations/${organization}/send-account-summary`);
    expect(sent.statusCode, sent.body).toBe(202);
    const { subject } = (await admin.get(`/api/emails/${sent.json().messageId}`)).json().email;
    expect(subject).toContain('Dvořák & Syn s.r.o.');

    type Listed = Answer<typeof localMailboxPage>['messages'][number];
    let received: Listed | undefined;
    await expect
      .poll(
        async () => {
          const list = await admin.get('/api/local-mailbox');
          received = (list.json().messages as Listed[]).find((m) =>
            m.to.includes('jiri@dvorak.example'),
          );
          return received !== undefined;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe(true);
    expect(received!.subject).toBe(subject);

    const message = (await admin.get(`/api/local-mailbox/${received!.id}`)).json().message;
    expect(message.subject).toBe(subject);
    const header = (name: string) =>
      (message.headers as { name: string; line: string }[]).find((h) => h.name === name)?.line;
    expect(header('subject')).toBe(`Subject: ${subject}`);
    expect(header('to')).toBe('To: Jiří Dvořák <jiri@dvorak.example>');
    expect(JSON.stringify(message.headers)).not.toContain('=?');
  });
});
