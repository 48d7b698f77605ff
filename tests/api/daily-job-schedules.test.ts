import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allJobs, registerJobs } from '../../src/jobs.js';
import { createMailTransport } from '../../src/modules/email/mail-transport.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * The daily jobs run on the MSP's clock: pg-boss's schedules carry the time zone of
 * Configuration > Billing, read at start and moved when the setting changes, so the Invoice
 * Due notices go out at 08:00 in Auckland or Los Angeles rather than at 08:00 UTC.
 */
let testApp: TestApp;
let admin: ApiClient;

const daily = {
  'invoices.due-notices': '0 8 * * *',
  'payments.method-expiration-notices': '0 8 * * *',
  'email.failure-summary': '0 7 * * *',
  housekeeping: '17 3 * * *',
  // Every minute; its zone moves with the others though a minute is a minute anywhere.
  'payments.reconcile': '* * * * *',
  'payments.resend-refunds': '* * * * *',
  // Hourly, so a day the server missed is caught up within the hour it comes back.
  'scheduled-payments.run': '10 * * * *',
  // Every minute: it runs the day's AutoPay once the run time of Configuration > Billing came.
  'autopay.run': '* * * * *',
  // Every minute: returned AutoPay debits become declines the run tries again (decision 44).
  'autopay.returns': '* * * * *',
};

/** Every schedule pg-boss holds: name → "cron in zone". */
async function schedules(): Promise<Record<string, string>> {
  const result = await testApp.database.pool.query<{ name: string; cron: string; tz: string }>(
    'SELECT name, cron, timezone AS tz FROM pgboss.schedule ORDER BY name',
  );
  return Object.fromEntries(result.rows.map((row) => [row.name, `${row.cron} in ${row.tz}`]));
}

const allIn = (timeZone: string) =>
  Object.fromEntries(Object.entries(daily).map(([name, cron]) => [name, `${cron} in ${timeZone}`]));

/** What `npm start` does with the job queue before its workers start. */
async function start() {
  const definitions = allJobs(testApp.context, {
    transport: createMailTransport(testApp.context.config, 1),
  });
  await registerJobs(testApp.context, definitions);
}

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
});
afterAll(async () => testApp?.close());

describe('daily job schedules', () => {
  it('are scheduled at start in the time zone the settings hold', async () => {
    await testApp.database.pool.query(
      `UPDATE settings SET time_zone = 'Pacific/Auckland' WHERE id = 1`,
    );
    await start();
    expect(await schedules()).toEqual(allIn('Pacific/Auckland'));
  });

  it('move to the new time zone when Configuration > Billing changes it', async () => {
    const saved = await admin.put('/api/settings/business-dates', {
      timeZone: 'America/Los_Angeles',
      dateFormat: 'MM/DD/YYYY',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await schedules()).toEqual(allIn('America/Los_Angeles'));

    // A refused change moves nothing.
    const refused = await admin.put('/api/settings/business-dates', {
      timeZone: 'Mars/Olympus_Mons',
      dateFormat: 'MM/DD/YYYY',
    });
    expect(refused.statusCode).toBe(400);
    expect(await schedules()).toEqual(allIn('America/Los_Angeles'));

    // The next start reads the setting again.
    await start();
    expect(await schedules()).toEqual(allIn('America/Los_Angeles'));
  });
});
