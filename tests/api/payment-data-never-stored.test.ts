import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import type { AppContext } from '../../src/platform/context.js';
import { loggerOptions } from '../../src/platform/logger.js';
import { paymentGateway } from '../../src/payment-gateway.js';
import type { SandboxGateway } from '../../src/modules/sandbox-processor/sandbox-gateway.js';
import type { SandboxTokenRequest } from '../../src/shared/contract/sandbox.js';
import { ApiClient, startTestApp, type TestApp } from '../support/test-app.js';
import { reconcilePayments } from '../../src/modules/payments/reconciliation.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod } from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import { everyStoredText } from '../support/database-text.js';
import { hashPassword } from '../../src/platform/passwords.js';

/**
 * Card and bank numbers never reach a database table or a log line: every card and bank
 * account of ../shared/reference/test-cards.md goes through each flow below (the sandbox's
 * tokenization endpoint as the browser calls it, the gateway as Portico calls it, refusals),
 * then every table of the database and every log line are searched for the numbers, digits
 * only and as people type them. A flow that handles payment details belongs in `flows`.
 */

/** Every test number of test-cards.md, as the table writes it. */
const testCards = [
  '4242 4242 4242 4242',
  '4000 0566 5566 5556',
  '5555 5555 5555 4444',
  '2223 0031 2200 3222',
  '3782 822463 10005',
  '6011 1111 1111 1117',
  '4000 0000 0000 0002',
  '4000 0000 0000 9995',
  '4000 0000 0000 9987',
  '4000 0000 0000 9979',
  '4000 0000 0000 0069',
  '4000 0000 0000 0127',
  '4000 0000 0000 0119',
  '4000 0000 0000 0341',
];
/** Refused at tokenization (Luhn), but typed all the same. */
const refusedCards = ['4242 4242 4242 4241'];
const testAccounts = ['000123456789', '000111111116', '000111111113', '000222222227'];

/** The ways a number may be written: digits only, as the table writes it, in groups of 4. */
function spellings(number: string): string[] {
  const digits = number.replace(/\D/g, '');
  const groups = digits.match(/.{1,4}/g)!;
  return [...new Set([digits, number, groups.join(' '), groups.join('-')])];
}

const secrets = [...testCards, ...refusedCards, ...testAccounts].flatMap(spellings);

function cardRequest(number: string): SandboxTokenRequest {
  return {
    type: 'card',
    number,
    expMonth: '12',
    expYear: '2034',
    cvc: /^3[47]/.test(number) ? '7531' : '753',
    name: 'Ann Client',
  };
}

function bankRequest(accountNumber: string): SandboxTokenRequest {
  return {
    type: 'ach',
    routingNumber: '110000000',
    accountNumber,
    accountHolderName: 'Ann Client',
    accountType: 'checking',
  };
}

/** What a flow is given: the app (logging to `lines`), its context and the running sandbox. */
interface FlowContext {
  testApp: TestApp;
  app: App;
  context: AppContext;
  sandbox: SandboxGateway;
  /** POST /sandbox/v1/tokens as the browser sends it: JSON, no cookie, no CSRF token. */
  tokenizeOverHttp: (body: unknown) => Promise<LightMyRequestResponse>;
}

interface Flow {
  name: string;
  run: (flow: FlowContext) => Promise<void>;
}

let sequence = 0;
const chargeKey = (what: string) => `portico-payment-stored-${what}-${++sequence}`;

/** Saves a token at the processor and charges it once; refunds what succeeded. */
async function saveAndCharge(sandbox: SandboxGateway, token: string): Promise<void> {
  const method = await sandbox.saveMethod({
    token,
    organizationId: '00000000-0000-4000-8000-000000000002',
    customerRef: null,
    billingName: 'Ann Client',
  });
  const key = chargeKey(method.last4);
  const charged = await sandbox.charge({
    idempotencyKey: key,
    method: { gatewayRef: method.gatewayRef, customerRef: null },
    amountCents: 1_500,
    currency: 'USD',
    description: 'Portico payment P-000001',
    metadata: { paymentId: 'test' },
  });
  const settled = (await sandbox.findCharge(key)) ?? charged;
  if (settled.status === 'succeeded') {
    await sandbox.refund({
      idempotencyKey: `portico-refund-${settled.chargeRef}`,
      chargeRef: settled.chargeRef,
      amountCents: 500,
    });
  }
}

