import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { autopayPreview } from '../../src/shared/contract/autopay.js';
import { runAutopay } from '../../src/modules/autopay/autopay-run.js';
import { recordAutopayReturns } from '../../src/modules/autopay/autopay-returns.js';
import { reconcilePayments } from '../../src/modules/payments/reconciliation.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import {
  sandboxOf,
  savedMethod,
  sendQueuedPaymentEmails,
  testBankAccount,
  testCard,
} from '../support/payment-fixtures.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { expectFieldErrors } from '../support/api-assertions.js';
import { signedInToPortal } from '../support/portal-client.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What AutoPay shows and does after a try: the preview is the run's own plan (a cycle the run
 * is done with is not shown, a retry is shown on its date with its try number), and a client
 * hears of a hard decline once.
 */

type Preview = Answer<typeof autopayPreview>;

let testApp: TestApp;
let staff: ApiClient;
let counter = 0;

/** A new organization with AutoPay on (one rule: every category, on the due date). */
async function autopayOrganization(method: Parameters<typeof savedMethod>[2] | null) {
  counter += 1;
  const pool = testApp.database.pool;
  const organizationId = (
    await pool.query<{ id: string }>(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      `Plan Client ${counter}`,
    ])
  ).rows[0]!.id;
  const email = `plan${counter}@autopay.example`;
  const contact = (
    await pool.query<{ id: string }>(
      `INSERT INTO contacts (name, email) VALUES ($1, $2) RETURNING id`,
      [`Plan Contact ${counter}`, email],
    )
  ).rows[0]!.id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification)
     VALUES ($1, $2, true)`,
    [contact, organizationId],
  );
  const methodId = method
    ? await savedMethod(testApp, organizationId, method, { isDefault: true })
    : null;
  await pool.query(
    `INSERT INTO autopay_organizations (organization_id, enabled) VALUES ($1, true)`,
    [organizationId],
  );
  await pool.query(
    `INSERT INTO autopay_rules (organization_id, position, timing) VALUES ($1, 1, 'due_date')`,
    [organizationId],
  );
  return { organizationId, methodId, email };
}

/** An open invoice of `organizationId` due on `dueDate`, for `cents`; answers id and number. */
async function invoiceDue(organizationId: string, dueDate: string, cents = 10_000) {
  counter += 1;
  const number = `INV-PLAN-${counter}`;
  const id = await insertInvoice(testApp.database.pool, {
    organizationId,
    number,
    issueDate: '2026-01-01',
    dueDate,
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: cents }],
  });
  return { id, number };
}

function run(businessDate: string) {
  return runAutopay(testApp.context, sandboxOf(testApp), { businessDate });
}

/** The business date of "now" for the routes (the MSP's zone is UTC in the tests). */
function today(date: string) {
  testApp.context.clock = () => new Date(`${date}T12:00:00Z`);
}

/** The staff preview of an organization: per invoice, the date, the try and what happens. */
async function preview(organizationId: string, query = '') {
  const response = await staff.get(`/api/organizations/${organizationId}/autopay/preview${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response
    .json<Preview>()
    .charges.map((c) => [c.number, c.chargeOn, c.tryNumber, c.skipReason] as const);
}

/** Templates of the emails sent to an address (payment emails worked first). */
async function emailsTo(email: string) {
  await sendQueuedPaymentEmails(testApp);
  return (
    await testApp.database.pool.query<{ template: string; subject: string; text: string }>(
      `SELECT template, subject, text FROM email_messages
        WHERE recipients @> $1::jsonb ORDER BY created_at, template`,
      [JSON.stringify([{ email }])],
    )
  ).rows;
}

beforeAll(async () => {
  testApp = await startTestApp({ SANDBOX_ACH_SETTLE_SECONDS: '0' });
  staff = await signedInAs(testApp.app, 'billing');
}, 60_000);
afterAll(async () => testApp?.close());
beforeEach(() => {
  delete testApp.context.clock;
});

