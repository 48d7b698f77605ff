import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';
import { errorOf, expectFieldErrors, staffUserId } from '../support/api-assertions.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type { StaffRole, totpEnrollmentBody } from '../../src/shared/contract/staff.js';

const password = 'a-long-enough-password';
const period = 30;

let testApp: TestApp;
let admin: ApiClient;

beforeAll(async () => {
  testApp = await startTestApp({
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3',
    SIGN_IN_MAX_ATTEMPTS_PER_IP: '1000',
  });
  admin = await signedInAs(testApp.app, 'master_admin');
});
afterAll(async () => testApp.close());

const currentStep = () => Math.floor(Date.now() / 1000 / period);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A code the server accepts (it allows one step of drift either way): for the current step,
 * the previous one with `previous`, or the step after `usedStep` (a step already used is
 * refused). Users set up with the previous step leave the current and next ones for the test.
 */
async function validCode(secret: string, usedStep: number | null = null, previous = false) {
  // Keep clear of a step boundary, so the step worked out here is still the server's.
  if ((Date.now() / 1000) % period > period - 2) await sleep(2500);
  const now = currentStep();
  const step = usedStep === null ? now - (previous ? 1 : 0) : Math.max(now, usedStep + 1);
  while (step > currentStep() + 1) await sleep(1000);
  return { code: await generate({ secret, epoch: step * period }), step };
}

/** Six digits that match none of the steps the server accepts around now. */
async function wrongCode(secret: string): Promise<string> {
  const step = currentStep();
  const accepted = await Promise.all(
    [-2, -1, 0, 1, 2].map((d) => generate({ secret, epoch: (step + d) * period })),
  );
  let candidate = 123456;
  while (accepted.includes(String(candidate))) candidate++;
  return String(candidate);
}

let userCount = 0;

/** A new staff user, created by the admin, and a client signed in as them (no TOTP yet). */
async function newStaffUser(role: StaffRole = 'billing') {
  userCount++;
  const email = `totp-${userCount}@portico.test`;
  const created = await admin.post('/api/staff-users', {
    email,
    name: `TOTP User ${userCount}`,
    role,
    password,
  });
  expect(created.statusCode, created.body).toBe(201);
  const client = new ApiClient(testApp.app);
  const signIn = await client.signIn(email, password);
  expect(signIn.statusCode, signIn.body).toBe(200);
  return { email, id: created.json().staffUser.id as string, client };
}

type Enrollment = Answer<typeof totpEnrollmentBody>;

/** A staff user with TOTP on, confirmed from their signed-in client. */
async function userWithTotp(role: StaffRole = 'billing') {
  const user = await newStaffUser(role);
  const enroll = await user.client.post('/api/auth/totp/enroll');
  expect(enroll.statusCode, enroll.body).toBe(200);
  const { secret } = enroll.json<Enrollment>();
  const { code, step } = await validCode(secret, null, true);
  const confirm = await user.client.post('/api/auth/totp/confirm', { code });
  expect(confirm.statusCode, confirm.body).toBe(200);
  return { ...user, secret, lastStep: step };
}

async function totpColumns(id: string) {
  const result = await testApp.database.pool.query(
    'SELECT totp_secret, totp_enabled_at FROM staff_users WHERE id = $1',
    [id],
  );
  return result.rows[0] as { totp_secret: string | null; totp_enabled_at: Date | null };
}

async function attemptReasons(id: string): Promise<{ succeeded: boolean; reason: string }[]> {
  const result = await testApp.database.pool.query(
    'SELECT succeeded, reason FROM staff_login_attempts WHERE staff_user_id = $1 ORDER BY id',
    [id],
  );
  return result.rows;
}

async function auditActions(
  entityId: string,
): Promise<{ action: string; organization_id: null }[]> {
  const result = await testApp.database.pool.query(
    'SELECT action, organization_id, before, after FROM audit_events WHERE entity_id = $1 ORDER BY id',
    [entityId],
  );
  return result.rows;
}

