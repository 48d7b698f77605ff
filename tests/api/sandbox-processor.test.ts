import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { AppError } from '../../src/platform/errors.js';
import { GatewayError, type ChargeInput } from '../../src/modules/payments/gateway.js';
import {
  createSandboxGateway,
  type SandboxGateway,
} from '../../src/modules/sandbox-processor/sandbox-gateway.js';
import type { SandboxTokenRequest } from '../../src/shared/contract/sandbox.js';
import { paymentGateway } from '../../src/payment-gateway.js';
import type { AppContext } from '../../src/platform/context.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The sandbox processor as Portico's payments module meets it (PaymentGateway) and as the
 * browser meets its tokenization: every row of ../shared/reference/test-cards.md, Stripe's
 * idempotency rule, ACH settlement and returns, refunds, latency and the timeout fault.
 */

let database: TestDatabase;
let now = new Date('2026-11-30T12:00:00Z');
const clock = () => now;

function gatewayWith(env: Record<string, string> = {}): SandboxGateway {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  return createSandboxGateway({ pool: database.pool, config, clock });
}

let gateway: SandboxGateway;
let keyNumber = 0;
const newKey = () => `portico-payment-test-${++keyNumber}-${Date.now()}`;

function card(number: string, overrides: Partial<SandboxTokenRequest> = {}): SandboxTokenRequest {
  const amex = /^3[47]/.test(number.replace(/\s/g, ''));
  return {
    type: 'card',
    number,
    expMonth: 12,
    expYear: 2030,
    cvc: amex ? '1234' : '123',
    name: 'Zoë Ångström',
    ...overrides,
  } as SandboxTokenRequest;
}

function bank(accountNumber: string, routingNumber = '110000000'): SandboxTokenRequest {
  return {
    type: 'ach',
    routingNumber,
    accountNumber,
    accountHolderName: 'Jürgen Müller',
    accountType: 'checking',
  };
}

/** Tokenizes and saves a method, as the portal's Add Payment Method does. */
async function savedMethod(data: SandboxTokenRequest, on: SandboxGateway = gateway) {
  const token = await on.tokenize(data);
  return on.saveMethod({
    token: token.token,
    organizationId: '00000000-0000-4000-8000-000000000001',
    customerRef: null,
    billingName: 'Acme Dental',
  });
}

function chargeOf(gatewayRef: string, amountCents = 12_345, key = newKey()): ChargeInput {
  return {
    idempotencyKey: key,
    method: { gatewayRef, customerRef: null },
    amountCents,
    currency: 'USD',
    description: 'Portico payment P-000001',
    metadata: { paymentId: 'p-1', organizationId: 'o-1' },
  };
}

/** The field errors a tokenization was refused with (it must be a 400 naming fields). */
async function refusedFields(data: SandboxTokenRequest): Promise<Record<string, string>> {
  const error = await gateway.tokenize(data).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.status).toBe(400);
  return Object.fromEntries(appError.fields.map((f) => [f.field, f.message]));
}