describe('the preview is what the run will do', () => {
  it('a soft decline shows its next try on its retry date, with the try number', async () => {
    const client = await autopayOrganization(testCard('4000000000009995'));
    const invoice = await invoiceDue(client.organizationId, '2026-08-03', 4_200);
    today('2026-08-01');
    expect(await preview(client.organizationId)).toEqual([[invoice.number, '2026-08-03', 1, null]]);

    await run('2026-08-03');
    today('2026-08-04');
    // Declined on the 3rd (insufficient funds): tried again on the 6th, try 2.
    expect(await preview(client.organizationId)).toEqual([[invoice.number, '2026-08-06', 2, null]]);
    // A window that ends before the retry does not show it; one that starts after the due
    // date does.
    expect(await preview(client.organizationId, '?from=2026-08-04&through=2026-08-05')).toEqual([]);
    expect(await preview(client.organizationId, '?from=2026-08-05&through=2026-08-31')).toEqual([
      [invoice.number, '2026-08-06', 2, null],
    ]);

    // The Payments Calendar puts the retry on its day too.
    const calendar = await staff.get('/api/payments-calendar/day?date=2026-08-06');
    expect(calendar.statusCode, calendar.body).toBe(200);
    expect(JSON.stringify(calendar.json())).toContain(invoice.number);

    // After the last try the cycle is over: nothing is shown.
    for (const date of ['2026-08-06', '2026-08-09', '2026-08-12']) await run(date);
    today('2026-08-13');
    expect(await preview(client.organizationId)).toEqual([]);
  });

  it('a cycle that failed hard or was skipped for good is not shown as "will be charged"', async () => {
    const expired = await autopayOrganization(testCard('4000000000000069'));
    const hard = await invoiceDue(expired.organizationId, '2026-09-01', 9_900);
    await run('2026-09-01');
    // Unlocked by staff: the run still does not charge this cycle again, so neither may the
    // preview say it will.
    await testApp.database.pool.query(
      `UPDATE payment_methods SET locked_at = NULL, locked_reason = NULL WHERE id = $1`,
      [expired.methodId],
    );
    today('2026-09-02');
    expect(await preview(expired.organizationId)).toEqual([]);
    await run('2026-09-02');
    expect(
      (
        await testApp.database.pool.query(
          `SELECT count(*)::int AS n FROM autopay_attempts WHERE invoice_id = $1`,
          [hard.id],
        )
      ).rows[0].n,
    ).toBe(1);

    // Skipped for good: the payment core refused it (paid in part since the plan was read).
    const partly = await autopayOrganization(testCard('4242424242424242'));
    const skipped = await invoiceDue(partly.organizationId, '2026-09-01');
    await testApp.database.pool.query(
      `INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                     run_date, outcome, reason)
       VALUES ($1, $2, '2026-09-01', 1, '2026-09-01', 'skipped', 'paid_in_part')`,
      [partly.organizationId, skipped.id],
    );
    expect(await preview(partly.organizationId)).toEqual([]);
    // Skipped for a reason that passes (no method then): the next run tries it, so it shows,
    // on the 3rd: the run of the 2nd has finished.
    await testApp.database.pool.query(
      `UPDATE autopay_attempts SET reason = 'no_method' WHERE invoice_id = $1`,
      [skipped.id],
    );
    expect(await preview(partly.organizationId)).toEqual([[skipped.number, '2026-09-03', 1, null]]);
  });

  it("an invoice due today after today's run finished shows on tomorrow, the next run", async () => {
    const client = await autopayOrganization(testCard('4242424242424242'));
    today('2026-10-05');
    await run('2026-10-05');
    // Issued after the day's run: no run charges 5 October again.
    const late = await invoiceDue(client.organizationId, '2026-10-05', 3_100);
    expect(await preview(client.organizationId)).toEqual([[late.number, '2026-10-06', 1, null]]);

    // The Payments Calendar puts it on the 6th too, not on the 5th.
    const onDay = async (date: string) => {
      const day = await staff.get(`/api/payments-calendar/day?date=${date}`);
      expect(day.statusCode, day.body).toBe(200);
      return day.body.includes(late.number);
    };
    expect([await onDay('2026-10-05'), await onDay('2026-10-06')]).toEqual([false, true]);

    // Tomorrow's run charges it, as shown.
    await run('2026-10-06');
    const paid = await testApp.database.pool.query<{ balance: number }>(
      `SELECT balance_cents AS balance FROM invoices WHERE id = $1`,
      [late.id],
    );
    expect(paid.rows[0]?.balance).toBe(0);
  });

  it('a date no run charged (the server was down) shows on the next run, whatever window is asked', async () => {
    const client = await autopayOrganization(testCard('4242424242424242'));
    const missed = await invoiceDue(client.organizationId, '2026-11-02', 4_200);
    // No run since before the 2nd: the next run (the 5th's) catches the 2nd up.
    today('2026-11-05');
    const expected = [[missed.number, '2026-11-05', 1, null]];
    expect(await preview(client.organizationId)).toEqual(expected);
    expect(await preview(client.organizationId, '?from=2026-11-05&through=2026-12-05')).toEqual(
      expected,
    );
    expect(await preview(client.organizationId, '?from=2026-11-01&through=2026-11-30')).toEqual(
      expected,
    );
    // A window after the next run does not hold it: the run will have charged it by then.
    expect(await preview(client.organizationId, '?from=2026-11-06&through=2026-12-06')).toEqual([]);

    // The Payments Calendar: on the 5th (its day and its month), not on the 2nd.
    const onDay = async (date: string) => {
      const day = await staff.get(`/api/payments-calendar/day?date=${date}`);
      expect(day.statusCode, day.body).toBe(200);
      return day.body.includes(missed.number);
    };
    expect([await onDay('2026-11-02'), await onDay('2026-11-05')]).toEqual([false, true]);
    const month = await staff.get('/api/payments-calendar?from=2026-11-01&through=2026-11-30');
    expect(month.statusCode, month.body).toBe(200);
    const days = month.json<{ days: Array<{ date: string; autopayCount: number }> }>().days;
    expect(days.find((d) => d.date === '2026-11-05')?.autopayCount).toBeGreaterThanOrEqual(1);

    // And the run of the 5th charges it, as shown.
    await run('2026-11-05');
    const paid = await testApp.database.pool.query<{ balance: number }>(
      `SELECT balance_cents AS balance FROM invoices WHERE id = $1`,
      [missed.id],
    );
    expect(paid.rows[0]?.balance).toBe(0);
  });
});

