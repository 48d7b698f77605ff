import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  scheduledPaymentAnswer,
  scheduledPaymentList,
} from '../../src/shared/contract/scheduled-payments.js';
import { startPayment } from '../../src/modules/payments/pay-invoices.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { invoicesInScheduledPayments } from '../../src/modules/scheduled-payments/scheduled-payment-reads.js';
import {
  runScheduledPayments,
  scheduledRequestKey,
} from '../../src/modules/scheduled-payments/scheduled-payments.job.js';
import { auditRowCount, errorOf, expectFieldErrors } from '../support/api-assertions.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import {
  sandboxOf,
  savedMethod,
  sendQueuedPaymentEmails,
  testCard,
} from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Scheduled Payments through the portal and staff API, and the daily job that runs them with
 * the real sandbox processor: every refusal, the emails, the permission, another
 * organization's ids, and runs that happen twice at once, after a crash, or after missed days.
 * Business dates are New York's; the clock is 2026-12-01 10:00 there (15:00 UTC).
 */

type ScheduledAnswer = Answer<typeof scheduledPaymentAnswer>;
type ScheduledList = Answer<typeof scheduledPaymentList>;

let testApp: TestApp;
let portal: ApiClient;
let contactEmail = '';
let orgA = '';
let orgB = '';
let card = '';
let cardB = '';
let number = 0;

const noon = new Date('2026-12-01T15:00:00Z');
const at = (instant: string) => () => new Date(instant);

async function openInvoice(cents = 10_000, organization = orgA): Promise<string> {
  number += 1;
  return insertInvoice(testApp.database.pool, {
    organizationId: organization,
    number: `INV-SCH-${number}`,
    issueDate: '2026-11-05',
    dueDate: '2026-12-05',
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: cents }],
  });
}

function schedule(
  runOn: string,
  allocations: { invoiceId: string; amountCents: number }[],
  options: { client?: ApiClient; methodId?: string } = {},
) {
  return (options.client ?? portal).post('/api/portal/scheduled-payments', {
    paymentMethodId: options.methodId ?? card,
    runOn,
    allocations,
  });
}

async function scheduled(
  runOn: string,
  allocations: { invoiceId: string; amountCents: number }[],
): Promise<ScheduledAnswer['scheduledPayment']> {
  const response = await schedule(runOn, allocations);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<ScheduledAnswer>().scheduledPayment;
}

