import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { autopayPreview } from '../../src/shared/contract/autopay.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { expectFieldErrors } from '../support/api-assertions.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The AutoPay preview (portal and staff): which open invoices the rules would charge, on which
 * business date, with which method and for how much, or why the run would skip one. It is the
 * plan the run charges from (autopay-plan.ts), read through the API.
 */

type Preview = Answer<typeof autopayPreview>;

let testApp: TestApp;
let org = '';
let hosting = '';
let hardware = '';
let visa = '';
let mastercard = '';
let contactId = '';
let portal: ApiClient;
let staff: ApiClient;
const invoices: Record<string, string> = {};

async function category(name: string): Promise<string> {
  return (
    await testApp.database.pool.query<{ id: string }>(
      `WITH ins AS (INSERT INTO service_categories (name) VALUES ($1)
                    ON CONFLICT DO NOTHING RETURNING id)
       SELECT id FROM ins UNION ALL
       SELECT id FROM service_categories WHERE lower(name) = lower($1) LIMIT 1`,
      [name],
    )
  ).rows[0]!.id;
}

/** An open invoice of the organization in a category, for `cents`. */
async function invoice(
  number: string,
  categoryId: string,
  cents: number,
  dueDate: string,
  options: { issueDate?: string; amountPaidCents?: number } = {},
): Promise<string> {
  const id = await insertInvoice(testApp.database.pool, {
    organizationId: org,
    number,
    issueDate: options.issueDate ?? '2026-02-20',
    dueDate,
    lines: [{ description: 'Services', quantity: 10_000, unitPriceCents: cents }],
    amountPaidCents: options.amountPaidCents,
  });
  await testApp.database.pool.query(`UPDATE invoices SET service_category_id = $2 WHERE id = $1`, [
    id,
    categoryId,
  ]);
  invoices[number] = id;
  return id;
}

/** The preview's lines as [number, date, method, amount, skip reason]. */
function lines(preview: Preview) {
  return preview.charges.map((c) => [
    c.number,
    c.chargeOn,
    c.paymentMethodLabel,
    c.amountCents,
    c.skipReasonText,
  ]);
}