describe('a hard decline by AutoPay', () => {
  it('emails the client Payment Method Failure, naming the invoice and amount, and no Payment Failed', async () => {
    const client = await autopayOrganization(testCard('4000000000009987'));
    const invoice = await invoiceDue(client.organizationId, '2026-10-01', 7_700);
    await run('2026-10-01');
    const emails = await emailsTo(client.email);
    expect(emails.map((e) => e.template)).toEqual(['payment_method_failure']);
    expect(emails[0]!.subject).toBe('AutoPay could not charge your Visa •••• 9987');
    expect(emails[0]!.text).toContain(invoice.number);
    expect(emails[0]!.text).toContain('$77.00');
    expect(emails[0]!.text).toContain('reported this card lost');
  });

  it('a soft decline still sends Payment Failed (AutoPay tries again)', async () => {
    const client = await autopayOrganization(testCard('4000000000000341'));
    await invoiceDue(client.organizationId, '2026-10-02', 7_700);
    await run('2026-10-02');
    expect((await emailsTo(client.email)).map((e) => e.template)).toEqual(['payment_failed']);
  });
});

/** The tries kept for an invoice: try number, outcome, reason, next try. */
async function attemptsOf(invoiceId: string) {
  return (
    await testApp.database.pool.query<{
      tryNumber: number;
      outcome: string;
      reason: string | null;
      nextTryOn: string | null;
    }>(
      `SELECT try_number AS "tryNumber", outcome, reason, next_try_on::text AS "nextTryOn"
         FROM autopay_attempts WHERE invoice_id = $1 ORDER BY cycle_due_date, try_number`,
      [invoiceId],
    )
  ).rows;
}

async function balanceOf(invoiceId: string) {
  return (
    await testApp.database.pool.query<{ balance: number }>(
      `SELECT balance_cents AS balance FROM invoices WHERE id = $1`,
      [invoiceId],
    )
  ).rows[0]!.balance;
}

/** The processor settles (or returns) the debits it was asked about: the bank's answer. */
async function bankAnswers(date: string) {
  // The sandbox settles debits on its own clock (at once in these tests).
  delete testApp.context.clock;
  await reconcilePayments(testApp.context, sandboxOf(testApp));
  today(date);
  await recordAutopayReturns(testApp.context);
}

