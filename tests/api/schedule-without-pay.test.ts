import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { businessToday } from '../../src/modules/settings/business-date.js';
import { addDays } from '../../src/modules/invoices/invoice-math.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { ApiClient, organizationId, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A contact whose profile may schedule payments but not pay invoices schedules one: the
 * server gives them the methods to choose from and takes the scheduled payment, and refuses
 * them a payment now; a contact who may pay but not schedule is refused the other way round.
 */

let testApp: TestApp;
let organization = '';
let invoiceId = '';
let card = '';
let today = '';

/** A contact of the organization with a profile of exactly `permissions`, signed in. */
async function contactWith(permissions: string[]): Promise<ApiClient> {
  const pool = testApp.database.pool;
  const email = `only-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'Waffles at JJs Diner 1972';
  const profile = await pool.query<{ id: string }>(
    `INSERT INTO access_profiles (name, permissions) VALUES ($1, $2::text[]) RETURNING id`,
    [`Only ${permissions.join(' and ')} ${email}`, permissions],
  );
  const contact = await pool.query<{ id: string }>(
    `INSERT INTO contacts (name, email, password_hash) VALUES ('Leslie Knope', $1, $2)
     RETURNING id`,
    [email, await hashPassword(password)],
  );
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     VALUES ($1, $2, $3)`,
    [contact.rows[0]!.id, organization, profile.rows[0]!.id],
  );
  const client = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await client.post('/api/portal/sign-in', { email, password });
  expect(signIn.statusCode, signIn.body).toBe(200);
  return client;
}

beforeAll(async () => {
  testApp = await startTestApp();
  const pool = testApp.database.pool;
  organization = await organizationId(testApp, 'Pawnee Parks Dept.');
  today = await businessToday(pool);
  invoiceId = await insertInvoice(pool, {
    organizationId: organization,
    number: 'INV-SCHED-ONLY',
    issueDate: today,
    dueDate: addDays(today, 30),
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 8_000 }],
  });
  card = await savedMethod(testApp, organization, testCard('4242424242424242'), {
    friendlyName: 'Parks card',
  });
}, 60_000);
afterAll(async () => testApp?.close());

describe('scheduling without paying', () => {
  it('a contact who may schedule but not pay gets the methods and schedules, and may not pay now', async () => {
    const client = await contactWith(['view_invoices', 'schedule_payments']);
    const choices = await client.get('/api/portal/scheduled-payments/payment-method-choices');
    expect(choices.statusCode, choices.body).toBe(200);
    expect(
      choices.json<{ paymentMethods: { id: string }[] }>().paymentMethods.map((m) => m.id),
    ).toContain(card);
    const allocations = [{ invoiceId, amountCents: 8_000 }];
    const scheduled = await client.post('/api/portal/scheduled-payments', {
      paymentMethodId: card,
      runOn: addDays(today, 5),
      allocations,
    });
    expect(scheduled.statusCode, scheduled.body).toBe(201);
    // Paying now is Pay Selected's, which this profile lacks: refused, nothing charged.
    const paid = await client.post('/api/portal/payments', { paymentMethodId: card, allocations });
    expect(paid.statusCode, paid.body).toBe(403);
    expect((await client.get('/api/portal/payment-methods/choices')).statusCode).toBe(403);
    const payments = await testApp.database.pool.query(
      `SELECT count(*)::int AS n FROM payment_allocations WHERE invoice_id = $1`,
      [invoiceId],
    );
    expect(payments.rows[0].n).toBe(0);
  });

  it('a contact who may pay but not schedule is refused the schedule’s methods and a schedule', async () => {
    const client = await contactWith(['view_invoices', 'pay_invoices']);
    const choices = await client.get('/api/portal/scheduled-payments/payment-method-choices');
    expect(choices.statusCode, choices.body).toBe(403);
    const scheduled = await client.post('/api/portal/scheduled-payments', {
      paymentMethodId: card,
      runOn: addDays(today, 6),
      allocations: [{ invoiceId, amountCents: 100 }],
    });
    expect(scheduled.statusCode, scheduled.body).toBe(403);
  });
});