beforeAll(async () => {
  testApp = await startTestApp();
  const pool = testApp.database.pool;
  // 15:00 UTC on 1 March 2026: 1 March in the MSP's zone whichever the server's is.
  testApp.context.clock = () => new Date('2026-03-01T15:00:00Z');
  await pool.query(`UPDATE settings SET time_zone = 'America/New_York' WHERE id = 1`);
  org = (
    await pool.query<{ id: string }>(
      `INSERT INTO organizations (name) VALUES ('Sweetums Candy Co.') RETURNING id`,
    )
  ).rows[0]!.id;
  hosting = await category('Hosting');
  hardware = await category('Hardware');
  visa = await savedMethod(testApp, org, testCard('4242424242424242'), { isDefault: true });
  mastercard = await savedMethod(testApp, org, testCard('5555555555554444'));

  const email = `preview-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'Waffles at JJs Diner 1972';
  contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Nick Newport', $1, $2)
       RETURNING id`,
      [email, await hashPassword(password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     SELECT $1, $2, id FROM access_profiles WHERE name = 'Billing Admin'`,
    [contactId, org],
  );
  portal = new ApiClient(testApp.app, '/api/portal/session');
  expect((await portal.post('/api/portal/sign-in', { email, password })).statusCode).toBe(200);
  staff = await signedInAs(testApp.app, 'billing');

  await invoice('SW-1', hosting, 12_000, '2026-03-10');
  await invoice('SW-2', hardware, 250_000, '2026-03-10');
  await invoice('SW-3', hardware, 30_000, '2026-03-05');
  await invoice('SW-4', hosting, 9_900, '2026-06-01', { issueDate: '2026-05-01' });
  await invoice('SW-5', hosting, 8_000, '2026-03-12', { amountPaidCents: 1_000 });
  await invoice('SW-6', hosting, 7_000, '2026-03-13');
  await invoice('SW-7', hosting, 6_000, '2026-03-14');
  await invoice('SW-8', hosting, 5_000, '2026-02-25', { issueDate: '2026-01-26' });

  // SW-6 is being paid right now; SW-7 is in a scheduled payment that has not run.
  const payment = (
    await pool.query<{ id: string }>(
      `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                             payment_method_id, method_type, method_label)
       VALUES ('P-PREVIEW-1', $1, 'portal', 'pending', 7000, 'USD', $2, 'card', 'Visa •••• 4242')
       RETURNING id`,
      [org, visa],
    )
  ).rows[0]!.id;
  await pool.query(
    `INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents, applied_cents, in_flight)
     VALUES ($1, $2, 7000, 7000, true)`,
    [payment, invoices['SW-6']],
  );
  const scheduled = (
    await pool.query<{ id: string }>(
      `INSERT INTO scheduled_payments (organization_id, contact_id, payment_method_id, run_on, currency)
       VALUES ($1, $2, $3, '2026-03-20', 'USD') RETURNING id`,
      [org, contactId, visa],
    )
  ).rows[0]!.id;
  await pool.query(
    `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
     VALUES ($1, $2, 6000)`,
    [scheduled, invoices['SW-7']],
  );

  const saved = await portal.put('/api/portal/autopay', {
    enabled: true,
    rules: [
      { serviceCategoryIds: [hosting], paymentMethodId: null, timing: 'due_date' },
      {
        serviceCategoryIds: [],
        paymentMethodId: mastercard,
        timing: 'after_due_date',
        days: 5,
        maxAmountCents: 50_000,
      },
    ],
  });
  expect(saved.statusCode, saved.body).toBe(200);
}, 60_000);
afterAll(async () => testApp?.close());

describe('the AutoPay preview', () => {
  it('shows each covered invoice with its date, method and amount, or why it is skipped', async () => {
    const response = await portal.get('/api/portal/autopay/preview');
    expect(response.statusCode, response.body).toBe(200);
    const preview = response.json<Preview>();
    expect(preview).toMatchObject({ from: '2026-03-01', through: '2026-04-30', currency: 'USD' });
    expect(lines(preview)).toEqual([
      // Due before AutoPay was set up: the next run charges it.
      ['SW-8', '2026-03-01', 'Visa •••• 4242', 5_000, null],
      ['SW-1', '2026-03-10', 'Visa •••• 4242', 12_000, null],
      // Hardware under the $500 cap: the second rule, five days after its due date.
      ['SW-3', '2026-03-10', 'Mastercard •••• 4444', 30_000, null],
      [
        'SW-5',
        '2026-03-12',
        'Visa •••• 4242',
        7_000,
        'Part of this invoice was paid since it was issued',
      ],
      ['SW-6', '2026-03-13', 'Visa •••• 4242', 7_000, 'A payment of this invoice is in progress'],
      ['SW-7', '2026-03-14', 'Visa •••• 4242', 6_000, 'A scheduled payment covers this invoice'],
    ]);
    // SW-2 (hardware above the cap) matches no rule; SW-4 falls after the window.
    expect(preview.totalCents).toBe(5_000 + 12_000 + 30_000);
    expect(preview.charges.find((c) => c.number === 'SW-1')).toMatchObject({
      invoiceId: invoices['SW-1'],
      rulePosition: 1,
      dueDate: '2026-03-10',
      paymentMethodId: visa,
      skipReason: null,
    });
    expect(preview.charges.find((c) => c.number === 'SW-6')?.skipReason).toBe('in_flight');
  });

  it('staff see the same preview; a window can be chosen', async () => {
    const mine = (await portal.get('/api/portal/autopay/preview')).json<Preview>();
    const theirs = await staff.get(`/api/organizations/${org}/autopay/preview`);
    expect(theirs.statusCode, theirs.body).toBe(200);
    expect(theirs.json<Preview>()).toEqual(mine);

    const june = (
      await portal.get('/api/portal/autopay/preview?from=2026-05-01&through=2026-06-30')
    ).json<Preview>();
    expect(lines(june)).toEqual([['SW-4', '2026-06-01', 'Visa •••• 4242', 9_900, null]]);
  });

  it('a locked, expired or missing method is a skip reason in words', async () => {
    const pool = testApp.database.pool;
    const reasonOf = async (number: string) =>
      (await portal.get('/api/portal/autopay/preview'))
        .json<Preview>()
        .charges.find((c) => c.number === number)?.skipReasonText;

    await pool.query(`UPDATE payment_methods SET locked_at = now() WHERE id = $1`, [visa]);
    expect(await reasonOf('SW-1')).toBe('The payment method is locked');
    await pool.query(`UPDATE payment_methods SET locked_at = NULL WHERE id = $1`, [visa]);

    // A card good through February 2026 has expired by the charge date in March.
    await pool.query(`UPDATE payment_methods SET exp_month = 2, exp_year = 2026 WHERE id = $1`, [
      visa,
    ]);
    expect(await reasonOf('SW-1')).toBe('The card will have expired by then');
    // Good through March: SW-1 is charged on 10 March, SW-4 (June) would not be.
    await pool.query(`UPDATE payment_methods SET exp_month = 3, exp_year = 2026 WHERE id = $1`, [
      visa,
    ]);
    expect(await reasonOf('SW-1')).toBeNull();
    const june = (
      await portal.get('/api/portal/autopay/preview?from=2026-05-01&through=2026-06-30')
    ).json<Preview>();
    expect(june.charges[0]?.skipReason).toBe('method_expired');
    await pool.query(`UPDATE payment_methods SET exp_year = 2030 WHERE id = $1`, [visa]);

    await pool.query(`UPDATE payment_methods SET is_default = false WHERE id = $1`, [visa]);
    const noDefault = (await portal.get('/api/portal/autopay/preview')).json<Preview>();
    expect(noDefault.charges.find((c) => c.number === 'SW-1')).toMatchObject({
      paymentMethodLabel: null,
      skipReason: 'no_method',
    });
    // The rule naming its own method does not care.
    expect(noDefault.charges.find((c) => c.number === 'SW-3')?.skipReason).toBeNull();
    await pool.query(`UPDATE payment_methods SET is_default = true WHERE id = $1`, [visa]);
  });

  it('refuses a window that is not one (400 naming the field)', async () => {
    const [bad] = expectFieldErrors(
      await portal.get('/api/portal/autopay/preview?from=2026-02-30'),
      ['from'],
    );
    expect(bad!.message).toMatch(/date/);
    const [backwards] = expectFieldErrors(
      await portal.get('/api/portal/autopay/preview?from=2026-03-10&through=2026-03-01'),
      ['through'],
    );
    expect(backwards!.message).toMatch(/on or after/);
    expectFieldErrors(
      await staff.get(
        `/api/organizations/${org}/autopay/preview?from=2026-01-01&through=2028-01-01`,
      ),
      ['through'],
    );
  });

  it('with AutoPay off, nothing is charged', async () => {
    const current = (await portal.get('/api/portal/autopay')).json<{ rules: unknown[] }>();
    const off = await portal.put('/api/portal/autopay', { enabled: false, rules: current.rules });
    expect(off.statusCode, off.body).toBe(200);
    const preview = (await portal.get('/api/portal/autopay/preview')).json<Preview>();
    expect(preview.charges).toEqual([]);
    expect(preview.totalCents).toBe(0);
  });
});
