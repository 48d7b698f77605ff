import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { payInvoicesAnswer, paymentHistoryPage } from '../../src/shared/contract/payments.js';
import { payInvoices, startPayment } from '../../src/modules/payments/pay-invoices.js';
import { reconcilePayments } from '../../src/modules/payments/reconciliation.js';
import { sendPaymentEmails } from '../../src/modules/payments/payment-receipts.js';
import { applyChargeResult } from '../../src/modules/payments/charge-results.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
import {
  sandboxOf,
  savedMethod,
  sendQueuedPaymentEmails,
  testBankAccount,
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
 * Pay Selected through the portal API with the real sandbox processor: the state machine of
 * docs/decisions/0028-payment-core.md, every refusal, a decline, lost answers settled by the
 * reconciliation job, ten requests at once, and ACH settling and being returned.
 */

type PayAnswer = Answer<typeof payInvoicesAnswer>;

let testApp: TestApp;
let portal: ApiClient;
let contactEmail = '';
let orgA = '';
let orgB = '';
let card = '';
let number = 0;

/** A new open invoice of organization A (or `organization`) for `cents`, issued this year. */
async function openInvoice(cents = 10_000, organization = orgA): Promise<string> {
  number += 1;
  return insertInvoice(testApp.database.pool, {
    organizationId: organization,
    number: `INV-PAY-${number}`,
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: cents }],
  });
}

async function balanceOf(invoiceId: string): Promise<number> {
  return (
    await testApp.database.pool.query<{ balance: number }>(
      `SELECT balance_cents AS balance FROM invoices WHERE id = $1`,
      [invoiceId],
    )
  ).rows[0]!.balance;
}

function pay(
  methodId: string,
  allocations: { invoiceId: string; amountCents: number }[],
  client = portal,
) {
  return client.post('/api/portal/payments', { paymentMethodId: methodId, allocations });
}

/** The sandbox's charges made with the idempotency keys of this organization's payments. */
async function ledgerCharges() {
  return (await sandboxOf(testApp).ledger()).charges;
}

async function paymentCount(): Promise<number> {
  return (await testApp.database.pool.query(`SELECT count(*)::int AS n FROM payments`)).rows[0].n;
}

/** The templates and recipients of the emails stored about a payment (its jobs worked first). */
async function emailsAbout(paymentNumber: string) {
  await sendQueuedPaymentEmails(testApp);
  return (
    await testApp.database.pool.query<{ template: string; recipients: { email: string }[] }>(
      `SELECT template, recipients FROM email_messages
        WHERE subject LIKE '%' || $1 || '%' ORDER BY created_at, template`,
      [paymentNumber],
    )
  ).rows.map((row) => ({ template: row.template, to: row.recipients.map((r) => r.email) }));
}

beforeAll(async () => {
  // ACH debits settle (or are returned) as soon as the processor is asked again.
  testApp = await startTestApp({ SANDBOX_ACH_SETTLE_SECONDS: '0' });
  orgA = await organizationId(testApp, 'Pawnee Parks Dept.');
  orgB = await organizationId(testApp, 'Demo Company');
  ({ portal, email: contactEmail } = await signedInToPortal(testApp, orgA));
  card = await savedMethod(testApp, orgA, testCard('4242424242424242'), { isDefault: true });
}, 60_000);
afterAll(async () => testApp?.close());
beforeEach(() => {
  sandboxOf(testApp).faults.mode = 'none';
  delete testApp.context.clock;
});

