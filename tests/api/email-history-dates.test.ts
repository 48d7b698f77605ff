import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * The Email History's From and To dates are days on the MSP's calendar (Configuration >
 * Billing time zone), not the database's: a message sent at 02:00 UTC on 1 March was sent on
 * the evening of 28 February in Los Angeles, and is found under that day.
 */
let testApp: TestApp;
let admin: ApiClient;
let pawnee: string;

/** A stored message for Pawnee created at the given instant; answers its subject. */
async function messageAt(createdAt: string): Promise<string> {
  const subject = `Sent at ${createdAt}`;
  await testApp.database.pool.query(
    `INSERT INTO email_messages (organization_id, template, recipients, from_address, subject,
                                 html, text, status, triggered_by, created_at)
     VALUES ($1, 'account_summary', '[]', 'billing@portico.test', $2, '<p>x</p>', 'x', 'sent',
             'system', $3)`,
    [pawnee, subject, createdAt],
  );
  return subject;
}

async function subjectsOn(from: string, to: string): Promise<string[]> {
  const response = await admin.get(`/api/organizations/${pawnee}/emails?from=${from}&to=${to}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ emails: { subject: string }[] }>().emails.map((e) => e.subject);
}

async function setTimeZone(timeZone: string) {
  const response = await admin.put('/api/settings/business-dates', {
    timeZone,
    dateFormat: 'YYYY-MM-DD',
  });
  expect(response.statusCode, response.body).toBe(200);
}

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
});
afterAll(async () => testApp?.close());

describe('Email History date filters', () => {
  it('find a message under the day it was on the MSP’s clock', async () => {
    const lateEvening = await messageAt('2026-03-01T02:00:00Z');
    const morning = await messageAt('2026-02-28T20:00:00Z');

    await setTimeZone('America/Los_Angeles');
    // 18:00 on 28 February and 12:00 on 28 February in Los Angeles.
    expect(await subjectsOn('2026-02-28', '2026-02-28')).toEqual([lateEvening, morning]);
    expect(await subjectsOn('2026-03-01', '2026-03-01')).toEqual([]);
    expect(await subjectsOn('2026-03-01', '2026-03-31')).toEqual([]);
    expect(await subjectsOn('2026-02-01', '2026-02-28')).toEqual([lateEvening, morning]);

    await setTimeZone('Pacific/Auckland');
    // 15:00 and 09:00 on 1 March in Auckland.
    expect(await subjectsOn('2026-03-01', '2026-03-01')).toEqual([lateEvening, morning]);
    expect(await subjectsOn('2026-02-28', '2026-02-28')).toEqual([]);

    await setTimeZone('Europe/London');
    // 02:00 on 1 March and 20:00 on 28 February in London (GMT).
    expect(await subjectsOn('2026-03-01', '2026-03-01')).toEqual([lateEvening]);
    expect(await subjectsOn('2026-02-28', '2026-02-28')).toEqual([morning]);
  });
});
