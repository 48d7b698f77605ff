import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';
import {
  auditRowCount,
  errorOf,
  expectFieldErrors,
  staffUserId,
} from '../support/api-assertions.js';
import type { Answer } from '../../src/shared/contract/common.js';
import type { staffUserRecord } from '../../src/shared/contract/staff.js';

type StaffUserRow = Answer<typeof staffUserRecord>;

let testApp: TestApp;
let admin: ApiClient;
let adminId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
  adminId = await staffUserId(testApp, 'admin@portico.test');
});
afterAll(async () => testApp.close());

async function staffUsers(): Promise<StaffUserRow[]> {
  const response = await admin.get('/api/staff-users');
  expect(response.statusCode).toBe(200);
  return response.json<{ staffUsers: StaffUserRow[] }>().staffUsers;
}

async function createStaff(email: string, role: string, password = 'a-long-enough-password') {
  const response = await admin.post('/api/staff-users', {
    email,
    name: `Staff ${email.split('@')[0]}`,
    role,
    password,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ staffUser: StaffUserRow }>().staffUser;
}

async function signIn(email: string, password = 'a-long-enough-password') {
  const client = new ApiClient(testApp.app);
  const response = await client.signIn(email, password);
  return { client, response };
}

describe('the staff user list', () => {
  it('lists the demo staff users with their roles and never a password hash', async () => {
    const users = await staffUsers();
    expect(users.map((u) => [u.email, u.role, u.disabledAt])).toEqual([
      ['admin@portico.test', 'master_admin', null],
      ['billing@portico.test', 'billing', null],
      ['readonly@portico.test', 'read_only', null],
    ]);
    const response = await admin.get('/api/staff-users');
    expect(response.body).not.toMatch(/password|argon2/i);
  });
});

describe('creating a staff user', () => {
  it('creates a user who can then sign in with that role', async () => {
    const created = await createStaff('Tom.Haverford@Portico.test', 'billing');
    expect(created).toMatchObject({
      email: 'tom.haverford@portico.test',
      name: 'Staff Tom.Haverford',
      role: 'billing',
    });
    expect(JSON.stringify(created)).not.toMatch(/password/i);
    expect((await staffUsers()).map((u) => u.email)).toContain('tom.haverford@portico.test');

    const { client, response } = await signIn('tom.haverford@portico.test');
    expect(response.statusCode, response.body).toBe(200);
    const session = (await client.get('/api/auth/session')).json().user;
    expect(session).toMatchObject({ id: created.id, role: 'billing' });
    expect((await client.get('/api/organizations')).statusCode).toBe(200);
  });

  it('refuses an email already used, in any case, with 409 on email', async () => {
    const before = await staffUsers();
    const response = await admin.post('/api/staff-users', {
      email: 'BILLING@portico.test',
      name: 'Impostor',
      role: 'master_admin',
      password: 'a-long-enough-password',
    });
    expectFieldErrors(response, ['email'], 409);
    expect(errorOf(response).code).toBe('conflict');
    expect(await staffUsers()).toEqual(before);
  });

  it('refuses a password shorter than 12 characters, and accepts exactly 12', async () => {
    const before = await staffUsers();
    const short = await admin.post('/api/staff-users', {
      email: 'short@portico.test',
      name: 'Short Password',
      role: 'read_only',
      password: '12345678901',
    });
    const fields = expectFieldErrors(short, ['password']);
    expect(fields.find((f) => f.field === 'password')!.message).toContain('12');
    expect(short.body).not.toContain('12345678901');
    expect(await staffUsers()).toEqual(before);

    await createStaff('twelve@portico.test', 'read_only', '123456789012');
    expect((await signIn('twelve@portico.test', '123456789012')).response.statusCode).toBe(200);
  });

  it('answers simultaneous creates of the same email with one 201 and the rest 409', async () => {
    const body = {
      email: 'double@portico.test',
      name: 'Double',
      role: 'read_only',
      password: 'a-long-enough-password',
    };
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => admin.post('/api/staff-users', body)),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
  });
});

