import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { hashPassword } from '../../src/platform/passwords.js';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

// The portal's invoice queries, made to return staff-only fields as a careless query would:
// what leaves the server is decided by the routes' response schemas, not by each query.
vi.mock('../../src/modules/invoices/portal-invoices.js', async (importOriginal) => {
  const original =
    await importOriginal<typeof import('../../src/modules/invoices/portal-invoices.js')>();
  const staffOnly = { memo: 'Staff memo: chase them', internalNote: 'staff only' };
  return {
    ...original,
    portalInvoice: async (...args: Parameters<typeof original.portalInvoice>) => ({
      ...(await original.portalInvoice(...args)),
      ...staffOnly,
    }),
    portalOpenInvoices: async (...args: Parameters<typeof original.portalOpenInvoices>) => {
      const page = await original.portalOpenInvoices(...args);
      return {
        ...page,
        internalNote: 'staff only',
        invoices: page.invoices.map((row) => ({ ...row, ...staffOnly })),
      };
    },
  };
});

// The staff user and email queries, made to return secrets as a careless query would: a
// password hash, a TOTP secret, a session token, the raw bytes of a stored message.
const staffSecrets = {
  passwordHash: '$argon2id$leaked-hash',
  totpSecret: 'LEAKEDTOTPSECRET',
  token: 'leaked-session-token',
};
vi.mock('../../src/modules/staff/staff.service.js', async (importOriginal) => {
  const original =
    await importOriginal<typeof import('../../src/modules/staff/staff.service.js')>();
  return {
    ...original,
    listStaffUsers: async (...args: Parameters<typeof original.listStaffUsers>) =>
      (await original.listStaffUsers(...args)).map((user) => ({ ...user, ...staffSecrets })),
  };
});
vi.mock('../../src/modules/email/email-history.js', async (importOriginal) => {
  const original =
    await importOriginal<typeof import('../../src/modules/email/email-history.js')>();
  return {
    ...original,
    getLocalMessage: async (...args: Parameters<typeof original.getLocalMessage>) => ({
      ...(await original.getLocalMessage(...args)),
      raw: 'leaked raw message',
      ...staffSecrets,
    }),
  };
});

const password = 'Waffles at JJs Diner 1972';
let testApp: TestApp;
let portal: ApiClient;
let invoiceId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  const pool = testApp.database.pool;
  await pool.query('UPDATE contacts SET password_hash = $1 WHERE id = $2', [
    await hashPassword(password),
    await contactId(testApp, 'lknope@pawnee-indiana.gov'),
  ]);
  portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', {
    email: 'lknope@pawnee-indiana.gov',
    password,
  });
  expect(signIn.statusCode, signIn.body).toBe(200);
  const organization = signIn.json().current.organizationId as string;
  expect(organization).toBe(await organizationId(testApp, 'Demo Company'));
  // An issued invoice with a memo of its own, so the real column is there to leak too.
  const issued = await pool.query<{ id: string }>(
    `UPDATE invoices SET memo = 'Real memo', external_reference = 'PO-STAFF'
      WHERE id = (SELECT id FROM invoices WHERE organization_id = $1 AND state = 'issued'
                   ORDER BY issue_date LIMIT 1)
      RETURNING id`,
    [organization],
  );
  invoiceId = issued.rows[0]!.id;
});
afterAll(async () => testApp?.close());

/** The 200 schema the route declares, as registered. */
function declared(method: string, url: string): z.ZodType {
  const route = testApp.app.routeTable.find((r) => r.method === method && r.url === url);
  const response = (route?.schema as { response?: Record<string, z.ZodType> } | undefined)
    ?.response;
  expect(response?.[200], `${method} ${url} declares its 200 answer`).toBeDefined();
  return response![200]!;
}

/**
 * The paths of keys in `value` that `schema` does not name (a JSON answer: dates are strings,
 * so the walk compares keys rather than parsing).
 */
