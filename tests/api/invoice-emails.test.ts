import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/database.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { queueNewInvoiceEmail } from '../../src/modules/invoices/invoice-emails.js';
import {
  dueNoticeStep,
  invoiceDueNoticesJobName,
  sendInvoiceDueNotices,
} from '../../src/modules/invoices/invoice-notices.js';
import { allJobs } from '../../src/jobs.js';
import { createMailTransport } from '../../src/modules/email/mail-transport.js';
import { expectFieldErrors } from '../support/api-assertions.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let admin: ApiClient;
let billing: ApiClient;
let readOnly: ApiClient;

/** An organization of the test's own, with the given Default Notification Emails contacts. */
async function organization(name: string, contacts: string[], newInvoiceEmails = true) {
  const pool = testApp.database.pool;
  const id: string = (
    await pool.query(
      `INSERT INTO organizations (name, new_invoice_emails) VALUES ($1, $2) RETURNING id`,
      [name, newInvoiceEmails],
    )
  ).rows[0].id;
  for (const contact of contacts) {
    const contactId = (
      await pool.query(`INSERT INTO contacts (name, email) VALUES ($1, $2) RETURNING id`, [
        contact,
        `${contact.toLowerCase().replace(/\W+/g, '.')}@example.com`,
      ])
    ).rows[0].id;
    await pool.query(
      `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification)
       VALUES ($1, $2, true)`,
      [contactId, id],
    );
  }
  return id;
}

async function newInvoiceEmail(invoiceId: string) {
  return withTransaction(testApp.database.pool, (tx) =>
    queueNewInvoiceEmail(tx, testApp.context, { invoiceId, actor: systemActor }),
  );
}

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
});
afterAll(async () => testApp.close());