describe('paying open invoices', () => {
  it('pays two invoices, one in part, with one charge, and sends the receipts', async () => {
    const first = await openInvoice(12_000);
    const second = await openInvoice(8_000);
    const response = await pay(card, [
      { invoiceId: first, amountCents: 12_000 },
      { invoiceId: second, amountCents: 3_050 },
    ]);
    expect(response.statusCode, response.body).toBe(201);
    const { payment, message } = response.json<PayAnswer>();
    expect(payment).toMatchObject({
      status: 'succeeded',
      amountCents: 15_050,
      currency: 'USD',
      methodLabel: 'Visa •••• 4242',
      failureMessage: null,
    });
    expect(payment.number).toMatch(/^P-\d{6}$/);
    expect(message).toMatch(/receipt/);
    expect(payment.allocations.map((a) => a.amountCents).sort()).toEqual([12_000, 3_050].sort());
    expect(await balanceOf(first)).toBe(0);
    expect(await balanceOf(second)).toBe(4_950);

    const charges = (await ledgerCharges()).filter((c) => c.metadata.paymentId === payment.id);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: 'succeeded', amountCents: 15_050 });
    expect(charges[0]!.idempotencyKey).toBe(`portico-payment-${payment.id}`);

    const emails = await emailsAbout(payment.number);
    expect(emails.map((e) => e.template).sort()).toEqual(['payment_made', 'payment_receipt']);
    expect(emails.find((e) => e.template === 'payment_receipt')!.to).toContain(contactEmail);
    expect(emails.find((e) => e.template === 'payment_made')!.to).toContain('admin@portico.test');

    const audit = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`,
      [payment.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['payment.started', 'payment.succeeded']);

    // The open invoices and Payment History follow at once.
    const open = await portal.get('/api/portal/invoices?limit=200');
    const ids = open.json<{ invoices: { id: string }[] }>().invoices.map((i) => i.id);
    expect(ids).not.toContain(first);
    expect(ids).toContain(second);
    const history = await portal.get('/api/portal/payment-history');
    expect(history.statusCode, history.body).toBe(200);
    const page = history.json<Answer<typeof paymentHistoryPage>>();
    expect(page.payments[0]).toMatchObject({ id: payment.id, status: 'succeeded' });
    expect(page.payments[0]!.allocations).toHaveLength(2);
  });

  it('sends the receipts once, however often their job runs', async () => {
    const invoice = await openInvoice(2_500);
    const response = await pay(card, [{ invoiceId: invoice, amountCents: 2_500 }]);
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<PayAnswer>();
    // The job retried after a crash, or taken by a second worker, a minute later (past the
    // email queue's double-click window): no second receipt.
    await sendQueuedPaymentEmails(testApp);
    await testApp.database.pool.query(
      `UPDATE email_messages SET created_at = created_at - interval '1 minute'
        WHERE subject LIKE '%' || $1 || '%'`,
      [payment.number],
    );
    const again = { paymentId: payment.id, kind: 'receipt' as const, actor: systemActor };
    await Promise.all([1, 2].map(() => sendPaymentEmails(testApp.context, again)));
    expect((await emailsAbout(payment.number)).map((e) => e.template).sort()).toEqual([
      'payment_made',
      'payment_receipt',
    ]);
  });

  it('refuses bad amounts with a 400 naming the field, and writes nothing', async () => {
    const invoice = await openInvoice(5_000);
    const before = { payments: await paymentCount(), charges: (await ledgerCharges()).length };
    const cases: [number, RegExp][] = [
      [5_001, /more than the balance of INV-PAY-\d+ \(\$50\.00\)/],
      [0, /more than 0/],
      [-100, /negative/],
      [100.5, /more decimals than USD has \(2\)/],
    ];
    for (const [amountCents, reason] of cases) {
      const response = await pay(card, [{ invoiceId: invoice, amountCents }]);
      const [error] = expectFieldErrors(response, ['allocations.0.amountCents']);
      expect(error!.message).toMatch(reason);
    }
    const missing = await portal.post('/api/portal/payments', { paymentMethodId: card });
    expectFieldErrors(missing, ['allocations']);
    expect(await paymentCount()).toBe(before.payments);
    expect((await ledgerCharges()).length).toBe(before.charges);
    expect(await balanceOf(invoice)).toBe(5_000);
  });

  it("answers 404 for another organization's invoice or method", async () => {
    const theirs = await openInvoice(5_000, orgB);
    const mine = await openInvoice(5_000);
    const theirCard = await savedMethod(testApp, orgB, testCard('4242424242424242'));
    const before = await paymentCount();
    const invoice404 = await pay(card, [{ invoiceId: theirs, amountCents: 100 }]);
    expect(invoice404.statusCode, invoice404.body).toBe(404);
    expect(errorOf(invoice404).message).toBe('Invoice not found');
    const method404 = await pay(theirCard, [{ invoiceId: mine, amountCents: 100 }]);
    expect(method404.statusCode, method404.body).toBe(404);
    expect(errorOf(method404).message).toBe('Payment method not found');
    expect(await paymentCount()).toBe(before);
    expect(await balanceOf(theirs)).toBe(5_000);
  });

  it('answers 409 with the reason for a locked, expired or removed method and a type turned off', async () => {
    const invoice = await openInvoice(5_000);
    const pool = testApp.database.pool;
    const method = await savedMethod(testApp, orgA, testCard('5555555555554444'));
    const before = await paymentCount();
    const refusedWith = async (reason: RegExp) => {
      const response = await pay(method, [{ invoiceId: invoice, amountCents: 100 }]);
      expect(response.statusCode, response.body).toBe(409);
      expect(errorOf(response).message).toMatch(reason);
    };
    await pool.query(
      `UPDATE payment_methods SET locked_at = now(), locked_reason = 'Locked after 15 failed charges in a row' WHERE id = $1`,
      [method],
    );
    await refusedWith(/locked: Locked after 15 failed charges/);
    await pool.query(`UPDATE payment_methods SET locked_at = NULL, exp_year = 2025 WHERE id = $1`, [
      method,
    ]);
    await refusedWith(/expired in 12\/2025/);
    await pool.query(`UPDATE payment_methods SET exp_year = 2034 WHERE id = $1`, [method]);
    await pool.query(`UPDATE settings SET card_payments_enabled = false`);
    await refusedWith(/Card payments are turned off/);
    await pool.query(`UPDATE settings SET card_payments_enabled = true`);
    await pool.query(`UPDATE payment_methods SET removed_at = now() WHERE id = $1`, [method]);
    await refusedWith(/was removed/);
    expect(await paymentCount()).toBe(before);
  });

  it('answers 403 to a profile without "pay invoices"', async () => {
    const invoice = await openInvoice(5_000);
    const { portal: viewer, email } = await signedInToPortal(testApp, orgA);
    // Every permission but paying.
    await testApp.database.pool.query(
      `WITH profile AS (
         INSERT INTO access_profiles (name, permissions)
         VALUES ('Everything but paying', ARRAY['view_invoices', 'view_payment_history',
                 'manage_payment_methods', 'view_credits']) RETURNING id)
       UPDATE contact_organizations SET access_profile_id = (SELECT id FROM profile)
        WHERE contact_id = (SELECT id FROM contacts WHERE email = $1)`,
      [email],
    );
    const response = await pay(card, [{ invoiceId: invoice, amountCents: 100 }], viewer);
    expect(response.statusCode, response.body).toBe(403);
    expect(await balanceOf(invoice)).toBe(5_000);
  });
});

describe('a declined card', () => {
  it('answers the reason in plain words and changes nothing but the failed payment and the count', async () => {
    const invoice = await openInvoice(5_000);
    const poor = await savedMethod(testApp, orgA, testCard('4000000000009995'));
    const response = await pay(poor, [{ invoiceId: invoice, amountCents: 5_000 }]);
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<PayAnswer>();
    expect(payment.status).toBe('failed');
    expect(payment.failureMessage).toBe('The account has insufficient funds.');
    expect(payment.allocations[0]!.amountCents).toBe(0);
    expect(await balanceOf(invoice)).toBe(5_000);
    const method = await testApp.database.pool.query(
      `SELECT failed_charge_count AS n, locked_at FROM payment_methods WHERE id = $1`,
      [poor],
    );
    expect(method.rows[0]).toMatchObject({ n: 1, locked_at: null });
    expect((await emailsAbout(payment.number)).map((e) => e.template)).toEqual(['payment_failed']);
    // Its PDF is no receipt: it says the payment failed and was not paid, and received nothing.
    const pdf = await portal.get(`/api/portal/payments/${payment.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-disposition']).toContain(`Failed_payment_${payment.number}.pdf`);
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain(`Failed payment ${payment.number}`);
    expect(text).toContain('Amount (not paid)');
    expect(text).not.toMatch(/receipt|received from|paid by/i);
    // The invoice is free to be paid with another card at once.
    const retry = await pay(card, [{ invoiceId: invoice, amountCents: 5_000 }]);
    expect(retry.json<PayAnswer>().payment.status).toBe('succeeded');
  });

  it('locks a stolen card at once, and the next payment with it is refused', async () => {
    const invoice = await openInvoice(5_000);
    const stolen = await savedMethod(testApp, orgA, testCard('4000000000009979'));
    const first = await pay(stolen, [{ invoiceId: invoice, amountCents: 5_000 }]);
    expect(first.json<PayAnswer>().payment.failureMessage).toMatch(/stolen/);
    const second = await pay(stolen, [{ invoiceId: invoice, amountCents: 5_000 }]);
    expect(second.statusCode, second.body).toBe(409);
    expect(errorOf(second).message).toMatch(/locked/);
  });
});

