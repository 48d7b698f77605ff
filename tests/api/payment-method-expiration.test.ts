import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allJobs } from '../../src/jobs.js';
import { createMailTransport } from '../../src/modules/email/mail-transport.js';
import {
  expirationStep,
  methodExpirationJobName,
  sendMethodExpirationNotices,
} from '../../src/modules/payments/method-expiration.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let billing: ApiClient;
let org: string;
let quiet: string;
const cards: Record<string, string> = {};

/** An organization of the test's own, with the given Default Notification Emails contacts. */
async function organization(name: string, contacts: string[]) {
  const pool = testApp.database.pool;
  const id: string = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [name])
  ).rows[0].id;
  for (const [i, contact] of contacts.entries()) {
    const contactId = (
      await pool.query(`INSERT INTO contacts (name, email) VALUES ($1, $2) RETURNING id`, [
        contact,
        `expiry-${i}-${id.slice(0, 8)}@example.com`,
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

/** A saved card as the processor answered it (no number: only brand, last four, expiry). */
async function card(
  organizationId: string,
  name: string,
  fields: { brand: string; last4: string; expMonth: number; expYear: number; removed?: boolean },
) {
  const result = await testApp.database.pool.query<{ id: string }>(
    `INSERT INTO payment_methods (organization_id, gateway, gateway_ref, type, friendly_name, brand,
       last4, exp_month, exp_year, billing_name, authorization_text, authorized_at, authorized_ip,
       removed_at)
     VALUES ($1, 'sandbox', 'pm_sbx_x', 'card', $2, $3, $4, $5, $6, 'Zoë Ångström', 'I authorize',
       now(), '127.0.0.1', CASE WHEN $7 THEN now() END) RETURNING id`,
    [
      organizationId,
      name,
      fields.brand,
      fields.last4,
      fields.expMonth,
      fields.expYear,
      fields.removed ?? false,
    ],
  );
  cards[name] = result.rows[0]!.id;
}

async function notices() {
  const result = await testApp.database.pool.query<{
    name: string;
    step: string;
    subject: string | null;
  }>(
    `SELECT m.friendly_name AS name, n.step, e.subject
       FROM payment_method_notices n JOIN payment_methods m ON m.id = n.payment_method_id
       LEFT JOIN email_messages e ON e.id = n.email_message_id
      ORDER BY m.friendly_name, n.step`,
  );
  return result.rows;
}

async function expirationEmails() {
  const result = await testApp.database.pool.query(
    `SELECT count(*)::int AS n FROM email_messages WHERE template = 'payment_method_expiration'`,
  );
  return result.rows[0].n as number;
}

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  org = await organization('Expiring Cards Co', ['Zoë Ångström', '山田 太郎']);
  quiet = await organization('Nobody To Tell Co', []);
  await card(org, 'A this month', { brand: 'visa', last4: '4242', expMonth: 11, expYear: 2026 });
  await card(org, 'B next month', { brand: 'amex', last4: '0005', expMonth: 12, expYear: 2026 });
  await card(org, 'C later', { brand: 'visa', last4: '1111', expMonth: 1, expYear: 2027 });
  await card(org, 'D expired', { brand: 'visa', last4: '2222', expMonth: 10, expYear: 2026 });
  await card(org, 'E removed', {
    brand: 'mastercard',
    last4: '4444',
    expMonth: 11,
    expYear: 2026,
    removed: true,
  });
  await card(quiet, 'F no recipients', {
    brand: 'visa',
    last4: '3333',
    expMonth: 11,
    expYear: 2026,
  });
});
afterAll(async () => testApp.close());

describe('the steps', () => {
  it('are "next-month" in the month before the expiry month and "this-month" in it', () => {
    const dec = { expMonth: 12, expYear: 2026 };
    expect(expirationStep(dec, '2026-10-31')).toBeNull();
    expect(expirationStep(dec, '2026-11-01')).toBe('next-month');
    expect(expirationStep(dec, '2026-11-30')).toBe('next-month');
    expect(expirationStep(dec, '2026-12-01')).toBe('this-month');
    expect(expirationStep(dec, '2027-01-01')).toBeNull();
    expect(expirationStep({ expMonth: 1, expYear: 2027 }, '2026-12-15')).toBe('next-month');
  });
});

describe('the daily Payment Method Expiration Notice job', () => {
  it('is scheduled daily at 08:00', () => {
    const job = allJobs(testApp.context, {
      transport: createMailTransport(testApp.context.config, 1),
    }).find((j) => j.name === methodExpirationJobName);
    expect(job?.cron).toBe('0 8 * * *');
  });

  it('emails each card once per step, even run twice at once and again; removed cards skipped', async () => {
    await Promise.all([
      sendMethodExpirationNotices(testApp.context, { today: '2026-11-15' }),
      sendMethodExpirationNotices(testApp.context, { today: '2026-11-15' }),
    ]);
    expect(await sendMethodExpirationNotices(testApp.context, { today: '2026-11-16' })).toEqual({
      sent: 0,
    });
    expect(await notices()).toEqual([
      {
        name: 'A this month',
        step: 'this-month',
        subject: 'Your Visa ending in 4242 expires soon',
      },
      {
        name: 'B next month',
        step: 'next-month',
        subject: 'Your American Express ending in 0005 expires soon',
      },
    ]);
    expect(await expirationEmails()).toBe(2);

    // December: B's own month; A has expired, C is next.
    expect(await sendMethodExpirationNotices(testApp.context, { today: '2026-12-01' })).toEqual({
      sent: 2,
    });
    expect(await sendMethodExpirationNotices(testApp.context, { today: '2026-12-02' })).toEqual({
      sent: 0,
    });
    expect((await notices()).map((n) => `${n.name}: ${n.step}`)).toEqual([
      'A this month: this-month',
      'B next month: next-month',
      'B next month: this-month',
      'C later: next-month',
    ]);
    expect(await expirationEmails()).toBe(4);
  });

  it('goes to the Default Notification Emails, linking to the portal’s Payment Methods', async () => {
    const id = (
      await testApp.database.pool.query(
        `SELECT email_message_id AS id FROM payment_method_notices
          WHERE payment_method_id = $1 AND step = 'this-month'`,
        [cards['A this month']],
      )
    ).rows[0].id;
    const response = await billing.get(`/api/emails/${id}`);
    expect(response.statusCode, response.body).toBe(200);
    const email = response.json().email;
    expect(email.templateName).toBe('Payment Method Expiration Notice');
    expect(email.recipients.map((r: { name: string }) => r.name).sort()).toEqual(
      ['Zoë Ångström', '山田 太郎'].sort(),
    );
    expect(email.text).toContain('expires at the end of 11/2026');
    expect(email.html).toContain(`/configuration/payment-methods?org=${org}`);
  });
});