async function gatewayErrorOf(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

async function ledgerRowsFor(key: string): Promise<number> {
  const result = await database.pool.query(
    'SELECT count(*)::int AS n FROM sandbox_charges WHERE idempotency_key = $1',
    [key],
  );
  return result.rows[0].n;
}

beforeAll(async () => {
  database = await createTestDatabase();
  gateway = gatewayWith();
});

afterAll(async () => {
  await database.drop();
});

describe('cards', () => {
  const cards: [string, string, string | null, string | null][] = [
    ['4242 4242 4242 4242', 'visa', null, null],
    ['4000 0566 5566 5556', 'visa', null, null],
    ['5555 5555 5555 4444', 'mastercard', null, null],
    ['2223 0031 2200 3222', 'mastercard', null, null],
    ['3782 822463 10005', 'amex', null, null],
    ['6011 1111 1111 1117', 'discover', null, null],
    ['4000 0000 0000 0002', 'visa', 'generic_decline', 'Your card was declined.'],
    ['4000 0000 0000 9995', 'visa', 'insufficient_funds', 'Your card has insufficient funds.'],
    ['4000 0000 0000 9987', 'visa', 'lost_card', 'reported lost'],
    ['4000 0000 0000 9979', 'visa', 'stolen_card', 'reported stolen'],
    ['4000 0000 0000 0069', 'visa', 'expired_card', 'Your card has expired.'],
    ['4000 0000 0000 0127', 'visa', 'incorrect_cvc', 'security code is incorrect'],
    ['4000 0000 0000 0119', 'visa', 'processing_error', 'error occurred while processing'],
    ['4000 0000 0000 0341', 'visa', 'card_declined', 'Your card was declined.'],
  ];

  it.each(cards)('%s (%s) tokenizes, saves and charges as test-cards.md says', async (...row) => {
    const [number, brand, code, words] = row;
    const token = await gateway.tokenize(card(number));
    expect(token).toMatchObject({
      type: 'card',
      brand,
      last4: number.slice(-4),
      expMonth: 12,
      expYear: 2030,
      bankName: null,
    });
    expect(token.token).toMatch(/^tok_sbx_/);
    const method = await gateway.saveMethod({
      token: token.token,
      organizationId: 'org',
      customerRef: null,
      billingName: 'Acme',
    });
    expect(method).toMatchObject({ type: 'card', brand, last4: number.slice(-4) });
    expect(method.gatewayRef).toMatch(/^pm_sbx_/);

    const result = await gateway.charge(chargeOf(method.gatewayRef, 5_000));
    expect(result.amountCents).toBe(5_000);
    expect(result.currency).toBe('USD');
    expect(result.chargeRef).toMatch(/^ch_sbx_/);
    if (code === null) {
      expect(result).toMatchObject({
        status: 'succeeded',
        failureCode: null,
        failureMessage: null,
      });
    } else {
      expect(result.status).toBe('failed');
      expect(result.failureCode).toBe(code);
      expect(result.failureMessage).toContain(words);
    }
  });

  it('saves 4000 0000 0000 0341 but declines every charge on it', async () => {
    const method = await savedMethod(card('4000000000000341'));
    for (const amount of [100, 2_000, 99_999]) {
      const result = await gateway.charge(chargeOf(method.gatewayRef, amount));
      expect(result).toMatchObject({ status: 'failed', failureCode: 'card_declined' });
    }
  });

  it('refuses 4242 4242 4242 4241 at tokenization: the Luhn check', async () => {
    const fields = await refusedFields(card('4242 4242 4242 4241'));
    expect(Object.keys(fields)).toEqual(['number']);
    expect(fields.number).toMatch(/incorrect/);
    expect(fields.number).not.toContain('4241');
  });

  it('refuses a number of the wrong length for its brand, or no card number at all', async () => {
    expect((await refusedFields(card('4242 4242 4242 424'))).number).toMatch(/Visa.*16 digits/);
    expect((await refusedFields(card('3782 822463 100055'))).number).toMatch(
      /American Express.*15 digits/,
    );
    expect((await refusedFields(card('5555 5555 5555 44444'))).number).toMatch(/16 digits/);
    expect((await refusedFields(card('4242 4242 abcd 4242'))).number).toMatch(/digits only/);
    expect((await refusedFields(card(''))).number).toMatch(/Enter the card number/);
    expect((await refusedFields(card('9999 9999 9999 9995'))).number).toMatch(/not accepted/);
  });

  it('refuses an expiry in the past or a month outside 1–12', async () => {
    // The clock says November 2026: October 2026 is past, November 2026 is still good.
    expect(await refusedFields(card('4242424242424242', { expMonth: 10, expYear: 2026 }))).toEqual({
      expMonth: expect.stringMatching(/expired/),
    });
    expect((await refusedFields(card('4242424242424242', { expYear: 2025 }))).expYear).toMatch(
      /past/,
    );
    expect((await refusedFields(card('4242424242424242', { expMonth: 13 }))).expMonth).toMatch(
      /1 to 12/,
    );
    expect((await refusedFields(card('4242424242424242', { expMonth: 0 }))).expMonth).toMatch(
      /1 to 12/,
    );
    expect((await refusedFields(card('4242424242424242', { expMonth: 'ab' }))).expMonth).toMatch(
      /1 to 12/,
    );
    const good = await gateway.tokenize(card('4242424242424242', { expMonth: 11, expYear: 26 }));
    expect(good).toMatchObject({ expMonth: 11, expYear: 2026 });
  });

  it('refuses a CVC of the wrong length: 4 digits for American Express, 3 for the others', async () => {
    expect((await refusedFields(card('4242424242424242', { cvc: '1234' }))).cvc).toMatch(
      /3 digits/,
    );
    expect((await refusedFields(card('4242424242424242', { cvc: '12' }))).cvc).toMatch(/3 digits/);
    expect((await refusedFields(card('378282246310005', { cvc: '123' }))).cvc).toMatch(
      /American Express.*4 digits/,
    );
    expect((await refusedFields(card('4242424242424242', { cvc: '' }))).cvc).toMatch(/CVC/);
  });

  it('names every bad field at once', async () => {
    const fields = await refusedFields(
      card('4242424242424241', { expMonth: 13, expYear: 2020, cvc: '1' }),
    );
    expect(Object.keys(fields).sort()).toEqual(['cvc', 'expMonth', 'expYear', 'number']);
  });

  it('declines a saved card once it has expired: expired_card', async () => {
    const method = await savedMethod(card('4242424242424242', { expMonth: 11, expYear: 2026 }));
    expect((await gateway.charge(chargeOf(method.gatewayRef))).status).toBe('succeeded');
    now = new Date('2026-12-01T00:00:01Z');
    try {
      const result = await gateway.charge(chargeOf(method.gatewayRef));
      expect(result).toMatchObject({ status: 'failed', failureCode: 'expired_card' });
      expect(result.failureMessage).toBe('Your card has expired.');
    } finally {
      now = new Date('2026-11-30T12:00:00Z');
    }
  });
});

describe('tokens and methods', () => {
  it('uses a token once: a second save, or an unknown token, is refused', async () => {
    const token = await gateway.tokenize(card('4242424242424242'));
    const input = { token: token.token, organizationId: 'o', customerRef: null, billingName: 'A' };
    await gateway.saveMethod(input);
    const again = await gatewayErrorOf(gateway.saveMethod(input));
    expect(again.kind).toBe('invalid_request');
    expect(again.message).toMatch(/already used/);
    const unknown = await gatewayErrorOf(gateway.saveMethod({ ...input, token: 'tok_sbx_nope' }));
    expect(unknown.kind).toBe('invalid_request');
  });

  it('saves one method when the same token is saved twice at once', async () => {
    const token = await gateway.tokenize(card('5555555555554444'));
    const input = { token: token.token, organizationId: 'o', customerRef: null, billingName: 'A' };
    const outcomes = await Promise.allSettled([
      gateway.saveMethod(input),
      gateway.saveMethod(input),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses to charge a detached method', async () => {
    const method = await savedMethod(card('4242424242424242'));
    await gateway.detachMethod(method);
    const error = await gatewayErrorOf(gateway.charge(chargeOf(method.gatewayRef)));
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toMatch(/removed/);
  });
});

describe('idempotency', () => {
  it('answers the first result for the same key and parameters, with one ledger row', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const input = chargeOf(method.gatewayRef, 7_777);
    const first = await gateway.charge(input);
    const second = await gateway.charge({
      ...input,
      metadata: { organizationId: 'o-1', paymentId: 'p-1' },
    });
    expect(second).toEqual(first);
    expect(await gateway.findCharge(input.idempotencyKey)).toEqual(first);
    expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
  });

  it('answers a decline again for a retried key, without a second attempt', async () => {
    const method = await savedMethod(card('4000000000009995'));
    const input = chargeOf(method.gatewayRef);
    const first = await gateway.charge(input);
    expect(await gateway.charge(input)).toEqual(first);
    expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
  });

  it('refuses the same key with other parameters: idempotency_mismatch', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const other = await savedMethod(card('5555555555554444'));
    const input = chargeOf(method.gatewayRef, 1_000);
    await gateway.charge(input);
    for (const changed of [
      { ...input, amountCents: 1_001 },
      { ...input, currency: 'EUR' },
      { ...input, method: { gatewayRef: other.gatewayRef, customerRef: null } },
      { ...input, description: 'another payment' },
    ]) {
      const error = await gatewayErrorOf(gateway.charge(changed));
      expect(error.kind).toBe('idempotency_mismatch');
    }
    expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
  });

  it('records one charge for ten simultaneous requests with one key', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const input = chargeOf(method.gatewayRef, 4_200);
    const results = await Promise.all(Array.from({ length: 10 }, () => gateway.charge(input)));
    expect(new Set(results.map((r) => r.chargeRef)).size).toBe(1);
    expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
  });

  it('knows no charge for a key it never received', async () => {
    expect(await gateway.findCharge('portico-payment-never-sent')).toBeNull();
  });
});

