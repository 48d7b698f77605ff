import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/database.js';
import {
  chargeableMethod,
  recordChargeFailure,
} from '../../src/modules/payments/payment-methods.js';
import { AppError } from '../../src/platform/errors.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import { organizationId, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let acme: string;
let other: string;

/** A saved method as the processor would have answered it, inserted straight into the table. */
async function insertMethod(
  organizationId: string,
  fields: { type?: 'card' | 'ach'; expMonth?: number | null; expYear?: number | null } = {},
): Promise<string> {
  const type = fields.type ?? 'card';
  const result = await database.pool.query<{ id: string }>(
    `INSERT INTO payment_methods (organization_id, gateway, gateway_ref, type, friendly_name, brand,
       last4, exp_month, exp_year, billing_name, authorization_text, authorized_at, authorized_ip)
     VALUES ($1, 'sandbox', 'pm_sbx_test', $2, 'Office card', $3, '4242', $4, $5, 'Zoë Ångström',
       'I authorize charges', now(), '127.0.0.1') RETURNING id`,
    [
      organizationId,
      type,
      type === 'card' ? 'visa' : null,
      type === 'card' ? (fields.expMonth === undefined ? 12 : fields.expMonth) : null,
      type === 'card' ? (fields.expYear === undefined ? 2030 : fields.expYear) : null,
    ],
  );
  return result.rows[0]!.id;
}

async function refusal(methodId: string, organizationId = acme, today = '2026-04-15') {
  try {
    await withTransaction(database.pool, (tx) =>
      chargeableMethod(tx, { organizationId, methodId, today }),
    );
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, message: error.message };
    throw error;
  }
  return null;
}

async function fail(methodId: string, code: string | null) {
  return withTransaction(database.pool, (tx) => recordChargeFailure(tx, methodId, code));
}

async function methodState(methodId: string) {
  const result = await database.pool.query(
    `SELECT failed_charge_count AS "failedChargeCount", locked_at IS NOT NULL AS locked,
       locked_reason AS "lockedReason" FROM payment_methods WHERE id = $1`,
    [methodId],
  );
  return result.rows[0];
}

beforeAll(async () => {
  database = await createTestDatabase();
  const orgs = await database.pool.query<{ id: string }>(
    `INSERT INTO organizations (name) VALUES ('Acme'), ('Other Org') RETURNING id`,
  );
  [acme, other] = orgs.rows.map((row) => row.id) as [string, string];
});
afterAll(async () => database.drop());

describe('which saved methods may be charged', () => {
  it('answers a good method', async () => {
    const id = await insertMethod(acme);
    expect(await refusal(id)).toBeNull();
  });

  it('does not find another organization’s method or an unknown id', async () => {
    const id = await insertMethod(other);
    expect(await refusal(id)).toMatchObject({ status: 404 });
    expect(await refusal('00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404 });
  });

  it('refuses a card that expired before this month, with its expiry', async () => {
    const expired = await insertMethod(acme, { expMonth: 3, expYear: 2026 });
    expect(await refusal(expired)).toMatchObject({
      status: 409,
      message: expect.stringContaining('The card expired in 03/2026'),
    });
    // Good through the last day of the month printed on it.
    const thisMonth = await insertMethod(acme, { expMonth: 4, expYear: 2026 });
    expect(await refusal(thisMonth)).toBeNull();
  });

  it('refuses a removed method', async () => {
    const id = await insertMethod(acme);
    await database.pool.query('UPDATE payment_methods SET removed_at = now() WHERE id = $1', [id]);
    expect(await refusal(id)).toMatchObject({
      status: 409,
      message: expect.stringContaining('was removed'),
    });
  });

  it('refuses a type the installation turned off', async () => {
    const bank = await insertMethod(acme, { type: 'ach' });
    await database.pool.query('UPDATE settings SET ach_payments_enabled = false');
    try {
      expect(await refusal(bank)).toMatchObject({
        status: 409,
        message: expect.stringContaining('Bank account (ACH) payments are turned off'),
      });
    } finally {
      await database.pool.query('UPDATE settings SET ach_payments_enabled = true');
    }
    expect(await refusal(bank)).toBeNull();
  });
});

describe('failed charges lock a method', () => {
  it('locks at the configured number of failures in a row, with the reason', async () => {
    await database.pool.query('UPDATE settings SET method_lock_after_failures = 3');
    try {
      const id = await insertMethod(acme);
      expect(await fail(id, 'insufficient_funds')).toBeNull();
      expect(await fail(id, 'card_declined')).toBeNull();
      expect(await fail(id, 'card_declined')).toBe('Locked after 3 failed charges in a row');
      expect(await methodState(id)).toMatchObject({ failedChargeCount: 3, locked: true });
      expect(await refusal(id)).toMatchObject({
        status: 409,
        message: expect.stringContaining('is locked: Locked after 3 failed charges in a row'),
      });
      // A later failure keeps the reason it was locked for.
      expect(await fail(id, 'stolen_card')).toBeNull();
      expect((await methodState(id)).lockedReason).toBe('Locked after 3 failed charges in a row');
    } finally {
      await database.pool.query('UPDATE settings SET method_lock_after_failures = 15');
    }
  });

  it('locks at once on a lost or stolen card', async () => {
    const lost = await insertMethod(acme);
    expect(await fail(lost, 'lost_card')).toBe('Locked at once: the bank reported this card lost');
    const stolen = await insertMethod(acme);
    expect(await fail(stolen, 'stolen_card')).toBe(
      'Locked at once: the bank reported this card stolen',
    );
    expect(await refusal(stolen)).toMatchObject({ status: 409 });
  });
});

describe('a success through the pay route', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  }, 60_000);
  afterAll(async () => testApp?.close());

  it('a success starts the count again', async () => {
    const pool = testApp.database.pool;
    await pool.query('UPDATE settings SET method_lock_after_failures = 2');
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
    const { portal } = await signedInToPortal(testApp, pawnee);
    const invoiceId = await insertInvoice(pool, {
      organizationId: pawnee,
      number: 'INV-COUNT-1',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 5_000 }],
    });
    // The sandbox's insufficient-funds card: declined at the processor.
    const method = await savedMethod(testApp, pawnee, testCard('4000000000009995'));
    const pay = async () => {
      const response = await portal.post('/api/portal/payments', {
        paymentMethodId: method,
        allocations: [{ invoiceId, amountCents: 1_000 }],
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ payment: { status: string } }>().payment.status;
    };
    const state = async () =>
      (
        await pool.query(
          `SELECT failed_charge_count AS "failedChargeCount", locked_at IS NOT NULL AS locked
             FROM payment_methods WHERE id = $1`,
          [method],
        )
      ).rows[0];

    expect(await pay()).toBe('failed');
    expect(await state()).toMatchObject({ failedChargeCount: 1, locked: false });
    // The client's bank now honours the card: the processor's next charge succeeds.
    await pool.query(
      `UPDATE sandbox_methods SET outcome = 'succeeds'
        WHERE id = (SELECT gateway_ref FROM payment_methods WHERE id = $1)`,
      [method],
    );
    expect(await pay()).toBe('succeeded');
    expect(await state()).toMatchObject({ failedChargeCount: 0, locked: false });
    // The bank refuses again: one failure in a row, below the threshold of 2.
    await pool.query(
      `UPDATE sandbox_methods SET outcome = 'insufficient_funds'
        WHERE id = (SELECT gateway_ref FROM payment_methods WHERE id = $1)`,
      [method],
    );
    expect(await pay()).toBe('failed');
    expect(await state()).toMatchObject({ failedChargeCount: 1, locked: false });
  });
});