const flows: Flow[] = [
  {
    name: 'every card, typed with spaces, through the tokenization endpoint; saved and charged',
    run: async ({ sandbox, tokenizeOverHttp }) => {
      for (const number of testCards) {
        const response = await tokenizeOverHttp(cardRequest(number));
        expect(response.statusCode, response.body).toBe(200);
        await saveAndCharge(sandbox, response.json<{ token: string }>().token);
      }
    },
  },
  {
    name: 'every bank account through the tokenization endpoint; saved, debited and settled',
    run: async ({ sandbox, tokenizeOverHttp }) => {
      for (const account of testAccounts) {
        const response = await tokenizeOverHttp(bankRequest(account));
        expect(response.statusCode, response.body).toBe(200);
        await saveAndCharge(sandbox, response.json<{ token: string }>().token);
      }
    },
  },
  {
    name: 'every card and account, digits only, through the gateway as Portico calls it',
    run: async ({ sandbox }) => {
      for (const number of testCards) {
        const token = await sandbox.tokenize(cardRequest(number.replace(/\D/g, '')));
        await saveAndCharge(sandbox, token.token);
      }
      for (const account of testAccounts) {
        await saveAndCharge(sandbox, (await sandbox.tokenize(bankRequest(account))).token);
      }
    },
  },
  {
    name: 'refused details: the Luhn failure, bad fields, a number where text belongs, bad JSON',
    run: async ({ tokenizeOverHttp }) => {
      for (const number of refusedCards) {
        expect((await tokenizeOverHttp(cardRequest(number))).statusCode).toBe(400);
      }
      const expired = await tokenizeOverHttp({ ...cardRequest(testCards[0]!), expYear: '2001' });
      expect(expired.statusCode).toBe(400);
      const asNumber = await tokenizeOverHttp({
        ...cardRequest(testCards[0]!),
        number: 4242424242424241,
      });
      expect(asNumber.statusCode).toBe(400);
      const badRouting = await tokenizeOverHttp({
        ...bankRequest(testAccounts[0]!),
        routingNumber: '123456789',
      });
      expect(badRouting.statusCode).toBe(400);
      const truncated = await tokenizeOverHttp(
        `{"type":"card","number":"4242 4242 4242 4241","cvc":"123","expMonth":12,"expYear":20`,
      );
      expect(truncated.statusCode).toBe(400);
      const unknownType = await tokenizeOverHttp({ type: 'iban', accountNumber: testAccounts[1] });
      expect(unknownType.statusCode).toBe(400);
    },
  },
  {
    name: 'every card and account paid through Pay Selected, then reconciled',
    run: async ({ testApp, app, context, sandbox }) => {
      const organization = (
        await testApp.database.pool.query<{ id: string }>(
          `SELECT id FROM organizations WHERE name = 'Demo Company'`,
        )
      ).rows[0]!.id;
      // A contact of the organization, signed in to the portal of the app that logs.
      const { email } = await signedInToPortal(testApp, organization);
      const portal = new ApiClient(app, '/api/portal/session');
      const signIn = await portal.post('/api/portal/sign-in', {
        email,
        password: 'Waffles at JJs Diner 1972',
      });
      expect(signIn.statusCode, signIn.body).toBe(200);
      const details = [
        ...testCards.map((number) => cardRequest(number)),
        ...testAccounts.map((account) => bankRequest(account)),
      ];
      for (const [index, request] of details.entries()) {
        const method = await savedMethod(testApp, organization, request);
        const invoiceId = await insertInvoice(testApp.database.pool, {
          organizationId: organization,
          number: `INV-STORED-${index}`,
          issueDate: '2026-01-05',
          dueDate: '2026-02-04',
        });
        const paid = await portal.post('/api/portal/payments', {
          paymentMethodId: method,
          allocations: [{ invoiceId, amountCents: 2_500 }],
        });
        expect(paid.statusCode, paid.body).toBe(201);
      }
      // ACH debits settle or are returned; the job asks the processor about each.
      await reconcilePayments(context, sandbox);
    },
  },
  {
    name: 'every card and account added in Configuration > Payment Methods, edited, listed, removed',
    run: async ({ testApp, app, tokenizeOverHttp }) => {
      const pool = testApp.database.pool;
      const organization = (
        await pool.query<{ id: string }>(`SELECT id FROM organizations WHERE name = 'Demo Company'`)
      ).rows[0]!.id;
      const profile = (
        await pool.query<{ id: string }>(
          `INSERT INTO access_profiles (name, permissions)
           VALUES ('Stored details check', '{manage_payment_methods}') RETURNING id`,
        )
      ).rows[0]!.id;
      const contact = (
        await pool.query<{ id: string }>(
          `INSERT INTO contacts (name, email, password_hash) VALUES ('Zoë Ångström',
             'methods.stored@example.com', $1) RETURNING id`,
          [await hashPassword('Waffles at JJs Diner 1972')],
        )
      ).rows[0]!.id;
      await pool.query(
        `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
         VALUES ($1, $2, $3)`,
        [contact, organization, profile],
      );
      const portal = new ApiClient(app, '/api/portal/session');
      const signIn = await portal.post('/api/portal/sign-in', {
        email: 'methods.stored@example.com',
        password: 'Waffles at JJs Diner 1972',
      });
      expect(signIn.statusCode, signIn.body).toBe(200);
      const { authorizationTexts } = (await portal.get('/api/portal/payment-methods')).json<{
        authorizationTexts: Record<'card' | 'ach', string>;
      }>();
      const details = [
        ...testCards.map((number) => cardRequest(number)),
        ...testAccounts.map((account) => bankRequest(account)),
      ];
      for (const request of details) {
        const token = await tokenizeOverHttp(request);
        expect(token.statusCode, token.body).toBe(200);
        const added = await portal.post('/api/portal/payment-methods', {
          type: request.type,
          token: token.json<{ token: string }>().token,
          friendlyName: 'Stored details check',
          billingName: 'Zoë Ångström',
          billingAddressLine1: '1 Main St',
          billingAddressLine2: '',
          billingCity: 'Pawnee',
          billingRegion: 'IN',
          billingPostalCode: '46001',
          billingCountry: 'US',
          authorizationText: authorizationTexts[request.type],
          agreed: true,
        });
        expect(added.statusCode, added.body).toBe(201);
        const id = added.json<{ paymentMethod: { id: string } }>().paymentMethod.id;
        const edited = await portal.patch(`/api/portal/payment-methods/${id}`, {
          friendlyName: 'Renamed',
        });
        expect(edited.statusCode, edited.body).toBe(200);
        expect((await portal.delete(`/api/portal/payment-methods/${id}`)).statusCode).toBe(200);
      }
    },
  },
];

