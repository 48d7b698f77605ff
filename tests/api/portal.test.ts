import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import { lastLocalMailId, startLocalMail, tokenFromInbox } from '../support/local-mail.js';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

let testApp: TestApp;
let mail: { close: () => Promise<void> };
let billing: ApiClient;
let pawnee: string;
let demoCompany: string;
let leslie: string;
let april: string;
const lesliePassword = 'Waffles at JJs Diner 1972';
const aprilPassword = 'Janet Snakehole rules 99';

beforeAll(async () => {
  testApp = await startTestApp({ SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '4' });
  mail = await startLocalMail(testApp);
  billing = await signedInAs(testApp.app, 'billing');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  demoCompany = await organizationId(testApp, 'Demo Company');
  leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
});
afterAll(async () => {
  await mail?.close();
  await testApp?.close();
});

/** Sends the contact's Welcome Email as staff and reads the token from the delivered message. */
async function welcomeToken(contact: string, organization: string): Promise<string> {
  const afterId = await lastLocalMailId(testApp);
  const sent = await billing.post(`/api/contacts/${contact}/emails`, {
    organizationId: organization,
    kind: 'welcome',
  });
  expect(sent.statusCode).toBe(202);
  const to = (await billing.get(`/api/contacts/${contact}`)).json().contact.email;
  return tokenFromInbox(testApp, { to, path: '/set-password', afterId });
}

async function portalSignIn(email: string, password: string) {
  const client = new ApiClient(testApp.app, '/api/portal/session');
  const response = await client.post('/api/portal/sign-in', { email, password });
  return { client, response };
}

async function signedInContact(email: string, password: string) {
  const { client, response } = await portalSignIn(email, password);
  expect(response.statusCode, response.body).toBe(200);
  return client;
}

describe('setting a first password from the Welcome Email', () => {
  it('sets the password once, then the contact signs in as their organization', async () => {
    const token = await welcomeToken(leslie, pawnee);
    const anonymous = new ApiClient(testApp.app, '/api/portal/session');
    expectFieldErrors(
      await anonymous.post('/api/portal/set-password', {
        token,
        password: 'qwerty123456',
        passwordConfirmation: 'qwerty123456',
      }),
      ['password'],
    );
    expectFieldErrors(
      await anonymous.post('/api/portal/set-password', {
        token,
        password: lesliePassword,
        passwordConfirmation: 'something else entirely',
      }),
      ['passwordConfirmation'],
    );
    const set = await anonymous.post('/api/portal/set-password', {
      token,
      password: lesliePassword,
      passwordConfirmation: lesliePassword,
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ email: 'lknope@pawnee-indiana.gov' });
    // Single use.
    expectFieldErrors(
      await anonymous.post('/api/portal/set-password', {
        token,
        password: lesliePassword,
        passwordConfirmation: lesliePassword,
      }),
      ['token'],
    );

    const { client, response } = await portalSignIn('LKnope@Pawnee-Indiana.gov', lesliePassword);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.contact).toMatchObject({ name: 'Leslie Knope', mustChangePassword: false });
    expect(body.current).toMatchObject({
      organizationName: 'Demo Company',
      profileName: 'Accounts Payable',
    });
    expect(body.organizations.map((o: { name: string }) => o.name)).toEqual([
      'Demo Company',
      'Pawnee Parks Dept.',
    ]);
    expect(response.cookies.find((c) => c.name === 'portico_portal')?.httpOnly).toBe(true);
    const open = await client.get('/api/portal/invoices');
    expect(open.statusCode).toBe(200);
    // Only issued invoices with a balance (the demo data's), never a draft.
    for (const invoice of open.json().invoices) {
      expect(['open', 'partially_paid']).toContain(invoice.status);
    }
  });

  it('refuses an expired link', async () => {
    const token = await welcomeToken(april, pawnee);
    await testApp.database.pool.query(
      `UPDATE contact_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`,
    );
    const response = await new ApiClient(testApp.app, '/api/portal/session').post(
      '/api/portal/set-password',
      { token, password: aprilPassword, passwordConfirmation: aprilPassword },
    );
    expectFieldErrors(response, ['token']);
    expect(errorOf(response).message).toMatch(/expired or was already used/);
  });
});