async function count(table: string): Promise<number> {
  return (await testApp.database.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
}

/** The emails of a template stored since the test began, with their recipients. */
async function emails(template: string) {
  return (
    await testApp.database.pool.query<{ subject: string; text: string; to: string[] }>(
      `SELECT subject, text,
              (SELECT array_agg(r->>'email') FROM jsonb_array_elements(recipients) r) AS "to"
         FROM email_messages WHERE template = $1 ORDER BY created_at`,
      [template],
    )
  ).rows;
}

/** The contact who scheduled it first, then the organization's Default Notification Emails. */
function expectContactAndDefaults(to: string[] | undefined) {
  expect(to?.[0]).toBe(contactEmail);
  expect(to).toContain('lknope@pawnee-indiana.gov');
}

async function ledgerKeys(): Promise<string[]> {
  return (await sandboxOf(testApp).ledger()).charges.map((c) => c.idempotencyKey);
}

async function statusOf(id: string) {
  return (
    await testApp.database.pool.query<{ status: string; paymentId: string | null }>(
      `SELECT status, payment_id AS "paymentId" FROM scheduled_payments WHERE id = $1`,
      [id],
    )
  ).rows[0]!;
}

async function balanceOf(invoiceId: string): Promise<number> {
  return (
    await testApp.database.pool.query<{ balance: number }>(
      `SELECT balance_cents AS balance FROM invoices WHERE id = $1`,
      [invoiceId],
    )
  ).rows[0]!.balance;
}

/** The daily job, as the worker runs it, at `instant`. */
function run(instant: string) {
  return runScheduledPayments({
    ...testApp.context,
    clock: at(instant),
    gateway: sandboxOf(testApp),
  });
}

beforeAll(async () => {
  testApp = await startTestApp();
  await testApp.database.pool.query(`UPDATE settings SET time_zone = 'America/New_York'`);
  orgA = await organizationId(testApp, 'Pawnee Parks Dept.');
  orgB = await organizationId(testApp, 'Demo Company');
  ({ portal, email: contactEmail } = await signedInToPortal(testApp, orgA));
  card = await savedMethod(testApp, orgA, testCard('4242424242424242'), { isDefault: true });
  cardB = await savedMethod(testApp, orgB, testCard('4242424242424242'), { isDefault: true });
}, 60_000);
afterAll(async () => testApp?.close());
beforeEach(() => {
  sandboxOf(testApp).faults.mode = 'none';
  testApp.context.clock = () => noon;
});

describe('scheduling from Pay Selected', () => {
  it('stores the invoices, amounts, method and date, charges nothing, audits and emails', async () => {
    const first = await openInvoice(12_000);
    const second = await openInvoice(8_000);
    const payments = await count('payments');
    const audits = await auditRowCount(testApp);
    const response = await schedule('2026-12-10', [
      { invoiceId: first, amountCents: 12_000 },
      { invoiceId: second, amountCents: 3_050 },
    ]);
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json<ScheduledAnswer>();
    expect(answer.message).toMatch(/scheduled for 2026-12-10/);
    expect(answer.scheduledPayment).toMatchObject({
      runOn: '2026-12-10',
      status: 'scheduled',
      totalCents: 15_050,
      currency: 'USD',
      methodLabel: 'Company card (Visa •••• 4242)',
      scheduledBy: 'Ann Client',
      paymentId: null,
    });
    expect(answer.scheduledPayment.allocations.map((a) => a.amountCents)).toEqual([12_000, 3_050]);
    // Nothing charged, nothing owed less.
    expect(await count('payments')).toBe(payments);
    expect(await balanceOf(first)).toBe(12_000);
    expect(await auditRowCount(testApp)).toBe(audits + 1);

    const list = await portal.get('/api/portal/scheduled-payments');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<ScheduledList>().scheduledPayments.map((s) => s.id)).toContain(
      answer.scheduledPayment.id,
    );

    const sent = (await emails('payment_scheduled')).at(-1)!;
    expectContactAndDefaults(sent.to);
    expect(sent.subject).toBe('Payment of $150.50 scheduled for 2026-12-10');
    expect(sent.text).toContain('INV-SCH-1');
    // The invoice is out of AutoPay until the payment has run.
    expect([...(await invoicesInScheduledPayments(testApp.database.pool, [first]))]).toEqual([
      first,
    ]);
  });

  it('takes the date in the MSP time zone: at 22:00 in New York (03:00 UTC) tomorrow is not today', async () => {
    testApp.context.clock = at('2026-12-02T03:00:00Z');
    const invoice = await openInvoice();
    expect(
      (await schedule('2026-12-02', [{ invoiceId: invoice, amountCents: 100 }])).statusCode,
    ).toBe(201);
    const today = await schedule('2026-12-01', [
      { invoiceId: await openInvoice(), amountCents: 100 },
    ]);
    expectFieldErrors(today, ['runOn']);
  });

  it('refuses bad input with the field and the reason, and saves nothing', async () => {
    const invoice = await openInvoice(5_000);
    const other = await openInvoice(5_000, orgB);
    const before = {
      rows: await count('scheduled_payments'),
      audits: await auditRowCount(testApp),
    };
    const one = (amountCents: number) => [{ invoiceId: invoice, amountCents }];

    for (const runOn of ['2026-12-01', '2026-11-30', '2026-02-30', '12/10/2026', '2028-01-01']) {
      expectFieldErrors(await schedule(runOn, one(100)), ['runOn']);
    }
    expect(errorOf(await schedule('2026-12-01', one(100))).fields[0]!.message).toMatch(
      /after today \(2026-12-01\)/,
    );
    for (const amount of [5_001, 10.5, 0, -100]) {
      expectFieldErrors(await schedule('2026-12-10', one(amount)), ['allocations.0.amountCents']);
    }
    expect(errorOf(await schedule('2026-12-10', one(5_001))).fields[0]!.message).toMatch(
      /more than the balance/,
    );
    // Another organization's invoice or method: not found, as if it did not exist.
    const foreignInvoice = await schedule('2026-12-10', [{ invoiceId: other, amountCents: 100 }]);
    expect(foreignInvoice.statusCode, foreignInvoice.body).toBe(404);
    const foreignMethod = await schedule('2026-12-10', one(100), { methodId: cardB });
    expect(foreignMethod.statusCode, foreignMethod.body).toBe(404);
    // A second schedule of the same invoice.
    expect((await schedule('2026-12-10', one(100))).statusCode).toBe(201);
    const twice = await schedule('2026-12-11', one(100));
    expectFieldErrors(twice, ['allocations.0.invoiceId'], 409);
    expect(await count('scheduled_payments')).toBe(before.rows + 1);
    expect(await auditRowCount(testApp)).toBe(before.audits + 1);
  });
});