describe('never a double charge', () => {
  it('ten simultaneous requests for one invoice: one charge, one payment, the rest refused', async () => {
    const invoice = await openInvoice(7_700);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => pay(card, [{ invoiceId: invoice, amountCents: 7_700 }])),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    // A request that meets the first payment in flight is a 409; one that arrives after it has
    // succeeded finds nothing left to pay (400 naming the amount). Either way, no charge.
    for (const refused of answers.filter((a) => a.statusCode !== 201)) {
      expect([409, 400]).toContain(refused.statusCode);
      expect(errorOf(refused).message).toMatch(
        /INV-PAY-\d+ already has a payment in progress|already paid|balance/,
      );
    }
    const payments = await testApp.database.pool.query(
      `SELECT p.id, p.status FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
        WHERE a.invoice_id = $1`,
      [invoice],
    );
    expect(payments.rows).toEqual([{ id: expect.any(String), status: 'succeeded' }]);
    const charges = (await ledgerCharges()).filter(
      (c) => c.metadata.paymentId === payments.rows[0].id,
    );
    expect(charges).toHaveLength(1);
    expect(await balanceOf(invoice)).toBe(0);
  });

  it('the same Idempotency-Key ten times at once is one payment and one charge', async () => {
    const invoice = await openInvoice(4_400);
    const key = randomUUID();
    const csrf = (await portal.get('/api/portal/session')).json<{ csrfToken: string }>().csrfToken;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        testApp.app.inject({
          method: 'POST',
          url: '/api/portal/payments',
          headers: {
            cookie: portal.cookieHeader(),
            'content-type': 'application/json',
            'x-csrf-token': csrf,
            'idempotency-key': key,
          },
          payload: JSON.stringify({
            paymentMethodId: card,
            allocations: [{ invoiceId: invoice, amountCents: 4_400 }],
          }),
        }),
      ),
    );
    const ids = new Set(answers.map((a) => a.json<PayAnswer>().payment?.id));
    expect(answers.map((a) => a.statusCode).filter((s) => s >= 400)).toEqual([]);
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect((await ledgerCharges()).filter((c) => c.metadata.paymentId === id)).toHaveLength(1);
    expect(await balanceOf(invoice)).toBe(0);
  });

  it('a second tab that still shows the old balance is refused, and charges nothing', async () => {
    const invoice = await openInvoice(6_000);
    // Both tabs opened Pay Selected when the balance was $60.00 and chose $25.00 of it.
    const seen = [{ invoiceId: invoice, amountCents: 2_500, balanceCents: 6_000 }];
    const first = await portal.post('/api/portal/payments', {
      paymentMethodId: card,
      allocations: seen,
    });
    expect(first.statusCode, first.body).toBe(201);
    const chargesBefore = (await ledgerCharges()).length;
    const paymentsBefore = await paymentCount();

    const second = await portal.post('/api/portal/payments', {
      paymentMethodId: card,
      allocations: seen,
    });
    const [refusal] = expectFieldErrors(second, ['allocations.0.amountCents'], 409);
    expect(refusal!.message).toMatch(/INV-PAY-\d+.*\$35\.00/);
    // A balance no page shows is a malformed request (400 naming it), not a change meanwhile.
    for (const balanceCents of [-1, 3_500.5]) {
      expectFieldErrors(
        await portal.post('/api/portal/payments', {
          paymentMethodId: card,
          allocations: [{ invoiceId: invoice, amountCents: 100, balanceCents }],
        }),
        ['allocations.0.balanceCents'],
      );
    }
    expect((await ledgerCharges()).length).toBe(chargesBefore);
    expect(await paymentCount()).toBe(paymentsBefore);
    expect(await balanceOf(invoice)).toBe(3_500);

    // The same tab, read again, pays what is left.
    const again = await portal.post('/api/portal/payments', {
      paymentMethodId: card,
      allocations: [{ invoiceId: invoice, amountCents: 3_500, balanceCents: 3_500 }],
    });
    expect(again.statusCode, again.body).toBe(201);
    expect(await balanceOf(invoice)).toBe(0);
  });

  it('the ledger and Portico’s payments agree', async () => {
    const charges = await ledgerCharges();
    const payments = await testApp.database.pool.query<{
      key: string;
      status: string;
      amountCents: number;
    }>(
      `SELECT idempotency_key AS key, status, amount_cents AS "amountCents" FROM payments
        WHERE idempotency_key IS NOT NULL AND status <> 'pending'`,
    );
    const byKey = new Map(charges.map((c) => [c.idempotencyKey, c]));
    for (const payment of payments.rows) {
      const charge = byKey.get(payment.key);
      expect(charge, payment.key).toBeDefined();
      expect(charge!.amountCents).toBe(payment.amountCents);
    }
    expect(charges.length).toBe(new Set(charges.map((c) => c.idempotencyKey)).size);
  });
});