function undeclaredKeys(schema: z.ZodType, value: unknown, at = ''): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return value === null || value === undefined
      ? []
      : undeclaredKeys(schema.unwrap() as z.ZodType, value, at);
  }
  if (schema instanceof z.ZodArray && Array.isArray(value)) {
    return value.flatMap((item, i) =>
      undeclaredKeys(schema.element as z.ZodType, item, `${at}[${i}]`),
    );
  }
  if (schema instanceof z.ZodObject && value && typeof value === 'object') {
    const shape = schema.shape as Record<string, z.ZodType>;
    return Object.entries(value).flatMap(([key, child]) =>
      shape[key] ? undeclaredKeys(shape[key], child, `${at}.${key}`) : [`${at}.${key}`],
    );
  }
  return [];
}

describe('what a portal answer carries', () => {
  it('an invoice never carries a staff-only field, even when the query returns one', async () => {
    const response = await portal.get(`/api/portal/invoices/${invoiceId}`);
    expect(response.statusCode, response.body).toBe(200);
    const invoice = response.json().invoice;
    expect(invoice.id).toBe(invoiceId);
    for (const field of ['memo', 'externalReference', 'createdAt', 'internalNote']) {
      expect(invoice, field).not.toHaveProperty(field);
    }
    expect(response.body).not.toContain('Real memo');
    expect(response.body).not.toContain('PO-STAFF');
    expect(response.body).not.toContain('staff only');
  });

  it('the open invoices list carries only the fields its schema names', async () => {
    const response = await portal.get('/api/portal/invoices');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().invoices.length).toBeGreaterThan(0);
    expect(response.body).not.toContain('staff only');
    expect(response.body).not.toContain('memo');
  });

  it.each(['/api/portal/session', '/api/portal/invoices', '/api/portal/invoice-history'])(
    'GET %s answers exactly what its schema declares',
    async (url) => {
      const response = await portal.get(url);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(undeclaredKeys(declared('GET', url), body)).toEqual([]);
    },
  );

  it('an invoice answer equals its schema, and an error answers the shared error body', async () => {
    const found = await portal.get(`/api/portal/invoices/${invoiceId}`);
    const body = found.json();
    expect(body.invoice.lines.length).toBeGreaterThan(0);
    expect(undeclaredKeys(declared('GET', '/api/portal/invoices/:id'), body)).toEqual([]);
    const missing = await portal.get('/api/portal/invoices/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: { code: 'not_found', message: expect.any(String), fields: [] },
    });
  });
});

describe('what a staff answer carries', () => {
  it('a staff user never carries a password hash, TOTP secret or token, even when the query returns one', async () => {
    const admin = await signedInAs(testApp.app, 'master_admin');
    const response = await admin.get('/api/staff-users');
    expect(response.statusCode, response.body).toBe(200);
    const users = response.json().staffUsers as Record<string, unknown>[];
    expect(users.length).toBeGreaterThan(0);
    expect(Object.keys(users[0]!).sort()).toEqual(
      ['createdAt', 'disabledAt', 'email', 'id', 'name', 'role', 'totpEnabled'].sort(),
    );
    for (const secret of Object.values(staffSecrets)) expect(response.body).not.toContain(secret);
    expect(undeclaredKeys(declared('GET', '/api/staff-users'), response.json())).toEqual([]);
  });

  it('a Local Mailbox message carries only the fields its schema names', async () => {
    const admin = await signedInAs(testApp.app, 'master_admin');
    const list = await admin.get('/api/local-mailbox');
    expect(list.statusCode, list.body).toBe(200);
    expect(undeclaredKeys(declared('GET', '/api/local-mailbox'), list.json())).toEqual([]);
    const id = await testApp.database.pool.query<{ id: number }>(
      `INSERT INTO local_mailbox (envelope_from, envelope_to, subject, raw)
       VALUES ('billing@msp.test', ARRAY['lknope@pawnee-indiana.gov'], 'Hello',
               convert_to('Subject: Hello' || chr(13) || chr(10) || chr(13) || chr(10) || 'Hi', 'UTF8'))
       RETURNING id`,
    );
    const response = await admin.get(`/api/local-mailbox/${id.rows[0]!.id}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().message.subject).toBe('Hello');
    expect(response.body).not.toContain('leaked');
    expect(response.json().message).not.toHaveProperty('raw');
    expect(undeclaredKeys(declared('GET', '/api/local-mailbox/:id'), response.json())).toEqual([]);
  });
});
