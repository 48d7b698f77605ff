import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/modules/audit/audit.js';
import { queueNewInvoiceEmail } from '../../src/modules/invoices/invoice-emails.js';
import { sendInvoiceDueNotices } from '../../src/modules/invoices/invoice-notices.js';
import { withTransaction } from '../../src/platform/database.js';
import { expectFieldErrors } from '../support/api-assertions.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * "Today" is the calendar date in the MSP's time zone, whatever the server's clock says in
 * UTC. At 02:00 UTC on 1 March 2026 it is still 28 February in Los Angeles, and already the
 * afternoon of 1 March in Auckland.
 */
const clock = new Date('2026-03-01T02:00:00Z');
const password = 'Harbour lights over Waitemata 7';

let testApp: TestApp;
let admin: ApiClient;
let readOnly: ApiClient;
let portal: ApiClient;
let zoneOrg: string;
let dueFeb28: string;

beforeAll(async () => {
  testApp = await startTestApp();
  testApp.context.clock = () => clock;
  admin = await signedInAs(testApp.app, 'master_admin');
  readOnly = await signedInAs(testApp.app, 'read_only');
  const pool = testApp.database.pool;
  // An organization of its own, so the demo invoices (dated from the real today) stay out.
  zoneOrg = (
    await pool.query(`INSERT INTO organizations (name) VALUES ('Time Zone Co') RETURNING id`)
  ).rows[0].id;
  const contact = (
    await pool.query(
      `INSERT INTO contacts (name, email) VALUES ('Kiri Tane', 'kiri@timezone.example') RETURNING id`,
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification,
                                        access_profile_id)
     VALUES ($1, $2, true, (SELECT id FROM access_profiles WHERE name = 'Billing Admin'))`,
    [contact, zoneOrg],
  );
  dueFeb28 = await insertInvoice(pool, {
    organizationId: zoneOrg,
    number: 'TZ-0228',
    issueDate: '2026-02-01',
    dueDate: '2026-02-28',
  });
  // Past-due notices every day, none before the due date.
  expect(
    (
      await admin.put('/api/settings/invoice-reminders', {
        dueReminderDaysBefore: 0,
        pastDueReminderEveryDays: 1,
      })
    ).statusCode,
  ).toBe(200);

  // The password is set as the Welcome link would set it: the link is not what this is about.
  await pool.query('UPDATE contacts SET password_hash = $2 WHERE id = $1', [
    contact,
    await hashPassword(password),
  ]);
  portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', {
    email: 'kiri@timezone.example',
    password,
  });
  expect(signIn.statusCode, signIn.body).toBe(200);
});
afterAll(async () => testApp.close());

async function setTimeZone(timeZone: string) {
  const response = await admin.put('/api/settings/business-dates', {
    timeZone,
    dateFormat: 'YYYY-MM-DD',
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().businessDates;
}

/** Everything a person would look at to see whether TZ-0228 is overdue, as of the clock. */
async function howOverdue() {
  const invoice = (await readOnly.get(`/api/invoices/${dueFeb28}`)).json().invoice;
  const overdueList = (
    await readOnly.get(`/api/invoices?organizationId=${zoneOrg}&overdue=true`)
  ).json().invoices;
  const listed = (await readOnly.get(`/api/invoices?organizationId=${zoneOrg}`))
    .json()
    .invoices.find((row: { id: string }) => row.id === dueFeb28);
  const portalOpen = (await portal.get('/api/portal/invoices')).json();
  const portalInvoice = (await portal.get(`/api/portal/invoices/${dueFeb28}`)).json().invoice;
  const summary = (
    await readOnly.get(`/api/organizations/${zoneOrg}/account-summary/preview`)
  ).json().statement;
  return {
    staffDetail: invoice.daysOverdue,
    staffList: listed.daysOverdue,
    staffOverdueList: overdueList.map((row: { number: string }) => row.number),
    portalList: portalOpen.invoices[0].daysOverdue,
    portalPastDueCents: portalOpen.totals.pastDueCents,
    portalDetail: portalInvoice.daysOverdue,
    statementAsOf: summary.asOf,
    statementAging: { current: summary.aging.current, days1to30: summary.aging.days1to30 },
  };
}

describe("today in the MSP's time zone", () => {
  it('is still yesterday in Los Angeles at 02:00 UTC: due today is not overdue', async () => {
    const settings = await setTimeZone('America/Los_Angeles');
    expect(settings).toEqual({
      timeZone: 'America/Los_Angeles',
      dateFormat: 'YYYY-MM-DD',
      today: '2026-02-28',
    });
    expect((await readOnly.get('/api/auth/session')).json().dates.today).toBe('2026-02-28');
    expect((await portal.get('/api/portal/session')).json().dates.today).toBe('2026-02-28');

    expect(await howOverdue()).toEqual({
      staffDetail: 0,
      staffList: 0,
      staffOverdueList: [],
      portalList: 0,
      portalPastDueCents: 0,
      portalDetail: 0,
      statementAsOf: '2026-02-28',
      statementAging: { current: 10_000, days1to30: 0 },
    });
    // The daily run counts the Los Angeles day: nothing is past due yet.
    expect(await sendInvoiceDueNotices(testApp.context)).toEqual({ before: 0, after: 0 });
  });

  it('is already tomorrow in Auckland: the same invoice is 1 day overdue', async () => {
    const settings = await setTimeZone('Pacific/Auckland');
    expect(settings.today).toBe('2026-03-01');
    expect((await readOnly.get('/api/auth/session')).json().dates.today).toBe('2026-03-01');

    expect(await howOverdue()).toEqual({
      staffDetail: 1,
      staffList: 1,
      staffOverdueList: ['TZ-0228'],
      portalList: 1,
      portalPastDueCents: 10_000,
      portalDetail: 1,
      statementAsOf: '2026-03-01',
      statementAging: { current: 0, days1to30: 10_000 },
    });
    expect(await sendInvoiceDueNotices(testApp.context)).toEqual({ before: 0, after: 1 });
    const email = await testApp.database.pool.query(
      `SELECT m.subject FROM invoice_notices n JOIN email_messages m ON m.id = n.email_message_id
        WHERE n.invoice_id = $1`,
      [dueFeb28],
    );
    expect(email.rows).toEqual([{ subject: 'Invoice TZ-0228 is 1 day past due' }]);
  });
});

describe("emails and documents in the MSP's date format", () => {
  it('writes every date of the New Invoice and Invoice Due emails and the statement that way', async () => {
    const saved = await admin.put('/api/settings/business-dates', {
      timeZone: 'Pacific/Auckland',
      dateFormat: 'MM/DD/YYYY',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const textOf = async (messageId: string) =>
      (await readOnly.get(`/api/emails/${messageId}`)).json().email as {
        subject: string;
        text: string;
      };

    const newInvoice = await withTransaction(testApp.database.pool, (tx) =>
      queueNewInvoiceEmail(tx, testApp.context, { invoiceId: dueFeb28, actor: systemActor }),
    );
    const newInvoiceEmail = await textOf(newInvoice!);
    expect(newInvoiceEmail.subject).toContain('due 02/28/2026');
    expect(newInvoiceEmail.text).toContain('Issue date: 02/01/2026');
    expect(newInvoiceEmail.text).toContain('Due date: 02/28/2026');

    // A day later in Auckland the next daily notice is owed (2 days past due).
    testApp.context.clock = () => new Date(clock.getTime() + 24 * 60 * 60 * 1000);
    expect(await sendInvoiceDueNotices(testApp.context)).toEqual({ before: 0, after: 1 });
    const notice = await testApp.database.pool.query(
      `SELECT email_message_id AS id FROM invoice_notices WHERE invoice_id = $1 AND step = 'after-2'`,
      [dueFeb28],
    );
    expect((await textOf(notice.rows[0].id)).text).toContain('Due date: 02/28/2026');

    const statement = await readOnly.get(`/api/organizations/${zoneOrg}/statement.pdf`);
    const text = await pdfText(statement.rawPayload);
    expect(text).toContain('03/02/2026'); // the statement date: today in Auckland
    expect(text).toContain('02/28/2026');
    expect(text).not.toContain('2026-02-28');
    testApp.context.clock = () => clock;
  });
});

describe('the business dates setting', () => {
  it('defaults to the server time zone, and takes only zones Intl knows', async () => {
    const fresh = await startTestApp();
    try {
      const master = await signedInAs(fresh.app, 'master_admin');
      const read = (await master.get('/api/settings/business-dates')).json().businessDates;
      expect(read.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
      expect(read.dateFormat).toBe('YYYY-MM-DD');

      expectFieldErrors(
        await master.put('/api/settings/business-dates', {
          timeZone: 'Mars/Olympus_Mons',
          dateFormat: 'YYYY-MM-DD',
        }),
        ['timeZone'],
      );
      expectFieldErrors(
        await master.put('/api/settings/business-dates', {
          timeZone: 'Europe/London',
          dateFormat: 'DD.MM.YY',
        }),
        ['dateFormat'],
      );
      // Billing staff may read it (the console writes dates with it) but not change it.
      const billing = await signedInAs(fresh.app, 'billing');
      expect((await billing.get('/api/settings/business-dates')).statusCode).toBe(200);
      expect(
        (
          await billing.put('/api/settings/business-dates', {
            timeZone: 'Europe/London',
            dateFormat: 'YYYY-MM-DD',
          })
        ).statusCode,
      ).toBe(403);

      // Saved in Intl's own spelling, and audited.
      const saved = await master.put('/api/settings/business-dates', {
        timeZone: 'europe/london',
        dateFormat: 'D MMM YYYY',
      });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(saved.json().businessDates).toMatchObject({
        timeZone: 'Europe/London',
        dateFormat: 'D MMM YYYY',
      });
      const audit = await fresh.database.pool.query(
        `SELECT after FROM audit_events WHERE action = 'settings.business_dates_updated'`,
      );
      expect(audit.rows).toEqual([
        { after: { timeZone: 'Europe/London', dateFormat: 'D MMM YYYY' } },
      ]);
    } finally {
      await fresh.close();
    }
  });
});