/** Signs in with the password only: the session is pending until the code is given. */
async function passwordStep(email: string) {
  const client = new ApiClient(testApp.app);
  const response = await client.signIn(email, password);
  return { client, response };
}

describe('setting up TOTP for oneself', () => {
  it('enrolls with a QR code and turns TOTP on once a code from the secret is confirmed', async () => {
    const user = await newStaffUser();
    expect((await user.client.get('/api/auth/totp')).json().totp).toMatchObject({
      enabled: false,
      required: false,
    });

    const enroll = await user.client.post('/api/auth/totp/enroll');
    expect(enroll.statusCode, enroll.body).toBe(200);
    const { secret, otpauthUrl, qrDataUrl } = enroll.json<Enrollment>();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/Portico:/);
    expect(otpauthUrl).toContain(`secret=${secret}`);
    expect(otpauthUrl).toContain(encodeURIComponent(user.email));
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    // Stored, but not in force until confirmed.
    expect(await totpColumns(user.id)).toEqual({ totp_secret: secret, totp_enabled_at: null });

    const wrong = await user.client.post('/api/auth/totp/confirm', {
      code: await wrongCode(secret),
    });
    expectFieldErrors(wrong, ['code']);
    expect((await totpColumns(user.id)).totp_enabled_at).toBeNull();

    const { code } = await validCode(secret);
    const confirm = await user.client.post('/api/auth/totp/confirm', { code });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.json().user).toMatchObject({ id: user.id, email: user.email });
    expect((await totpColumns(user.id)).totp_enabled_at).not.toBeNull();
    expect((await user.client.get('/api/auth/totp')).json().totp.enabled).toBe(true);

    const audit = await auditActions(user.id);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['staff_user.totp_enrollment_started', 'staff_user.totp_enabled']),
    );
    for (const row of audit) expect(row.organization_id).toBeNull();
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('refuses to start over while TOTP is on (the secret in force stays)', async () => {
    const user = await userWithTotp();
    const again = await user.client.post('/api/auth/totp/enroll');
    expect(again.statusCode).toBe(409);
    expect((await totpColumns(user.id)).totp_secret).toBe(user.secret);
  });

  it('shows TOTP as on or off in the staff user list, never the secret', async () => {
    const user = await userWithTotp();
    const response = await admin.get('/api/staff-users');
    expect(response.statusCode).toBe(200);
    const users = response.json<{ staffUsers: { id: string; totpEnabled: boolean }[] }>()
      .staffUsers;
    expect(users.find((u) => u.id === user.id)?.totpEnabled).toBe(true);
    const adminId = await staffUserId(testApp, 'admin@portico.test');
    expect(users.find((u) => u.id === adminId)?.totpEnabled).toBe(false);
    expect(response.body).not.toContain(user.secret);
    expect(response.body).not.toMatch(/secret/i);
  });
});