describe('changing a staff user', () => {
  it('changes the role, and the user’s open session follows it at once', async () => {
    const created = await createStaff('donna@portico.test', 'billing');
    const { client } = await signIn('donna@portico.test');
    const before = await client.post('/api/organizations', { name: 'Donna Made This' });
    expect(before.statusCode).toBe(201);

    const response = await admin.patch(`/api/staff-users/${created.id}`, { role: 'read_only' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().staffUser).toMatchObject({ id: created.id, role: 'read_only' });
    expect((await staffUsers()).find((u) => u.id === created.id)?.role).toBe('read_only');

    const after = await client.post('/api/organizations', { name: 'Donna Cannot' });
    expect(after.statusCode).toBe(403);
    expect((await client.get('/api/organizations')).statusCode).toBe(200);
  });

  it('renames a staff user', async () => {
    const created = await createStaff('craig@portico.test', 'read_only');
    const response = await admin.patch(`/api/staff-users/${created.id}`, {
      name: 'Craig Middlebrooks',
    });
    expect(response.statusCode).toBe(200);
    expect((await staffUsers()).find((u) => u.id === created.id)?.name).toBe('Craig Middlebrooks');
  });

  it('disables a user: the open session stops working and sign-in fails like a wrong password', async () => {
    const created = await createStaff('andy@portico.test', 'billing');
    const { client } = await signIn('andy@portico.test');
    expect((await client.get('/api/organizations')).statusCode).toBe(200);

    const response = await admin.patch(`/api/staff-users/${created.id}`, { disabled: true });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().staffUser.disabledAt).not.toBeNull();

    const afterwards = await client.get('/api/organizations');
    expect(afterwards.statusCode).toBe(401);
    expect((await client.get('/api/auth/session')).json().user).toBeNull();

    const disabled = await signIn('andy@portico.test');
    const wrongPassword = await signIn('craig@portico.test', 'not-the-right-password');
    expect(disabled.response.statusCode).toBe(401);
    expect(wrongPassword.response.statusCode).toBe(401);
    expect(disabled.response.json()).toEqual(wrongPassword.response.json());
    expect(disabled.response.cookies.find((c) => c.name === 'portico_staff')).toBeUndefined();

    const history = await admin.get(`/api/staff-users/${created.id}/login-history`);
    expect(history.statusCode).toBe(200);
    expect(history.json().attempts[0]).toMatchObject({
      succeeded: false,
      reason: 'account disabled',
    });
  });

  it('enables a disabled user again, who can then sign in', async () => {
    const created = await createStaff('april.staff@portico.test', 'billing');
    await admin.patch(`/api/staff-users/${created.id}`, { disabled: true });
    expect((await signIn('april.staff@portico.test')).response.statusCode).toBe(401);
    const response = await admin.patch(`/api/staff-users/${created.id}`, { disabled: false });
    expect(response.statusCode).toBe(200);
    expect(response.json().staffUser.disabledAt).toBeNull();
    expect((await signIn('april.staff@portico.test')).response.statusCode).toBe(200);
  });

  it('does not let a Master Admin change their own role', async () => {
    const auditBefore = await auditRowCount(testApp);
    const response = await admin.patch(`/api/staff-users/${adminId}`, { role: 'billing' });
    expectFieldErrors(response, ['role']);
    expect((await staffUsers()).find((u) => u.id === adminId)?.role).toBe('master_admin');
    expect((await admin.get('/api/staff-users')).statusCode).toBe(200);
    expect(await auditRowCount(testApp)).toBe(auditBefore);
  });

  it('does not let a Master Admin disable themselves', async () => {
    const response = await admin.patch(`/api/staff-users/${adminId}`, { disabled: true });
    expectFieldErrors(response, ['disabled']);
    expect((await staffUsers()).find((u) => u.id === adminId)?.disabledAt).toBeNull();
    expect((await admin.get('/api/organizations')).statusCode).toBe(200);
  });

  it('lets a Master Admin rename themselves and resend their own role', async () => {
    const response = await admin.patch(`/api/staff-users/${adminId}`, {
      name: 'Ann Perkins-Traeger',
      role: 'master_admin',
      disabled: false,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().staffUser).toMatchObject({
      name: 'Ann Perkins-Traeger',
      role: 'master_admin',
    });
  });

  it('lets one Master Admin change another Master Admin', async () => {
    const other = await createStaff('chris@portico.test', 'master_admin');
    const { client } = await signIn('chris@portico.test');
    const response = await client.patch(`/api/staff-users/${adminId}`, { name: 'Ann Perkins' });
    expect(response.statusCode).toBe(200);
    expect(
      (await admin.patch(`/api/staff-users/${other.id}`, { role: 'billing' })).statusCode,
    ).toBe(200);
  });

  it('answers 404 for a staff user that does not exist', async () => {
    const response = await admin.patch(`/api/staff-users/${crypto.randomUUID()}`, {
      role: 'billing',
    });
    expect(response.statusCode).toBe(404);
  });
});

describe('login history', () => {
  it('shows a staff user’s sign-in attempts, newest first', async () => {
    const created = await createStaff('jerry.two@portico.test', 'read_only');
    await signIn('jerry.two@portico.test', 'wrong-password-here');
    await signIn('jerry.two@portico.test');
    const response = await admin.get(`/api/staff-users/${created.id}/login-history`);
    expect(response.statusCode).toBe(200);
    const attempts = response.json().attempts;
    expect(
      attempts.map((a: { succeeded: boolean; reason: string }) => [a.succeeded, a.reason]),
    ).toEqual([
      [true, 'signed in'],
      [false, 'wrong password'],
    ]);
  });

  it('answers 404 for a staff user that does not exist', async () => {
    const response = await admin.get(`/api/staff-users/${crypto.randomUUID()}/login-history`);
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });
});
