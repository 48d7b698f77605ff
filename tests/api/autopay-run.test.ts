import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { autopayLastRunOfAll } from '../../src/shared/contract/autopay-run.js';
import { autopayTick, runAutopay } from '../../src/modules/autopay/autopay-run.js';
import { chargePayment, startPayment } from '../../src/modules/payments/pay-invoices.js';
import { reconcilePayments } from '../../src/modules/payments/reconciliation.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import type { PaymentGateway } from '../../src/modules/payments/gateway.js';
import { expectFieldErrors } from '../support/api-assertions.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import {
  sandboxOf,
  savedMethod,
  sendQueuedPaymentEmails,
  testCard,
} from '../support/payment-fixtures.js';
import { signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The daily AutoPay run with the real sandbox processor (docs/decisions/0039-autopay-run.md):
 * invoices due are charged once (a run repeated, two at once, a run after missed days), soft
 * declines are tried again on schedule and given up after the last try, a hard decline locks the
 * method and tells the client, skips are kept with their reason for staff, receipts go out as for
 * any payment, and staff get the AutoPay Summary.
 */

let testApp: TestApp;
let counter = 0;

/** A new organization with AutoPay on (one rule: every category, on the due date). */
async function autopayOrganization(card: string | null = '4242424242424242') {
  counter += 1;
  const pool = testApp.database.pool;
  const organizationId = (
    await pool.query<{ id: string }>(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      `AutoPay Client ${counter}`,
    ])
  ).rows[0]!.id;
  const contact = (
    await pool.query<{ id: string }>(
      `INSERT INTO contacts (name, email) VALUES ($1, $2) RETURNING id`,
      [`Billing Contact ${counter}`, `billing${counter}@autopay.example`],
    )
  ).rows[0]!.id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification)
     VALUES ($1, $2, true)`,
    [contact, organizationId],
  );
  const methodId = card
    ? await savedMethod(testApp, organizationId, testCard(card), { isDefault: true })
    : null;
  await pool.query(
    `INSERT INTO autopay_organizations (organization_id, enabled) VALUES ($1, true)`,
    [organizationId],
  );
  await pool.query(
    `INSERT INTO autopay_rules (organization_id, position, timing) VALUES ($1, 1, 'due_date')`,
    [organizationId],
  );
  return { organizationId, methodId, email: `billing${counter}@autopay.example` };
}

/** An open invoice of `organizationId` due on `dueDate`, for `cents`. */
async function invoiceDue(organizationId: string, dueDate: string, cents = 10_000) {
  counter += 1;
  return insertInvoice(testApp.database.pool, {
    organizationId,
    number: `INV-AUTO-${counter}`,
    issueDate: '2026-01-01',
    dueDate,
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: cents }],
  });
}

function run(businessDate: string) {
  return runAutopay(testApp.context, sandboxOf(testApp), { businessDate });
}

/** The processor's own record of charges made for an invoice's AutoPay tries. */
async function ledgerChargesOf(invoiceId: string) {
  const keys = (
    await testApp.database.pool.query<{ key: string }>(
      `SELECT p.idempotency_key AS key FROM payments p
         JOIN payment_allocations a ON a.payment_id = p.id
        WHERE a.invoice_id = $1`,
      [invoiceId],
    )
  ).rows.map((row) => row.key);
  return (await sandboxOf(testApp).ledger()).charges.filter((charge) =>
    keys.includes(charge.idempotencyKey),
  );
}

async function invoiceState(invoiceId: string) {
  return (
    await testApp.database.pool.query<{ balance: number; state: string }>(
      `SELECT balance_cents AS balance, state FROM invoices WHERE id = $1`,
      [invoiceId],
    )
  ).rows[0]!;
}

/** The tries kept for an invoice: try number, outcome, reason, next try. */
async function attemptsOf(invoiceId: string) {
  return (
    await testApp.database.pool.query<{
      tryNumber: number;
      outcome: string;
      reason: string | null;
      nextTryOn: string | null;
      runDate: string;
    }>(
      `SELECT try_number AS "tryNumber", outcome, reason, next_try_on::text AS "nextTryOn",
              run_date::text AS "runDate"
         FROM autopay_attempts WHERE invoice_id = $1 ORDER BY cycle_due_date, try_number`,
      [invoiceId],
    )
  ).rows;
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

async function summaryOf(runDate: string) {
  return (
    await testApp.database.pool.query<{ subject: string; text: string; recipients: unknown }>(
      `SELECT subject, text, recipients FROM email_messages
        WHERE template = 'autopay_summary' AND subject LIKE $1`,
      [`AutoPay ${runDate}:%`],
    )
  ).rows;
}

beforeAll(async () => {
  testApp = await startTestApp();
}, 60_000);
afterAll(async () => testApp?.close());

describe('the daily AutoPay run', () => {
  it('charges the invoices due, once, with receipts to the default notification contacts', async () => {
    const client = await autopayOrganization();
    const due = await invoiceDue(client.organizationId, '2026-03-10', 12_500);
    const later = await invoiceDue(client.organizationId, '2026-03-20');

    const first = await run('2026-03-10');
    expect(first).toMatchObject({ status: 'finished', already: false });
    expect(await invoiceState(due)).toEqual({ balance: 0, state: 'issued' });
    expect(await invoiceState(later)).toMatchObject({ balance: 10_000 });
    const charges = await ledgerChargesOf(due);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ amountCents: 12_500, status: 'succeeded' });
    const payment = (
      await testApp.database.pool.query(
        `SELECT source, request_key AS "requestKey", created_by_contact_id AS contact
           FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
          WHERE a.invoice_id = $1`,
        [due],
      )
    ).rows;
    expect(payment).toEqual([
      { source: 'autopay', requestKey: `autopay:${due}:2026-03-10:1`, contact: null },
    ]);
    expect(await attemptsOf(due)).toEqual([
      { tryNumber: 1, outcome: 'charged', reason: null, nextTryOn: null, runDate: '2026-03-10' },
    ]);

    // The same day again, and the next day: nothing more is charged.
    expect(await run('2026-03-10')).toMatchObject({ status: 'finished', already: true });
    expect(await run('2026-03-11')).toMatchObject({ status: 'finished', charged: 0 });
    expect(await ledgerChargesOf(due)).toHaveLength(1);

    // The receipt, as for any payment, to the organization's default notification contact.
    expect((await emailsTo(client.email)).map((e) => e.template)).toEqual(['payment_receipt']);
    // Staff's AutoPay Summary names the invoice and the total.
    const [summary] = await summaryOf('2026-03-10');
    expect(summary?.subject).toMatch(/^AutoPay 2026-03-10: \d+ charged/);
    expect(summary?.text).toMatch(/\$125\.00 charged/);
    expect(summary?.text).toContain('AutoPay Client');
    // A day with nothing to charge sends no summary.
    expect(await summaryOf('2026-03-11')).toEqual([]);
  });

  it('the same day run twice at once, or by two workers on neighbouring days, charges once', async () => {
    const client = await autopayOrganization();
    const invoices = await Promise.all(
      ['2026-04-01', '2026-04-01', '2026-04-01'].map((date) =>
        invoiceDue(client.organizationId, date),
      ),
    );
    const results = await Promise.all([
      run('2026-04-01'),
      run('2026-04-01'),
      run('2026-04-02'),
      run('2026-04-02'),
    ]);
    expect(results.filter((r) => r.status === 'busy').length).toBeGreaterThanOrEqual(2);
    // Whatever is left unfinished finishes on the next tick.
    await run('2026-04-02');
    for (const invoice of invoices) {
      expect(await ledgerChargesOf(invoice)).toHaveLength(1);
      expect(await invoiceState(invoice)).toMatchObject({ balance: 0 });
    }
    expect(
      (await emailsTo(client.email)).filter((e) => e.template === 'payment_receipt'),
    ).toHaveLength(3);
  });

  it('a run after three missed days catches up once', async () => {
    const client = await autopayOrganization();
    const invoices = [];
    for (const date of ['2026-05-07', '2026-05-08', '2026-05-09', '2026-05-10']) {
      invoices.push(await invoiceDue(client.organizationId, date));
    }
    const notYet = await invoiceDue(client.organizationId, '2026-05-11');
    // No run on the 7th, 8th or 9th (the server was down): the 10th's run takes them all.
    await run('2026-05-10');
    await run('2026-05-10');
    await run('2026-05-11');
    for (const invoice of invoices) {
      expect(await ledgerChargesOf(invoice)).toHaveLength(1);
      const [attempt] = await attemptsOf(invoice);
      expect(attempt).toMatchObject({ tryNumber: 1, outcome: 'charged', runDate: '2026-05-10' });
    }
    expect(await attemptsOf(notYet)).toMatchObject([{ outcome: 'charged', runDate: '2026-05-11' }]);
  });

  it('tries a soft decline again every 3 days, 3 more times, then gives up and tells staff', async () => {
    const client = await autopayOrganization('4000000000009995');
    const invoice = await invoiceDue(client.organizationId, '2026-06-01', 4_200);
    for (const date of [
      '2026-06-01',
      '2026-06-02',
      '2026-06-04',
      '2026-06-05',
      '2026-06-07',
      '2026-06-10',
      '2026-06-13',
    ]) {
      await run(date);
    }
    expect(await attemptsOf(invoice)).toEqual([
      {
        tryNumber: 1,
        outcome: 'retry_scheduled',
        reason: 'The account has insufficient funds.',
        nextTryOn: '2026-06-04',
        runDate: '2026-06-01',
      },
      {
        tryNumber: 2,
        outcome: 'retry_scheduled',
        reason: 'The account has insufficient funds.',
        nextTryOn: '2026-06-07',
        runDate: '2026-06-04',
      },
      {
        tryNumber: 3,
        outcome: 'retry_scheduled',
        reason: 'The account has insufficient funds.',
        nextTryOn: '2026-06-10',
        runDate: '2026-06-07',
      },
      {
        tryNumber: 4,
        outcome: 'gave_up',
        reason: 'The account has insufficient funds.',
        nextTryOn: null,
        runDate: '2026-06-10',
      },
    ]);
    const charges = await ledgerChargesOf(invoice);
    expect(charges.map((c) => c.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(await invoiceState(invoice)).toMatchObject({ balance: 4_200 });
    const [summary] = await summaryOf('2026-06-10');
    expect(summary?.text).toMatch(/Failed \(1\)/);
    expect(summary?.text).toContain('That was the last try');
    const [first] = await summaryOf('2026-06-01');
    expect(first?.text).toContain('Will be tried again on 2026-06-04 (try 2)');
  });

  it('a hard decline is not tried again: the method is locked and the client emailed', async () => {
    const client = await autopayOrganization('4000000000000069');
    const invoice = await invoiceDue(client.organizationId, '2026-07-01', 9_900);
    await run('2026-07-01');
    await run('2026-07-04');
    await run('2026-07-07');
    expect(await attemptsOf(invoice)).toEqual([
      {
        tryNumber: 1,
        outcome: 'failed',
        reason: 'The card has expired.',
        nextTryOn: null,
        runDate: '2026-07-01',
      },
    ]);
    expect(await ledgerChargesOf(invoice)).toHaveLength(1);
    const method = (
      await testApp.database.pool.query(
        `SELECT locked_at IS NOT NULL AS locked, locked_reason AS reason
           FROM payment_methods WHERE id = $1`,
        [client.methodId],
      )
    ).rows[0];
    expect(method).toEqual({
      locked: true,
      reason: 'Locked at once: the bank says this card has expired',
    });
    const emails = await emailsTo(client.email);
    // One email says it: Payment Method Failure names the invoice and amount (no Payment Failed).
    expect(emails.map((e) => e.template)).toEqual(['payment_method_failure']);
    const failure = emails.find((e) => e.template === 'payment_method_failure')!;
    expect(failure.subject).toBe('AutoPay could not charge your Visa •••• 0069');
    expect(failure.text).toContain('The card has expired.');
    expect(failure.text).toContain('$99.00');
  });

  it('skips, with the reason staff read, what it must not charge', async () => {
    const pool = testApp.database.pool;
    const client = await autopayOrganization();
    const scheduled = await invoiceDue(client.organizationId, '2026-08-03');
    const inFlight = await invoiceDue(client.organizationId, '2026-08-03');
    const paidInPart = await invoiceDue(client.organizationId, '2026-08-03');
    await pool.query(`UPDATE invoices SET amount_paid_cents = 2_500 WHERE id = $1`, [paidInPart]);
    const sp = (
      await pool.query<{ id: string }>(
        `INSERT INTO scheduled_payments (organization_id, payment_method_id, run_on, currency)
         VALUES ($1, $2, '2026-08-20', 'USD') RETURNING id`,
        [client.organizationId, client.methodId],
      )
    ).rows[0]!.id;
    await pool.query(
      `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
       VALUES ($1, $2, 10000)`,
      [sp, scheduled],
    );
    // A payment of it written and not yet answered (a portal payment in progress).
    await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: systemActor,
      organizationId: client.organizationId,
      contactId: null,
      paymentMethodId: client.methodId!,
      allocations: [{ invoiceId: inFlight, amountCents: 10_000 }],
    });
    // Declined once, then paid or voided before the retry.
    const declining = await autopayOrganization('4000000000000002');
    const paidMeanwhile = await invoiceDue(declining.organizationId, '2026-08-03');
    const voidedMeanwhile = await invoiceDue(declining.organizationId, '2026-08-03');
    await run('2026-08-03');
    await pool.query(`UPDATE invoices SET amount_paid_cents = total_cents WHERE id = $1`, [
      paidMeanwhile,
    ]);
    await pool.query(`UPDATE invoices SET state = 'void' WHERE id = $1`, [voidedMeanwhile]);
    await run('2026-08-06');

    // Staff's list of the last run: each try with the reason in words. Skips that may pass
    // (a scheduled payment, a payment in progress) are looked at again by every run.
    const staff = await signedInAs(testApp.app, 'read_only');
    const answer = await staff.get('/api/autopay/runs/last');
    expect(answer.statusCode, answer.body).toBe(200);
    const last = answer.json<Answer<typeof autopayLastRunOfAll>>();
    expect(last.run).toMatchObject({ runDate: '2026-08-06' });
    const reasons = Object.fromEntries(
      last.attempts.map((a) => [a.invoiceId, [a.outcome, a.reason, a.organizationName]]),
    );
    expect(reasons[scheduled]).toEqual([
      'skipped',
      'A scheduled payment covers this invoice',
      expect.stringMatching(/^AutoPay Client/),
    ]);
    expect(reasons[inFlight]?.slice(0, 2)).toEqual([
      'skipped',
      'A payment of this invoice is in progress',
    ]);
    expect(reasons[paidMeanwhile]?.slice(0, 2)).toEqual(['skipped', 'The invoice was paid since']);
    expect(reasons[voidedMeanwhile]?.slice(0, 2)).toEqual(['skipped', 'The invoice was voided']);
    // Paid in part: AutoPay leaves it to people, for good (not looked at again).
    expect(reasons[paidInPart]).toBeUndefined();
    expect(await attemptsOf(paidInPart)).toMatchObject([
      { outcome: 'skipped', reason: 'paid_in_part', runDate: '2026-08-03' },
    ]);
    for (const invoice of [scheduled, paidInPart, paidMeanwhile, voidedMeanwhile]) {
      expect((await ledgerChargesOf(invoice)).filter((c) => c.status === 'succeeded')).toEqual([]);
    }
    const [summary] = await summaryOf('2026-08-03');
    expect(summary?.text).toMatch(/Skipped \(3\)/);
    expect(summary?.text).toContain('A scheduled payment covers this invoice');
    expect(summary?.text).toContain('Part of this invoice was paid since it was issued');
  });
});

describe('a run killed midway', () => {
  /** What a killed run left: its payment written (and charged, when `charged`), no outcome. */
  async function killedAfter(
    client: { organizationId: string; methodId: string | null },
    invoice: string,
    cycle: string,
    charged: boolean,
  ) {
    const started = await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: systemActor,
      organizationId: client.organizationId,
      contactId: null,
      source: 'autopay',
      paymentMethodId: client.methodId!,
      allocations: [{ invoiceId: invoice, amountCents: 10_000 }],
      requestKey: `autopay:${invoice}:${cycle}:1`,
    });
    if (charged) {
      await chargePayment(testApp.context, sandboxOf(testApp), {
        paymentId: started.paymentId,
        actor: systemActor,
      });
    }
  }

  it('after the charge: the next run records it and charges nothing again', async () => {
    const client = await autopayOrganization();
    const invoice = await invoiceDue(client.organizationId, '2026-09-01');
    await killedAfter(client, invoice, '2026-09-01', true);
    expect(await run('2026-09-01')).toMatchObject({ status: 'finished' });
    expect(await ledgerChargesOf(invoice)).toHaveLength(1);
    expect(await attemptsOf(invoice)).toMatchObject([{ tryNumber: 1, outcome: 'charged' }]);
  });

  it('before the charge: the run waits for reconciliation, then tries again at once, once', async () => {
    const client = await autopayOrganization();
    const invoice = await invoiceDue(client.organizationId, '2026-09-02');
    await killedAfter(client, invoice, '2026-09-02', false);
    // The payment is pending: never charged again here; the run stays open.
    expect(await run('2026-09-02')).toMatchObject({ status: 'unfinished', pending: 1 });
    expect(await ledgerChargesOf(invoice)).toHaveLength(0);
    // Reconciliation, 11 minutes on: the processor never had it, so it failed as not reached.
    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    try {
      await reconcilePayments(testApp.context, sandboxOf(testApp));
    } finally {
      delete testApp.context.clock;
    }
    expect(await run('2026-09-02')).toMatchObject({ status: 'finished' });
    expect(await attemptsOf(invoice)).toMatchObject([
      { tryNumber: 1, outcome: 'retry_scheduled', nextTryOn: '2026-09-02' },
      { tryNumber: 2, outcome: 'charged' },
    ]);
    const charges = await ledgerChargesOf(invoice);
    expect(charges.map((c) => c.status)).toEqual(['succeeded']);
    expect(await invoiceState(invoice)).toMatchObject({ balance: 0 });
  });
});

describe('a try that throws', () => {
  it('is left for the next run; the other invoices are charged', async () => {
    const client = await autopayOrganization();
    const broken = await invoiceDue(client.organizationId, '2026-09-20', 1_111);
    const fine = await invoiceDue(client.organizationId, '2026-09-20', 2_222);
    const sandbox = sandboxOf(testApp);
    // A processor that answers something Portico does not understand for one amount.
    const gateway: PaymentGateway = {
      ...sandbox,
      name: sandbox.name,
      charge: (input) =>
        input.amountCents === 1_111
          ? Promise.reject(new TypeError('unexpected answer'))
          : sandbox.charge(input),
    };
    const result = await runAutopay(testApp.context, gateway, { businessDate: '2026-09-20' });
    expect(result).toMatchObject({ status: 'unfinished', pending: 1 });
    expect(await invoiceState(fine)).toMatchObject({ balance: 0 });
    expect(await invoiceState(broken)).toMatchObject({ balance: 1_111 });
    expect(await attemptsOf(broken)).toEqual([]);
    // Its payment was written and never charged: reconciliation fails it as never received,
    // and the next run tries it again at once.
    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    try {
      await reconcilePayments(testApp.context, sandbox);
    } finally {
      delete testApp.context.clock;
    }
    expect(await run('2026-09-20')).toMatchObject({ status: 'finished' });
    expect(await invoiceState(broken)).toMatchObject({ balance: 0 });
  });
});

describe('Configuration > Billing: the AutoPay run', () => {
  it('runs at the time set, on the MSP clock, with the retries set', async () => {
    const admin = await signedInAs(testApp.app, 'master_admin');
    const saved = await admin.get('/api/settings/autopay-run');
    expect(saved.json()).toEqual({ autopayRun: { runTime: '06:00', retries: 3, daysBetween: 3 } });

    const bad = await admin.put('/api/settings/autopay-run', {
      runTime: '24:00',
      retries: 11,
      daysBetween: 0,
    });
    expect(bad.statusCode).toBe(400);
    const errors = expectFieldErrors(bad, ['runTime', 'retries', 'daysBetween']);
    expect(Object.fromEntries(errors.map((e) => [e.field, e.message]))).toEqual({
      runTime: 'must be a time from 00:00 to 23:59, such as 06:00',
      retries: 'must be at most 10 tries',
      daysBetween: 'must be at least 1 day',
    });
    const billing = await signedInAs(testApp.app, 'billing');
    const refused = await billing.put('/api/settings/autopay-run', {
      runTime: '07:30',
      retries: 1,
      daysBetween: 2,
    });
    expect(refused.statusCode).toBe(403);
    const ok = await admin.put('/api/settings/autopay-run', {
      runTime: '07:30',
      retries: 1,
      daysBetween: 2,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ autopayRun: { runTime: '07:30', retries: 1, daysBetween: 2 } });

    await testApp.database.pool.query(`UPDATE settings SET time_zone = 'America/Chicago'`);
    const client = await autopayOrganization('4000000000000002');
    const invoice = await invoiceDue(client.organizationId, '2026-10-05');
    const at = (instant: string) => {
      testApp.context.clock = () => new Date(instant);
      return autopayTick(testApp.context, sandboxOf(testApp));
    };
    try {
      // 07:29 in Chicago (12:29 UTC): not yet; 07:30: the 5th's run.
      expect(await at('2026-10-05T12:29:00Z')).toBeNull();
      expect(await attemptsOf(invoice)).toEqual([]);
      expect(await at('2026-10-05T12:30:00Z')).toMatchObject({
        runDate: '2026-10-05',
        status: 'finished',
      });
      expect(await at('2026-10-05T12:31:00Z')).toBeNull();
      await at('2026-10-07T12:30:00Z');
      await at('2026-10-09T12:30:00Z');
      // One more try, 2 days later, then AutoPay gives up.
      expect(await attemptsOf(invoice)).toMatchObject([
        { tryNumber: 1, outcome: 'retry_scheduled', nextTryOn: '2026-10-07' },
        { tryNumber: 2, outcome: 'gave_up', nextTryOn: null },
      ]);

      // A run time the clocks skip (02:30 on the night daylight saving starts in Chicago): the
      // run goes at 03:00, the first minute after it, not a day late.
      await testApp.database.pool.query(`UPDATE settings SET autopay_run_time = '02:30'`);
      expect(await at('2027-03-14T07:59:00Z')).toBeNull();
      expect(await at('2027-03-14T08:00:00Z')).toMatchObject({
        runDate: '2027-03-14',
        status: 'finished',
      });
    } finally {
      delete testApp.context.clock;
      await testApp.database.pool.query(
        `UPDATE settings SET time_zone = NULL, autopay_run_time = '06:00',
                             autopay_retry_count = 3, autopay_retry_days = 3`,
      );
    }
  });
});