describe('signing in with TOTP on', () => {
  it('answers the password with totpRequired only, and the session is useless until the code', async () => {
    const user = await userWithTotp();
    const { client, response } = await passwordStep(user.email);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ totpRequired: true });
    expect(response.cookies.find((c) => c.name === 'portico_staff')).toBeDefined();

    const organizations = await client.get('/api/organizations');
    expect(organizations.statusCode).toBe(401);
    expect(errorOf(organizations).code).toBe('unauthenticated');
    const session = (await client.get('/api/auth/session')).json();
    expect(session).toMatchObject({ user: null, totpRequired: true });
    expect(session.totpEnrollmentRequired).toBeUndefined();
    // A password alone cannot replace the secret in force, nor read the TOTP status.
    expect((await client.post('/api/auth/totp/enroll')).statusCode).toBe(401);
    expect((await client.get('/api/auth/totp')).statusCode).toBe(401);
    expect((await totpColumns(user.id)).totp_secret).toBe(user.secret);
  });

  it('refuses a wrong code with 401 and records it in the login history', async () => {
    const user = await userWithTotp();
    const { client } = await passwordStep(user.email);
    const wrong = await client.post('/api/auth/sign-in/totp', {
      code: await wrongCode(user.secret),
    });
    expect(wrong.statusCode, wrong.body).toBe(401);
    expect(errorOf(wrong).code).toBe('unauthenticated');
    expect(wrong.json().user).toBeUndefined();
    expect(await attemptReasons(user.id)).toContainEqual({
      succeeded: false,
      reason: 'wrong TOTP code',
    });
    expect((await client.get('/api/organizations')).statusCode).toBe(401);
  });

  it('completes the sign-in with a valid code, and refuses the same code again', async () => {
    const user = await userWithTotp();
    const { client } = await passwordStep(user.email);
    const { code, step } = await validCode(user.secret, user.lastStep);
    const verified = await client.post('/api/auth/sign-in/totp', { code });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().user).toMatchObject({ id: user.id, email: user.email });
    expect((await client.get('/api/organizations')).statusCode).toBe(200);
    expect((await client.get('/api/auth/session')).json()).toMatchObject({
      user: { id: user.id },
    });
    expect((await client.get('/api/auth/session')).json().totpRequired).toBeUndefined();

    // Replayed in another session (as someone who saw it would), the code is refused.
    const other = await passwordStep(user.email);
    const replay = await other.client.post('/api/auth/sign-in/totp', { code });
    expect(replay.statusCode, replay.body).toBe(401);
    expect((await other.client.get('/api/organizations')).statusCode).toBe(401);
    expect(await attemptReasons(user.id)).toContainEqual({
      succeeded: false,
      reason: 'TOTP code already used',
    });
    // The next code works.
    const next = await validCode(user.secret, step);
    const ok = await other.client.post('/api/auth/sign-in/totp', { code: next.code });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('counts wrong codes towards the per-account limit (429, even with the right code)', async () => {
    const user = await userWithTotp();
    const { client } = await passwordStep(user.email);
    for (let i = 0; i < 3; i++) {
      const wrong = await client.post('/api/auth/sign-in/totp', {
        code: await wrongCode(user.secret),
      });
      expect(wrong.statusCode).toBe(401);
    }
    const { code } = await validCode(user.secret, user.lastStep);
    const locked = await client.post('/api/auth/sign-in/totp', { code });
    expect(locked.statusCode, locked.body).toBe(429);
    expect(errorOf(locked).code).toBe('rate_limited');
    expect((await client.get('/api/organizations')).statusCode).toBe(401);
    // The password step is under the same limit.
    expect((await passwordStep(user.email)).response.statusCode).toBe(429);
  });

  it('accepts a code only from a session whose password step is done', async () => {
    const user = await userWithTotp();
    const { code } = await validCode(user.secret, user.lastStep);
    const anonymous = new ApiClient(testApp.app);
    expect((await anonymous.post('/api/auth/sign-in/totp', { code })).statusCode).toBe(401);
    // A fully signed-in session has nothing left to verify.
    expect((await user.client.post('/api/auth/sign-in/totp', { code })).statusCode).toBe(401);
  });

  it('ends a pending session that waits too long for its code', async () => {
    const user = await userWithTotp();
    const { client } = await passwordStep(user.email);
    await testApp.database.pool.query(
      `UPDATE staff_sessions SET created_at = now() - interval '16 minutes'
        WHERE staff_user_id = $1 AND totp_pending`,
      [user.id],
    );
    const session = (await client.get('/api/auth/session')).json();
    expect(session.user).toBeNull();
    expect(session.totpRequired).toBeUndefined();
    const { code } = await validCode(user.secret, user.lastStep);
    expect((await client.post('/api/auth/sign-in/totp', { code })).statusCode).toBe(401);
  });

  it('lets a pending session sign out', async () => {
    const user = await userWithTotp();
    const { client } = await passwordStep(user.email);
    expect((await client.post('/api/auth/sign-out')).statusCode).toBe(200);
    expect((await client.get('/api/auth/session')).json().totpRequired).toBeUndefined();
  });

  it('refuses a malformed code with 400 on code, without counting it as an attempt', async () => {
    const user = await userWithTotp();
    const { client } = await passwordStep(user.email);
    const before = (await attemptReasons(user.id)).length;
    for (const body of [
      {},
      { code: 'abcdef' },
      { code: '12345' },
      { code: '1234567' },
      { code: 123456 },
    ]) {
      expectFieldErrors(await client.post('/api/auth/sign-in/totp', body), ['code']);
    }
    expect((await attemptReasons(user.id)).length).toBe(before);
    // Spaces, as some apps show the code, are fine.
    const { code } = await validCode(user.secret, user.lastStep);
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    expect((await client.post('/api/auth/sign-in/totp', { code: spaced })).statusCode).toBe(200);
  });

  it('leaves users without TOTP signing in with their password alone', async () => {
    const user = await newStaffUser();
    const { client, response } = await passwordStep(user.email);
    expect(response.json().user).toMatchObject({ id: user.id });
    expect((await client.get('/api/organizations')).statusCode).toBe(200);
    expect((await attemptReasons(user.id)).at(-1)).toEqual({
      succeeded: true,
      reason: 'signed in',
    });
  });
});

