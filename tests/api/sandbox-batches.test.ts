import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { GatewayError, type ChargeInput } from '../../src/modules/payments/gateway.js';
import {
  createSandboxGateway,
  type SandboxGateway,
} from '../../src/modules/sandbox-processor/sandbox-gateway.js';
import type { SandboxTokenRequest } from '../../src/shared/contract/sandbox.js';
import { planNodes, rowsDiscardedOf, type PlanNode } from '../support/query-plans.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The sandbox processor's charges sent side by side (AutoPay's 48 in flight): those that arrive
 * while a charge statement is at PostgreSQL go together in the next one
 * (docs/decisions/0055-sandbox-charges-in-batches.md), and each is still its own processor call:
 * its own outcome per ../shared/reference/test-cards.md, its own idempotency key, its own error.
 */

let database: TestDatabase;
let now = new Date('2026-11-30T12:00:00Z');
const clock = () => now;
let gateway: SandboxGateway;
let keyNumber = 0;
const newKey = () => `portico-payment-batch-${++keyNumber}-${Date.now()}`;

function gatewayWith(env: Record<string, string> = {}): SandboxGateway {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  return createSandboxGateway({ pool: database.pool, config, clock });
}

function card(number: string, overrides: Partial<SandboxTokenRequest> = {}): SandboxTokenRequest {
  return {
    type: 'card',
    number,
    expMonth: 12,
    expYear: 2030,
    cvc: '123',
    name: 'Zoë Ångström',
    ...overrides,
  } as SandboxTokenRequest;
}

function bank(accountNumber: string): SandboxTokenRequest {
  return {
    type: 'ach',
    routingNumber: '110000000',
    accountNumber,
    accountHolderName: 'Jürgen Müller',
    accountType: 'checking',
  };
}

async function savedMethod(data: SandboxTokenRequest, on: SandboxGateway = gateway) {
  const token = await on.tokenize(data);
  return on.saveMethod({
    token: token.token,
    organizationId: '00000000-0000-4000-8000-000000000001',
    customerRef: null,
    billingName: 'Acme Dental',
  });
}

function chargeOf(gatewayRef: string, amountCents: number, key = newKey()): ChargeInput {
  return {
    idempotencyKey: key,
    method: { gatewayRef, customerRef: null },
    amountCents,
    currency: 'USD',
    description: `Portico payment P-${amountCents}`,
    metadata: { paymentId: `p-${amountCents}`, organizationId: 'o-1' },
  };
}

async function ledgerRowsFor(key: string): Promise<number> {
  const result = await database.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM sandbox_charges WHERE idempotency_key = $1',
    [key],
  );
  return result.rows[0]!.n;
}