describe('signing in', () => {
  it('answers a wrong password, an unknown email and a revoked contact alike; staff see why', async () => {
    await testApp.database.pool.query(
      `UPDATE contact_organizations SET access_profile_id = NULL WHERE contact_id = $1`,
      [april],
    );
    const token = await testApp.database.pool.query(
      `UPDATE contacts SET password_hash = (SELECT password_hash FROM contacts WHERE id = $2)
        WHERE id = $1`,
      [april, leslie],
    );
    expect(token.rowCount).toBe(1);
    const wrong = await portalSignIn('lknope@pawnee-indiana.gov', 'not my password at all');
    const unknown = await portalSignIn('nobody@pawnee-indiana.gov', lesliePassword);
    const revoked = await portalSignIn('aludgate@pawnee-indiana.gov', lesliePassword);
    for (const { response } of [wrong, unknown, revoked]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(wrong.response.json());
    }
    expect(errorOf(wrong.response).message).toBe('Email or password is incorrect');

    const history = (await billing.get(`/api/contacts/${april}/login-history`)).json().attempts;
    expect(history[0]).toMatchObject({ succeeded: false });
    expect(history[0].reason).toMatch(/no portal access/);
    const leslieHistory = (await billing.get(`/api/contacts/${leslie}/login-history`)).json()
      .attempts;
    expect(leslieHistory.map((a: { reason: string }) => a.reason)).toContain('wrong password');
    expect(leslieHistory.map((a: { reason: string }) => a.reason)).toContain('signed in');
  });

  it("records the organization's last login", async () => {
    await signedInContact('lknope@pawnee-indiana.gov', lesliePassword);
    const organization = (await billing.get(`/api/organizations/${demoCompany}`)).json()
      .organization;
    expect(Date.now() - Date.parse(organization.lastLoginAt)).toBeLessThan(60_000);
  });

  it('keeps portal and staff sessions apart', async () => {
    const portal = await signedInContact('lknope@pawnee-indiana.gov', lesliePassword);
    expect((await portal.get('/api/organizations')).statusCode).toBe(401);
    expect((await billing.get('/api/portal/invoices')).statusCode).toBe(401);
  });
});

describe('the company switch and server-side access checks', () => {
  it('scopes every request to the chosen organization and its profile', async () => {
    const portal = await signedInContact('lknope@pawnee-indiana.gov', lesliePassword);
    // Demo Company: Accounts Payable, no service tickets.
    expect((await portal.get('/api/portal/tickets')).statusCode).toBe(403);
    expect((await portal.get('/api/portal/payment-methods')).statusCode).toBe(200);
    const switched = await portal.post('/api/portal/switch-organization', {
      organizationId: pawnee,
    });
    expect(switched.statusCode).toBe(200);
    expect(switched.json().current).toMatchObject({
      organizationName: 'Pawnee Parks Dept.',
      profileName: 'Billing Admin',
    });
    expect((await portal.get('/api/portal/tickets')).statusCode).toBe(200);
    expect((await portal.get('/api/portal/session')).json().current.organizationId).toBe(pawnee);
  });

  it("answers 404 for another organization's id, and for one where access is revoked", async () => {
    const portal = await signedInContact('lknope@pawnee-indiana.gov', lesliePassword);
    const other = await organizationId(testApp, 'Atlas Architects');
    expect(
      (await portal.post('/api/portal/switch-organization', { organizationId: other })).statusCode,
    ).toBe(404);
    expect(
      (
        await portal.post('/api/portal/switch-organization', {
          organizationId: '00000000-0000-4000-8000-000000000000',
        })
      ).statusCode,
    ).toBe(404);
    expectFieldErrors(
      await portal.post('/api/portal/switch-organization', { organizationId: 'x' }),
      ['organizationId'],
    );
  });

  it('answers 403 when the profile lacks the permission, and applies a profile change at once', async () => {
    const user = (
      await testApp.database.pool.query(`SELECT id FROM access_profiles WHERE name = 'User'`)
    ).rows[0].id;
    await testApp.database.pool.query(
      `UPDATE contact_organizations SET access_profile_id = $2 WHERE contact_id = $1`,
      [april, user],
    );
    const portal = await signedInContact('aludgate@pawnee-indiana.gov', lesliePassword);
    for (const path of [
      '/api/portal/invoices',
      '/api/portal/invoice-history',
      '/api/portal/payment-history',
      '/api/portal/scheduled-payments',
      '/api/portal/payment-methods',
      '/api/portal/autopay',
    ]) {
      const response = await portal.get(path);
      expect(response.statusCode, path).toBe(403);
      expect(errorOf(response).message).toMatch(/access level/);
    }
    expect((await portal.get('/api/portal/tickets')).statusCode).toBe(200);

    // Staff give April "Billing Admin": her open session sees invoices on the next request.
    const card = (await billing.get(`/api/contacts/${april}`)).json().contact;
    const billingAdmin = (
      await testApp.database.pool.query(
        `SELECT id FROM access_profiles WHERE name = 'Billing Admin'`,
      )
    ).rows[0].id;
    const saved = await billing.put(`/api/contacts/${april}`, {
      name: card.name,
      email: card.email,
      phone: card.phone,
      relations: [{ organizationId: pawnee, accessProfileId: billingAdmin }],
    });
    expect(saved.statusCode).toBe(200);
    expect((await portal.get('/api/portal/invoices')).statusCode).toBe(200);

    // Revoke Access everywhere: the session ends.
    await billing.put(`/api/contacts/${april}`, {
      name: card.name,
      email: card.email,
      phone: card.phone,
      relations: [{ organizationId: pawnee, accessProfileId: null }],
    });
    expect((await portal.get('/api/portal/tickets')).statusCode).toBe(401);
  });

  it('never sends staff-only data to the portal', async () => {
    const portal = await signedInContact('lknope@pawnee-indiana.gov', lesliePassword);
    const session = (await portal.get('/api/portal/session')).body;
    expect(session).not.toContain('Bob from accounting');
    expect(session).not.toMatch(/passwordHash|password_hash|argon2/);
    expect(session).not.toContain('notes');
  });
});