describe('an unknown outcome', () => {
  it('a lost answer leaves the payment pending; reconciliation finds the one charge', async () => {
    const invoice = await openInvoice(6_600);
    sandboxOf(testApp).faults.mode = 'timeout';
    const response = await pay(card, [{ invoiceId: invoice, amountCents: 6_600 }]);
    expect(response.statusCode, response.body).toBe(202);
    const { payment, message } = response.json<PayAnswer>();
    expect(payment.status).toBe('pending');
    expect(message).toMatch(/confirming this payment/);
    expect(await balanceOf(invoice)).toBe(6_600);
    // Meanwhile the invoice cannot be paid again.
    sandboxOf(testApp).faults.mode = 'none';
    const again = await pay(card, [{ invoiceId: invoice, amountCents: 6_600 }]);
    expect(again.statusCode, again.body).toBe(409);

    // Too young to ask about: the request may still be charging.
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    expect((await portal.get(`/api/portal/payments/${payment.id}`)).json().payment.status).toBe(
      'pending',
    );
    testApp.context.clock = () => new Date(Date.now() + 60_000);
    const summary = await reconcilePayments(testApp.context, sandboxOf(testApp));
    expect(summary.changed).toBeGreaterThanOrEqual(1);
    const receipt = await portal.get(`/api/portal/payments/${payment.id}`);
    expect(receipt.json().payment.status).toBe('succeeded');
    expect(await balanceOf(invoice)).toBe(0);
    expect((await ledgerCharges()).filter((c) => c.metadata.paymentId === payment.id)).toHaveLength(
      1,
    );
    // Asked again, nothing moves twice.
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    expect(await balanceOf(invoice)).toBe(0);
    expect((await emailsAbout(payment.number)).map((e) => e.template).sort()).toEqual([
      'payment_made',
      'payment_receipt',
    ]);
  });

  it('three reconciliation workers at once apply a found charge once', async () => {
    const invoice = await openInvoice(5_500);
    sandboxOf(testApp).faults.mode = 'timeout';
    const { payment } = (
      await pay(card, [{ invoiceId: invoice, amountCents: 5_500 }])
    ).json<PayAnswer>();
    sandboxOf(testApp).faults.mode = 'none';
    expect(payment.status).toBe('pending');
    testApp.context.clock = () => new Date(Date.now() + 60_000);
    const summaries = await Promise.all(
      [1, 2, 3].map(() => reconcilePayments(testApp.context, sandboxOf(testApp))),
    );
    expect(summaries.reduce((sum, s) => sum + s.changed, 0)).toBe(1);
    expect(await balanceOf(invoice)).toBe(0);
    expect((await emailsAbout(payment.number)).map((e) => e.template).sort()).toEqual([
      'payment_made',
      'payment_receipt',
    ]);
    const audit = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`,
      [payment.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['payment.started', 'payment.succeeded']);
  });

  it('a retried request completes a payment its first request never charged, once', async () => {
    const invoice = await openInvoice(1_700);
    const key = randomUUID();
    const contact = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM contacts WHERE email = $1`,
        [contactEmail],
      )
    ).rows[0]!.id;
    // The first request wrote the payment and died before charging.
    const { paymentId } = await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: { kind: 'contact', id: contact, label: 'Ann Client (portal)' },
      organizationId: orgA,
      contactId: contact,
      paymentMethodId: card,
      allocations: [{ invoiceId: invoice, amountCents: 1_700 }],
      requestKey: key,
    });
    const csrf = (await portal.get('/api/portal/session')).json<{ csrfToken: string }>().csrfToken;
    const retry = () =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/portal/payments',
        headers: {
          cookie: portal.cookieHeader(),
          'content-type': 'application/json',
          'x-csrf-token': csrf,
          'idempotency-key': key,
        },
        payload: JSON.stringify({
          paymentMethodId: card,
          allocations: [{ invoiceId: invoice, amountCents: 1_700 }],
        }),
      });
    const charges = async () =>
      (await ledgerCharges()).filter((c) => c.metadata.paymentId === paymentId);
    // At once, the first request may still be charging: the retry only answers the payment.
    const early = await retry();
    expect(early.statusCode, early.body).toBe(202);
    expect(await charges()).toEqual([]);
    // Later, the retry completes it with the payment's own key.
    testApp.context.clock = () => new Date(Date.now() + 60_000);
    const later = await retry();
    expect(later.statusCode, later.body).toBe(200);
    expect(later.json<PayAnswer>().payment).toMatchObject({ id: paymentId, status: 'succeeded' });
    const again = await retry();
    expect(again.json<PayAnswer>().payment.status).toBe('succeeded');
    expect(await charges()).toHaveLength(1);
    expect(await balanceOf(invoice)).toBe(0);
  });

  it('a worker that died before charging: failed after the window, then a new payment works', async () => {
    const invoice = await openInvoice(3_300);
    const contact = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM contacts WHERE email = $1`,
        [contactEmail],
      )
    ).rows[0]!.id;
    // Step 1 only: the payment is written, then the process "dies" before the charge.
    const { paymentId } = await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: { kind: 'contact', id: contact, label: 'Ann Client (portal)' },
      organizationId: orgA,
      contactId: contact,
      paymentMethodId: card,
      allocations: [{ invoiceId: invoice, amountCents: 3_300 }],
    });
    testApp.context.clock = () => new Date(Date.now() + 5 * 60_000);
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    const waiting = await portal.get(`/api/portal/payments/${paymentId}`);
    expect(waiting.json().payment.status).toBe('pending');

    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    const failed = (await portal.get(`/api/portal/payments/${paymentId}`)).json().payment;
    expect(failed.status).toBe('failed');
    expect(failed.failureMessage).toMatch(/did not reach the payment processor/);
    expect((await ledgerCharges()).filter((c) => c.metadata.paymentId === paymentId)).toEqual([]);
    // The card was not at fault: its failure count is untouched.
    const count = await testApp.database.pool.query(
      `SELECT failed_charge_count AS n FROM payment_methods WHERE id = $1`,
      [card],
    );
    expect(count.rows[0].n).toBe(0);

    delete testApp.context.clock;
    const retry = await pay(card, [{ invoiceId: invoice, amountCents: 3_300 }]);
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.json<PayAnswer>().payment.status).toBe('succeeded');
    expect(await balanceOf(invoice)).toBe(0);
  });

  it('an answer applied by another process first (a webhook, reconciliation) pays the invoice once, not again by the request', async () => {
    // Paid in part, so paying the invoice again would show (it still owes more).
    const invoice = await openInvoice(9_000);
    const contact = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM contacts WHERE email = $1`,
        [contactEmail],
      )
    ).rows[0]!.id;
    const sandbox = sandboxOf(testApp);
    // The processor's answer reaches another process, which applies it, before the request's
    // own answer comes back: the request then finds the payment succeeded already.
    const gateway = {
      ...sandbox,
      charge: async (input: Parameters<typeof sandbox.charge>[0]) => {
        const answer = await sandbox.charge(input);
        await applyChargeResult(testApp.context, {
          where: { idempotencyKey: input.idempotencyKey },
          result: answer,
        });
        return answer;
      },
    };
    const { payment } = await payInvoices({
      context: testApp.context,
      gateway,
      actor: { kind: 'contact', id: contact, label: 'Ann Client (portal)' },
      organizationId: orgA,
      contactId: contact,
      paymentMethodId: card,
      allocations: [{ invoiceId: invoice, amountCents: 5_500 }],
    });
    expect(payment).toMatchObject({ status: 'succeeded', amountCents: 5_500 });
    expect(payment.allocations).toEqual([
      expect.objectContaining({ invoiceId: invoice, amountCents: 5_500, appliedCents: 5_500 }),
    ]);
    const paid = await testApp.database.pool.query(
      `SELECT amount_paid_cents, balance_cents FROM invoices WHERE id = $1`,
      [invoice],
    );
    expect(paid.rows[0]).toMatchObject({ amount_paid_cents: 5_500, balance_cents: 3_500 });
    const audit = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`,
      [payment.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['payment.started', 'payment.succeeded']);
    const jobs = await testApp.database.pool.query(
      `SELECT data->>'kind' AS kind FROM pgboss.job
        WHERE name = 'payments.receipts' AND data->>'paymentId' = $1`,
      [payment.id],
    );
    expect(jobs.rows).toEqual([{ kind: 'receipt' }]);
    expect(
      (await ledgerCharges()).filter((c) => c.idempotencyKey === `portico-payment-${payment.id}`),
    ).toHaveLength(1);
  });

  it('a worker stalled past the window charges a payment already failed: the late charge is kept, once', async () => {
    const invoice = await openInvoice(4_400);
    const contact = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM contacts WHERE email = $1`,
        [contactEmail],
      )
    ).rows[0]!.id;
    const { paymentId } = await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: { kind: 'contact', id: contact, label: 'Ann Client (portal)' },
      organizationId: orgA,
      contactId: contact,
      paymentMethodId: card,
      allocations: [{ invoiceId: invoice, amountCents: 4_400 }],
    });
    // The stalled worker has read the pending payment it is about to charge.
    const read = (
      await testApp.database.pool.query(
        `SELECT p.idempotency_key AS key, p.amount_cents AS amount, m.gateway_ref AS ref,
                m.customer_ref AS customer
           FROM payments p JOIN payment_methods m ON m.id = p.payment_method_id WHERE p.id = $1`,
        [paymentId],
      )
    ).rows[0];
    // Meanwhile the window passes and reconciliation fails it as never received...
    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    const failed = (await portal.get(`/api/portal/payments/${paymentId}`)).json().payment;
    expect(failed.status).toBe('failed');
    // ...and the client pays part of the invoice again with another payment.
    delete testApp.context.clock;
    const other = await pay(card, [{ invoiceId: invoice, amountCents: 1_000 }]);
    expect(other.json<PayAnswer>().payment.status).toBe('succeeded');
    expect(await balanceOf(invoice)).toBe(3_400);

    // The stalled worker wakes up and charges with the payment's key.
    const late = await sandboxOf(testApp).charge({
      idempotencyKey: read.key,
      method: { gatewayRef: read.ref, customerRef: read.customer },
      amountCents: Number(read.amount),
      currency: 'USD',
      description: 'late',
      metadata: { paymentId, organizationId: orgA },
    });
    expect(late.status).toBe('succeeded');
    testApp.context.clock = () => new Date(Date.now() + 20 * 60_000);
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    // Its own answer, applied late, changes nothing more.
    await applyChargeResult(testApp.context, { where: { paymentId }, result: late });
    await reconcilePayments(testApp.context, sandboxOf(testApp));

    const kept = (await portal.get(`/api/portal/payments/${paymentId}`)).json().payment;
    expect(kept).toMatchObject({ status: 'succeeded', failureMessage: null });
    // The invoice took what it still owed; the rest is the client's credit.
    expect(kept.allocations.map((a: { amountCents: number }) => a.amountCents)).toEqual([3_400]);
    expect(await balanceOf(invoice)).toBe(0);
    const credit = await testApp.database.pool.query(
      `SELECT p.amount_cents - p.refunded_cents - coalesce(sum(a.amount_cents), 0) AS credit
         FROM payments p LEFT JOIN payment_allocations a ON a.payment_id = p.id
        WHERE p.id = $1 GROUP BY p.id`,
      [paymentId],
    );
    expect(Number(credit.rows[0].credit)).toBe(1_000);
    const charges = (await ledgerCharges()).filter((c) => c.idempotencyKey === read.key);
    expect(charges).toHaveLength(1);
    const audit = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`,
      [paymentId],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'payment.started',
      'payment.failed',
      'payment.recovered',
    ]);
    expect((await emailsAbout(failed.number)).map((e) => e.template).sort()).toEqual([
      'payment_failed',
      'payment_made',
      'payment_receipt',
    ]);
  });
});

describe('ACH', () => {
  it('processing shows the invoice paid; settling makes it final with a receipt', async () => {
    const invoice = await openInvoice(9_900);
    const bank = await savedMethod(testApp, orgA, testBankAccount('000123456789'));
    const response = await pay(bank, [{ invoiceId: invoice, amountCents: 9_900 }]);
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<PayAnswer>();
    expect(payment.status).toBe('processing');
    expect(payment.methodLabel).toBe('Bank account •••• 6789');
    expect(await balanceOf(invoice)).toBe(0);
    expect((await emailsAbout(payment.number)).map((e) => e.template)).toEqual([
      'payment_processing',
    ]);

    await reconcilePayments(testApp.context, sandboxOf(testApp));
    expect((await portal.get(`/api/portal/payments/${payment.id}`)).json().payment.status).toBe(
      'succeeded',
    );
    expect(await balanceOf(invoice)).toBe(0);
    const inFlight = await testApp.database.pool.query(
      `SELECT in_flight FROM payment_allocations WHERE payment_id = $1`,
      [payment.id],
    );
    expect(inFlight.rows).toEqual([{ in_flight: false }]);
    expect((await emailsAbout(payment.number)).map((e) => e.template).sort()).toEqual([
      'payment_made',
      'payment_processing',
      'payment_receipt',
    ]);
  });

  it('a returned debit reopens the invoices and sends Payment Returned', async () => {
    const invoice = await openInvoice(2_500);
    const closed = await savedMethod(testApp, orgA, testBankAccount('000111111113'));
    const response = await pay(closed, [{ invoiceId: invoice, amountCents: 2_000 }]);
    const { payment } = response.json<PayAnswer>();
    expect(payment.status).toBe('processing');
    expect(await balanceOf(invoice)).toBe(500);

    await reconcilePayments(testApp.context, sandboxOf(testApp));
    const returned = (await portal.get(`/api/portal/payments/${payment.id}`)).json().payment;
    expect(returned.status).toBe('returned');
    expect(returned.failureMessage).toBe('The bank account is closed.');
    expect(await balanceOf(invoice)).toBe(2_500);
    expect((await emailsAbout(payment.number)).map((e) => e.template)).toEqual([
      'payment_processing',
      'payment_returned',
    ]);
    // Reopened: it can be paid again.
    const retry = await pay(card, [{ invoiceId: invoice, amountCents: 2_500 }]);
    expect(retry.json<PayAnswer>().payment.status).toBe('succeeded');
  });
});

describe('the statement', () => {
  it('lists recent payments received, and the balance they left', async () => {
    const invoice = await openInvoice(4_000);
    const paid = (await pay(card, [{ invoiceId: invoice, amountCents: 1_500 }])).json<PayAnswer>()
      .payment;
    const staff = await signedInAs(testApp.app, 'billing');
    const preview = await staff.get(`/api/organizations/${orgA}/account-summary/preview`);
    expect(preview.statusCode, preview.body).toBe(200);
    const text: string = preview.json().text;
    expect(text).toMatch(
      new RegExp(`Recent payments[\\s\\S]*${paid.number}[\\s\\S]*\\$15\\.00`, 'i'),
    );
    const statementText = async () => {
      const pdf = await staff.get(`/api/organizations/${orgA}/statement.pdf`);
      expect(pdf.statusCode).toBe(200);
      return pdfText(pdf.rawPayload);
    };
    expect(await statementText()).toMatch(new RegExp(`RECENT PAYMENTS[\\s\\S]*${paid.number}`));
    // A declined payment is no payment received.
    const failed = (
      await pay(await savedMethod(testApp, orgA, testCard('4000000000000002')), [
        { invoiceId: invoice, amountCents: 100 },
      ])
    ).json<PayAnswer>().payment;
    expect(failed.status).toBe('failed');
    expect(await statementText()).not.toContain(failed.number);
  });
});

describe('Payment History and receipts', () => {
  it('pages newest first, shows a receipt and its PDF, and not another organization’s', async () => {
    const first = await portal.get('/api/portal/payment-history?limit=2');
    const page = first.json<Answer<typeof paymentHistoryPage>>();
    expect(page.payments).toHaveLength(2);
    expect(page.total).toBeGreaterThan(5);
    expect(page.nextCursor).not.toBeNull();
    const next = await portal.get(
      `/api/portal/payment-history?limit=200&cursor=${encodeURIComponent(page.nextCursor!)}`,
    );
    const rest = next.json<Answer<typeof paymentHistoryPage>>();
    expect(rest.payments.length).toBe(page.total - 2);
    const all = [...page.payments, ...rest.payments];
    expect(new Set(all.map((p) => p.id)).size).toBe(page.total);
    const times = all.map((p) => p.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const bad = await portal.get('/api/portal/payment-history?cursor=nonsense');
    expectFieldErrors(bad, ['cursor']);

    const id = page.payments[0]!.id;
    const receipt = await portal.get(`/api/portal/payments/${id}`);
    expect(receipt.statusCode, receipt.body).toBe(200);
    expect(receipt.json().payment).toMatchObject({
      id,
      organizationName: 'Pawnee Parks Dept.',
      paidBy: 'Ann Client',
    });
    const pdf = await portal.get(`/api/portal/payments/${id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const { portal: other } = await signedInToPortal(testApp, orgB);
    expect((await other.get(`/api/portal/payments/${id}`)).statusCode).toBe(404);
    expect((await other.get(`/api/portal/payments/${id}/pdf`)).statusCode).toBe(404);
    const theirs = (await other.get('/api/portal/payment-history')).json();
    expect(theirs.payments).toEqual([]);
  });
});

describe('an invoice being paid', () => {
  it('cannot be voided until the payment is final', async () => {
    const invoice = await openInvoice(2_200);
    const contact = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM contacts WHERE email = $1`,
        [contactEmail],
      )
    ).rows[0]!.id;
    // Written and not yet answered: the charge may be on its way to the processor.
    const { paymentId } = await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: { kind: 'contact', id: contact, label: 'Ann Client (portal)' },
      organizationId: orgA,
      contactId: contact,
      paymentMethodId: card,
      allocations: [{ invoiceId: invoice, amountCents: 2_200 }],
    });
    const staff = await signedInAs(testApp.app, 'billing');
    const refused = await staff.post(`/api/invoices/${invoice}/void`, { reason: 'Billed twice' });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(errorOf(refused).message).toMatch(/payment .* in progress/);

    // Once the payment is final (here: it never reached the processor), voiding works.
    testApp.context.clock = () => new Date(Date.now() + 11 * 60_000);
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    const failed = (await portal.get(`/api/portal/payments/${paymentId}`)).json().payment;
    expect(failed.status).toBe('failed');
    const voided = await staff.post(`/api/invoices/${invoice}/void`, { reason: 'Billed twice' });
    expect(voided.statusCode, voided.body).toBe(200);
  });
});