describe('a card that expires before the date', () => {
  it('is refused for a later date, saying it will have expired then, not that it has', async () => {
    const invoice = await openInvoice(5_000);
    const expiring = await savedMethod(testApp, orgA, {
      type: 'card',
      number: '4242424242424242',
      expMonth: 12,
      expYear: 2026,
      cvc: '123',
      name: 'Ann Client',
    });
    const refused = await schedule('2027-01-05', [{ invoiceId: invoice, amountCents: 100 }], {
      methodId: expiring,
    });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(errorOf(refused).message).toMatch(/expires in 12\/2026, before 2027-01-05/);
    expect(errorOf(refused).message).not.toMatch(/expired/);
    // Within its month it may be scheduled.
    const fine = await schedule('2026-12-20', [{ invoiceId: invoice, amountCents: 100 }], {
      methodId: expiring,
    });
    expect(fine.statusCode, fine.body).toBe(201);
  });
});

describe('dates in the MSP’s date format', () => {
  it('the answer and the refusals write dates as the MSP writes them (MM/DD/YYYY)', async () => {
    await testApp.database.pool.query(`UPDATE settings SET date_format = 'MM/DD/YYYY'`);
    try {
      const invoice = await openInvoice(3_000);
      const past = await schedule('2026-12-01', [{ invoiceId: invoice, amountCents: 100 }]);
      expect(errorOf(past).fields[0]!.message).toMatch(/after today \(12\/01\/2026\)/);
      const far = await schedule('2028-01-01', [{ invoiceId: invoice, amountCents: 100 }]);
      expect(errorOf(far).fields[0]!.message).toMatch(/on or before \d\d\/\d\d\/\d{4}$/);
      const made = await schedule('2026-12-10', [{ invoiceId: invoice, amountCents: 100 }]);
      expect(made.statusCode, made.body).toBe(201);
      expect(made.json<ScheduledAnswer>().message).toMatch(/scheduled for 12\/10\/2026/);
      const twice = await schedule('2026-12-11', [{ invoiceId: invoice, amountCents: 100 }]);
      expect(errorOf(twice).message).toMatch(/scheduled for 12\/10\/2026/);
    } finally {
      await testApp.database.pool.query(`UPDATE settings SET date_format = 'YYYY-MM-DD'`);
    }
  });
});

