import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  portalPaymentMethodList,
  removedPaymentMethodAnswer,
  staffPaymentMethodList,
} from '../../src/shared/contract/payment-methods.js';
import type { SandboxTokenRequest } from '../../src/shared/contract/sandbox.js';
import { sandboxGateway } from '../../src/payment-gateway.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { withTransaction } from '../../src/platform/database.js';
import { recordChargeFailure } from '../../src/modules/payments/payment-methods.js';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';

let testApp: TestApp;
let admin: ApiClient;
let billing: ApiClient;
let readOnly: ApiClient;
let portal: ApiClient;
let contact: { id: string; name: string };
let demoCompany: string;
let pawnee: string;

type PortalList = Answer<typeof portalPaymentMethodList>;
type StaffList = Answer<typeof staffPaymentMethodList>;

/**
 * A contact of the organization, signed in to the portal, whose profile grants exactly
 * `permissions` (a profile of its own).
 */
async function contactWith(
  organization: string,
  permissions: string[],
  name = 'Zoë Ångström',
): Promise<{ client: ApiClient; id: string; name: string }> {
  const pool = testApp.database.pool;
  const suffix = randomUUID().slice(0, 8);
  const profile = (
    await pool.query(
      `INSERT INTO access_profiles (name, permissions) VALUES ($1, $2) RETURNING id`,
      [`Profile ${suffix}`, permissions],
    )
  ).rows[0].id;
  const email = `pm-${suffix}@example.com`;
  const password = 'Waffles at JJs Diner 1972';
  const id: string = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ($1, $2, $3) RETURNING id`,
      [name, email, await hashPassword(password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     VALUES ($1, $2, $3)`,
    [id, organization, profile],
  );
  const client = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await client.post('/api/portal/sign-in', { email, password });
  expect(signIn.statusCode, signIn.body).toBe(200);
  return { client, id, name };
}

/** A single-use token from the sandbox processor, as the browser gets one from its endpoint. */
async function token(data: SandboxTokenRequest): Promise<string> {
  return (await sandboxGateway(testApp.context)!.tokenize(data)).token;
}

const visa: SandboxTokenRequest = {
  type: 'card',
  number: '4242 4242 4242 4242',
  expMonth: 12,
  expYear: 2030,
  cvc: '123',
};
const mastercard: SandboxTokenRequest = {
  type: 'card',
  number: '5555 5555 5555 4444',
  expMonth: 6,
  expYear: 2031,
  cvc: '123',
};
const bank: SandboxTokenRequest = {
  type: 'ach',
  routingNumber: '110000000',
  accountNumber: '000123456789',
  accountHolderName: 'Zoë Ångström',
  accountType: 'checking',
};

async function texts(client: ApiClient): Promise<PortalList['authorizationTexts']> {
  return (await client.get('/api/portal/payment-methods')).json<PortalList>().authorizationTexts;
}

/** The Add form's body for a token: billing details, the words shown, "I Agree" ticked. */
async function addBody(
  client: ApiClient,
  type: 'card' | 'ach',
  tokenValue: string,
  extra: Record<string, unknown> = {},
) {
  return {
    type,
    token: tokenValue,
    friendlyName: type === 'card' ? 'Office card' : 'Operating account',
    billingName: 'Zoë Ångström',
    billingAddressLine1: '1 Main St',
    billingAddressLine2: '',
    billingCity: 'Pawnee',
    billingRegion: 'IN',
    billingPostalCode: '46001',
    billingCountry: 'us',
    authorizationText: (await texts(client))[type],
    agreed: true,
    ...extra,
  };
}

async function list(client: ApiClient = portal): Promise<PortalList['paymentMethods']> {
  const response = await client.get('/api/portal/payment-methods');
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PortalList>().paymentMethods;
}

async function ledgerCharges(): Promise<number> {
  const result = await testApp.database.pool.query(
    'SELECT count(*)::int AS n FROM sandbox_charges',
  );
  return result.rows[0].n;
}

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  demoCompany = await organizationId(testApp, 'Demo Company');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  const signedIn = await contactWith(demoCompany, ['view_invoices', 'manage_payment_methods']);
  portal = signedIn.client;
  contact = signedIn;
});
afterAll(async () => testApp.close());

