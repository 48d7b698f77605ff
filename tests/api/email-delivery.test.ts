import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getEmailDetail } from '../../src/modules/email/email-history.js';
import { queueEmail } from '../../src/modules/email/email-queue.js';
import { withTransaction } from '../../src/platform/database.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { startMailWorkers } from '../support/mail-workers.js';
import { freePort, SmtpSink } from '../support/smtp-sink.js';
import { organizationId, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(env: Record<string, string> = {}, options: { supervise?: boolean } = {}) {
  const testApp = await startTestApp(
    { EMAIL_RETRY_DELAY_SECONDS: '1', EMAIL_MAX_ATTEMPTS: '6', ...env },
    options,
  );
  cleanups.push(() => testApp.close());
  return testApp;
}

async function sendPawneeSummary(testApp: TestApp): Promise<string> {
  const staff = await signedInAs(testApp.app, 'billing');
  const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  const response = await staff.post(`/api/organizations/${pawnee}/send-account-summary`);
  expect(response.statusCode, response.body).toBe(202);
  return response.json().messageId;
}

function detail(testApp: TestApp, messageId: string) {
  return getEmailDetail({ pool: testApp.database.pool, messageId });
}

async function waitForStatus(
  testApp: TestApp,
  messageId: string,
  status: string,
  timeout = 20_000,
) {
  await expect
    .poll(async () => (await detail(testApp, messageId)).status, { timeout, interval: 200 })
    .toBe(status);
  return detail(testApp, messageId);
}

function kinds(events: { kind: string }[]) {
  return events.map((e) => e.kind);
}

describe('email delivery over SMTP', () => {
  it('delivers an Account Summary that the SMTP server reads back with its headers, HTML and text', async () => {
    const testApp = await setUp();
    const sink = await new SmtpSink().start();
    cleanups.push(() => sink.stop());
    const workers = await startMailWorkers(testApp, sink.port);
    cleanups.push(workers.close);

    const messageId = await sendPawneeSummary(testApp);
    const sent = await waitForStatus(testApp, messageId, 'sent');

    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.subject).toBe('Account summary for Pawnee Parks Dept. from Northwind Managed IT');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe(
      'lknope@pawnee-indiana.gov',
    );
    expect(mail.messageId).toBe(`<${messageId}@portico>`);
    expect(mail.headers.get('x-portico-message-id')).toBe(messageId);
    expect(mail.html).toContain('Pawnee Parks Dept.');
    expect(mail.text).toContain('Total due: $2,055.25');
    expect(kinds(sent.events)).toEqual(['triggered', 'queued', 'processing', 'sent']);
    expect(sent.smtpResponse).toMatch(/^250 Accepted as message 1/);
    expect(sent.smtpMessageId).toBe(`<${messageId}@portico>`);
  });

  it('sends attachments as stored, byte for byte', async () => {
    const testApp = await setUp();
    const sink = await new SmtpSink().start();
    cleanups.push(() => sink.stop());
    const workers = await startMailWorkers(testApp, sink.port);
    cleanups.push(workers.close);
    const content = Buffer.from('%PDF-1.4 statement bytes \u00e9', 'utf8');

    const { messageId } = await withTransaction(testApp.database.pool, (tx) =>
      queueEmail(tx, testApp.context, {
        organizationId: null,
        template: 'account_summary',
        recipients: [{ email: 'ap@example.com', name: 'Accounts Payable', contactId: null }],
        rendered: { subject: 'Statement', html: '<p>Attached</p>', text: 'Attached' },
        linkBase: null,
        attachments: [{ filename: 'statement.pdf', contentType: 'application/pdf', content }],
        triggeredBy: systemActor,
        reason: 'Test',
      }),
    );
    await waitForStatus(testApp, messageId, 'sent');
    const attachment = sink.received[0]!.attachments[0]!;
    expect(attachment.filename).toBe('statement.pdf');
    expect(attachment.contentType).toBe('application/pdf');
    expect(Buffer.compare(attachment.content, content)).toBe(0);
  });

  it('keeps messages while the SMTP server is down and delivers them when it returns', async () => {
    const testApp = await setUp();
    const port = await freePort();
    const workers = await startMailWorkers(testApp, port);
    cleanups.push(workers.close);

    const messageId = await sendPawneeSummary(testApp);
    await expect
      .poll(async () => kinds((await detail(testApp, messageId)).events), { timeout: 20_000 })
      .toContain('retry_scheduled');
    const waiting = await detail(testApp, messageId);
    expect(waiting.status).toBe('queued');
    expect(waiting.lastError).toMatch(/could not reach the mail server/);

    const sink = await new SmtpSink().start(port);
    cleanups.push(() => sink.stop());
    const sent = await waitForStatus(testApp, messageId, 'sent', 30_000);
    expect(sink.received).toHaveLength(1);
    const events = kinds(sent.events);
    expect(events.filter((k) => k === 'processing').length).toBeGreaterThanOrEqual(2);
    expect(events.filter((k) => k === 'sent')).toHaveLength(1);
    expect(events.at(-1)).toBe('sent');
  });

  it('fails a refused mailbox at once, with the reason in words', async () => {
    const testApp = await setUp();
    const sink = await new SmtpSink().start();
    sink.mode = 'reject-recipient';
    cleanups.push(() => sink.stop());
    const workers = await startMailWorkers(testApp, sink.port);
    cleanups.push(workers.close);

    const messageId = await sendPawneeSummary(testApp);
    const failed = await waitForStatus(testApp, messageId, 'failed');
    expect(failed.attempts).toBe(1);
    expect(kinds(failed.events)).toEqual(['triggered', 'queued', 'processing', 'failed']);
    expect(failed.events.at(-1)!.detail).toMatch(/refused the address: the mailbox does not exist/);
    expect(failed.events.at(-1)!.detail).toMatch(/550/);
  });

  it('gives up after the last retry of a temporary failure, recording every attempt', async () => {
    const testApp = await setUp({ EMAIL_MAX_ATTEMPTS: '3' });
    const sink = await new SmtpSink().start();
    sink.mode = 'tempfail';
    cleanups.push(() => sink.stop());
    const workers = await startMailWorkers(testApp, sink.port);
    cleanups.push(workers.close);

    const messageId = await sendPawneeSummary(testApp);
    const failed = await waitForStatus(testApp, messageId, 'failed', 30_000);
    expect(failed.attempts).toBe(3);
    expect(kinds(failed.events)).toEqual([
      'triggered',
      'queued',
      'processing',
      'retry_scheduled',
      'processing',
      'retry_scheduled',
      'processing',
      'failed',
    ]);
    expect(failed.events.at(-1)!.detail).toMatch(/try again later.*Gave up after 3 attempts/);
  });

  it('delivers a message after the worker sending it is killed, and the history shows both attempts', async () => {
    const testApp = await setUp({ EMAIL_JOB_EXPIRE_SECONDS: '3' }, { supervise: true });
    const sink = await new SmtpSink().start();
    sink.mode = 'stall';
    cleanups.push(() => sink.stop());

    const worker: ChildProcess = fork(path.resolve('tests/support/email-worker-process.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        WORKER_DATABASE_URL: testApp.database.connectionString,
        WORKER_SMTP_PORT: String(sink.port),
        EMAIL_JOB_EXPIRE_SECONDS: '3',
      },
      stdio: 'ignore',
    });
    cleanups.push(() => worker.kill('SIGKILL'));
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));

    const messageId = await sendPawneeSummary(testApp);
    // The message reached the server, which never answered: kill the worker mid-send.
    await expect.poll(() => sink.dataCount, { timeout: 20_000 }).toBe(1);
    expect((await detail(testApp, messageId)).status).toBe('sending');
    worker.kill('SIGKILL');

    sink.mode = 'accept';
    const workers = await startMailWorkers(testApp, sink.port);
    cleanups.push(workers.close);
    const sent = await waitForStatus(testApp, messageId, 'sent', 30_000);

    expect(sent.attempts).toBe(2);
    expect(kinds(sent.events).filter((k) => k === 'processing')).toHaveLength(2);
    // SMTP has no exactly-once: the server took the message twice, with the same Message-ID.
    expect(sink.dataCount).toBe(2);
    expect(sink.received[0]!.messageId).toBe(`<${messageId}@portico>`);
  });
});