describe('a returned AutoPay debit', () => {
  it('returned for insufficient funds: tried again on the retry schedule, once', async () => {
    const client = await autopayOrganization(testBankAccount('000222222227'));
    const invoice = await invoiceDue(client.organizationId, '2026-11-02', 30_000);
    await run('2026-11-02');
    expect(await attemptsOf(invoice.id)).toMatchObject([{ tryNumber: 1, outcome: 'charged' }]);
    expect(await balanceOf(invoice.id)).toBe(0);

    await bankAnswers('2026-11-04');
    expect(await balanceOf(invoice.id)).toBe(30_000);
    expect(await attemptsOf(invoice.id)).toEqual([
      {
        tryNumber: 1,
        outcome: 'retry_scheduled',
        reason: 'The bank returned the debit: The account has insufficient funds.',
        nextTryOn: '2026-11-07',
      },
    ]);
    // Recorded once: a second look changes nothing.
    expect(await recordAutopayReturns(testApp.context)).toBe(0);
    expect(await preview(client.organizationId)).toEqual([[invoice.number, '2026-11-07', 2, null]]);

    // The client has put money in the account: the next try, on its date, is paid.
    await testApp.database.pool.query(
      `UPDATE sandbox_methods SET outcome = 'succeeds'
        WHERE id = (SELECT gateway_ref FROM payment_methods WHERE id = $1)`,
      [client.methodId],
    );
    await run('2026-11-05');
    expect(await attemptsOf(invoice.id)).toHaveLength(1);
    await run('2026-11-07');
    await run('2026-11-08');
    expect(await attemptsOf(invoice.id)).toMatchObject([
      { tryNumber: 1, outcome: 'retry_scheduled' },
      { tryNumber: 2, outcome: 'charged' },
    ]);
    await bankAnswers('2026-11-09');
    expect(await balanceOf(invoice.id)).toBe(0);
    const keys = (
      await testApp.database.pool.query<{ key: string; status: string }>(
        `SELECT p.request_key AS key, p.status FROM payments p
           JOIN payment_allocations a ON a.payment_id = p.id
          WHERE a.invoice_id = $1 ORDER BY p.created_at`,
        [invoice.id],
      )
    ).rows;
    expect(keys).toEqual([
      { key: `autopay:${invoice.id}:2026-11-02:1`, status: 'returned' },
      { key: `autopay:${invoice.id}:2026-11-02:2`, status: 'succeeded' },
    ]);
  });

  it('returned because the account is closed: not tried again, the method locked, Payment Method Failure', async () => {
    const client = await autopayOrganization(testBankAccount('000111111113'));
    const invoice = await invoiceDue(client.organizationId, '2026-11-03', 25_000);
    await run('2026-11-03');
    await bankAnswers('2026-11-04');
    expect(await attemptsOf(invoice.id)).toEqual([
      {
        tryNumber: 1,
        outcome: 'failed',
        reason: 'The bank returned the debit: The bank account is closed.',
        nextTryOn: null,
      },
    ]);
    const method = (
      await testApp.database.pool.query(
        `SELECT locked_at IS NOT NULL AS locked FROM payment_methods WHERE id = $1`,
        [client.methodId],
      )
    ).rows[0];
    expect(method).toEqual({ locked: true });
    expect(await preview(client.organizationId)).toEqual([]);
    await run('2026-11-06');
    expect(await attemptsOf(invoice.id)).toHaveLength(1);

    const emails = await emailsTo(client.email);
    expect(emails.map((e) => e.template)).toEqual(['payment_processing', 'payment_method_failure']);
    const failure = emails[1]!;
    expect(failure.subject).toBe('AutoPay could not charge your Bank account •••• 1113');
    expect(failure.text).toContain(invoice.number);
    expect(failure.text).toContain('$250.00');
    expect(failure.text).toContain('The bank account is closed.');
  });
});

