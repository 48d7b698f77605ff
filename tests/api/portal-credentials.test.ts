import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import { hashToken } from '../../src/platform/tokens.js';
import { errorOf, expectFieldErrors, staffUserId } from '../support/api-assertions.js';
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
let admin: ApiClient;
let billing: ApiClient;
let readOnly: ApiClient;
let pawnee: string;
let demoCompany: string;
let leslie: string;
let april: string;

beforeAll(async () => {
  testApp = await startTestApp();
  mail = await startLocalMail(testApp);
  admin = await signedInAs(testApp.app, 'master_admin');
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  demoCompany = await organizationId(testApp, 'Demo Company');
  leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
});
afterAll(async () => {
  await mail?.close();
  await testApp?.close();
});

const anonymous = () => new ApiClient(testApp.app, '/api/portal/session');

/**
 * Sends a Welcome or Password Reset email from the contact's Email menu and answers the
 * message id and the token of the link the contact receives in their inbox.
 */
async function emailLink(
  staff: ApiClient,
  options: {
    contact: string;
    to: string;
    organizationId: string;
    kind: 'welcome' | 'password_reset';
  },
) {
  const afterId = await lastLocalMailId(testApp);
  const sent = await staff.post(`/api/contacts/${options.contact}/emails`, {
    organizationId: options.organizationId,
    kind: options.kind,
  });
  expect(sent.statusCode, sent.body).toBe(202);
  const path = options.kind === 'welcome' ? '/set-password' : '/reset-password';
  const token = await tokenFromInbox(testApp, { to: options.to, path, afterId });
  return { messageId: sent.json().messageId as string, token };
}

function usePasswordLink(path: 'set-password' | 'reset-password', token: string, password: string) {
  return anonymous().post(`/api/portal/${path}`, {
    token,
    password,
    passwordConfirmation: password,
  });
}

async function portalSignIn(email: string, password: string) {
  const client = anonymous();
  const response = await client.post('/api/portal/sign-in', { email, password });
  return { client, response };
}