describe('ACH', () => {
  const accounts: [string, string | null, string | null][] = [
    ['000123456789', null, null],
    ['000111111116', 'no_account', 'could not find'],
    ['000111111113', 'account_closed', 'closed'],
    ['000222222227', 'insufficient_funds', 'insufficient funds'],
  ];

  it.each(accounts)(
    'account %s: processing, then settled or returned after SANDBOX_ACH_SETTLE_SECONDS',
    async (accountNumber, code, words) => {
      const ach = gatewayWith({ SANDBOX_ACH_SETTLE_SECONDS: '120' });
      const token = await ach.tokenize(bank(accountNumber));
      expect(token).toMatchObject({
        type: 'ach',
        brand: null,
        last4: accountNumber.slice(-4),
        expMonth: null,
        expYear: null,
        bankName: 'STRIPE TEST BANK',
      });
      const method = await savedMethod(bank(accountNumber), ach);
      expect(method).toMatchObject({ type: 'ach', last4: accountNumber.slice(-4) });
      const input = chargeOf(method.gatewayRef, 25_000);
      const charged = await ach.charge(input);
      expect(charged).toMatchObject({
        status: 'processing',
        failureCode: null,
        failureMessage: null,
      });

      const refundEarly = await gatewayErrorOf(
        ach.refund({ idempotencyKey: newKey(), chargeRef: charged.chargeRef, amountCents: 100 }),
      );
      expect(refundEarly.message).toMatch(/not settled/);

      now = new Date(now.getTime() + 119_000);
      expect((await ach.findCharge(input.idempotencyKey))?.status).toBe('processing');
      now = new Date(now.getTime() + 1_000);
      try {
        const settled = await ach.findCharge(input.idempotencyKey);
        if (code === null) {
          expect(settled).toMatchObject({ status: 'succeeded', failureCode: null });
          const refund = await ach.refund({
            idempotencyKey: newKey(),
            chargeRef: charged.chargeRef,
            amountCents: 25_000,
          });
          expect(refund).toMatchObject({ status: 'succeeded', amountCents: 25_000 });
        } else {
          expect(settled).toMatchObject({ status: 'failed', failureCode: code });
          expect(settled?.failureMessage).toContain(words);
        }
        // A retried charge with the key answers the settled state, no new debit.
        expect(await ach.charge(input)).toMatchObject({
          chargeRef: charged.chargeRef,
          status: settled?.status,
        });
        expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
      } finally {
        now = new Date('2026-11-30T12:00:00Z');
      }
    },
  );

  it('checks the routing number with the ABA checksum, and every bank field', async () => {
    expect((await refusedFields(bank('000123456789', '123456789'))).routingNumber).toMatch(
      /not a valid routing number/,
    );
    expect((await refusedFields(bank('000123456789', '11000000'))).routingNumber).toMatch(
      /9 digits/,
    );
    expect((await refusedFields(bank('12'))).accountNumber).toMatch(/4 to 17 digits/);
    const fields = await refusedFields({
      type: 'ach',
      routingNumber: '110000000',
      accountNumber: '000123456789',
      accountHolderName: '  ',
      accountType: 'brokerage',
    });
    expect(Object.keys(fields).sort()).toEqual(['accountHolderName', 'accountType']);
  });
});