describe('changing and cancelling', () => {
  it('changes the date and amounts, then cancels, each audited and emailed', async () => {
    const invoice = await openInvoice(9_000);
    const made = await scheduled('2026-12-10', [{ invoiceId: invoice, amountCents: 9_000 }]);

    const moved = await portal.patch(`/api/portal/scheduled-payments/${made.id}`, {
      runOn: '2026-12-20',
      allocations: [{ invoiceId: invoice, amountCents: 4_500 }],
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json<ScheduledAnswer>().scheduledPayment).toMatchObject({
      runOn: '2026-12-20',
      totalCents: 4_500,
    });
    const rescheduled = (await emails('payment_rescheduled')).at(-1)!;
    expectContactAndDefaults(rescheduled.to);
    expect(rescheduled.text).toContain('from 2026-12-10 to 2026-12-20');
    // The amount changed too: the email says so, total and invoice.
    expect(rescheduled.text).toContain('its amount changes from $90.00 to $45.00');
    expect(rescheduled.text).toContain('$45.00 (was $90.00)');
    // Sent to the organization's notification contacts too: it says who changed it.
    expect(rescheduled.text).toContain('Ann Client changed a scheduled payment for');
    expect(rescheduled.text).not.toContain('You changed');

    expectFieldErrors(
      await portal.patch(`/api/portal/scheduled-payments/${made.id}`, { runOn: '2026-11-01' }),
      ['runOn'],
    );
    expectFieldErrors(
      await portal.patch(`/api/portal/scheduled-payments/${made.id}`, {
        allocations: [{ invoiceId: invoice, amountCents: 9_001 }],
      }),
      ['allocations.0.amountCents'],
    );
    expectFieldErrors(
      await portal.patch(`/api/portal/scheduled-payments/${made.id}`, {
        allocations: [{ invoiceId: await openInvoice(), amountCents: 100 }],
      }),
      ['allocations.0.invoiceId'],
    );
    expectFieldErrors(await portal.patch(`/api/portal/scheduled-payments/${made.id}`, {}), [
      'runOn',
    ]);

    const cancelled = await portal.post(`/api/portal/scheduled-payments/${made.id}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<ScheduledAnswer>().scheduledPayment.status).toBe('cancelled');
    const cancelEmail = (await emails('payment_cancelled')).at(-1)!;
    expectContactAndDefaults(cancelEmail.to);
    expect(cancelEmail.text).toContain('Ann Client cancelled a scheduled payment for');
    // The invoice is AutoPay's again.
    expect((await invoicesInScheduledPayments(testApp.database.pool, [invoice])).size).toBe(0);

    const late = await portal.patch(`/api/portal/scheduled-payments/${made.id}`, {
      runOn: '2026-12-22',
    });
    expect(late.statusCode, late.body).toBe(409);
    expect(errorOf(late).message).toMatch(/can no longer be changed: it was cancelled/);
    expect((await portal.post(`/api/portal/scheduled-payments/${made.id}/cancel`)).statusCode).toBe(
      409,
    );
  });

  it('the same change sent twice at once changes it once: one audit row, one Payment Rescheduled email', async () => {
    const invoice = await openInvoice(6_000);
    const made = await scheduled('2026-12-10', [{ invoiceId: invoice, amountCents: 6_000 }]);
    const emailsBefore = (await emails('payment_rescheduled')).length;
    const audits = await auditRowCount(testApp);
    const change = {
      runOn: '2026-12-18',
      allocations: [{ invoiceId: invoice, amountCents: 2_500 }],
    };
    const answers = await Promise.all([
      portal.patch(`/api/portal/scheduled-payments/${made.id}`, change),
      portal.patch(`/api/portal/scheduled-payments/${made.id}`, change),
    ]);
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json<ScheduledAnswer>().scheduledPayment).toMatchObject({
        runOn: '2026-12-18',
        totalCents: 2_500,
      });
    }
    // Saving it again as it is (the page's Save pressed twice) changes nothing either.
    const again = await portal.patch(`/api/portal/scheduled-payments/${made.id}`, {
      runOn: '2026-12-18',
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<ScheduledAnswer>().message).toMatch(/nothing to change/i);
    expect((await emails('payment_rescheduled')).length).toBe(emailsBefore + 1);
    expect(await auditRowCount(testApp)).toBe(audits + 1);
  });

  it('refuses changes once the run has started processing it (409, with the reason)', async () => {
    const made = await scheduled('2026-12-10', [
      { invoiceId: await openInvoice(), amountCents: 100 },
    ]);
    await testApp.database.pool.query(
      `UPDATE scheduled_payments SET status = 'processing' WHERE id = $1`,
      [made.id],
    );
    for (const response of [
      await portal.patch(`/api/portal/scheduled-payments/${made.id}`, { runOn: '2026-12-12' }),
      await portal.post(`/api/portal/scheduled-payments/${made.id}/cancel`),
    ]) {
      expect(response.statusCode, response.body).toBe(409);
      expect(errorOf(response).message).toMatch(/being processed now/);
    }
  });

  it("answers 404 for another organization's scheduled payment", async () => {
    const { portal: otherPortal } = await signedInToPortal(testApp, orgB);
    const made = await scheduled('2026-12-10', [
      { invoiceId: await openInvoice(), amountCents: 100 },
    ]);
    const changed = await otherPortal.patch(`/api/portal/scheduled-payments/${made.id}`, {
      runOn: '2026-12-12',
    });
    expect(changed.statusCode, changed.body).toBe(404);
    expect(
      (await otherPortal.post(`/api/portal/scheduled-payments/${made.id}/cancel`)).statusCode,
    ).toBe(404);
    const list = await otherPortal.get('/api/portal/scheduled-payments');
    expect(list.json<ScheduledList>().scheduledPayments.map((s) => s.id)).not.toContain(made.id);
    expect((await statusOf(made.id)).status).toBe('scheduled');
  });
});

describe('the permission', () => {
  it("a profile without 'schedule payments' gets 403 on every scheduled payments route", async () => {
    const { portal: limited, email } = await signedInToPortal(testApp, orgA);
    const made = await scheduled('2026-12-10', [
      { invoiceId: await openInvoice(), amountCents: 100 },
    ]);
    await testApp.database.pool.query(
      `WITH p AS (INSERT INTO access_profiles (name, permissions)
                  VALUES ('Pays now only', ARRAY['view_invoices', 'pay_invoices']) RETURNING id)
       UPDATE contact_organizations SET access_profile_id = (SELECT id FROM p)
        WHERE contact_id = (SELECT id FROM contacts WHERE email = $1)`,
      [email],
    );
    const responses = [
      await limited.get('/api/portal/scheduled-payments'),
      await schedule('2026-12-10', [{ invoiceId: await openInvoice(), amountCents: 100 }], {
        client: limited,
      }),
      await limited.patch(`/api/portal/scheduled-payments/${made.id}`, { runOn: '2026-12-12' }),
      await limited.post(`/api/portal/scheduled-payments/${made.id}/cancel`),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([403, 403, 403, 403]);
    expect((await statusOf(made.id)).status).toBe('scheduled');
  });
});

describe('staff', () => {
  it('an organization that does not exist is 404, and the range is at most the calendar’s (400 naming through)', async () => {
    const readOnly = await signedInAs(testApp.app, 'read_only');
    const missing = await readOnly.get(
      '/api/organizations/00000000-0000-4000-8000-000000000000/scheduled-payments',
    );
    expect(missing.statusCode, missing.body).toBe(404);
    const everything = await readOnly.get(
      '/api/scheduled-payments?from=0001-01-01&through=9999-12-31',
    );
    expectFieldErrors(everything, ['through']);
    expect(errorOf(everything).fields[0]!.message).toMatch(/at most \d+ days after from/);
    expectFieldErrors(
      await readOnly.get('/api/scheduled-payments?from=2026-12-15&through=2026-12-01'),
      ['through'],
    );
  });

  it('list an organization’s scheduled payments and the calendar range; Billing cancels, Read Only may not', async () => {
    const made = await scheduled('2026-12-15', [
      { invoiceId: await openInvoice(), amountCents: 100 },
    ]);
    const readOnly = await signedInAs(testApp.app, 'read_only');
    const billing = await signedInAs(testApp.app, 'billing');
    const list = await readOnly.get(`/api/organizations/${orgA}/scheduled-payments`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<ScheduledList>().scheduledPayments.map((s) => s.id)).toContain(made.id);
    const calendar = await readOnly.get(
      '/api/scheduled-payments?from=2026-12-15&through=2026-12-15',
    );
    expect(calendar.json<ScheduledList>().scheduledPayments.map((s) => s.id)).toEqual([made.id]);
    expectFieldErrors(await readOnly.get('/api/scheduled-payments?from=2026-12-15&through=x'), [
      'through',
    ]);

    const refused = await readOnly.post(
      `/api/organizations/${orgA}/scheduled-payments/${made.id}/cancel`,
    );
    expect(refused.statusCode).toBe(403);
    // Another organization's path: not found.
    expect(
      (await billing.post(`/api/organizations/${orgB}/scheduled-payments/${made.id}/cancel`))
        .statusCode,
    ).toBe(404);
    const audits = await auditRowCount(testApp);
    const cancelled = await billing.post(
      `/api/organizations/${orgA}/scheduled-payments/${made.id}/cancel`,
    );
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(await auditRowCount(testApp)).toBe(audits + 1);
    const email = (await emails('payment_cancelled')).at(-1)!;
    expectContactAndDefaults(email.to);
    expect(email.text).toContain('Our billing team cancelled a scheduled payment');
  });
});

describe('the daily run', () => {
  it('charges a payment on its date, once, through the payment core, with the receipt', async () => {
    const invoice = await openInvoice(7_000);
    const made = await scheduled('2026-12-03', [{ invoiceId: invoice, amountCents: 7_000 }]);
    // The day before: nothing.
    await run('2026-12-02T15:00:00Z');
    expect((await statusOf(made.id)).status).toBe('scheduled');

    const counts = await run('2026-12-03T06:00:00Z');
    expect(counts.paid).toBeGreaterThanOrEqual(1);
    const after = await statusOf(made.id);
    expect(after.status).toBe('paid');
    const payment = (
      await testApp.database.pool.query(
        `SELECT source, request_key AS "requestKey", status, amount_cents AS "amountCents",
                number FROM payments WHERE id = $1`,
        [after.paymentId],
      )
    ).rows[0];
    expect(payment).toMatchObject({
      source: 'scheduled',
      requestKey: scheduledRequestKey(made.id),
      status: 'succeeded',
      amountCents: 7_000,
    });
    expect(await balanceOf(invoice)).toBe(0);
    await sendQueuedPaymentEmails(testApp);
    const receipt = (await emails('payment_receipt')).find((e) => e.text.includes(payment.number));
    expectContactAndDefaults(receipt?.to);

    const charges = (await ledgerKeys()).length;
    await run('2026-12-03T18:00:00Z');
    await run('2026-12-04T06:00:00Z');
    expect((await ledgerKeys()).length).toBe(charges);
    const late = await portal.post(`/api/portal/scheduled-payments/${made.id}/cancel`);
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).message).toMatch(/it has been paid/);
  });

  it('caps an invoice paid in part meanwhile at its balance, leaves out one paid in full, and tells the contact', async () => {
    const partly = await openInvoice(6_000);
    const fully = await openInvoice(2_000);
    const made = await scheduled('2026-12-04', [
      { invoiceId: partly, amountCents: 6_000 },
      { invoiceId: fully, amountCents: 2_000 },
    ]);
    // Paid in the meantime, in the portal.
    const paid = await portal.post('/api/portal/payments', {
      paymentMethodId: card,
      allocations: [
        { invoiceId: partly, amountCents: 1_000 },
        { invoiceId: fully, amountCents: 2_000 },
      ],
    });
    expect(paid.statusCode, paid.body).toBe(201);

    await run('2026-12-04T06:00:00Z');
    const after = await statusOf(made.id);
    expect(after.status).toBe('paid');
    const payment = (
      await testApp.database.pool.query(
        `SELECT amount_cents AS "amountCents" FROM payments WHERE id = $1`,
        [after.paymentId],
      )
    ).rows[0];
    expect(payment.amountCents).toBe(5_000);
    expect(await balanceOf(partly)).toBe(0);
    const note = (await emails('scheduled_payment_adjusted')).at(-1)!;
    expectContactAndDefaults(note.to);
    expect(note.text).toMatch(/INV-SCH-\d+ was paid in part in the meantime: \$50\.00 was charged/);
    expect(note.text).toMatch(/was paid in full in the meantime: it was left out/);
    // The email, the list and the calendar give what was charged, not what was scheduled.
    expect(note.text).toContain('Amount: $50.00');
    const listed = (await portal.get('/api/portal/scheduled-payments'))
      .json<{ scheduledPayments: ScheduledAnswer['scheduledPayment'][] }>()
      .scheduledPayments.find((p) => p.id === made.id)!;
    expect(listed.totalCents).toBe(5_000);
    expect(Object.fromEntries(listed.allocations.map((a) => [a.invoiceId, a.amountCents]))).toEqual(
      { [partly]: 5_000, [fully]: 0 },
    );
  });

  it('skips a payment with nothing left to pay, charges nothing, and tells the contact', async () => {
    const invoice = await openInvoice(3_000);
    const made = await scheduled('2026-12-05', [{ invoiceId: invoice, amountCents: 3_000 }]);
    await testApp.database.pool.query(
      `UPDATE invoices SET amount_paid_cents = total_cents WHERE id = $1`,
      [invoice],
    );
    const charges = (await ledgerKeys()).length;
    await run('2026-12-05T06:00:00Z');
    expect((await statusOf(made.id)).status).toBe('skipped');
    expect((await ledgerKeys()).length).toBe(charges);
    const told = (await emails('payment_cancelled')).at(-1)!.text;
    expect(told).toMatch(
      /paid in full in the meantime.*Nothing was left to pay, so nothing was charged/s,
    );
    // Nobody cancelled it, and the invoice is not open: the email says neither.
    expect(told).not.toMatch(/was cancelled|stay open/);
  });

  it('catches up missed days once: a payment due three days ago is charged once', async () => {
    const invoice = await openInvoice(4_000);
    const made = await scheduled('2026-12-06', [{ invoiceId: invoice, amountCents: 4_000 }]);
    // The server was down from the 6th to the 9th.
    await run('2026-12-09T14:00:00Z');
    await run('2026-12-09T15:00:00Z');
    await run('2026-12-10T15:00:00Z');
    expect((await statusOf(made.id)).status).toBe('paid');
    const keys = await ledgerKeys();
    const payment = await statusOf(made.id);
    const key = (
      await testApp.database.pool.query(`SELECT idempotency_key AS k FROM payments WHERE id = $1`, [
        payment.paymentId,
      ])
    ).rows[0].k;
    expect(keys.filter((k) => k === key)).toHaveLength(1);
  });

  it('the same day twice at once makes one charge', async () => {
    const invoice = await openInvoice(5_500);
    const made = await scheduled('2026-12-07', [{ invoiceId: invoice, amountCents: 5_500 }]);
    const before = (await ledgerKeys()).length;
    await Promise.all([
      run('2026-12-07T06:00:00Z'),
      run('2026-12-07T06:00:00Z'),
      run('2026-12-07T06:00:00Z'),
    ]);
    expect((await statusOf(made.id)).status).toBe('paid');
    expect((await ledgerKeys()).length).toBe(before + 1);
    expect(
      (
        await testApp.database.pool.query(
          `SELECT count(*)::int AS n FROM payments WHERE request_key = $1`,
          [scheduledRequestKey(made.id)],
        )
      ).rows[0].n,
    ).toBe(1);
    expect(await balanceOf(invoice)).toBe(0);
  });

  it('a run killed after writing the payment and before charging is finished by the rerun, with one charge', async () => {
    const invoice = await openInvoice(6_500);
    const made = await scheduled('2026-12-08', [{ invoiceId: invoice, amountCents: 6_500 }]);
    // What the killed worker left: the scheduled payment processing, its payment pending and
    // never sent to the processor.
    await testApp.database.pool.query(
      `UPDATE scheduled_payments SET status = 'processing' WHERE id = $1`,
      [made.id],
    );
    const started = await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: systemActor,
      organizationId: orgA,
      contactId: null,
      paymentMethodId: card,
      allocations: [{ invoiceId: invoice, amountCents: 6_500 }],
      requestKey: scheduledRequestKey(made.id),
      source: 'scheduled',
    });
    await testApp.database.pool.query(
      `UPDATE payments SET created_at = now() - interval '5 minutes' WHERE id = $1`,
      [started.paymentId],
    );
    const before = (await ledgerKeys()).length;
    await run('2026-12-08T07:00:00Z');
    expect(await statusOf(made.id)).toEqual({ status: 'paid', paymentId: started.paymentId });
    expect((await ledgerKeys()).length).toBe(before + 1);
    expect(await balanceOf(invoice)).toBe(0);
  });

  it('a run killed after the charge and before recording it charges nothing more on the rerun', async () => {
    const invoice = await openInvoice(2_500);
    const made = await scheduled('2026-12-08', [{ invoiceId: invoice, amountCents: 2_500 }]);
    // The first worker charged, then died before writing the scheduled payment's outcome.
    const paid = await portal.post(
      '/api/portal/payments',
      { paymentMethodId: card, allocations: [{ invoiceId: invoice, amountCents: 2_500 }] },
      { 'idempotency-key': 'unused' },
    );
    expect(paid.statusCode, paid.body).toBe(201);
    const paymentId = paid.json<{ payment: { id: string } }>().payment.id;
    await testApp.database.pool.query(
      `UPDATE payments SET request_key = $2, source = 'scheduled' WHERE id = $1`,
      [paymentId, scheduledRequestKey(made.id)],
    );
    await testApp.database.pool.query(
      `UPDATE scheduled_payments SET status = 'processing' WHERE id = $1`,
      [made.id],
    );
    const before = (await ledgerKeys()).length;
    await run('2026-12-08T08:00:00Z');
    expect(await statusOf(made.id)).toEqual({ status: 'paid', paymentId });
    expect((await ledgerKeys()).length).toBe(before);
  });

  it('a declined card fails the scheduled payment (the payment core sends Payment Failed)', async () => {
    const declined = await savedMethod(testApp, orgA, testCard('4000000000000002'));
    const invoice = await openInvoice(1_500);
    const response = await schedule('2026-12-09', [{ invoiceId: invoice, amountCents: 1_500 }], {
      methodId: declined,
    });
    expect(response.statusCode, response.body).toBe(201);
    const made = response.json<ScheduledAnswer>().scheduledPayment;
    await run('2026-12-09T06:00:00Z');
    expect((await statusOf(made.id)).status).toBe('failed');
    expect(await balanceOf(invoice)).toBe(1_500);
    const list = await portal.get('/api/portal/scheduled-payments');
    const shown = list.json<ScheduledList>().scheduledPayments.find((s) => s.id === made.id);
    expect(shown?.status).toBe('failed');
  });

  it('removing the method cancels the payment scheduled on it at once, charges nothing, and tells the contact', async () => {
    const spare = await savedMethod(testApp, orgA, testCard('4242424242424242'), {
      friendlyName: 'Spare card',
    });
    const invoice = await openInvoice(1_800);
    const response = await schedule('2026-12-09', [{ invoiceId: invoice, amountCents: 1_800 }], {
      methodId: spare,
    });
    expect(response.statusCode, response.body).toBe(201);
    const made = response.json<ScheduledAnswer>().scheduledPayment;
    const removed = await portal.delete(`/api/portal/payment-methods/${spare}`);
    expect(removed.statusCode, removed.body).toBeLessThan(300);
    expect(removed.json<{ message: string }>().message).toContain(
      '1 scheduled payment with it was cancelled',
    );
    expect((await statusOf(made.id)).status).toBe('cancelled');
    const before = (await ledgerKeys()).length;
    await run('2026-12-09T06:00:00Z');
    expect((await statusOf(made.id)).status).toBe('cancelled');
    expect((await ledgerKeys()).length).toBe(before);
    expect(await balanceOf(invoice)).toBe(1_800);
    const told = (await emails('payment_cancelled')).at(-1)!;
    expectContactAndDefaults(told.to);
    expect(told.text).toMatch(/to the Spare card .*, which was removed from the payment methods/);
  });
});