let testApp: TestApp;
let app: App;
let context: AppContext;
const lines: string[] = [];

beforeAll(async () => {
  testApp = await startTestApp();
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n')));
  context = {
    ...testApp.context,
    // Every log line there is, with ACH debits settled at once.
    config: { ...testApp.context.config, LOG_LEVEL: 'trace', SANDBOX_ACH_SETTLE_SECONDS: 0 },
    logger: pino(loggerOptions('trace'), stream),
  };
  app = await buildApp(context, stream);
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await testApp?.close();
});

describe('payment details', () => {
  it('never reach a table or a log line, through every flow', async () => {
    const sandbox = paymentGateway(context) as SandboxGateway;
    const flowContext: FlowContext = {
      testApp,
      app,
      context,
      sandbox,
      tokenizeOverHttp: (body) =>
        app.inject({
          method: 'POST',
          url: '/sandbox/v1/tokens',
          headers: { 'content-type': 'application/json' },
          payload: typeof body === 'string' ? body : JSON.stringify(body),
        }),
    };
    for (const flow of flows) {
      await flow.run(flowContext).catch((error: unknown) => {
        throw new Error(`flow "${flow.name}" failed`, { cause: error });
      });
    }

    // The flows did write: the ledger holds their charges and the log their requests.
    const ledger = await sandbox.ledger();
    expect(ledger.charges.length).toBeGreaterThanOrEqual(
      2 * (testCards.length + testAccounts.length),
    );
    expect(ledger.refunds.length).toBeGreaterThan(0);
    const log = lines.join('\n');
    expect(log).toContain('/sandbox/v1/tokens');

    const stored = await everyStoredText(testApp.database.pool);
    expect(stored.length).toBeGreaterThan(20);
    const found: string[] = [];
    for (const secret of secrets) {
      for (const { table, text } of stored) {
        if (text.includes(secret)) found.push(`${secret} in table ${table}`);
      }
      if (log.includes(secret)) found.push(`${secret} in the log`);
    }
    expect(found).toEqual([]);
  });
});

describe('the tokenization endpoint', () => {
  it('needs no session and no CSRF token, and answers only what the processor kept', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/sandbox/v1/tokens',
      payload: cardRequest('3782 822463 10005'),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(Object.keys(response.json()).sort()).toEqual(
      ['bankName', 'brand', 'expMonth', 'expYear', 'last4', 'token', 'type'].sort(),
    );
    expect(response.json()).toMatchObject({ type: 'card', brand: 'amex', last4: '0005' });
    expect(response.cookies).toEqual([]);
  });

  it('answers 400 naming each bad field and why', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/sandbox/v1/tokens',
      payload: { ...cardRequest('4242 4242 4242 4241'), expMonth: '13', cvc: '12' },
    });
    expect(response.statusCode).toBe(400);
    const error = response.json<{
      error: { code: string; fields: { field: string; message: string }[] };
    }>().error;
    expect(error.code).toBe('validation');
    expect(Object.fromEntries(error.fields.map((f) => [f.field, f.message]))).toEqual({
      number: expect.stringMatching(/incorrect/),
      expMonth: expect.stringMatching(/1 to 12/),
      cvc: expect.stringMatching(/3 digits/),
    });
  });

  it('is not part of Portico’s API document', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(document.paths).some((path) => path.startsWith('/sandbox'))).toBe(false);
  });

  it('is not served when Stripe is the processor', async () => {
    const withStripe = await startTestApp({
      PAYMENT_GATEWAY: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_portico_unused',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_portico_unused',
      STRIPE_WEBHOOK_SECRET: 'whsec_portico_unused',
    });
    try {
      const response = await withStripe.app.inject({
        method: 'POST',
        url: '/sandbox/v1/tokens',
        payload: cardRequest('4242 4242 4242 4242'),
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await withStripe.close();
    }
  });

  it('limits how many tokens one address asks for in a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/sandbox/v1/tokens',
        payload: cardRequest('4242 4242 4242 4242'),
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        expect(response.json<{ error: { code: string } }>().error.code).toBe('rate_limited');
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeLessThanOrEqual(61);
  });
});