describe('turning TOTP off for oneself', () => {
  it('needs a current code; a wrong one is refused on code and recorded', async () => {
    const user = await userWithTotp();
    const wrong = await user.client.request('DELETE', '/api/auth/totp', {
      code: await wrongCode(user.secret),
    });
    expectFieldErrors(wrong, ['code']);
    expect((await totpColumns(user.id)).totp_enabled_at).not.toBeNull();
    expect(await attemptReasons(user.id)).toContainEqual({
      succeeded: false,
      reason: 'wrong TOTP code (turning TOTP off)',
    });

    const { code } = await validCode(user.secret, user.lastStep);
    const off = await user.client.request('DELETE', '/api/auth/totp', { code });
    expect(off.statusCode, off.body).toBe(200);
    expect(await totpColumns(user.id)).toEqual({ totp_secret: null, totp_enabled_at: null });
    expect((await auditActions(user.id)).map((a) => a.action)).toContain(
      'staff_user.totp_disabled',
    );
    const next = await passwordStep(user.email);
    expect(next.response.json().user).toMatchObject({ id: user.id });
  });

  it('accepts the current password instead of a code', async () => {
    const user = await userWithTotp();
    const wrong = await user.client.request('DELETE', '/api/auth/totp', {
      password: 'not-my-password',
    });
    expectFieldErrors(wrong, ['password']);
    const off = await user.client.request('DELETE', '/api/auth/totp', { password });
    expect(off.statusCode, off.body).toBe(200);
    expect((await totpColumns(user.id)).totp_enabled_at).toBeNull();
  });

  it('refuses a request with neither a code nor a password, or with both', async () => {
    const user = await userWithTotp();
    expectFieldErrors(await user.client.request('DELETE', '/api/auth/totp', {}), ['code']);
    expectFieldErrors(
      await user.client.request('DELETE', '/api/auth/totp', { code: '123456', password }),
      ['password'],
    );
    expect((await totpColumns(user.id)).totp_enabled_at).not.toBeNull();
  });
});

describe('a Master Admin resetting a staff user’s TOTP', () => {
  it('turns it off and ends that user’s sessions', async () => {
    const user = await userWithTotp('read_only');
    expect((await user.client.get('/api/organizations')).statusCode).toBe(200);

    const reset = await admin.post(`/api/staff-users/${user.id}/reset-totp`);
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json().staffUser).toMatchObject({ id: user.id, totpEnabled: false });
    expect(reset.body).not.toContain(user.secret);
    expect(await totpColumns(user.id)).toEqual({ totp_secret: null, totp_enabled_at: null });
    expect((await user.client.get('/api/organizations')).statusCode).toBe(401);

    const audit = await auditActions(user.id);
    expect(audit.at(-1)).toMatchObject({ action: 'staff_user.totp_reset', organization_id: null });

    // Password alone again.
    const again = await passwordStep(user.email);
    expect(again.response.json().user).toMatchObject({ id: user.id });
  });

  it('answers 404 for an unknown staff user and 400 for a malformed id', async () => {
    expect(
      (await admin.post(`/api/staff-users/${crypto.randomUUID()}/reset-totp`)).statusCode,
    ).toBe(404);
    expectFieldErrors(await admin.post('/api/staff-users/not-an-id/reset-totp'), ['id']);
  });
});