describe('passwords', () => {
  it('changes the password, ending other sessions but not this one', async () => {
    const first = await signedInContact('lknope@pawnee-indiana.gov', lesliePassword);
    const second = await signedInContact('lknope@pawnee-indiana.gov', lesliePassword);
    expectFieldErrors(
      await first.post('/api/portal/change-password', {
        currentPassword: 'wrong current password',
        newPassword: 'A brand new passphrase 2',
        newPasswordConfirmation: 'A brand new passphrase 2',
      }),
      ['currentPassword'],
    );
    expectFieldErrors(
      await first.post('/api/portal/change-password', {
        currentPassword: lesliePassword,
        newPassword: 'lknope@pawnee-indiana.gov',
        newPasswordConfirmation: 'lknope@pawnee-indiana.gov',
      }),
      ['newPassword'],
    );
    const changed = await first.post('/api/portal/change-password', {
      currentPassword: lesliePassword,
      newPassword: 'A brand new passphrase 2',
      newPasswordConfirmation: 'A brand new passphrase 2',
    });
    expect(changed.statusCode).toBe(200);
    expect((await first.get('/api/portal/invoices')).statusCode).toBe(200);
    expect((await second.get('/api/portal/invoices')).statusCode).toBe(401);
    expect(
      (await portalSignIn('lknope@pawnee-indiana.gov', lesliePassword)).response.statusCode,
    ).toBe(401);
    await signedInContact('lknope@pawnee-indiana.gov', 'A brand new passphrase 2');
  });

  it('resets a password through an emailed link, answering alike for unknown addresses', async () => {
    const anonymous = new ApiClient(testApp.app, '/api/portal/session');
    const afterId = await lastLocalMailId(testApp);
    const unknown = await anonymous.post('/api/portal/request-password-reset', {
      email: 'ghost@example.com',
    });
    const known = await anonymous.post('/api/portal/request-password-reset', {
      email: 'lknope@pawnee-indiana.gov',
    });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    const token = await tokenFromInbox(testApp, {
      to: 'lknope@pawnee-indiana.gov',
      path: '/reset-password',
      afterId,
    });
    const ghost = await testApp.database.pool.query(
      `SELECT 1 FROM email_messages WHERE recipients @> '[{"email": "ghost@example.com"}]'`,
    );
    expect(ghost.rowCount).toBe(0);
    const lifetime = await testApp.database.pool.query(
      `SELECT expires_at - created_at <= interval '1 hour' AS "withinAnHour" FROM contact_tokens WHERE purpose = 'reset_password'`,
    );
    expect(lifetime.rows[0].withinAnHour).toBe(true);
    const done = await anonymous.post('/api/portal/reset-password', {
      token,
      password: 'Reset passphrase number 3',
      passwordConfirmation: 'Reset passphrase number 3',
    });
    expect(done.statusCode).toBe(200);
    await signedInContact('lknope@pawnee-indiana.gov', 'Reset passphrase number 3');
    // A welcome link does not work as a reset link and vice versa.
    expectFieldErrors(
      await anonymous.post('/api/portal/set-password', {
        token,
        password: 'Another passphrase 4x',
        passwordConfirmation: 'Another passphrase 4x',
      }),
      ['token'],
    );
  });

  it('makes a contact with a temporary password change it before anything else', async () => {
    expect(
      (await billing.post(`/api/contacts/${leslie}/temporary-password`, { password: 'short' }))
        .statusCode,
    ).toBe(400);
    const set = await billing.post(`/api/contacts/${leslie}/temporary-password`, {
      password: 'Temporary pass 5678',
    });
    expect(set.statusCode).toBe(204);
    const portal = await signedInContact('lknope@pawnee-indiana.gov', 'Temporary pass 5678');
    const blocked = await portal.get('/api/portal/invoices');
    expect(blocked.statusCode).toBe(403);
    expect(errorOf(blocked).code).toBe('password_change_required');
    expect((await portal.get('/api/portal/session')).json().contact.mustChangePassword).toBe(true);
    const changed = await portal.post('/api/portal/change-password', {
      currentPassword: 'Temporary pass 5678',
      newPassword: 'My own passphrase 6',
      newPasswordConfirmation: 'My own passphrase 6',
    });
    expect(changed.statusCode).toBe(200);
    expect((await portal.get('/api/portal/invoices')).statusCode).toBe(200);
    const readOnly = await signedInAs(testApp.app, 'read_only');
    expect(
      (
        await readOnly.post(`/api/contacts/${leslie}/temporary-password`, {
          password: 'Temporary pass 5678',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('locks portal sign-in for an account after repeated failures', async () => {
    await testApp.database.pool.query(`DELETE FROM contact_login_attempts WHERE NOT succeeded`);
    for (let i = 0; i < 4; i++) {
      expect(
        (await portalSignIn('lknope@pawnee-indiana.gov', `wrong guess ${i}`)).response.statusCode,
      ).toBe(401);
    }
    expect(
      (await portalSignIn('lknope@pawnee-indiana.gov', 'My own passphrase 6')).response.statusCode,
    ).toBe(429);
    await testApp.database.pool.query(`DELETE FROM contact_login_attempts WHERE NOT succeeded`);
  });
});

describe('staff viewing the portal as a contact', () => {
  it('opens a read-only, audited portal session with a banner', async () => {
    const staff = await signedInAs(testApp.app, 'read_only');
    const opened = await staff.post(`/api/contacts/${leslie}/view-portal`, {
      organizationId: pawnee,
    });
    expect(opened.statusCode).toBe(200);
    const session = (await staff.get('/api/portal/session')).json();
    expect(session.viewer).toEqual({ staffName: 'Jerry Gergich' });
    expect(session.current.organizationName).toBe('Pawnee Parks Dept.');
    expect((await staff.get('/api/portal/invoices')).statusCode).toBe(200);
    const change = await staff.post('/api/portal/change-password', {
      currentPassword: 'x',
      newPassword: 'Something long enough 7',
      newPasswordConfirmation: 'Something long enough 7',
    });
    expect(change.statusCode).toBe(403);
    expect(errorOf(change).message).toMatch(/read-only/);
    const audit = (await billing.get(`/api/organizations/${pawnee}/audit`)).json().events;
    expect(audit[0]).toMatchObject({
      action: 'contact.portal_viewed_as',
      actorLabel: expect.stringContaining('Jerry Gergich'),
    });
    expect(
      (await staff.post(`/api/contacts/${april}/view-portal`, { organizationId: pawnee }))
        .statusCode,
    ).toBe(409);
    expect(
      (
        await staff.post(`/api/contacts/${leslie}/view-portal`, {
          organizationId: await organizationId(testApp, 'Atlas Architects'),
        })
      ).statusCode,
    ).toBe(404);
  });
});
