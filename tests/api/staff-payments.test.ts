import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { payInvoicesAnswer } from '../../src/shared/contract/payments.js';
import type {
  applyCreditAnswer,
  organizationPaymentsAnswer,
  portalCreditsAnswer,
  refundAnswer,
  staffPaymentAnswer,
  transactionsPage,
} from '../../src/shared/contract/staff-payments.js';
import { resendPendingRefunds } from '../../src/modules/payments/refunds.js';
import { sendPaymentEmails } from '../../src/modules/payments/payment-receipts.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import { insertInvoice, pdfText } from '../support/invoice-fixtures.js';
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
 * Staff's payments through the API with the real sandbox processor: manual payments, refunds
 * (through the processor, never more than is left, even at once), credits and applying them,
 * the Transactions list and its CSV, and the portal's credits view.
 */

type Payment = Answer<typeof staffPaymentAnswer>['payment'];
type RefundAnswer = Answer<typeof refundAnswer>;

let testApp: TestApp;
let billing: ApiClient;
let readOnly: ApiClient;
let portal: ApiClient;
let orgA = '';
let orgB = '';
let card = '';
let number = 0;

async function openInvoice(cents = 10_000, organization = orgA, issueDate = '2026-01-05') {
  number += 1;
  const invoiceNumber = `INV-STAFF-${number}`;
  const id = await insertInvoice(testApp.database.pool, {
    organizationId: organization,
    number: invoiceNumber,
    issueDate,
    dueDate: '2026-02-04',
    lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: cents }],
  });
  return id;
}

async function balanceOf(invoiceId: string): Promise<number> {
  return (
    await testApp.database.pool.query<{ balance: number }>(
      `SELECT balance_cents AS balance FROM invoices WHERE id = $1`,
      [invoiceId],
    )
  ).rows[0]!.balance;
}