describe('roles', () => {
  it('does not let Billing or Read Only reset anyone’s TOTP or change the setting (403)', async () => {
    const target = await userWithTotp();
    for (const role of ['billing', 'read_only'] as const) {
      const client = await signedInAs(testApp.app, role);
      const reset = await client.post(`/api/staff-users/${target.id}/reset-totp`);
      expect(reset.statusCode).toBe(403);
      const put = await client.put('/api/settings/security', { requireStaffTotp: true });
      expect(put.statusCode).toBe(403);
      // Refused before the input is looked at.
      expect((await client.put('/api/settings/security', { bad: 1 })).statusCode).toBe(403);
      expect((await client.get('/api/settings/security')).json().security).toEqual({
        requireStaffTotp: false,
      });
    }
    expect((await totpColumns(target.id)).totp_enabled_at).not.toBeNull();
  });
});

describe('requiring TOTP of every staff user', () => {
  afterAll(async () => {
    const off = await admin.put('/api/settings/security', { requireStaffTotp: false });
    expect(off.statusCode).toBe(200);
  });

  it('refuses a setting that is not a boolean, naming the field', async () => {
    expectFieldErrors(await admin.put('/api/settings/security', { requireStaffTotp: 'yes' }), [
      'requireStaffTotp',
    ]);
    expectFieldErrors(await admin.put('/api/settings/security', {}), ['requireStaffTotp']);
  });

  it('makes a user without TOTP set it up before the sign-in counts', async () => {
    const user = await newStaffUser();
    const withTotp = await userWithTotp();
    const put = await admin.put('/api/settings/security', { requireStaffTotp: true });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().security).toEqual({ requireStaffTotp: true });
    expect((await auditActions('1')).map((a) => a.action)).toContain('settings.security_updated');

    const { client, response } = await passwordStep(user.email);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ totpEnrollmentRequired: true });
    expect((await client.get('/api/organizations')).statusCode).toBe(401);
    expect((await client.get('/api/auth/session')).json()).toMatchObject({
      user: null,
      totpEnrollmentRequired: true,
    });
    const { code: anyCode } = await validCode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect((await client.post('/api/auth/sign-in/totp', { code: anyCode })).statusCode).toBe(401);

    const enroll = await client.post('/api/auth/totp/enroll');
    expect(enroll.statusCode, enroll.body).toBe(200);
    const { secret } = enroll.json<Enrollment>();
    const { code } = await validCode(secret);
    const confirm = await client.post('/api/auth/totp/confirm', { code });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.json().user).toMatchObject({ id: user.id });
    expect((await client.get('/api/organizations')).statusCode).toBe(200);
    expect((await totpColumns(user.id)).totp_enabled_at).not.toBeNull();
    expect((await attemptReasons(user.id)).map((a) => a.reason)).toContain(
      'password accepted, TOTP enrollment due',
    );

    // A user who already has TOTP is asked for the code, as before.
    const second = await passwordStep(withTotp.email);
    expect(second.response.json()).toEqual({ totpRequired: true });
  });

  it('does not let anyone turn their TOTP off while it is required', async () => {
    const user = await userWithTotp();
    const put = await admin.put('/api/settings/security', { requireStaffTotp: true });
    expect(put.statusCode).toBe(200);
    const off = await user.client.request('DELETE', '/api/auth/totp', { password });
    expect(off.statusCode).toBe(403);
    expect((await user.client.get('/api/auth/totp')).json().totp).toMatchObject({
      enabled: true,
      required: true,
    });
    expect((await totpColumns(user.id)).totp_enabled_at).not.toBeNull();
  });
});