describe('the New Invoice email', () => {
  it('queues the email with the invoice PDF to the Default Notification Emails', async () => {
    const org = await organization('New Invoice Co', ['Ann Perkins']);
    const invoice = await insertInvoice(testApp.database.pool, {
      organizationId: org,
      number: 'INV-E-1',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
      lines: [{ description: 'Support', quantity: 30_000, unitPriceCents: 12_345 }],
    });
    const messageId = await newInvoiceEmail(invoice);
    expect(messageId).toBeTruthy();
    const email = (await billing.get(`/api/emails/${messageId}`)).json().email;
    expect(email.templateName).toBe('New Invoice');
    expect(email.subject).toContain('INV-E-1');
    expect(email.subject).toContain('$370.35');
    expect(email.recipients.map((r: { email: string }) => r.email)).toEqual([
      'ann.perkins@example.com',
    ]);
    expect(email.html).toContain(`http://localhost:3000/portal/billing/invoices/${invoice}`);
    expect(email.text).toContain('2026-12-01');
    const attachments = await testApp.database.pool.query(
      `SELECT filename, content_type, content FROM email_attachments WHERE message_id = $1`,
      [messageId],
    );
    expect(attachments.rows).toHaveLength(1);
    expect(attachments.rows[0].filename).toBe('INV-E-1.pdf');
    expect(attachments.rows[0].content_type).toBe('application/pdf');
    expect((attachments.rows[0].content as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    // The same invoice again (a retried issue) answers the first message.
    expect(await newInvoiceEmail(invoice)).toBe(messageId);
  });

  it('sends nothing when the organization turned New Invoice emails off', async () => {
    const org = await organization('Quiet Co', ['Chris Traeger'], false);
    const invoice = await insertInvoice(testApp.database.pool, {
      organizationId: org,
      number: 'INV-E-2',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    });
    expect(await newInvoiceEmail(invoice)).toBeNull();
    const sent = await testApp.database.pool.query(
      `SELECT count(*)::int AS n FROM email_messages WHERE organization_id = $1`,
      [org],
    );
    expect(sent.rows[0].n).toBe(0);
  });

  it('sends nothing without Default Notification Emails, or for a draft', async () => {
    const lonely = await organization('Lonely Co', []);
    const invoice = await insertInvoice(testApp.database.pool, {
      organizationId: lonely,
      number: 'INV-E-3',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    });
    expect(await newInvoiceEmail(invoice)).toBeNull();
    const org = await organization('Drafty Co', ['Tom Haverford']);
    const draft = await insertInvoice(testApp.database.pool, {
      organizationId: org,
      number: 'INV-E-4',
      state: 'draft',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    });
    expect(await newInvoiceEmail(draft)).toBeNull();
  });
});

describe('Invoice Due notice steps', () => {
  const settings = { dueReminderDaysBefore: 7, pastDueReminderEveryDays: 14 };
  const asOf = '2026-11-22';
  const step = (dueDate: string, issueDate = '2026-01-01', s = settings) =>
    dueNoticeStep({ issueDate, dueDate }, asOf, s);

  it('sends one notice the configured days before due, if the invoice existed then', () => {
    expect(step('2026-11-30')).toBeNull(); // 8 days ahead
    expect(step('2026-11-29')).toBe('before-7');
    expect(step('2026-11-25')).toBe('before-7'); // a missed day still catches up
    expect(step('2026-11-25', '2026-11-20')).toBeNull(); // issued after its reminder day
    expect(step('2026-11-29', '2026-01-01', { ...settings, dueReminderDaysBefore: 0 })).toBeNull();
  });

  it('sends a notice every N days past due', () => {
    expect(step('2026-11-22')).toBeNull(); // due today
    expect(step('2026-11-09')).toBeNull(); // 13 days
    expect(step('2026-11-08')).toBe('after-14');
    expect(step('2026-10-26')).toBe('after-14'); // 27 days
    expect(step('2026-10-25')).toBe('after-28');
    expect(step('2026-10-11')).toBe('after-42');
    expect(
      step('2026-10-11', '2026-01-01', { ...settings, pastDueReminderEveryDays: 0 }),
    ).toBeNull();
  });
});

describe('the daily Invoice Due job', () => {
  let org: string;
  const ids: Record<string, string> = {};

  async function notices() {
    const result = await testApp.database.pool.query<{
      number: string;
      step: string;
      subject: string | null;
    }>(
      `SELECT i.number, n.step, m.subject
         FROM invoice_notices n JOIN invoices i ON i.id = n.invoice_id
         LEFT JOIN email_messages m ON m.id = n.email_message_id
        WHERE i.organization_id = $1 ORDER BY i.number, n.step`,
      [org],
    );
    return result.rows;
  }

  async function dueEmailsOf() {
    const result = await testApp.database.pool.query(
      `SELECT count(*)::int AS n FROM email_messages
        WHERE organization_id = $1 AND template = 'invoice_due'`,
      [org],
    );
    return result.rows[0].n as number;
  }

  beforeAll(async () => {
    org = await organization('Due Notice Co', ['Donna Meagle', 'Jerry Gergich']);
    const pool = testApp.database.pool;
    const add = async (number: string, dueDate: string, extra = {}) => {
      ids[number] = await insertInvoice(pool, {
        organizationId: org,
        number,
        issueDate: '2026-09-01',
        dueDate,
        ...extra,
      });
    };
    await add('D-1', '2026-11-29'); // 7 days ahead: before-7
    await add('D-2', '2026-11-08'); // 14 days past: after-14
    await add('D-3', '2026-10-25'); // 28 days past: after-28
    await add('D-4', '2026-11-15'); // 7 days past: nothing yet
    await add('D-5', '2026-11-08', { amountPaidCents: 10_000 }); // paid
    await add('D-6', '2026-11-08', { state: 'draft' });
    await add('D-7', '2026-11-08', { state: 'void' });
    await add('D-8', '2026-12-20'); // far ahead
  });

  it('is scheduled daily at 08:00', () => {
    const job = allJobs(testApp.context, {
      transport: createMailTransport(testApp.context.config, 1),
    }).find((j) => j.name === invoiceDueNoticesJobName);
    expect(job?.cron).toBe('0 8 * * *');
  });

  it('sends each notice once, even run twice at the same time and again later', async () => {
    await Promise.all([
      sendInvoiceDueNotices({ ...testApp.context, asOf: '2026-11-22', batchSize: 2 }),
      sendInvoiceDueNotices({ ...testApp.context, asOf: '2026-11-22', batchSize: 2 }),
    ]);
    await sendInvoiceDueNotices({ ...testApp.context, asOf: '2026-11-22' });
    expect(await notices()).toEqual([
      { number: 'D-1', step: 'before-7', subject: 'Invoice D-1 is due in 7 days' },
      { number: 'D-2', step: 'after-14', subject: 'Invoice D-2 is 14 days past due' },
      { number: 'D-3', step: 'after-28', subject: 'Invoice D-3 is 28 days past due' },
    ]);
    expect(await dueEmailsOf()).toBe(3);

    const email = (
      await billing.get(
        `/api/emails/${
          (
            await testApp.database.pool.query(
              `SELECT email_message_id FROM invoice_notices WHERE invoice_id = $1`,
              [ids['D-2']],
            )
          ).rows[0].email_message_id
        }`,
      )
    ).json().email;
    expect(email.templateName).toBe('Invoice Due');
    expect(email.recipients).toHaveLength(2);
    expect(email.text).toContain('Due Notice Co team');
    expect(email.text).toContain('$100.00');
    expect(email.html).toContain(`http://localhost:3000/portal/billing/invoices/${ids['D-2']}`);

    // The next day nothing new is owed; a fortnight on, the next steps.
    await sendInvoiceDueNotices({ ...testApp.context, asOf: '2026-11-23' });
    expect(await dueEmailsOf()).toBe(3);
    await sendInvoiceDueNotices({ ...testApp.context, asOf: '2026-12-06' });
    const later = (await notices()).map((n) => `${n.number} ${n.step}`);
    expect(later).toEqual([
      'D-1 before-7',
      'D-2 after-14',
      'D-2 after-28',
      'D-3 after-28',
      'D-3 after-42',
      'D-4 after-14', // 21 days past due
    ]);
    expect(await dueEmailsOf()).toBe(6);
  });
});

describe('invoice reminder settings', () => {
  it('reads and updates when Invoice Due notices go out', async () => {
    const read = await readOnly.get('/api/settings/invoice-reminders');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({
      invoiceReminders: { dueReminderDaysBefore: 7, pastDueReminderEveryDays: 14 },
    });
    expect(
      (
        await billing.put('/api/settings/invoice-reminders', {
          dueReminderDaysBefore: 3,
          pastDueReminderEveryDays: 30,
        })
      ).statusCode,
    ).toBe(403);
    expectFieldErrors(
      await admin.put('/api/settings/invoice-reminders', {
        dueReminderDaysBefore: -1,
        pastDueReminderEveryDays: 1.5,
      }),
      ['dueReminderDaysBefore', 'pastDueReminderEveryDays'],
    );
    const updated = await admin.put('/api/settings/invoice-reminders', {
      dueReminderDaysBefore: 0,
      pastDueReminderEveryDays: 30,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().invoiceReminders).toEqual({
      dueReminderDaysBefore: 0,
      pastDueReminderEveryDays: 30,
    });
    expect(await sendInvoiceDueNotices({ ...testApp.context, asOf: '2026-11-22' })).toMatchObject({
      before: 0,
    });
  });
});