describe('tries that never reached the processor', () => {
  /**
   * Payments of `tries` tries of the invoice's cycle that a killed worker wrote and never sent,
   * failed by the reconciliation job as never received (decision 48): the next run records
   * them, as it records any payment it finds, and tries again at once.
   */
  async function unreachedTries(
    client: { organizationId: string; methodId: string | null },
    invoiceId: string,
    cycle: string,
    tries: number,
  ) {
    for (let n = 1; n <= tries; n += 1) {
      counter += 1;
      await testApp.database.pool.query(
        `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                               payment_method_id, method_type, method_label, request_key,
                               failure_code, failure_message)
         VALUES ($1, $2, 'autopay', 'failed', 1000, 'USD', $3, 'card', 'Visa', $4,
                 'not_reached', 'No charge with this key')`,
        [
          `P-UNREACHED-${counter}`,
          client.organizationId,
          client.methodId,
          `autopay:${invoiceId}:${cycle}:${n}`,
        ],
      );
    }
  }

  it('a soft decline after them still gets every retry of the schedule: run, preview, calendar', async () => {
    const client = await autopayOrganization(testCard('4000000000009995'));
    const invoice = await invoiceDue(client.organizationId, '2027-02-01', 5_500);
    await unreachedTries(client, invoice.id, '2027-02-01', 3);
    await run('2027-02-01');
    // The three tries that never reached the processor, then the first real try: declined.
    expect((await attemptsOf(invoice.id)).map((a) => [a.tryNumber, a.outcome])).toEqual([
      [1, 'retry_scheduled'],
      [2, 'retry_scheduled'],
      [3, 'retry_scheduled'],
      [4, 'retry_scheduled'],
    ]);
    expect((await attemptsOf(invoice.id))[3]!.nextTryOn).toBe('2027-02-04');
    // Staff's AutoPay Summary counts the tries as the schedule does.
    const summary = await testApp.database.pool.query<{ text: string }>(
      `SELECT text FROM email_messages
        WHERE template = 'autopay_summary' AND subject LIKE 'AutoPay 2027-02-01:%'`,
    );
    expect(summary.rows[0]?.text).toContain(
      'The account has insufficient funds. Will be tried again on 2027-02-04 (try 2).',
    );
    // Nor are the tries that never reached the processor declines: the summary and the
    // Payments Calendar's day show the one decline of the day.
    expect(summary.rows[0]?.text).not.toContain('did not reach the payment processor');
    // The preview shows the retry, the second try that reaches the processor.
    today('2027-02-02');
    expect(await preview(client.organizationId)).toEqual([[invoice.number, '2027-02-04', 2, null]]);
    const calendar = await staff.get('/api/payments-calendar/day?date=2027-02-04');
    expect(calendar.statusCode, calendar.body).toBe(200);
    expect(calendar.body).toContain(invoice.number);
    const tried = await staff.get('/api/payments-calendar/day?date=2027-02-01');
    expect(tried.statusCode, tried.body).toBe(200);
    expect(
      tried
        .json<{ autopay: { invoiceNumber: string; outcome: string }[] }>()
        .autopay.filter((row) => row.invoiceNumber === invoice.number)
        .map((row) => row.outcome),
    ).toEqual(['retry_scheduled']);
    const month = await staff.get('/api/payments-calendar?from=2027-02-01&through=2027-02-01');
    expect(month.statusCode, month.body).toBe(200);
    const [day] = month.json<{ days: { failedCount: number }[] }>().days;
    const declinedThatDay = await testApp.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM autopay_attempts t JOIN payments p ON p.id = t.payment_id
        WHERE t.run_date = '2027-02-01' AND p.failure_code IS DISTINCT FROM 'not_reached'
          AND t.outcome IN ('failed', 'retry_scheduled', 'gave_up')`,
    );
    expect(day?.failedCount).toBe(declinedThatDay.rows[0]!.n);
    // Three more tries, as the schedule promises, then AutoPay gives up.
    for (const date of ['2027-02-04', '2027-02-07', '2027-02-10']) await run(date);
    expect((await attemptsOf(invoice.id)).map((a) => a.outcome)).toEqual([
      'retry_scheduled',
      'retry_scheduled',
      'retry_scheduled',
      'retry_scheduled',
      'retry_scheduled',
      'retry_scheduled',
      'gave_up',
    ]);
  });

  it('a debit returned after them is tried again on the schedule', async () => {
    const client = await autopayOrganization(testBankAccount('000222222227'));
    const invoice = await invoiceDue(client.organizationId, '2027-03-01', 6_600);
    await unreachedTries(client, invoice.id, '2027-03-01', 3);
    await run('2027-03-01');
    expect((await attemptsOf(invoice.id)).map((a) => a.outcome)).toEqual([
      'retry_scheduled',
      'retry_scheduled',
      'retry_scheduled',
      'charged',
    ]);
    await bankAnswers('2027-03-02');
    expect((await attemptsOf(invoice.id))[3]).toMatchObject({
      tryNumber: 4,
      outcome: 'retry_scheduled',
      nextTryOn: '2027-03-05',
    });
  });
});

describe('the AutoPay Summary after a returned debit', () => {
  /** The AutoPay Summary staff got for the run of `runDate`: subject and text. */
  async function summaryOf(runDate: string) {
    return (
      await testApp.database.pool.query<{ subject: string; text: string }>(
        `SELECT subject, text FROM email_messages
          WHERE template = 'autopay_summary' AND subject LIKE $1`,
        [`AutoPay ${runDate}:%`],
      )
    ).rows;
  }

  it('tells staff a returned debit not tried again, and why, in the next run', async () => {
    const pool = testApp.database.pool;
    const closed = await autopayOrganization(testBankAccount('000111111113'));
    const closedInvoice = await invoiceDue(closed.organizationId, '2027-01-04', 25_000);
    const short = await autopayOrganization(testBankAccount('000222222227'));
    const shortInvoice = await invoiceDue(short.organizationId, '2027-01-04', 12_000);
    await run('2027-01-04');
    // No retries in Configuration > Billing: a debit returned for insufficient funds was the
    // last try.
    await pool.query(`UPDATE settings SET autopay_retry_count = 0`);
    try {
      await bankAnswers('2027-01-05');
    } finally {
      await pool.query(`UPDATE settings SET autopay_retry_count = 3`);
    }
    expect((await attemptsOf(closedInvoice.id))[0]?.outcome).toBe('failed');
    expect((await attemptsOf(shortInvoice.id))[0]?.outcome).toBe('gave_up');

    // The next run has nothing to charge, and still tells staff what the bank did.
    await run('2027-01-06');
    const [summary] = await summaryOf('2027-01-06');
    expect(summary?.subject).toMatch(/, 2 returned$/);
    const lines = summary!.text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    const lineOf = (number: string) => lines.slice(lines.findIndex((l) => l.includes(number)));
    expect(lineOf(closedInvoice.number).slice(0, 3)).toEqual([
      expect.stringContaining(closedInvoice.number),
      '$250.00',
      'Returned, not tried again: The bank account is closed. The payment method is locked and the client was emailed.',
    ]);
    expect(lineOf(shortInvoice.number).slice(0, 3)).toEqual([
      expect.stringContaining(shortInvoice.number),
      '$120.00',
      'Returned, not tried again: The account has insufficient funds. That was the last try: AutoPay leaves this invoice for this cycle.',
    ]);
    // Told once: the run of the day after has no news of them.
    await run('2027-01-07');
    expect(await summaryOf('2027-01-07')).toEqual([]);
  });
});

describe('locked rules come first', () => {
  /** A contact of the organization who may manage AutoPay, signed in to the portal. */
  async function autopayContact(organizationId: string): Promise<ApiClient> {
    const pool = testApp.database.pool;
    counter += 1;
    const email = `locks${counter}@autopay.example`;
    const contact = (
      await pool.query<{ id: string }>(
        `INSERT INTO contacts (name, email, password_hash) VALUES ('Lock Tester', $1, $2)
         RETURNING id`,
        [email, await hashPassword('Waffles at JJs Diner 1972')],
      )
    ).rows[0]!.id;
    await pool.query(
      `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
       SELECT $1, $2, id FROM access_profiles
        WHERE 'manage_autopay' = ANY(permissions) ORDER BY name LIMIT 1`,
      [contact, organizationId],
    );
    const portal = new ApiClient(testApp.app, '/api/portal/session');
    const signIn = await portal.post('/api/portal/sign-in', {
      email,
      password: 'Waffles at JJs Diner 1972',
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    return portal;
  }

  async function hostingCategory() {
    return (
      await testApp.database.pool.query<{ id: string }>(
        `INSERT INTO service_categories (name) VALUES ('Locked Hosting') RETURNING id`,
      )
    ).rows[0]!.id;
  }

  it('an unlocked rule above a locked one cannot catch its invoices, whatever the client makes of it', async () => {
    const pool = testApp.database.pool;
    const client = await autopayOrganization(testCard('4242424242424242'));
    const hosting = await hostingCategory();
    // As saved before locked rules came first: the client's own rule 1 (any invoice, 30 days
    // after the due date) above the MSP's locked rule 2 (Hosting, on the due date).
    await pool.query(`DELETE FROM autopay_rules WHERE organization_id = $1`, [
      client.organizationId,
    ]);
    await pool.query(
      `INSERT INTO autopay_rules (organization_id, position, timing, days)
       VALUES ($1, 1, 'after_due_date', 30)`,
      [client.organizationId],
    );
    const locked = (
      await pool.query<{ id: string }>(
        `INSERT INTO autopay_rules (organization_id, position, timing, service_category_ids,
                                    locked_at)
         VALUES ($1, 2, 'due_date', ARRAY[$2::uuid], now()) RETURNING id`,
        [client.organizationId, hosting],
      )
    ).rows[0]!.id;
    const invoice = await invoiceDue(client.organizationId, '2026-12-10');
    await pool.query(`UPDATE invoices SET service_category_id = $2 WHERE id = $1`, [
      invoice.id,
      hosting,
    ]);
    today('2026-12-01');
    const read = async () => {
      const response = await staff.get(
        `/api/organizations/${client.organizationId}/autopay/preview`,
      );
      return response.json<Preview>().charges.map((c) => [c.number, c.chargeOn, c.ruleId]);
    };
    // The locked rule pays it, on the due date.
    expect(await read()).toEqual([[invoice.number, '2026-12-10', locked]]);

    // The client sees the locked rule first, and may change its own rule as it likes: the
    // locked rule still pays the Hosting invoice.
    const portal = await autopayContact(client.organizationId);
    const mine = (await portal.get('/api/portal/autopay')).json<{
      rules: Array<{ id: string; locked: boolean } & Record<string, unknown>>;
    }>();
    expect(mine.rules.map((r) => r.locked)).toEqual([true, false]);
    const changed = await portal.put('/api/portal/autopay', {
      enabled: true,
      rules: [
        mine.rules[0],
        { ...mine.rules[1], timing: 'before_due_date', days: 5, serviceCategoryIds: [hosting] },
      ],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await read()).toEqual([[invoice.number, '2026-12-10', locked]]);

    // Nor can the client put a rule above the locked one.
    const above = await portal.put('/api/portal/autopay', {
      enabled: true,
      rules: [{ timing: 'before_due_date', days: 9 }, ...mine.rules],
    });
    expect(above.statusCode).toBe(403);
    expect(await read()).toEqual([[invoice.number, '2026-12-10', locked]]);
  });

  it('rules saved before are renumbered locked first by a migration, and the locked rule matches as rule 1', async () => {
    const pool = testApp.database.pool;
    const hosting = (
      await pool.query<{ id: string }>(
        `INSERT INTO service_categories (name) VALUES ('Renumbered Hosting') RETURNING id`,
      )
    ).rows[0]!.id;
    // As saved before locked rules came first: the client's rules 1 and 3 around the MSP's
    // locked rules 2 and 4 (Hosting on the due date; any invoice up to $50).
    const client = await autopayOrganization(testCard('4242424242424242'));
    await pool.query(`DELETE FROM autopay_rules WHERE organization_id = $1`, [
      client.organizationId,
    ]);
    const rule = async (position: number, locked: boolean, extra: string) =>
      (
        await pool.query<{ id: string }>(
          `INSERT INTO autopay_rules (organization_id, position, timing, days,
                                      service_category_ids, max_amount_cents, locked_at)
           VALUES ($1, $2, ${extra}, CASE WHEN $3 THEN now() END) RETURNING id`,
          [client.organizationId, position, locked],
        )
      ).rows[0]!.id;
    const own1 = await rule(1, false, `'after_due_date', 30, '{}', NULL`);
    const locked2 = await rule(2, true, `'due_date', NULL, ARRAY['${hosting}'::uuid], NULL`);
    const own3 = await rule(3, false, `'before_due_date', 2, '{}', NULL`);
    const locked4 = await rule(4, true, `'due_date', NULL, '{}', 5000`);
    // An organization whose rules are in order already is left as it is.
    const tidy = await autopayOrganization(testCard('4242424242424242'));
    const invoice = await invoiceDue(client.organizationId, '2027-05-10');
    await pool.query(`UPDATE invoices SET service_category_id = $2 WHERE id = $1`, [
      invoice.id,
      hosting,
    ]);

    const file = readdirSync('drizzle').find((name) =>
      /_autopay-locked-rules-first\.sql$/.test(name),
    );
    expect(file).toBeTruthy();
    for (const statement of readFileSync(`drizzle/${file}`, 'utf8').split(
      '--> statement-breakpoint',
    )) {
      if (statement.trim()) await pool.query(statement);
    }

    const positions = async (organizationId: string) =>
      (
        await pool.query<{ id: string; position: number }>(
          `SELECT id, position FROM autopay_rules WHERE organization_id = $1 ORDER BY position`,
          [organizationId],
        )
      ).rows;
    // Locked rules first, each group in its old order.
    expect(await positions(client.organizationId)).toEqual([
      { id: locked2, position: 1 },
      { id: locked4, position: 2 },
      { id: own1, position: 3 },
      { id: own3, position: 4 },
    ]);
    // The Hosting invoice is charged by the locked rule, which the preview calls rule 1, as the
    // client's list shows it.
    today('2027-05-01');
    const preview = await staff.get(`/api/organizations/${client.organizationId}/autopay/preview`);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(
      preview.json<Preview>().charges.map((c) => [c.number, c.chargeOn, c.ruleId, c.rulePosition]),
    ).toEqual([[invoice.number, '2027-05-10', locked2, 1]]);
    // Staff can see what changed on the organization's log.
    const audit = await pool.query<{ action: string; actor: string }>(
      `SELECT action, actor_label AS actor FROM audit_events
        WHERE organization_id = $1 AND action = 'autopay.renumbered'`,
      [client.organizationId],
    );
    expect(audit.rows).toEqual([{ action: 'autopay.renumbered', actor: 'Portico' }]);
    const untouched = await pool.query(
      `SELECT 1 FROM audit_events WHERE organization_id = $1 AND action = 'autopay.renumbered'`,
      [tidy.organizationId],
    );
    expect(untouched.rows).toEqual([]);
  });

  it('staff cannot save a locked rule below an unlocked one (400 naming it)', async () => {
    const client = await autopayOrganization(testCard('4242424242424242'));
    const response = await staff.put(`/api/organizations/${client.organizationId}/autopay`, {
      enabled: true,
      rules: [{ timing: 'due_date' }, { timing: 'before_due_date', days: 3, locked: true }],
    });
    expect(response.statusCode, response.body).toBe(400);
    const [error] = expectFieldErrors(response, ['rules.1.locked']);
    expect(error!.message).toMatch(/must come before the unlocked rules/);
    const saved = await staff.put(`/api/organizations/${client.organizationId}/autopay`, {
      enabled: true,
      rules: [{ timing: 'before_due_date', days: 3, locked: true }, { timing: 'due_date' }],
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
});

describe('removing a payment method', () => {
  it('cancels the scheduled payments on it and moves AutoPay rules naming it to the default, in one go', async () => {
    const pool = testApp.database.pool;
    const client = await autopayOrganization(testCard('4242424242424242'));
    const spare = await savedMethod(testApp, client.organizationId, testCard('5555555555554444'), {
      friendlyName: 'Spare card',
    });
    // Rule 1 (locked by the MSP) and rule 2 name the spare card; rule 3 uses the default.
    await pool.query(`DELETE FROM autopay_rules WHERE organization_id = $1`, [
      client.organizationId,
    ]);
    await pool.query(
      `INSERT INTO autopay_rules (organization_id, position, timing, payment_method_id, locked_at)
       VALUES ($1, 1, 'due_date', $2, now()),
              ($1, 2, 'after_due_date', $2, NULL),
              ($1, 3, 'before_due_date', NULL, NULL)`,
      [client.organizationId, spare],
    );
    await pool.query(
      `UPDATE autopay_rules SET days = 2 WHERE organization_id = $1 AND days IS NULL
                        AND timing <> 'due_date'`,
      [client.organizationId],
    );
    const invoice = await invoiceDue(client.organizationId, '2027-01-15', 12_300);
    const other = await invoiceDue(client.organizationId, '2027-01-20', 4_500);
    const schedule = async (methodId: string, invoiceId: string, cents: number, runOn: string) => {
      const id = (
        await pool.query<{ id: string }>(
          `INSERT INTO scheduled_payments (organization_id, payment_method_id, run_on, currency)
           VALUES ($1, $2, $3, 'USD') RETURNING id`,
          [client.organizationId, methodId, runOn],
        )
      ).rows[0]!.id;
      await pool.query(
        `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
         VALUES ($1, $2, $3)`,
        [id, invoiceId, cents],
      );
      return id;
    };
    const onSpare = await schedule(spare, invoice.id, 12_300, '2027-01-10');
    const onDefault = await schedule(client.methodId!, other.id, 4_500, '2027-01-12');

    // The confirmation says it before: what removing it would do.
    const before = await staff.get(
      `/api/organizations/${client.organizationId}/payment-methods/${spare}/removal`,
    );
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toMatchObject({
      scheduledPaymentsCancelled: [{ id: onSpare, runOn: '2027-01-10', totalCents: 12_300 }],
      autopayRulesChanged: [
        { position: 1, locked: true },
        { position: 2, locked: false },
      ],
      message:
        '1 scheduled payment with it will be cancelled; the invoices stay open. AutoPay rules 1, 2 will charge the default payment method.',
    });
    const portal = await signedInToPortal(testApp, client.organizationId);
    const theirs = await portal.portal.get(`/api/portal/payment-methods/${spare}/removal`);
    // The client's confirmation reads the same.
    expect(theirs.statusCode, theirs.body).toBe(200);
    expect(theirs.json()).toEqual(before.json());

    const response = await staff.delete(
      `/api/organizations/${client.organizationId}/payment-methods/${spare}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<{
      scheduledPaymentsCancelled: Array<{ id: string; runOn: string; totalCents: number }>;
      autopayRulesChanged: Array<{ position: number; locked: boolean }>;
      message: string;
    }>();
    expect(answer.scheduledPaymentsCancelled).toEqual([
      { id: onSpare, runOn: '2027-01-10', totalCents: 12_300, currency: 'USD' },
    ]);
    expect(answer.autopayRulesChanged.map((r) => [r.position, r.locked])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(answer.message).toContain('1 scheduled payment with it was cancelled');
    expect(answer.message).toContain('AutoPay rules 1, 2 now charge the default payment method');

    const statuses = (
      await pool.query<{ id: string; status: string }>(
        `SELECT id, status FROM scheduled_payments WHERE organization_id = $1 ORDER BY run_on`,
        [client.organizationId],
      )
    ).rows;
    expect(statuses).toEqual([
      { id: onSpare, status: 'cancelled' },
      { id: onDefault, status: 'scheduled' },
    ]);
    const rules = (
      await pool.query<{ methodId: string | null }>(
        `SELECT payment_method_id AS "methodId" FROM autopay_rules
          WHERE organization_id = $1 ORDER BY position`,
        [client.organizationId],
      )
    ).rows;
    expect(rules).toEqual([{ methodId: null }, { methodId: null }, { methodId: null }]);

    // Audited, and told: Payment Cancelled and AutoPay Changed to the client, staff's copy too.
    const audit = (
      await pool.query<{ action: string }>(
        `SELECT action FROM audit_events WHERE organization_id = $1 ORDER BY action`,
        [client.organizationId],
      )
    ).rows.map((row) => row.action);
    expect(audit).toEqual(
      expect.arrayContaining([
        'autopay.changed',
        'payment_method.removed',
        'scheduled_payment.cancelled',
      ]),
    );
    const emails = (await emailsTo(client.email)).map((e) => e.template);
    expect(emails).toEqual(expect.arrayContaining(['autopay_changed', 'payment_cancelled']));
    const cancelled = (await emailsTo(client.email)).find(
      (e) => e.template === 'payment_cancelled',
    )!;
    expect(cancelled.text).toContain('which was removed from the payment methods');
    const staffCopy = (
      await pool.query<{ text: string }>(
        `SELECT text FROM email_messages WHERE template = 'autopay_changed_staff'
          AND organization_id = $1`,
        [client.organizationId],
      )
    ).rows;
    expect(staffCopy[0]?.text).toContain(
      'Rule 1 (locked) charged the Mastercard •••• 4444, which was removed',
    );
  });
});