describe('adding a payment method in the portal', () => {
  it('saves a card from a processor token, charges nothing, makes the first one the default', async () => {
    const response = await portal.post(
      '/api/portal/payment-methods',
      await addBody(portal, 'card', await token(visa)),
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().paymentMethod).toMatchObject({
      type: 'card',
      friendlyName: 'Office card',
      label: 'Visa •••• 4242',
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
      billingName: 'Zoë Ångström',
      billingCountry: 'US',
      isDefault: true,
      expired: false,
      locked: false,
      unavailableReason: null,
    });
    // Never the processor's references, the fee or the authorization record.
    expect(response.body).not.toMatch(
      /pm_sbx|cus_|gatewayRef|authorizedIp|providerFee|failedCharge/,
    );
    expect(await ledgerCharges()).toBe(0);
  });

  it('keeps the authorization: the words shown, when, from where and who agreed', async () => {
    const methods = (
      await admin.get(`/api/organizations/${demoCompany}/payment-methods`)
    ).json<StaffList>().paymentMethods;
    const card = methods.find((m) => m.friendlyName === 'Office card')!;
    expect(card.authorization).toMatchObject({
      text: (await texts(portal)).card,
      ip: '127.0.0.1',
      contactName: 'Zoë Ångström',
      staffName: null,
    });
    expect(card.authorization.text).toMatch(/I authorize .* to keep this card on file/);
    expect(Date.now() - new Date(card.authorization.at).getTime()).toBeLessThan(60_000);
  });

  it('writes the provider fee of the settings, seen by staff only', async () => {
    const fees = await admin.get(`/api/organizations/${demoCompany}/provider-fees`);
    expect(fees.statusCode, fees.body).toBe(200);
    expect(fees.json()).toMatchObject({
      fees: [{ amountCents: 50, currency: 'USD', methodLabel: 'Visa •••• 4242' }],
      totalCents: 50,
    });
    const monthly = (await readOnly.get('/api/provider-fees')).json();
    expect(monthly.totalCents).toBe(50);
    expect(monthly.months[0]).toMatchObject({ count: 1, amountCents: 50 });
    expect(monthly.months[0].month).toMatch(/^\d{4}-\d{2}$/);
    // The portal has no route to it, and no answer carries it.
    expect((await portal.get('/api/portal/provider-fees')).statusCode).toBe(404);
    expect((await portal.get('/api/portal/payment-methods')).body).not.toMatch(/fee/i);
  });

  it('adds a bank account, which is not the default; a second fee follows the settings', async () => {
    const saved = await admin.put('/api/settings/payments', {
      cardPaymentsEnabled: true,
      achPaymentsEnabled: true,
      providerFeeCents: 75,
      methodLockAfterFailures: 15,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const response = await portal.post(
      '/api/portal/payment-methods',
      await addBody(portal, 'ach', await token(bank)),
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().paymentMethod).toMatchObject({
      type: 'ach',
      label: 'Bank account •••• 6789',
      expMonth: null,
      isDefault: false,
    });
    const fees = (await admin.get(`/api/organizations/${demoCompany}/provider-fees`)).json();
    expect(fees.totalCents).toBe(125);
    expect(await ledgerCharges()).toBe(0);
  });

  it('refuses without "I Agree", with other words than shown, or a bad token; nothing is saved', async () => {
    const before = (await list()).length;
    expectFieldErrors(
      await portal.post(
        '/api/portal/payment-methods',
        await addBody(portal, 'card', await token(mastercard), { agreed: false }),
      ),
      ['agreed'],
    );
    expectFieldErrors(
      await portal.post(
        '/api/portal/payment-methods',
        await addBody(portal, 'card', await token(mastercard), {
          authorizationText: 'I agree to nothing',
        }),
      ),
      ['authorizationText'],
    );
    expectFieldErrors(
      await portal.post(
        '/api/portal/payment-methods',
        await addBody(portal, 'card', 'tok_sbx_not_a_token'),
      ),
      ['token'],
    );
    // A token is single use.
    const once = await token(mastercard);
    expect(
      (await portal.post('/api/portal/payment-methods', await addBody(portal, 'card', once)))
        .statusCode,
    ).toBe(201);
    expectFieldErrors(
      await portal.post('/api/portal/payment-methods', await addBody(portal, 'card', once)),
      ['token'],
    );
    // A bank token sent as a card.
    expectFieldErrors(
      await portal.post(
        '/api/portal/payment-methods',
        await addBody(portal, 'card', await token(bank)),
      ),
      ['type'],
    );
    expectFieldErrors(
      await portal.post('/api/portal/payment-methods', {
        ...(await addBody(portal, 'card', await token(visa))),
        friendlyName: '  ',
        billingName: '',
        billingCountry: 'United States',
      }),
      ['friendlyName', 'billingName', 'billingCountry'],
    );
    expect((await list()).length).toBe(before + 1);
  });

  it('refuses a type the MSP turned off with 409, and offers it again when turned on', async () => {
    const turn = (cardPaymentsEnabled: boolean, achPaymentsEnabled: boolean) =>
      admin.put('/api/settings/payments', {
        cardPaymentsEnabled,
        achPaymentsEnabled,
        providerFeeCents: 50,
        methodLockAfterFailures: 15,
      });
    expect((await turn(false, true)).statusCode).toBe(200);
    const refused = await portal.post(
      '/api/portal/payment-methods',
      await addBody(portal, 'card', await token(visa)),
    );
    expect(refused.statusCode, refused.body).toBe(409);
    expect(errorOf(refused).message).toMatch(/Card payments are turned off/);
    const shown = (await portal.get('/api/portal/payment-methods')).json<PortalList>();
    expect(shown.cardPaymentsEnabled).toBe(false);
    // Saved cards say why they cannot be used now.
    expect(shown.paymentMethods.find((m) => m.type === 'card')!.unavailableReason).toBe(
      'Card payments are turned off',
    );
    expect((await turn(true, false)).statusCode).toBe(200);
    const ach = await portal.post(
      '/api/portal/payment-methods',
      await addBody(portal, 'ach', await token(bank)),
    );
    expect(ach.statusCode, ach.body).toBe(409);
    expect(errorOf(ach).message).toMatch(/Bank account \(ACH\) payments are turned off/);
    expect((await turn(true, true)).statusCode).toBe(200);
  });
});

describe('the default, editing and removing', () => {
  it('saves a method sent without the optional address fields, with an empty address in the US', async () => {
    const body: Record<string, unknown> = await addBody(portal, 'card', await token(visa));
    for (const field of [
      'billingAddressLine1',
      'billingAddressLine2',
      'billingCity',
      'billingRegion',
      'billingPostalCode',
      'billingCountry',
    ]) {
      delete body[field];
    }
    const response = await portal.post('/api/portal/payment-methods', body);
    expect(response.statusCode, response.body).toBe(201);
    const saved = await testApp.database.pool.query(
      `SELECT billing_city, billing_country FROM payment_methods WHERE id = $1`,
      [response.json().paymentMethod.id],
    );
    expect(saved.rows[0]).toEqual({ billing_city: '', billing_country: 'US' });
  });

  it('sets the default; the list shows it first', async () => {
    const methods = await list();
    const bankAccount = methods.find((m) => m.type === 'ach')!;
    const response = await portal.post(`/api/portal/payment-methods/${bankAccount.id}/default`);
    expect(response.statusCode, response.body).toBe(200);
    const after = await list();
    expect(after[0]).toMatchObject({ id: bankAccount.id, isDefault: true });
    expect(after.filter((m) => m.isDefault)).toHaveLength(1);
  });

  it('edits names, billing details and a card’s expiry; editing unlocks a locked card', async () => {
    const card = (await list()).find((m) => m.label === 'Visa •••• 4242')!;
    await withTransaction(testApp.database.pool, (tx) =>
      recordChargeFailure(tx, card.id, 'stolen_card'),
    );
    expect((await list()).find((m) => m.id === card.id)).toMatchObject({
      locked: true,
      lockedReason: 'Locked at once: the bank reported this card stolen',
    });
    // A year no card carries, and a name that reads as empty, are refused before anything is
    // saved or unlocked.
    expectFieldErrors(
      await portal.patch(`/api/portal/payment-methods/${card.id}`, { expYear: 2100 }),
      ['expYear'],
    );
    expectFieldErrors(
      await portal.patch(`/api/portal/payment-methods/${card.id}`, {
        friendlyName: '\u200B\u200B',
      }),
      ['friendlyName'],
    );
    expect((await list()).find((m) => m.id === card.id)).toMatchObject({ locked: true });
    const response = await portal.patch(`/api/portal/payment-methods/${card.id}`, {
      friendlyName: '山田 太郎のカード',
      billingName: '山田 太郎',
      expMonth: 1,
      expYear: 2032,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().paymentMethod).toMatchObject({
      friendlyName: '山田 太郎のカード',
      billingName: '山田 太郎',
      expMonth: 1,
      expYear: 2032,
      locked: false,
      lockedReason: null,
    });
    const audit = await testApp.database.pool.query(
      `SELECT before, after FROM audit_events WHERE entity_id = $1 AND action = 'payment_method.updated'`,
      [card.id],
    );
    expect(audit.rows[0].after).toMatchObject({
      friendlyName: '山田 太郎のカード',
      lockedReason: null,
    });
  });

  it('sends a card’s new expiry to the processor, not only Portico’s copy', async () => {
    const card = (await list()).find((m) => m.label === 'Visa •••• 4242')!;
    const pool = testApp.database.pool;
    const gatewayRef: string = (
      await pool.query(`SELECT gateway_ref FROM payment_methods WHERE id = $1`, [card.id])
    ).rows[0].gateway_ref;
    const atProcessor = async () =>
      (
        await pool.query(
          `SELECT exp_month AS "expMonth", exp_year AS "expYear" FROM sandbox_methods WHERE id = $1`,
          [gatewayRef],
        )
      ).rows[0];
    const response = await portal.patch(`/api/portal/payment-methods/${card.id}`, {
      expMonth: 4,
      expYear: 2034,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().paymentMethod).toMatchObject({ expMonth: 4, expYear: 2034 });
    expect(await atProcessor()).toEqual({ expMonth: 4, expYear: 2034 });
    // A refused expiry reaches neither copy.
    expectFieldErrors(
      await portal.patch(`/api/portal/payment-methods/${card.id}`, { expMonth: 1, expYear: 2021 }),
      ['expYear'],
    );
    expect(await atProcessor()).toEqual({ expMonth: 4, expYear: 2034 });
  });

  it('refuses an expiry in the past and an expiry on a bank account', async () => {
    const methods = await list();
    const card = methods.find((m) => m.type === 'card')!;
    const bankAccount = methods.find((m) => m.type === 'ach')!;
    expectFieldErrors(
      await portal.patch(`/api/portal/payment-methods/${card.id}`, { expMonth: 1, expYear: 2020 }),
      ['expYear'],
    );
    expectFieldErrors(
      await portal.patch(`/api/portal/payment-methods/${card.id}`, { expMonth: 13 }),
      ['expMonth'],
    );
    expectFieldErrors(
      await portal.patch(`/api/portal/payment-methods/${bankAccount.id}`, { expMonth: 5 }),
      ['expMonth'],
    );
  });

  it('removes the default: says so, the newest remaining one becomes the default', async () => {
    const methods = await list();
    const current = methods.find((m) => m.isDefault)!;
    const newest = methods
      .filter((m) => m.id !== current.id)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;
    const response = await portal.delete(`/api/portal/payment-methods/${current.id}`);
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<Answer<typeof removedPaymentMethodAnswer>>();
    expect(answer).toMatchObject({
      wasDefault: true,
      newDefault: { id: newest.id },
      paymentsInFlight: [],
    });
    expect(answer.message).toContain('was removed and will not be charged again');
    expect(answer.message).toContain('is the default payment method now');
    const after = await list();
    expect(after.map((m) => m.id)).not.toContain(current.id);
    expect(after[0]).toMatchObject({ id: newest.id, isDefault: true });
    // Removed is gone for every change too.
    expect((await portal.delete(`/api/portal/payment-methods/${current.id}`)).statusCode).toBe(404);
    expect(
      (await portal.post(`/api/portal/payment-methods/${current.id}/default`)).statusCode,
    ).toBe(404);
  });

  it('lists removed methods to staff only when asked, with who removed them and when', async () => {
    const gone = await savedMethod(testApp, demoCompany, testCard('5555555555554444'), {
      friendlyName: 'Card to remove',
    });
    expect((await portal.delete(`/api/portal/payment-methods/${gone}`)).statusCode).toBe(200);
    const removed = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM payment_methods WHERE organization_id = $1 AND removed_at IS NOT NULL`,
        [demoCompany],
      )
    ).rows.map((row) => row.id);
    const url = `/api/organizations/${demoCompany}/payment-methods`;
    const onFile = await readOnly.get(url);
    expect(onFile.statusCode, onFile.body).toBe(200);
    const onFileIds = onFile
      .json<{ paymentMethods: { id: string }[] }>()
      .paymentMethods.map((m) => m.id);
    expect(onFileIds.filter((id) => removed.includes(id))).toEqual([]);
    const all = await readOnly.get(`${url}?removed=include`);
    expect(all.statusCode, all.body).toBe(200);
    const methods = all.json<{
      paymentMethods: { id: string; removed: { at: string; by: string | null } | null }[];
    }>().paymentMethods;
    // Those on file first, then the removed ones, each saying who removed it and when.
    expect(methods.slice(0, onFileIds.length).map((m) => m.id)).toEqual(onFileIds);
    const shown = methods.filter((m) => m.removed !== null);
    expect(shown.map((m) => m.id).sort()).toEqual([...removed].sort());
    expect(shown.find((m) => m.id === gone)!.removed).toEqual({
      at: expect.any(String),
      by: `${contact.name} (portal)`,
    });
    expectFieldErrors(await readOnly.get(`${url}?removed=maybe`), ['removed']);
  });
});

describe('what the list says about a method', () => {
  it('marks a card that expired before this month, with the reason, and lets it be edited back', async () => {
    const other = await contactWith(demoCompany, ['manage_payment_methods'], 'Åsa Öberg');
    // A card saved long ago that has expired since, at the processor and in Portico.
    const id = await savedMethod(testApp, demoCompany, testCard('4000056655665556'), {
      friendlyName: 'Old card',
    });
    await testApp.database.pool.query(
      `WITH portico AS (UPDATE payment_methods SET exp_month = 3, exp_year = 2026
                         WHERE id = $1 RETURNING gateway_ref)
       UPDATE sandbox_methods SET exp_month = 3, exp_year = 2026
        WHERE id = (SELECT gateway_ref FROM portico)`,
      [id],
    );
    const shown = (await list(other.client)).find((m) => m.id === id)!;
    expect(shown).toMatchObject({
      expired: true,
      unavailableReason: 'The card expired in 03/2026',
    });
    const renewed = await other.client.patch(`/api/portal/payment-methods/${id}`, {
      expMonth: 3,
      expYear: 2029,
    });
    expect(renewed.statusCode, renewed.body).toBe(200);
    expect(renewed.json().paymentMethod).toMatchObject({ expired: false, unavailableReason: null });
  });

  it('removing a method a payment is still settling on names that payment', async () => {
    const id = (await list()).find((m) => m.friendlyName === 'Old card')!.id;
    await testApp.database.pool.query(
      `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
         payment_method_id, method_type, method_label, gateway)
       VALUES ('P-990001', $1, 'portal', 'processing', 1000, 'USD', $2, 'card', 'Visa •••• 1881',
         'sandbox')`,
      [demoCompany, id],
    );
    const removed = await portal.delete(`/api/portal/payment-methods/${id}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({
      paymentsInFlight: [{ number: 'P-990001', status: 'processing' }],
      message: expect.stringContaining('P-990001 already made with it will still complete'),
    });
  });
});

describe('who may do what', () => {
  it("another organization's method is not found, for every portal change", async () => {
    const other = await contactWith(pawnee, ['manage_payment_methods'], '山田 太郎');
    const added = await other.client.post(
      '/api/portal/payment-methods',
      await addBody(other.client, 'card', await token(visa)),
    );
    expect(added.statusCode, added.body).toBe(201);
    const theirs: string = added.json().paymentMethod.id;
    const before = await list(other.client);
    for (const response of [
      await portal.patch(`/api/portal/payment-methods/${theirs}`, { friendlyName: 'Mine now' }),
      await portal.post(`/api/portal/payment-methods/${theirs}/default`),
      await portal.delete(`/api/portal/payment-methods/${theirs}`),
    ]) {
      expect(response.statusCode, response.body).toBe(404);
    }
    expect(await list(other.client)).toEqual(before);
    // Nor under another organization's page on the staff side.
    const staffWrong = await billing.post(
      `/api/organizations/${demoCompany}/payment-methods/${theirs}/unlock`,
      {},
    );
    expect(staffWrong.statusCode).toBe(404);
  });

  it('a profile without "manage payment methods" gets 403; with "pay invoices" it sees the choices', async () => {
    const payer = await contactWith(demoCompany, ['view_invoices', 'pay_invoices']);
    const method = (await list())[0]!;
    for (const response of [
      await payer.client.get('/api/portal/payment-methods'),
      await payer.client.post('/api/portal/payment-methods', {}),
      await payer.client.patch(`/api/portal/payment-methods/${method.id}`, { friendlyName: 'x' }),
      await payer.client.post(`/api/portal/payment-methods/${method.id}/default`),
      await payer.client.delete(`/api/portal/payment-methods/${method.id}`),
    ]) {
      expect(response.statusCode, response.body).toBe(403);
    }
    const choices = await payer.client.get('/api/portal/payment-methods/choices');
    expect(choices.statusCode, choices.body).toBe(200);
    expect(choices.json().paymentMethods.map((m: { id: string }) => m.id)).toEqual(
      (await list()).map((m) => m.id),
    );
    const neither = await contactWith(demoCompany, ['view_invoices']);
    expect((await neither.client.get('/api/portal/payment-methods/choices')).statusCode).toBe(403);
  });
});

describe('staff on the organization page', () => {
  it('see failures, the lock reason and the authorization; billing unlocks (audited), read-only may not', async () => {
    const card = (await list()).find((m) => m.type === 'card')!;
    await testApp.database.pool.query('UPDATE settings SET method_lock_after_failures = 2');
    for (let i = 0; i < 2; i += 1) {
      await withTransaction(testApp.database.pool, (tx) =>
        recordChargeFailure(tx, card.id, 'insufficient_funds'),
      );
    }
    await testApp.database.pool.query('UPDATE settings SET method_lock_after_failures = 15');
    const seen = (await readOnly.get(`/api/organizations/${demoCompany}/payment-methods`))
      .json<StaffList>()
      .paymentMethods.find((m) => m.id === card.id)!;
    expect(seen).toMatchObject({
      failedChargeCount: 2,
      locked: true,
      lockedReason: 'Locked after 2 failed charges in a row',
    });
    expect(JSON.stringify(seen)).not.toMatch(/pm_sbx/);
    const url = `/api/organizations/${demoCompany}/payment-methods/${card.id}/unlock`;
    expect((await readOnly.post(url, { reason: 'Called the client' })).statusCode).toBe(403);
    const unlocked = await billing.post(url, { reason: 'Client called: card topped up' });
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(unlocked.json().paymentMethod).toMatchObject({ locked: false, failedChargeCount: 0 });
    const audit = await testApp.database.pool.query(
      `SELECT actor_label AS "actorLabel", after FROM audit_events
        WHERE entity_id = $1 AND action = 'payment_method.unlocked'`,
      [card.id],
    );
    expect(audit.rows[0]).toMatchObject({
      actorLabel: expect.stringContaining('Ben Wyatt'),
      after: { reason: 'Client called: card topped up' },
    });
    // Every field is optional: a POST with no body at all unlocks too.
    const again = await billing.request('POST', url);
    expect(again.statusCode, again.body).toBe(200);
  });

  it('add a method for a client only with a contact of the organization who authorized it', async () => {
    const url = `/api/organizations/${demoCompany}/payment-methods`;
    const body = await addBody(portal, 'card', await token(mastercard), {
      friendlyName: 'Entered by phone',
    });
    // A contact of Pawnee only, not of Demo Company.
    const outsider = (
      await testApp.database.pool.query(
        `INSERT INTO contacts (name, email) VALUES ('Ron Swanson', 'ron@pawnee-indiana.gov') RETURNING id`,
      )
    ).rows[0].id;
    expectFieldErrors(await billing.post(url, { ...body, authorizedByContactId: outsider }), [
      'authorizedByContactId',
    ]);
    expectFieldErrors(await billing.post(url, body), ['authorizedByContactId']);
    expect(
      (await readOnly.post(url, { ...body, authorizedByContactId: contact.id })).statusCode,
    ).toBe(403);
    const added = await billing.post(url, {
      ...(await addBody(portal, 'card', await token(mastercard), { friendlyName: 'By phone' })),
      authorizedByContactId: contact.id,
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().paymentMethod.authorization).toMatchObject({
      contactName: contact.name,
      staffName: 'Ben Wyatt',
    });
    expect((await list()).map((m) => m.friendlyName)).toContain('By phone');
  });

  it('remove and set the default; an unknown organization is not found', async () => {
    const methods = (
      await billing.get(`/api/organizations/${demoCompany}/payment-methods`)
    ).json<StaffList>().paymentMethods;
    const last = methods[methods.length - 1]!;
    const made = await billing.post(
      `/api/organizations/${demoCompany}/payment-methods/${last.id}/default`,
    );
    expect(made.statusCode, made.body).toBe(200);
    expect((await list())[0]!.id).toBe(last.id);
    const removed = await billing.delete(
      `/api/organizations/${demoCompany}/payment-methods/${last.id}`,
    );
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().wasDefault).toBe(true);
    const unknown = randomUUID();
    expect((await billing.get(`/api/organizations/${unknown}/payment-methods`)).statusCode).toBe(
      404,
    );
    expect((await billing.get(`/api/organizations/${unknown}/provider-fees`)).statusCode).toBe(404);
  });
});

describe('payment settings', () => {
  it('are read by any staff user, saved by settings managers only, audited, and checked', async () => {
    expect((await readOnly.get('/api/settings/payments')).json()).toEqual({
      payments: {
        cardPaymentsEnabled: true,
        achPaymentsEnabled: true,
        providerFeeCents: 50,
        methodLockAfterFailures: 15,
      },
    });
    const body = {
      cardPaymentsEnabled: true,
      achPaymentsEnabled: false,
      providerFeeCents: 30,
      methodLockAfterFailures: 5,
    };
    expect((await billing.put('/api/settings/payments', body)).statusCode).toBe(403);
    expectFieldErrors(
      await admin.put('/api/settings/payments', {
        ...body,
        providerFeeCents: -1,
        methodLockAfterFailures: 0,
      }),
      ['providerFeeCents', 'methodLockAfterFailures'],
    );
    expectFieldErrors(
      await admin.put('/api/settings/payments', { ...body, providerFeeCents: 0.5 }),
      ['providerFeeCents'],
    );
    const saved = await admin.put('/api/settings/payments', body);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().payments).toEqual(body);
    const audit = await testApp.database.pool.query(
      `SELECT after FROM audit_events WHERE action = 'settings.payments_updated' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0].after).toEqual({
      achPaymentsEnabled: false,
      providerFeeCents: 30,
      methodLockAfterFailures: 5,
    });
  });
});