/** Runs `work` with every statement sent on the pool counted: how many did it take? */
async function countingStatements<T>(work: () => Promise<T>): Promise<{ result: T; sent: number }> {
  const pool = database.pool;
  const query = pool.query;
  let sent = 0;
  pool.query = function (this: typeof pool, ...args: unknown[]) {
    sent += 1;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pool.query;
  try {
    const result = await work();
    return { result, sent };
  } finally {
    pool.query = query;
  }
}

function errorOf(outcome: PromiseSettledResult<unknown>): GatewayError {
  expect(outcome.status).toBe('rejected');
  const reason = (outcome as PromiseRejectedResult).reason as unknown;
  expect(reason).toBeInstanceOf(GatewayError);
  return reason as GatewayError;
}

beforeAll(async () => {
  database = await createTestDatabase();
  gateway = gatewayWith();
});

afterAll(async () => {
  await database.drop();
});

describe('charges sent side by side', () => {
  it('records 50 charges with their own keys once each, with their own outcomes, in fewer statements than charges', async () => {
    const ach = gatewayWith({ SANDBOX_ACH_SETTLE_SECONDS: '120' });
    const methods = {
      succeeds: await savedMethod(card('4242424242424242'), ach),
      declines: await savedMethod(card('4000000000000002'), ach),
      insufficient: await savedMethod(card('4000000000009995'), ach),
      expiredCode: await savedMethod(card('4000000000000069'), ach),
      expiresNovember: await savedMethod(
        card('5555555555554444', { expMonth: 11, expYear: 2026 }),
        ach,
      ),
      bank: await savedMethod(bank('000123456789'), ach),
    };
    const kinds = Object.keys(methods) as (keyof typeof methods)[];
    const inputs = Array.from({ length: 50 }, (_, i) => {
      const kind = kinds[i % kinds.length]!;
      return { kind, input: chargeOf(methods[kind].gatewayRef, 1_000 + i) };
    });
    // December: the card that expired at the end of November is declined.
    now = new Date('2026-12-02T09:00:00Z');
    try {
      const { result: answers, sent } = await countingStatements(() =>
        Promise.all(inputs.map(({ input }) => ach.charge(input))),
      );
      expect(sent).toBeLessThan(inputs.length / 5);
      const expected = {
        succeeds: { status: 'succeeded', failureCode: null },
        declines: { status: 'failed', failureCode: 'generic_decline' },
        insufficient: { status: 'failed', failureCode: 'insufficient_funds' },
        expiredCode: { status: 'failed', failureCode: 'expired_card' },
        expiresNovember: { status: 'failed', failureCode: 'expired_card' },
        bank: { status: 'processing', failureCode: null },
      };
      answers.forEach((answer, i) => {
        const { kind, input } = inputs[i]!;
        expect(answer, kind).toMatchObject({
          ...expected[kind],
          amountCents: input.amountCents,
          currency: 'USD',
        });
      });
      expect(new Set(answers.map((a) => a.chargeRef)).size).toBe(50);
      expect(answers.find((a, i) => inputs[i]!.kind === 'declines')?.failureMessage).toBe(
        'Your card was declined.',
      );
      const ledger = await ach.ledger();
      for (const [i, { input }] of inputs.entries()) {
        const rows = ledger.charges.filter((c) => c.idempotencyKey === input.idempotencyKey);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          chargeRef: answers[i]!.chargeRef,
          amountCents: input.amountCents,
          methodRef: input.method.gatewayRef,
          metadata: input.metadata,
        });
      }
      // The ACH debits settle on their own clock, each found by its key.
      now = new Date(now.getTime() + 120_000);
      const debit = inputs.find((c) => c.kind === 'bank')!.input;
      expect(await ach.findCharge(debit.idempotencyKey)).toMatchObject({ status: 'succeeded' });
    } finally {
      now = new Date('2026-11-30T12:00:00Z');
    }
  });

  it('answers two simultaneous calls with one key and the same parameters with the same charge, one ledger row', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const input = chargeOf(method.gatewayRef, 6_100);
    const others = Array.from({ length: 6 }, (_, i) => chargeOf(method.gatewayRef, 6_200 + i));
    const answers = await Promise.all(
      [
        input,
        ...others,
        input,
        { ...input, metadata: { organizationId: 'o-1', paymentId: 'p-6100' } },
      ].map((c) => gateway.charge(c)),
    );
    expect(answers[7]).toEqual(answers[0]);
    expect(answers[8]).toEqual(answers[0]);
    expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
    expect(await gateway.findCharge(input.idempotencyKey)).toEqual(answers[0]);
  });

  it('refuses one key sent at the same moment with other parameters: idempotency_mismatch, one ledger row', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const input = chargeOf(method.gatewayRef, 7_100);
    const outcomes = await Promise.allSettled([
      gateway.charge(chargeOf(method.gatewayRef, 7_000)),
      gateway.charge(input),
      gateway.charge({ ...input, amountCents: 7_101 }),
      gateway.charge(chargeOf(method.gatewayRef, 7_200)),
    ]);
    expect(outcomes[0]!.status).toBe('fulfilled');
    expect(outcomes[1]).toMatchObject({
      status: 'fulfilled',
      value: { status: 'succeeded', amountCents: 7_100 },
    });
    expect(errorOf(outcomes[2]!).kind).toBe('idempotency_mismatch');
    expect(outcomes[3]!.status).toBe('fulfilled');
    expect(await ledgerRowsFor(input.idempotencyKey)).toBe(1);
  });

  it('fails only the charge on a removed method, the others in its batch are made', async () => {
    const method = await savedMethod(card('4242424242424242'));
    const removed = await savedMethod(card('5555555555554444'));
    await gateway.detachMethod(removed);
    const inputs = Array.from({ length: 11 }, (_, i) =>
      chargeOf(i === 5 ? removed.gatewayRef : method.gatewayRef, 8_000 + i),
    );
    const { result: outcomes, sent } = await countingStatements(() =>
      Promise.allSettled(inputs.map((c) => gateway.charge(c))),
    );
    expect(sent).toBeLessThan(inputs.length);
    outcomes.forEach((outcome, i) => {
      if (i === 5) {
        const error = errorOf(outcome);
        expect(error.kind).toBe('invalid_request');
        expect(error.message).toMatch(/removed/);
      } else {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 'succeeded' } });
      }
    });
    expect(await ledgerRowsFor(inputs[5]!.idempotencyKey)).toBe(0);
    expect(await ledgerRowsFor(inputs[6]!.idempotencyKey)).toBe(1);
  });

  it('answers each charge of a batch PostgreSQL refuses on its own: a bad value fails only its own charge', async () => {
    const method = await savedMethod(card('4242424242424242'));
    // A NUL character passes the processor's checks in JS but no text column takes it.
    const inputs = Array.from({ length: 6 }, (_, i) => ({
      ...chargeOf(method.gatewayRef, 9_000 + i),
      ...(i === 3 ? { description: 'Portico payment \u0000' } : {}),
    }));
    const outcomes = await Promise.allSettled(inputs.map((c) => gateway.charge(c)));
    outcomes.forEach((outcome, i) => {
      if (i === 3) expect(outcome.status).toBe('rejected');
      else expect(outcome).toMatchObject({ status: 'fulfilled', value: { status: 'succeeded' } });
    });
    for (const [i, input] of inputs.entries()) {
      expect(await ledgerRowsFor(input.idempotencyKey)).toBe(i === 3 ? 0 : 1);
    }
  });

  it('SANDBOX_FAULT=timeout: every charge of a batch is made and its answer lost', async () => {
    const faulty = gatewayWith({ SANDBOX_FAULT: 'timeout' });
    const method = await savedMethod(card('4242424242424242'), faulty);
    const inputs = Array.from({ length: 8 }, (_, i) => chargeOf(method.gatewayRef, 3_000 + i));
    const { result: outcomes, sent } = await countingStatements(() =>
      Promise.allSettled(inputs.map((c) => faulty.charge(c))),
    );
    expect(sent).toBeLessThan(inputs.length);
    for (const [i, outcome] of outcomes.entries()) {
      expect(errorOf(outcome).kind).toBe('unavailable');
      expect(await faulty.findCharge(inputs[i]!.idempotencyKey)).toMatchObject({
        status: 'succeeded',
        amountCents: inputs[i]!.amountCents,
      });
    }
  });

  it('finds each charge of a batch by its key: a batch against a ledger of 3,000 charges reads none of the others', async () => {
    const method = await savedMethod(card('4242424242424242'));
    // A ledger of 3,000 earlier charges, with the statistics PostgreSQL keeps of it.
    await database.pool.query(
      `INSERT INTO sandbox_charges (id, idempotency_key, request_fingerprint, method_id,
                                    amount_cents, currency, status)
       SELECT 'ch_ledger_' || g, 'ledger-key-' || g, 'print', $1, 100 + g, 'USD', 'succeeded'
         FROM generate_series(1, 3000) g`,
      [method.gatewayRef],
    );
    await database.pool.query('ANALYZE sandbox_charges, sandbox_methods');
    const sent: { text: string; values: unknown[] }[] = [];
    const pool = database.pool;
    const query = pool.query;
    pool.query = function (this: typeof pool, ...args: unknown[]) {
      const first = args[0] as { name?: string; text?: string; values?: unknown[] } | undefined;
      if (first?.name === 'sandbox-charge-batch') {
        sent.push({ text: first.text!, values: first.values! });
      }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pool.query;
    const inputs = Array.from({ length: 40 }, (_, i) => chargeOf(method.gatewayRef, 4_000 + i));
    try {
      const outcomes = await Promise.all(inputs.map((c) => gateway.charge(c)));
      expect(outcomes.every((o) => o.status === 'succeeded')).toBe(true);
    } finally {
      pool.query = query;
    }
    const largest = sent.reduce((a, b) =>
      (b.values[0] as unknown[]).length > (a.values[0] as unknown[]).length ? b : a,
    );
    expect((largest.values[0] as unknown[]).length).toBeGreaterThan(10);
    // Explained as PostgreSQL plans it for these values, in a transaction rolled back.
    const client = await pool.connect();
    let plans: PlanNode[];
    try {
      await client.query('BEGIN');
      const explained = await client.query(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${largest.text}`,
        largest.values,
      );
      plans = planNodes(explained.rows[0]['QUERY PLAN'][0].Plan as PlanNode);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    // The ledger only: the few methods of a test database fit in a page, which PostgreSQL
    // rightly reads whole.
    const scans = plans.filter(
      (p) => p['Node Type'] === 'Seq Scan' && p['Relation Name'] === 'sandbox_charges',
    );
    expect(scans).toHaveLength(0);
    expect(rowsDiscardedOf(plans, 'sandbox_charges')).toBe(0);
  });
});