describe('links in the email history', () => {
  it('are never working credentials for staff, while the contact receives a working link', async () => {
    const welcome = await emailLink(billing, {
      contact: april,
      to: 'aludgate@pawnee-indiana.gov',
      organizationId: pawnee,
      kind: 'welcome',
    });
    // Only the delivered link's hash is kept.
    const byHash = await testApp.database.pool.query(
      'SELECT 1 FROM contact_tokens WHERE token_hash = $1',
      [hashToken(welcome.token)],
    );
    expect(byHash.rowCount).toBe(1);
    const raw = await testApp.database.pool.query(
      'SELECT 1 FROM contact_tokens WHERE token_hash = $1',
      [welcome.token],
    );
    expect(raw.rowCount).toBe(0);
    for (const staff of [readOnly, billing, admin]) {
      const view = await staff.get(`/api/emails/${welcome.messageId}`);
      expect(view.statusCode).toBe(200);
      expect(view.body).not.toContain(welcome.token);
      const history = await staff.get(`/api/contacts/${april}/emails`);
      expect(history.statusCode).toBe(200);
      expect(history.body).not.toContain(welcome.token);
      // Whatever the stored copy's link carries does not set a password.
      const stored = /set-password\?token=([^"'\s&<]+)/.exec(view.json().email.text)?.[1];
      expect(stored).toBeTruthy();
      expectFieldErrors(await usePasswordLink('set-password', stored!, 'Stolen from history 1'), [
        'token',
      ]);
    }

    // The local mailbox stands in for the clients' inboxes: Master Admins only.
    for (const staff of [readOnly, billing]) {
      expect((await staff.get('/api/local-mailbox')).statusCode).toBe(403);
      const newest = await lastLocalMailId(testApp);
      expect((await staff.get(`/api/local-mailbox/${newest}`)).statusCode).toBe(403);
    }
    expect((await admin.get('/api/local-mailbox')).statusCode).toBe(200);

    // Resend sends a fresh link and ends the one sent before.
    const afterId = await lastLocalMailId(testApp);
    const resent = await billing.post(`/api/emails/${welcome.messageId}/resend`);
    expect(resent.statusCode, resent.body).toBe(202);
    const fresh = await tokenFromInbox(testApp, {
      to: 'aludgate@pawnee-indiana.gov',
      path: '/set-password',
      afterId,
    });
    expect(fresh).not.toBe(welcome.token);
    const resentView = await readOnly.get(`/api/emails/${resent.json().messageId}`);
    expect(resentView.body).not.toContain(fresh);
    expectFieldErrors(await usePasswordLink('set-password', welcome.token, 'April old link 22'), [
      'token',
    ]);
    const set = await usePasswordLink('set-password', fresh, 'April fresh link 23');
    expect(set.statusCode, set.body).toBe(200);
    expect(
      (await portalSignIn('aludgate@pawnee-indiana.gov', 'April fresh link 23')).response
        .statusCode,
    ).toBe(200);
  });
});

describe('a change of password', () => {
  it('in My Account ends a reset link emailed before it', async () => {
    const welcome = await emailLink(billing, {
      contact: leslie,
      to: 'lknope@pawnee-indiana.gov',
      organizationId: pawnee,
      kind: 'welcome',
    });
    expect(
      (await usePasswordLink('set-password', welcome.token, 'Leslie first pass 1')).statusCode,
    ).toBe(200);
    const { client: portal, response } = await portalSignIn(
      'lknope@pawnee-indiana.gov',
      'Leslie first pass 1',
    );
    expect(response.statusCode).toBe(200);
    const reset = await emailLink(admin, {
      contact: leslie,
      to: 'lknope@pawnee-indiana.gov',
      organizationId: pawnee,
      kind: 'password_reset',
    });
    const changed = await portal.post('/api/portal/change-password', {
      currentPassword: 'Leslie first pass 1',
      newPassword: 'Leslie second pass 2',
      newPasswordConfirmation: 'Leslie second pass 2',
    });
    expect(changed.statusCode).toBe(200);

    const late = await usePasswordLink('reset-password', reset.token, 'Attacker chosen pass 3');
    expectFieldErrors(late, ['token']);
    expect(errorOf(late).message).toMatch(/expired or was already used/);
    expect(
      (await portalSignIn('lknope@pawnee-indiana.gov', 'Leslie second pass 2')).response.statusCode,
    ).toBe(200);
  });

  it('to a temporary password by staff ends the outstanding links', async () => {
    const reset = await emailLink(billing, {
      contact: leslie,
      to: 'lknope@pawnee-indiana.gov',
      organizationId: pawnee,
      kind: 'password_reset',
    });
    const temporary = await billing.post(`/api/contacts/${leslie}/temporary-password`, {
      password: 'Temporary pass 5678',
    });
    expect(temporary.statusCode).toBe(204);
    expectFieldErrors(await usePasswordLink('reset-password', reset.token, 'Attacker pass 44'), [
      'token',
    ]);
    expect(
      (await portalSignIn('lknope@pawnee-indiana.gov', 'Temporary pass 5678')).response.statusCode,
    ).toBe(200);
  });

  it('by a completed reset ends an unused Welcome link', async () => {
    const welcome = await emailLink(admin, {
      contact: leslie,
      to: 'lknope@pawnee-indiana.gov',
      organizationId: pawnee,
      kind: 'welcome',
    });
    const reset = await emailLink(billing, {
      contact: leslie,
      to: 'lknope@pawnee-indiana.gov',
      organizationId: demoCompany,
      kind: 'password_reset',
    });
    expect(
      (await usePasswordLink('reset-password', reset.token, 'Leslie reset pass 5')).statusCode,
    ).toBe(200);
    expectFieldErrors(await usePasswordLink('set-password', welcome.token, 'Attacker pass 66'), [
      'token',
    ]);
    expect(
      (await portalSignIn('lknope@pawnee-indiana.gov', 'Leslie reset pass 5')).response.statusCode,
    ).toBe(200);
  });
});

describe('staff viewing the portal as a contact', () => {
  async function viewAs(staff: ApiClient) {
    const opened = await staff.post(`/api/contacts/${leslie}/view-portal`, {
      organizationId: pawnee,
    });
    expect(opened.statusCode, opened.body).toBe(200);
    expect((await staff.get('/api/portal/invoices')).statusCode).toBe(200);
  }

  it('ends when the staff user signs out', async () => {
    const staff = await signedInAs(testApp.app, 'read_only');
    await viewAs(staff);
    expect((await staff.post('/api/auth/sign-out')).statusCode).toBe(200);
    expect((await staff.get('/api/portal/invoices')).statusCode).toBe(401);
    expect((await staff.get('/api/portal/session')).json().viewer).toBeNull();
  });

  it('ends when a Master Admin disables the staff user', async () => {
    const staff = await signedInAs(testApp.app, 'read_only');
    await viewAs(staff);
    const jerry = await staffUserId(testApp, 'readonly@portico.test');
    const disabled = await admin.patch(`/api/staff-users/${jerry}`, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    try {
      expect((await staff.get('/api/portal/invoices')).statusCode).toBe(401);
    } finally {
      await admin.patch(`/api/staff-users/${jerry}`, { disabled: false });
    }
  });

  it('ends when the staff session it was opened from expires', async () => {
    const staff = await signedInAs(testApp.app, 'read_only');
    await viewAs(staff);
    await testApp.database.pool.query(
      `UPDATE staff_sessions SET expires_at = now() - interval '1 second'
        WHERE staff_user_id = (SELECT id FROM staff_users WHERE email = 'readonly@portico.test')`,
    );
    expect((await staff.get('/api/portal/invoices')).statusCode).toBe(401);
  });

  it('ends when the staff session it was opened from has been idle too long', async () => {
    const staff = await signedInAs(testApp.app, 'read_only');
    await viewAs(staff);
    // The staff session behind the newest view, idle one minute past SESSION_IDLE_MINUTES.
    await testApp.database.pool.query(
      `UPDATE staff_sessions
          SET last_seen_at = now() - make_interval(mins => $1 + 1)
        WHERE token_hash = (SELECT viewer_staff_session_hash FROM portal_sessions
                             WHERE viewer_staff_session_hash IS NOT NULL
                             ORDER BY created_at DESC LIMIT 1)`,
      [testApp.context.config.SESSION_IDLE_MINUTES],
    );
    expect((await staff.get('/api/auth/session')).json().user).toBeNull();
    expect((await staff.get('/api/portal/invoices')).statusCode).toBe(401);
    expect((await staff.get('/api/portal/session')).json().viewer).toBeNull();
  });
});

describe('after sign-in', () => {
  it('the portal acts for the organization the contact last used, while it grants access', async () => {
    const password = 'Leslie last used 77';
    await testApp.database.pool.query('UPDATE contacts SET password_hash = $2 WHERE id = $1', [
      leslie,
      await hashPassword(password),
    ]);
    await testApp.database.pool.query(
      'UPDATE contacts SET must_change_password = false WHERE id = $1',
      [leslie],
    );
    const first = await portalSignIn('lknope@pawnee-indiana.gov', password);
    expect(first.response.json().current.organizationName).toBe('Demo Company');
    const switched = await first.client.post('/api/portal/switch-organization', {
      organizationId: pawnee,
    });
    expect(switched.statusCode).toBe(200);

    const again = await portalSignIn('lknope@pawnee-indiana.gov', password);
    expect(again.response.statusCode).toBe(200);
    expect(again.response.json().current.organizationName).toBe('Pawnee Parks Dept.');
    expect((await again.client.get('/api/portal/session')).json().current.organizationId).toBe(
      pawnee,
    );

    // Access there revoked: the next sign-in acts for one that still grants it.
    await testApp.database.pool.query(
      `UPDATE contact_organizations SET access_profile_id = NULL
        WHERE contact_id = $1 AND organization_id = $2`,
      [leslie, pawnee],
    );
    const revoked = await portalSignIn('lknope@pawnee-indiana.gov', password);
    expect(revoked.response.json().current.organizationName).toBe('Demo Company');
  });
});

describe('a password reset request', () => {
  let own: TestApp;
  afterAll(async () => own?.close());

  it(
    'does the same work for a known and an unknown address, and the email still arrives',
    {
      timeout: 90_000,
    },
    async () => {
      own = await startTestApp();
      const pool = own.context.pool;
      const jobs = own.context.jobs;
      const work: string[] = [];
      const originalQuery = pool.query.bind(pool);
      const originalConnect = pool.connect.bind(pool);
      const originalSend = jobs.send.bind(jobs);
      const request = async (email: string) => {
        const client = new ApiClient(own.app, '/api/portal/session');
        await client.refreshCsrf();
        work.length = 0;
        const recorded = work;
        pool.query = ((...args: Parameters<typeof pool.query>) => {
          const text = args[0];
          recorded.push(
            `query ${typeof text === 'string' ? text : (text as { text: string }).text}`,
          );
          return (originalQuery as (...a: unknown[]) => unknown)(...args);
        }) as typeof pool.query;
        pool.connect = ((...args: unknown[]) => {
          recorded.push('connect');
          return (originalConnect as (...a: unknown[]) => unknown)(...args);
        }) as typeof pool.connect;
        jobs.send = ((...args: unknown[]) => {
          const [name, data] = args as [string, Record<string, unknown>];
          recorded.push(`enqueue ${name} ${Object.keys(data ?? {}).join(',')}`);
          return (originalSend as (...a: unknown[]) => unknown)(...args);
        }) as typeof jobs.send;
        try {
          const response = await client.post('/api/portal/request-password-reset', { email });
          return { response, work: [...recorded] };
        } finally {
          pool.query = originalQuery as typeof pool.query;
          pool.connect = originalConnect as typeof pool.connect;
          jobs.send = originalSend as typeof jobs.send;
        }
      };
      const unknown = await request('ghost@example.com');
      const known = await request('lknope@pawnee-indiana.gov');
      expect(known.response.statusCode).toBe(202);
      expect(unknown.response.statusCode).toBe(202);
      expect(known.response.json()).toEqual(unknown.response.json());
      expect(known.work).toEqual(unknown.work);

      // The job decides and sends: the known address gets its link, the unknown one nothing.
      const ownMail = await startLocalMail(own);
      try {
        const token = await tokenFromInbox(own, {
          to: 'lknope@pawnee-indiana.gov',
          path: '/reset-password',
          afterId: 0,
        });
        const done = await new ApiClient(own.app, '/api/portal/session').post(
          '/api/portal/reset-password',
          { token, password: 'Reset by the job 99', passwordConfirmation: 'Reset by the job 99' },
        );
        expect(done.statusCode, done.body).toBe(200);
        const ghost = await own.database.pool.query(
          `SELECT 1 FROM local_mailbox WHERE 'ghost@example.com' = ANY(envelope_to)`,
        );
        expect(ghost.rowCount).toBe(0);
      } finally {
        await ownMail.close();
      }
    },
  );
});