describe('refunds', () => {
  it('refunds in parts, never more than charged less refunded, once per key', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const charged = await gateway.charge(chargeOf(method.gatewayRef, 10_000));
    const firstKey = newKey();
    const first = await gateway.refund({
      idempotencyKey: firstKey,
      chargeRef: charged.chargeRef,
      amountCents: 4_000,
    });
    expect(first).toMatchObject({ status: 'succeeded', amountCents: 4_000 });
    expect(first.refundRef).toMatch(/^re_sbx_/);
    // A retry answers the same refund and moves no money again.
    expect(
      await gateway.refund({
        idempotencyKey: firstKey,
        chargeRef: charged.chargeRef,
        amountCents: 4_000,
      }),
    ).toEqual(first);
    const mismatch = await gatewayErrorOf(
      gateway.refund({
        idempotencyKey: firstKey,
        chargeRef: charged.chargeRef,
        amountCents: 4_001,
      }),
    );
    expect(mismatch.kind).toBe('idempotency_mismatch');

    const over = await gatewayErrorOf(
      gateway.refund({
        idempotencyKey: newKey(),
        chargeRef: charged.chargeRef,
        amountCents: 6_001,
      }),
    );
    expect(over.kind).toBe('invalid_request');
    expect(over.message).toMatch(/more than the 6000 left/);

    await gateway.refund({
      idempotencyKey: newKey(),
      chargeRef: charged.chargeRef,
      amountCents: 6_000,
    });
    const ledger = await gateway.ledger();
    const row = ledger.charges.find((c) => c.chargeRef === charged.chargeRef)!;
    expect(row.refundedCents).toBe(10_000);
    expect(ledger.refunds.filter((r) => r.chargeRef === charged.chargeRef)).toHaveLength(2);
  });

  it('never refunds past the charge when refunds race', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const charged = await gateway.charge(chargeOf(method.gatewayRef, 1_000));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        gateway.refund({
          idempotencyKey: newKey(),
          chargeRef: charged.chargeRef,
          amountCents: 400,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
  });

  it('refuses one key used for refunds of two charges, even at once: one refund is made', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const first = await gateway.charge(chargeOf(method.gatewayRef, 1_000));
    const second = await gateway.charge(chargeOf(method.gatewayRef, 1_000));
    const key = newKey();
    const outcomes = await Promise.allSettled(
      [first, second].map((charged) =>
        gateway.refund({ idempotencyKey: key, chargeRef: charged.chargeRef, amountCents: 100 }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(GatewayError);
    expect((refused.reason as GatewayError).kind).toBe('idempotency_mismatch');
  });

  it('refuses to refund a declined charge or an unknown one', async () => {
    const method = await savedMethod(card('4000000000000002'));
    const declined = await gateway.charge(chargeOf(method.gatewayRef));
    expect(
      (
        await gatewayErrorOf(
          gateway.refund({
            idempotencyKey: newKey(),
            chargeRef: declined.chargeRef,
            amountCents: 1,
          }),
        )
      ).kind,
    ).toBe('invalid_request');
    expect(
      (
        await gatewayErrorOf(
          gateway.refund({ idempotencyKey: newKey(), chargeRef: 'ch_sbx_nope', amountCents: 1 }),
        )
      ).kind,
    ).toBe('invalid_request');
  });
});

describe('latency and faults', () => {
  it('waits SANDBOX_LATENCY_MS before every answer', async () => {
    const slow = gatewayWith({ SANDBOX_LATENCY_MS: '300' });
    let started = Date.now();
    const token = await slow.tokenize(card('4242424242424242'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    started = Date.now();
    const method = await slow.saveMethod({
      token: token.token,
      organizationId: 'o',
      customerRef: null,
      billingName: 'A',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const input = chargeOf(method.gatewayRef);
    started = Date.now();
    await slow.charge(input);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    started = Date.now();
    await slow.findCharge(input.idempotencyKey);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // The switch tests flip at run time.
    slow.faults.latencyMs = 0;
    started = Date.now();
    await slow.findCharge(input.idempotencyKey);
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('SANDBOX_ANSWER_LATENCY_MS: the charge is in the ledger before its answer arrives', async () => {
    const slow = gatewayWith({ SANDBOX_ANSWER_LATENCY_MS: '400' });
    const method = await savedMethod(card('4242424242424242'), slow);
    const input = chargeOf(method.gatewayRef, 4_100);
    const started = Date.now();
    let answered = false;
    const charging = slow.charge(input).then((result) => {
      answered = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false);
    expect(await slow.findCharge(input.idempotencyKey)).toMatchObject({
      status: 'succeeded',
      amountCents: 4_100,
    });
    expect(await charging).toMatchObject({ status: 'succeeded', amountCents: 4_100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('SANDBOX_FAULT=timeout: the charge is made, the answer is lost, findCharge finds it', async () => {
    const faulty = gatewayWith({ SANDBOX_FAULT: 'timeout' });
    const method = await savedMethod(card('4242424242424242'), faulty);
    const input = chargeOf(method.gatewayRef, 3_300);
    const error = await gatewayErrorOf(faulty.charge(input));
    expect(error.kind).toBe('unavailable');
    expect(await faulty.findCharge(input.idempotencyKey)).toMatchObject({
      status: 'succeeded',
      amountCents: 3_300,
    });
    // A retry while the fault lasts loses its answer too, and charges nothing more.
    expect((await gatewayErrorOf(faulty.charge(input))).kind).toBe('unavailable');
    faulty.faults.mode = 'none';
    const answered = await faulty.charge(input);
    expect(answered).toEqual(await faulty.findCharge(input.idempotencyKey));
    expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
  });

  it('the runtime switch loses a refund’s answer too, after recording it', async () => {
    const faulty = gatewayWith();
    const method = await savedMethod(card('4242424242424242'), faulty);
    const charged = await faulty.charge(chargeOf(method.gatewayRef, 2_000));
    faulty.faults.mode = 'timeout';
    const key = newKey();
    const lost = await gatewayErrorOf(
      faulty.refund({ idempotencyKey: key, chargeRef: charged.chargeRef, amountCents: 500 }),
    );
    expect(lost.kind).toBe('unavailable');
    faulty.faults.mode = 'none';
    const retried = await faulty.refund({
      idempotencyKey: key,
      chargeRef: charged.chargeRef,
      amountCents: 500,
    });
    expect(retried.amountCents).toBe(500);
    const ledger = await faulty.ledger();
    expect(ledger.charges.find((c) => c.chargeRef === charged.chargeRef)?.refundedCents).toBe(500);
  });
});

describe('what the processor keeps', () => {
  it('stores no card number, account number or CVC: only brand, last four, expiry', async () => {
    await savedMethod(card('4000 0566 5566 5556'));
    await savedMethod(bank('000222222227'));
    const rows = await database.pool.query(
      `SELECT row_to_json(t)::text AS row FROM sandbox_tokens t
       UNION ALL SELECT row_to_json(m)::text FROM sandbox_methods m`,
    );
    const text = rows.rows.map((r: { row: string }) => r.row).join('\n');
    expect(text).toContain('"last4":"5556"');
    expect(text).not.toContain('4000056655665556');
    expect(text).not.toContain('000222222227');
    expect(text).not.toMatch(/"cvc"/);
  });
});

describe('the composition root (src/payment-gateway.ts)', () => {
  function contextWith(env: Record<string, string>): AppContext {
    return {
      config: loadConfig({ NODE_ENV: 'test', ...env }),
      pool: database.pool,
      jobs: undefined as unknown as AppContext['jobs'],
      logger: createLogger('silent'),
      clock,
    };
  }

  it('runs the sandbox by default, one instance per context, with the configured faults', async () => {
    const context = contextWith({ SANDBOX_LATENCY_MS: '5', SANDBOX_FAULT: 'timeout' });
    const gateway = paymentGateway(context) as SandboxGateway;
    expect(gateway.name).toBe('sandbox');
    expect(paymentGateway(context)).toBe(gateway);
    expect(gateway.faults).toEqual({ mode: 'timeout', latencyMs: 5 });
    expect(paymentGateway(contextWith({}))).not.toBe(gateway);
    // It follows the context's clock, read at each call.
    const later: AppContext = { ...context, clock: () => new Date('2040-01-15T00:00:00Z') };
    const refused = await (paymentGateway(later) as SandboxGateway)
      .tokenize(card('4242424242424242', { expYear: 2039 }))
      .catch((e: AppError) => e);
    expect((refused as AppError).fields.map((f) => f.field)).toEqual(['expYear']);
  });
});