/** A card payment through the portal's Pay Selected. */
async function cardPayment(allocations: { invoiceId: string; amountCents: number }[]) {
  const response = await portal.post('/api/portal/payments', {
    paymentMethodId: card,
    allocations,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Answer<typeof payInvoicesAnswer>>().payment;
}

function recordManual(body: Record<string, unknown>, organization = orgA, client = billing) {
  return client.post(`/api/organizations/${organization}/payments`, {
    method: 'check',
    reference: '1047',
    receivedOn: '2026-03-02',
    ...body,
  });
}

function refund(paymentId: string, body: Record<string, unknown>, organization = orgA) {
  return billing.post(`/api/organizations/${organization}/payments/${paymentId}/refunds`, body);
}

async function emailsWithTemplate(template: string) {
  await sendQueuedPaymentEmails(testApp);
  return (
    await testApp.database.pool.query<{ subject: string; recipients: { email: string }[] }>(
      `SELECT subject, recipients FROM email_messages WHERE template = $1 ORDER BY created_at`,
      [template],
    )
  ).rows;
}

beforeAll(async () => {
  testApp = await startTestApp();
  orgA = await organizationId(testApp, 'Pawnee Parks Dept.');
  orgB = await organizationId(testApp, 'Demo Company');
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  ({ portal } = await signedInToPortal(testApp, orgA));
  // The contact's profile shows credits (the default Billing Admin profile does too).
  await testApp.database.pool.query(
    `UPDATE access_profiles SET permissions = array_append(permissions, 'view_credits')
      WHERE NOT 'view_credits' = ANY(permissions)`,
  );
  card = await savedMethod(testApp, orgA, testCard('4242424242424242'), { isDefault: true });
}, 60_000);
afterAll(async () => testApp?.close());
beforeEach(() => {
  sandboxOf(testApp).faults.mode = 'none';
});

describe('manual payments', () => {
  it('records a check paying two invoices, one in part, keeping the excess as credit', async () => {
    const first = await openInvoice(12_000);
    const second = await openInvoice(8_000);
    const response = await recordManual({
      amountCents: 25_000,
      allocations: [
        { invoiceId: first, amountCents: 12_000 },
        { invoiceId: second, amountCents: 3_000 },
      ],
    });
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<{ payment: Payment }>();
    expect(payment).toMatchObject({
      status: 'succeeded',
      source: 'manual',
      methodType: 'check',
      methodLabel: 'Check 1047',
      reference: '1047',
      paidOn: '2026-03-02',
      amountCents: 25_000,
      unappliedCents: 10_000,
      createdBy: expect.any(String),
    });
    expect(await balanceOf(first)).toBe(0);
    expect(await balanceOf(second)).toBe(5_000);
    const receipts = await emailsWithTemplate('payment_receipt');
    expect(receipts.some((r) => r.subject.includes(payment.number))).toBe(true);
    const audit = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_id = $1`,
      [payment.id],
    );
    expect(audit.rows.map((r) => r.action)).toContain('payment.recorded');
  });

  it('its emails say who recorded it and what was kept as credit', async () => {
    const invoice = await openInvoice(5_000);
    const response = await recordManual({
      reference: '2088',
      amountCents: 20_000,
      allocations: [{ invoiceId: invoice, amountCents: 5_000 }],
    });
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<{ payment: Payment }>();
    await sendQueuedPaymentEmails(testApp);
    const textOf = async (template: string) =>
      (
        await testApp.database.pool.query<{ text: string }>(
          `SELECT text FROM email_messages WHERE template = $1 AND subject LIKE '%' || $2 || '%'`,
          [template, payment.number],
        )
      ).rows[0]!.text.replace(/\s+/g, ' ');

    // Billing staff read who recorded the check, and the client's organization once.
    const made = await textOf('payment_made');
    expect(made).not.toContain('Pawnee Parks Dept. of Pawnee Parks Dept.');
    expect(made).toContain(
      'Ben Wyatt recorded a payment of $200.00 from Pawnee Parks Dept. by Check 2088.',
    );
    // Both the receipt and Payment Made say where the $150.00 not applied to an invoice went.
    for (const text of [made, await textOf('payment_receipt')]) {
      expect(text).toContain('Paid $50.00');
      expect(text).toContain('Kept as credit: $150.00');
    }
  });

  it("the client's receipt names no staff user as the payer, in the answer or the PDF", async () => {
    const response = await recordManual({ reference: 'FED 889', amountCents: 1_500 });
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<{ payment: Payment }>();
    const receipt = await portal.get(`/api/portal/payments/${payment.id}`);
    expect(receipt.statusCode, receipt.body).toBe(200);
    expect(receipt.json<{ payment: { paidBy: string | null } }>().payment.paidBy).toBeNull();
    const pdf = await portal.get(`/api/portal/payments/${payment.id}/pdf`);
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain('Pawnee Parks Dept.');
    expect(text).not.toContain('Ben Wyatt');
  });

  it('the client reads the day the check was received, not the day staff typed it in', async () => {
    // recordManual's check was received on 2026-03-02; it is recorded today.
    const response = await recordManual({ reference: '3131', amountCents: 700 });
    expect(response.statusCode, response.body).toBe(201);
    const { payment } = response.json<{ payment: Payment }>();
    const history = await portal.get('/api/portal/payment-history');
    const listed = history
      .json<{ payments: { id: string; receivedOn: string | null }[] }>()
      .payments.find((p) => p.id === payment.id);
    expect(listed?.receivedOn).toBe('2026-03-02');
    const pdf = await portal.get(`/api/portal/payments/${payment.id}/pdf`);
    expect(await pdfText(pdf.rawPayload)).toMatch(/Date\s+2026-03-02\s/);
    // The receipt email and a refund's email date the payment the same way.
    expect((await refund(payment.id, { amountCents: 100 })).statusCode).toBe(201);
    await sendQueuedPaymentEmails(testApp);
    for (const template of ['payment_receipt', 'refund_issued']) {
      const email = (
        await testApp.database.pool.query<{ text: string }>(
          `SELECT text FROM email_messages WHERE template = $1 AND subject LIKE '%' || $2 || '%'`,
          [template, payment.number],
        )
      ).rows[0];
      expect(email?.text, template).toMatch(/Payment date: 2026-03-02\s/);
    }
  });

  it('refuses amounts a person would get wrong, naming the field, and writes nothing', async () => {
    const invoice = await openInvoice(5_000);
    const before = (await testApp.database.pool.query(`SELECT count(*)::int n FROM payments`))
      .rows[0].n;
    expectFieldErrors(
      await recordManual({
        amountCents: 6_000,
        allocations: [{ invoiceId: invoice, amountCents: 5_001 }],
      }),
      ['allocations.0.amountCents'],
    );
    expectFieldErrors(await recordManual({ amountCents: 0, allocations: [] }), ['amountCents']);
    expectFieldErrors(await recordManual({ amountCents: -5, allocations: [] }), ['amountCents']);
    expectFieldErrors(await recordManual({ amountCents: 10.5, allocations: [] }), ['amountCents']);
    expectFieldErrors(
      await recordManual({
        amountCents: 1_000,
        allocations: [{ invoiceId: invoice, amountCents: 2_000 }],
      }),
      ['amountCents'],
    );
    expectFieldErrors(
      await recordManual({
        amountCents: 1_000,
        allocations: [{ invoiceId: invoice, amountCents: 0 }],
      }),
      ['allocations.0.amountCents'],
    );
    expectFieldErrors(await recordManual({ amountCents: 1_000, receivedOn: '2999-01-01' }), [
      'receivedOn',
    ]);
    expectFieldErrors(await recordManual({ amountCents: 1_000, method: 'bitcoin' }), ['method']);
    // More than any invoice can total ($100,000,000,000.00).
    expectFieldErrors(await recordManual({ amountCents: 10_000_000_000_001, allocations: [] }), [
      'amountCents',
    ]);
    const after = (await testApp.database.pool.query(`SELECT count(*)::int n FROM payments`))
      .rows[0].n;
    expect(after).toBe(before);
    expect(await balanceOf(invoice)).toBe(5_000);
  });

  it('the same request sent again with its Idempotency-Key records the money once', async () => {
    const invoice = await openInvoice(6_000);
    const body = {
      method: 'check',
      reference: '2201',
      receivedOn: '2026-03-02',
      amountCents: 6_000,
      allocations: [{ invoiceId: invoice, amountCents: 6_000 }],
    };
    const send = (key: string) =>
      billing.post(`/api/organizations/${orgA}/payments`, body, { 'idempotency-key': key });
    // A double click (both at once), then a retry after a lost answer.
    const answers = await Promise.all([send('manual-key-1'), send('manual-key-1')]);
    answers.push(await send('manual-key-1'));
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    const ids = new Set(answers.map((a) => a.json<{ payment: Payment }>().payment.id));
    expect(ids.size).toBe(1);
    const recorded = await testApp.database.pool.query(
      `SELECT count(*)::int AS n FROM payments WHERE organization_id = $1 AND reference = '2201'`,
      [orgA],
    );
    expect(recorded.rows[0].n).toBe(1);
    expect(await balanceOf(invoice)).toBe(0);
  });

  it("keeps an organization's unapplied credit within what sums exactly", async () => {
    const organization = (
      await testApp.database.pool.query<{ id: string }>(
        `INSERT INTO organizations (name) VALUES ('Πίστωση Α.Ε.') RETURNING id`,
      )
    ).rows[0]!.id;
    const largest = await recordManual({ amountCents: 10_000_000_000_000 }, organization);
    expect(largest.statusCode, largest.body).toBe(201);
    const more = await recordManual({ amountCents: 1 }, organization);
    expectFieldErrors(more, ['amountCents']);
    expect(errorOf(more).fields[0]?.message).toMatch(
      /more than \$100,000,000,000\.00 of unapplied/,
    );
    // Its Payments tab, its credit in the portal's words and applying it all still answer.
    const tab = await readOnly.get(`/api/organizations/${organization}/payments`);
    expect(tab.statusCode, tab.body).toBe(200);
    expect(tab.json().credits).toEqual([{ currency: 'USD', unappliedCents: 10_000_000_000_000 }]);
  });

  it("answers 404 for an unknown organization's Payments tab", async () => {
    const unknown = await readOnly.get(
      '/api/organizations/00000000-0000-4000-8000-000000000000/payments',
    );
    expect(unknown.statusCode, unknown.body).toBe(404);
  });

  it("answers 404 for another organization's invoice, and 403 to Read Only staff", async () => {
    const elsewhere = await openInvoice(5_000, orgB);
    const other = await recordManual({
      amountCents: 5_000,
      allocations: [{ invoiceId: elsewhere, amountCents: 5_000 }],
    });
    expect(other.statusCode, other.body).toBe(404);
    expect(await balanceOf(elsewhere)).toBe(5_000);
    const refused = await recordManual({ amountCents: 5_000 }, orgA, readOnly);
    expect(refused.statusCode).toBe(403);
  });
});

describe('refunds', () => {
  it('refunds part of a card payment through the processor and reopens the newest invoice', async () => {
    const older = await openInvoice(6_000, orgA, '2026-01-02');
    const newer = await openInvoice(4_000, orgA, '2026-01-09');
    const payment = await cardPayment([
      { invoiceId: older, amountCents: 6_000 },
      { invoiceId: newer, amountCents: 4_000 },
    ]);
    const response = await refund(payment.id, { amountCents: 2_500, reason: 'Overbilled hours' });
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json<RefundAnswer>();
    expect(answer.refund).toMatchObject({ status: 'succeeded', amountCents: 2_500 });
    expect(answer.payment.refundedCents).toBe(2_500);
    expect(await balanceOf(newer)).toBe(2_500);
    expect(await balanceOf(older)).toBe(0);
    // The processor's ledger holds the refund under Portico's key.
    const { refunds } = await sandboxOf(testApp).ledger();
    expect(
      refunds.filter((r) => r.idempotencyKey === `portico-refund-${answer.refund.id}`),
    ).toEqual([expect.objectContaining({ amountCents: 2_500 })]);
    const emails = await emailsWithTemplate('refund_issued');
    expect(emails.at(-1)?.subject).toContain(payment.number);
    expect(emails.at(-1)?.subject).toContain('$25.00');

    // The rest of it, reopening the invoice staff choose.
    const rest = await refund(payment.id, { amountCents: 7_500, invoiceIds: [older] });
    expect(rest.statusCode, rest.body).toBe(201);
    expect(await balanceOf(older)).toBe(6_000);
    expect(await balanceOf(newer)).toBe(4_000);
  });

  it('renders the Refund Issued email after the refund commits, once however often its job runs', async () => {
    const invoice = await openInvoice(4_000);
    const payment = await cardPayment([{ invoiceId: invoice, amountCents: 4_000 }]);
    const response = await refund(payment.id, { amountCents: 1_000, reason: 'Overbilled' });
    expect(response.statusCode, response.body).toBe(201);
    const refundId = response.json<RefundAnswer>().refund.id;
    const stored = async () =>
      (
        await testApp.database.pool.query(
          `SELECT subject FROM email_messages WHERE dedupe_key = $1`,
          [`refund_issued:${refundId}`],
        )
      ).rows;
    // The refund's transaction (which holds the payment's lock) rendered nothing: the email is
    // the job's work, after it committed.
    expect(await stored()).toEqual([]);
    await sendQueuedPaymentEmails(testApp);
    expect(await stored()).toEqual([{ subject: expect.stringContaining(payment.number) }]);
    // The job retried after a crash, or taken by a second worker, past the email queue's
    // double-click window: no second email.
    await testApp.database.pool.query(
      `UPDATE email_messages SET created_at = created_at - interval '1 minute' WHERE dedupe_key = $1`,
      [`refund_issued:${refundId}`],
    );
    const again = { paymentId: payment.id, kind: 'refund' as const, refundId, actor: systemActor };
    await Promise.all([1, 2].map(() => sendPaymentEmails(testApp.context, again)));
    expect(await stored()).toHaveLength(1);
  });

  it('never refunds more than is left, naming amountCents', async () => {
    const invoice = await openInvoice(3_000);
    const payment = await cardPayment([{ invoiceId: invoice, amountCents: 3_000 }]);
    expect((await refund(payment.id, { amountCents: 1_000 })).statusCode).toBe(201);
    const over = await refund(payment.id, { amountCents: 2_001 });
    const fields = expectFieldErrors(over, ['amountCents']);
    expect(fields[0]!.message).toContain('$20.00');
    expectFieldErrors(await refund(payment.id, { amountCents: 0 }), ['amountCents']);
    expectFieldErrors(await refund(payment.id, { amountCents: 1.5 }), ['amountCents']);
    // An invoice named twice is a mistake, as on every money route.
    const twice = await refund(payment.id, { amountCents: 500, invoiceIds: [invoice, invoice] });
    expect(expectFieldErrors(twice, ['invoiceIds.1'])[0]!.message).toBe(
      'lists the same invoice twice',
    );
    expect(await balanceOf(invoice)).toBe(1_000);
  });

  it('two refunds of one payment at once never exceed it', async () => {
    const invoice = await openInvoice(5_000);
    const payment = await cardPayment([{ invoiceId: invoice, amountCents: 5_000 }]);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => refund(payment.id, { amountCents: 2_000 })),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, 201, 400, 400, 400]);
    const row = (
      await testApp.database.pool.query(`SELECT refunded_cents FROM payments WHERE id = $1`, [
        payment.id,
      ])
    ).rows[0];
    expect(row.refunded_cents).toBe(4_000);
    const { refunds } = await sandboxOf(testApp).ledger();
    const charge = (await sandboxOf(testApp).ledger()).charges.find(
      (c) => c.idempotencyKey === `portico-payment-${payment.id}`,
    )!;
    expect(
      refunds
        .filter((r) => r.chargeRef === charge.chargeRef)
        .reduce((s, r) => s + r.amountCents, 0),
    ).toBe(4_000);
    expect(await balanceOf(invoice)).toBe(4_000);
  });

  it('the same refund request sent again with its Idempotency-Key refunds once', async () => {
    const invoice = await openInvoice(5_000);
    const payment = await cardPayment([{ invoiceId: invoice, amountCents: 5_000 }]);
    const send = () =>
      billing.post(
        `/api/organizations/${orgA}/payments/${payment.id}/refunds`,
        { amountCents: 1_500, reason: 'Double click' },
        { 'idempotency-key': 'refund-key-1' },
      );
    // A double click: the requests that meet the first still at the processor answer it as
    // pending (202); sent again once it is done, the same refund, refunded (201).
    const answers = [...(await Promise.all([send(), send(), send()]))];
    for (const answer of answers) expect([201, 202]).toContain(answer.statusCode);
    const again = await send();
    expect(again.statusCode).toBe(201);
    answers.push(again);
    const refundIds = new Set(answers.map((a) => a.json<{ refund: { id: string } }>().refund.id));
    expect(refundIds.size).toBe(1);
    const row = (
      await testApp.database.pool.query(`SELECT refunded_cents FROM payments WHERE id = $1`, [
        payment.id,
      ])
    ).rows[0];
    expect(row.refunded_cents).toBe(1_500);
    const ledger = await sandboxOf(testApp).ledger();
    const charge = ledger.charges.find(
      (c) => c.idempotencyKey === `portico-payment-${payment.id}`,
    )!;
    expect(ledger.refunds.filter((r) => r.chargeRef === charge.chargeRef)).toHaveLength(1);
    expect(await balanceOf(invoice)).toBe(1_500);
  });

  it('a lost answer leaves the refund pending, and sending it again refunds once', async () => {
    const older = await openInvoice(1_000, orgA, '2026-01-02');
    const newer = await openInvoice(1_000, orgA, '2026-01-09');
    const payment = await cardPayment([
      { invoiceId: older, amountCents: 1_000 },
      { invoiceId: newer, amountCents: 1_000 },
    ]);
    sandboxOf(testApp).faults.mode = 'timeout';
    // Staff choose the older invoice to reopen; the answer is lost on the way back.
    const lost = await refund(payment.id, { amountCents: 2_000, invoiceIds: [older] });
    expect(lost.statusCode, lost.body).toBe(202);
    const pending = lost.json<RefundAnswer>();
    expect(pending.refund.status).toBe('pending');
    expect(await balanceOf(older)).toBe(0);
    // Still counted: no second refund fits.
    expectFieldErrors(await refund(payment.id, { amountCents: 1 }), ['amountCents']);

    sandboxOf(testApp).faults.mode = 'none';
    const retried = await billing.post(
      `/api/organizations/${orgA}/refunds/${pending.refund.id}/retry`,
    );
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json<RefundAnswer>().refund.status).toBe('succeeded');
    expect(await balanceOf(older)).toBe(1_000);
    expect(await balanceOf(newer)).toBe(1_000);
    const { refunds } = await sandboxOf(testApp).ledger();
    expect(
      refunds.filter((r) => r.idempotencyKey === `portico-refund-${pending.refund.id}`),
    ).toHaveLength(1);
  });

  it('a refund sent again reopens the invoice staff chose first', async () => {
    const older = await openInvoice(1_000, orgA, '2026-01-02');
    const newer = await openInvoice(1_000, orgA, '2026-01-09');
    const payment = await cardPayment([
      { invoiceId: older, amountCents: 1_000 },
      { invoiceId: newer, amountCents: 1_000 },
    ]);
    sandboxOf(testApp).faults.mode = 'timeout';
    const lost = (
      await refund(payment.id, { amountCents: 600, invoiceIds: [older] })
    ).json<RefundAnswer>();
    sandboxOf(testApp).faults.mode = 'none';
    await billing.post(`/api/organizations/${orgA}/refunds/${lost.refund.id}/retry`);
    expect(await balanceOf(older)).toBe(600);
    expect(await balanceOf(newer)).toBe(0);
  });

  it('the reconciliation job sends a refund with a lost answer again, refunding once', async () => {
    const invoice = await openInvoice(1_500);
    const payment = await cardPayment([{ invoiceId: invoice, amountCents: 1_500 }]);
    sandboxOf(testApp).faults.mode = 'timeout';
    const lost = (await refund(payment.id, { amountCents: 500 })).json<RefundAnswer>();
    expect(lost.refund.status).toBe('pending');
    sandboxOf(testApp).faults.mode = 'none';
    // Too young: a refund whose answer may still be on its way is left alone.
    expect(await resendPendingRefunds(testApp.context, sandboxOf(testApp))).toBe(0);
    expect(
      await resendPendingRefunds(testApp.context, sandboxOf(testApp), { olderThanSeconds: 0 }),
    ).toBe(1);
    expect(await balanceOf(invoice)).toBe(500);
    const { refunds } = await sandboxOf(testApp).ledger();
    expect(
      refunds.filter((r) => r.idempotencyKey === `portico-refund-${lost.refund.id}`),
    ).toHaveLength(1);
  });

  it('a refund the processor refuses changes nothing but the refund row', async () => {
    const invoice = await openInvoice(2_000);
    const payment = await cardPayment([{ invoiceId: invoice, amountCents: 2_000 }]);
    // Someone refunded at the processor's own dashboard: it has less left than Portico thinks.
    const charge = (await sandboxOf(testApp).ledger()).charges.find(
      (c) => c.idempotencyKey === `portico-payment-${payment.id}`,
    )!;
    await sandboxOf(testApp).refund({
      idempotencyKey: `dashboard-${payment.id}`,
      chargeRef: charge.chargeRef,
      amountCents: 1_500,
    });
    const emailsBefore = (await emailsWithTemplate('refund_issued')).length;
    const response = await refund(payment.id, { amountCents: 1_000 });
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json<RefundAnswer>();
    expect(answer.refund.status).toBe('failed');
    expect(answer.refund.failureMessage).toMatch(/refused/);
    expect(answer.message).toMatch(/nothing was refunded/);
    expect(answer.payment.refundedCents).toBe(0);
    expect(await balanceOf(invoice)).toBe(0);
    expect((await emailsWithTemplate('refund_issued')).length).toBe(emailsBefore);
  });

  it('records a refund of a manual payment without the processor, credit first', async () => {
    const invoice = await openInvoice(4_000);
    const recorded = (
      await recordManual({
        method: 'wire',
        reference: 'WT-88',
        amountCents: 5_000,
        allocations: [{ invoiceId: invoice, amountCents: 4_000 }],
      })
    ).json<{ payment: Payment }>().payment;
    const ledgerBefore = (await sandboxOf(testApp).ledger()).refunds.length;
    const response = await refund(recorded.id, { amountCents: 1_500 });
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json<RefundAnswer>();
    // The $10 of credit goes back first, then $5 of the invoice.
    expect(answer.payment).toMatchObject({ refundedCents: 1_500, unappliedCents: 0 });
    expect(await balanceOf(invoice)).toBe(500);
    expect((await sandboxOf(testApp).ledger()).refunds.length).toBe(ledgerBefore);
  });

  it("refuses another organization's payment (404), a failed one (409) and Read Only staff (403)", async () => {
    const invoice = await openInvoice(1_000);
    const payment = await cardPayment([{ invoiceId: invoice, amountCents: 1_000 }]);
    expect((await refund(payment.id, { amountCents: 100 }, orgB)).statusCode).toBe(404);
    const refused = await readOnly.post(
      `/api/organizations/${orgA}/payments/${payment.id}/refunds`,
      { amountCents: 100 },
    );
    expect(refused.statusCode).toBe(403);
    const declined = await savedMethod(testApp, orgA, testCard('4000000000000002'));
    const other = await openInvoice(1_000);
    const failed = await portal.post('/api/portal/payments', {
      paymentMethodId: declined,
      allocations: [{ invoiceId: other, amountCents: 1_000 }],
    });
    const failedPayment = failed.json<Answer<typeof payInvoicesAnswer>>().payment;
    expect(failedPayment.status).toBe('failed');
    const conflict = await refund(failedPayment.id, { amountCents: 100 });
    expect(conflict.statusCode).toBe(409);
    expect(errorOf(conflict).message).toMatch(/failed/i);
  });
});

describe('credits', () => {
  it('staff apply unapplied credit to an open invoice; the portal shows what is left', async () => {
    const invoice = await openInvoice(3_000);
    await recordManual({ method: 'cash', reference: '', amountCents: 7_000, allocations: [] });
    const tab = await billing.get(`/api/organizations/${orgA}/payments`);
    const credits = tab.json<Answer<typeof organizationPaymentsAnswer>>().credits;
    const usd = credits.find((c) => c.currency === 'USD')!.unappliedCents;
    expect(usd).toBeGreaterThanOrEqual(7_000);

    const over = await billing.post(`/api/organizations/${orgA}/credits/apply`, {
      allocations: [{ invoiceId: invoice, amountCents: 3_001 }],
    });
    expectFieldErrors(over, ['allocations.0.amountCents']);
    const applied = await billing.post(`/api/organizations/${orgA}/credits/apply`, {
      allocations: [{ invoiceId: invoice, amountCents: 3_000 }],
    });
    expect(applied.statusCode, applied.body).toBe(200);
    const answer = applied.json<Answer<typeof applyCreditAnswer>>();
    expect(answer.credits.find((c) => c.currency === 'USD')!.unappliedCents).toBe(usd - 3_000);
    expect(await balanceOf(invoice)).toBe(0);

    const seen = await portal.get('/api/portal/credits');
    expect(seen.statusCode, seen.body).toBe(200);
    const portalView = seen.json<Answer<typeof portalCreditsAnswer>>();
    expect(portalView.credits).toEqual([{ currency: 'USD', unappliedCents: usd - 3_000 }]);
    expect(portalView.payments.length).toBeGreaterThan(0);
  });

  it('refuses more than the credit, naming allocations', async () => {
    const invoice = await openInvoice(900_000, orgB);
    const response = await billing.post(`/api/organizations/${orgB}/credits/apply`, {
      allocations: [{ invoiceId: invoice, amountCents: 900_000 }],
    });
    expectFieldErrors(response, ['allocations']);
    const elsewhere = await billing.post(`/api/organizations/${orgA}/credits/apply`, {
      allocations: [{ invoiceId: invoice, amountCents: 100 }],
    });
    expect(elsewhere.statusCode).toBe(404);
    expect(await balanceOf(invoice)).toBe(900_000);
  });

  it('two applications of the same credit at once never use it twice', async () => {
    const first = await openInvoice(5_000, orgB);
    const second = await openInvoice(5_000, orgB);
    const recorded = await recordManual({ amountCents: 5_000, allocations: [] }, orgB);
    expect(recorded.statusCode, recorded.body).toBe(201);
    const answers = await Promise.all(
      [first, second].map((invoiceId) =>
        billing.post(`/api/organizations/${orgB}/credits/apply`, {
          allocations: [{ invoiceId, amountCents: 5_000 }],
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 400]);
    expect((await balanceOf(first)) + (await balanceOf(second))).toBe(5_000);
    const tab = (await billing.get(`/api/organizations/${orgB}/payments`)).json<
      Answer<typeof organizationPaymentsAnswer>
    >();
    expect(tab.credits).toEqual([]);
  });
});

describe('the Transactions list', () => {
  it('filters by status, method type, organization and business date, and pages', async () => {
    const all = await readOnly.get('/api/payments?limit=3');
    expect(all.statusCode, all.body).toBe(200);
    const page = all.json<Answer<typeof transactionsPage>>();
    expect(page.payments).toHaveLength(3);
    expect(page.nextCursor).not.toBeNull();
    const next = (
      await readOnly.get(`/api/payments?limit=3&cursor=${encodeURIComponent(page.nextCursor!)}`)
    ).json<Answer<typeof transactionsPage>>();
    expect(next.payments.map((p) => p.id)).not.toContain(page.payments[0]!.id);
    expect(next.total).toBe(page.total);

    const checks = (
      await readOnly.get(`/api/payments?methodType=check&organizationId=${orgA}`)
    ).json<Answer<typeof transactionsPage>>();
    expect(checks.payments.length).toBeGreaterThan(0);
    expect(checks.payments.every((p) => p.methodType === 'check')).toBe(true);

    const failed = (await readOnly.get('/api/payments?status=failed')).json<
      Answer<typeof transactionsPage>
    >();
    expect(failed.payments.every((p) => p.status === 'failed')).toBe(true);

    // Completed payments filter as the list words them: Paid, Partly refunded, Refunded.
    const byStatus = async (status: string) =>
      (await readOnly.get(`/api/payments?status=${status}&limit=200`)).json<
        Answer<typeof transactionsPage>
      >().payments;
    const paid = await byStatus('succeeded');
    expect(paid.length).toBeGreaterThan(0);
    expect(paid.every((p) => p.status === 'succeeded' && p.refundedCents === 0)).toBe(true);
    const partly = await byStatus('partly_refunded');
    expect(partly.length).toBeGreaterThan(0);
    expect(partly.every((p) => p.refundedCents > 0 && p.refundedCents < p.amountCents)).toBe(true);
    const refunded = await byStatus('refunded');
    expect(refunded.every((p) => p.refundedCents >= p.amountCents)).toBe(true);
    expectFieldErrors(await readOnly.get('/api/payments?status=paid'), ['status']);

    const onDay = (
      await readOnly.get('/api/payments?from=2026-03-02&to=2026-03-02&methodType=check')
    ).json<Answer<typeof transactionsPage>>();
    expect(onDay.payments.length).toBeGreaterThan(0);
    expect(onDay.payments.every((p) => p.paidOn === '2026-03-02')).toBe(true);
    const none = (
      await readOnly.get('/api/payments?from=2026-03-03&to=2026-03-03&methodType=check')
    ).json<Answer<typeof transactionsPage>>();
    expect(none.payments).toEqual([]);

    expectFieldErrors(await readOnly.get('/api/payments?from=2026-02-30'), ['from']);
    // A range that ends before it starts is a mistake to point out, not an empty list.
    expectFieldErrors(await readOnly.get('/api/payments?from=2026-03-03&to=2026-03-02'), ['to']);
    expectFieldErrors(await readOnly.get('/api/payments/export?from=2026-03-03&to=2026-03-02'), [
      'to',
    ]);
    expectFieldErrors(await readOnly.get('/api/payments?cursor=nonsense'), ['cursor']);
  });

  it('exports the filtered list as CSV, a reference that looks like a formula made harmless', async () => {
    await recordManual({ reference: '=HYPERLINK("http://evil")', amountCents: 1_234 });
    const response = await readOnly.get(
      `/api/payments/export?methodType=check&organizationId=${orgA}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toContain('transactions.csv');
    // A UTF-8 byte order mark first: Excel then reads names in any script as written.
    expect(response.body.startsWith('\uFEFF')).toBe(true);
    const lines = response.body.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe(
      'Payment,Date,Organization,Status,Source,Method type,Method,Reference,Currency,Amount,Refunded,Unapplied,Invoices',
    );
    const evil = lines.find((l) => l.includes('HYPERLINK'))!;
    expect(evil).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(evil).toContain(',12.34,');
    // The method type in the list's words, as the Method type filter names it.
    expect(lines.slice(1).every((l) => l.includes(',Check,'))).toBe(true);
  });

  it('names card and bank payments in the CSV as the list does, not by code', async () => {
    const invoice = await openInvoice(3_000);
    await cardPayment([{ invoiceId: invoice, amountCents: 1_000 }]);
    const response = await readOnly.get(
      `/api/payments/export?methodType=card&organizationId=${orgA}`,
    );
    const rows = response.body.trim().split('\r\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/,Card,Visa •••• \d{4},/);
  });
});

describe('lists sort by the payment’s date', () => {
  /** Every row of a keyset list, read `limit` at a time by following nextCursor. */
  async function allPages<Row>(client: ApiClient, url: string, key: string, limit: number) {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const separator = url.includes('?') ? '&' : '?';
      const page = await client.get(
        `${url}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json<Record<string, unknown>>();
      rows.push(...(body[key] as Row[]));
      cursor = body['nextCursor'] as string | null;
    } while (cursor);
    return rows;
  }

  it('lists a check dated last week and typed in today among last week’s payments, page by page', async () => {
    const invoice = await openInvoice(2_000);
    const paidToday = await cardPayment([{ invoiceId: invoice, amountCents: 1_000 }]);
    const today = (await billing.get(`/api/payments?organizationId=${orgA}&limit=100`))
      .json<Answer<typeof transactionsPage>>()
      .payments.find((p) => p.id === paidToday.id)!.paidOn;
    const lastWeek = new Date(`${today}T12:00:00Z`);
    lastWeek.setUTCDate(lastWeek.getUTCDate() - 7);
    const receivedOn = lastWeek.toISOString().slice(0, 10);
    // Typed in after the card payment, dated a week before it.
    const recorded = await recordManual({
      amountCents: 1_000,
      receivedOn,
      allocations: [{ invoiceId: invoice, amountCents: 1_000 }],
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    const check = recorded.json<{ payment: { id: string } }>().payment;

    type Row = { id: string; paidOn?: string };
    const transactions = await allPages<Row>(
      billing,
      `/api/payments?organizationId=${orgA}`,
      'payments',
      2,
    );
    const ids = transactions.map((p) => p.id);
    expect(ids.indexOf(paidToday.id)).toBeLessThan(ids.indexOf(check.id));
    const days = transactions.map((p) => p.paidOn!);
    expect(days).toEqual([...days].sort().reverse());
    // One long page and many short ones agree: the keyset follows the same order.
    const onePage = await billing.get(`/api/payments?organizationId=${orgA}&limit=100`);
    expect(onePage.json<Answer<typeof transactionsPage>>().payments.map((p) => p.id)).toEqual(ids);

    const history = await allPages<Row>(portal, '/api/portal/payment-history', 'payments', 2);
    const historyIds = history.map((p) => p.id);
    expect(historyIds.indexOf(paidToday.id)).toBeLessThan(historyIds.indexOf(check.id));
    expect(historyIds).toEqual(ids);
  });
});
