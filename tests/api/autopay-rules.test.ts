import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { portalAutopay, staffAutopay } from '../../src/shared/contract/autopay.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

/**
 * AutoPay rules through the API, as a client's contact (Configuration > AutoPay) and staff (the
 * organization page) meet them: saving rules (create, change, reorder, turn off, delete), every
 * refusal with its field, the permission, other organizations' ids, the MSP's lock and
 * "required", the client's authorization, the audit and the AutoPay Changed emails.
 */

type PortalAutopay = Answer<typeof portalAutopay>;
type StaffAutopay = Answer<typeof staffAutopay>;

let testApp: TestApp;
let pawnee = '';
let demo = '';
let hosting = '';
let hardware = '';
let card = '';
let otherCard = '';
let billingAdmin: ApiClient;
let billingAdminEmail = '';
let billing: ApiClient;
let readOnly: ApiClient;

/** A new contact of `organization` with the access profile `profile`, signed in to the portal. */
async function contactWith(
  profile: string,
  organization: string,
  options: { notified?: boolean } = {},
): Promise<{ portal: ApiClient; email: string }> {
  const pool = testApp.database.pool;
  const email = `autopay-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'Waffles at JJs Diner 1972';
  const id: string = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('Ann Perkins', $1, $2)
       RETURNING id`,
      [email, await hashPassword(password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, $4 FROM access_profiles WHERE name = $3`,
    [id, organization, profile, options.notified ?? false],
  );
  const portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', { email, password });
  if (signIn.statusCode !== 200) throw new Error(`portal sign-in failed: ${signIn.body}`);
  return { portal, email };
}

async function category(name: string): Promise<string> {
  return (
    await testApp.database.pool.query<{ id: string }>(
      `WITH ins AS (INSERT INTO service_categories (name) VALUES ($1)
                    ON CONFLICT DO NOTHING RETURNING id)
       SELECT id FROM ins UNION ALL
       SELECT id FROM service_categories WHERE lower(name) = lower($1) LIMIT 1`,
      [name],
    )
  ).rows[0]!.id;
}

/** The emails stored since `since`, by template, with their recipients and text. */
async function emailsSince(since: Date) {
  return (
    await testApp.database.pool.query<{
      template: string;
      subject: string;
      text: string;
      recipients: { email: string }[];
    }>(
      `SELECT template, subject, text, recipients FROM email_messages
        WHERE created_at >= $1 ORDER BY created_at, template`,
      [since],
    )
  ).rows.map((row) => ({ ...row, to: row.recipients.map((r) => r.email) }));
}

/** Every AutoPay row of an organization, to show a refused request changed nothing. */
async function autopayRows(organization: string) {
  const pool = testApp.database.pool;
  const rules = await pool.query(
    `SELECT * FROM autopay_rules WHERE organization_id = $1 ORDER BY position`,
    [organization],
  );
  const settings = await pool.query(
    `SELECT * FROM autopay_organizations WHERE organization_id = $1`,
    [organization],
  );
  const audit = await pool.query(
    `SELECT count(*)::int AS n FROM audit_events WHERE entity_type = 'autopay'`,
  );
  const emails = await pool.query(
    `SELECT count(*)::int AS n FROM email_messages WHERE template LIKE 'autopay_changed%'`,
  );
  return { rules: rules.rows, settings: settings.rows, audit: audit.rows, emails: emails.rows };
}

beforeAll(async () => {
  testApp = await startTestApp();
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  demo = await organizationId(testApp, 'Demo Company');
  hosting = await category('Hosting');
  hardware = await category('Hardware');
  card = await savedMethod(testApp, pawnee, testCard('4242424242424242'), { isDefault: true });
  otherCard = await savedMethod(testApp, demo, testCard('5555555555554444'), { isDefault: true });
  ({ portal: billingAdmin, email: billingAdminEmail } = await contactWith('Billing Admin', pawnee, {
    notified: true,
  }));
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
}, 60_000);
afterAll(async () => testApp?.close());

describe('a contact sets up AutoPay', () => {
  it('turns AutoPay on with two rules, reads them back in order, and is audited and emailed', async () => {
    const since = new Date();
    const saved = await billingAdmin.put('/api/portal/autopay', {
      enabled: true,
      rules: [
        { serviceCategoryIds: [hosting], paymentMethodId: null, timing: 'due_date' },
        {
          serviceCategoryIds: [],
          paymentMethodId: card,
          timing: 'day_of_month',
          dayOfMonth: 31,
          maxAmountCents: 50_000,
        },
      ],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const answer = saved.json<PortalAutopay>();
    expect(answer).toMatchObject({
      enabled: true,
      required: false,
      lockedReason: null,
      canChange: true,
      currency: 'USD',
    });
    expect(answer.rules).toMatchObject([
      {
        position: 1,
        enabled: true,
        serviceCategoryIds: [hosting],
        paymentMethodId: null,
        paymentMethodLabel: 'Default method (Visa •••• 4242)',
        timing: 'due_date',
        timingLabel: 'On the due date',
        days: null,
        dayOfMonth: null,
        maxAmountCents: null,
        locked: false,
      },
      {
        position: 2,
        serviceCategoryIds: [],
        paymentMethodId: card,
        paymentMethodLabel: 'Visa •••• 4242',
        timing: 'day_of_month',
        dayOfMonth: 31,
        timingLabel: 'On the last day of the month',
        maxAmountCents: 50_000,
      },
    ]);
    expect(answer.serviceCategories.map((c) => c.name)).toEqual(
      expect.arrayContaining(['Hosting', 'Hardware']),
    );
    expect((await billingAdmin.get('/api/portal/autopay')).json<PortalAutopay>()).toEqual(
      JSON.parse(saved.body),
    );

    // Staff see who changed what.
    const staff = (await readOnly.get(`/api/organizations/${pawnee}/autopay`)).json<StaffAutopay>();
    expect(staff.rules).toHaveLength(2);
    expect(staff.changes[0]).toMatchObject({ actor: 'Ann Perkins (portal)' });
    expect(staff.changes[0]!.summary).toContain('Turned AutoPay on');
    expect(staff.changes[0]!.summary).toContain(
      'Added rule 1: Hosting · On the due date · Default method (Visa •••• 4242)',
    );
    expect(staff.changes[0]!.summary).toContain('invoices up to $500.00');

    const emails = await emailsSince(since);
    const client = emails.find((e) => e.template === 'autopay_changed');
    expect(client?.to).toContain(billingAdminEmail);
    expect(client?.subject).toBe('AutoPay changed for Pawnee Parks Dept.');
    expect(client?.text).toContain('Ann Perkins changed AutoPay for Pawnee Parks Dept.');
    expect(client?.text).toContain(
      '1. Hosting · On the due date · Default method (Visa •••• 4242)',
    );
    expect(client?.text).toContain('/configuration/autopay');
    const toStaff = emails.find((e) => e.template === 'autopay_changed_staff');
    expect(toStaff?.to.length).toBeGreaterThan(0);
    expect(toStaff?.to).not.toContain(billingAdminEmail);
    expect(toStaff?.text).toContain(`/organizations/${pawnee}`);
  });

  it('changes, reorders, turns off and deletes rules in one save', async () => {
    const before = (await billingAdmin.get('/api/portal/autopay')).json<PortalAutopay>();
    const [first, second] = before.rules;
    const saved = await billingAdmin.put('/api/portal/autopay', {
      enabled: true,
      rules: [
        { ...second!, enabled: false },
        {
          id: first!.id,
          serviceCategoryIds: [hosting, hardware],
          paymentMethodId: card,
          timing: 'before_due_date',
          days: 3,
          maxAmountCents: null,
        },
        { timing: 'after_invoice_date', days: 1 },
      ],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const after = saved.json<PortalAutopay>().rules;
    expect(after.map((r) => [r.id, r.position, r.enabled, r.timingLabel])).toEqual([
      [second!.id, 1, false, 'On the last day of the month'],
      [first!.id, 2, true, '3 days before the due date'],
      [after[2]!.id, 3, true, '1 day after the invoice date'],
    ]);
    expect(after[2]!.id).not.toBe(first!.id);

    // Delete all but the new one.
    const trimmed = await billingAdmin.put('/api/portal/autopay', {
      enabled: true,
      rules: [{ id: after[2]!.id, timing: 'after_invoice_date', days: 1 }],
    });
    expect(trimmed.json<PortalAutopay>().rules.map((r) => r.id)).toEqual([after[2]!.id]);
    const staff = (await readOnly.get(`/api/organizations/${pawnee}/autopay`)).json<StaffAutopay>();
    expect(staff.changes[1]!.summary).toContain('Turned rule 1 off');
    expect(staff.changes[1]!.summary).toContain('Put the rules in a new order');
    expect(staff.changes[1]!.summary).toContain('Changed rule 2: Hosting, Hardware');
    expect(staff.changes[0]!.summary).toContain('Deleted rule 1');
    expect(staff.changes[0]!.summary).toContain('Deleted rule 2');
  });

  it('saving the same thing again writes, audits and emails nothing', async () => {
    const current = (await billingAdmin.get('/api/portal/autopay')).json<PortalAutopay>();
    const rows = await autopayRows(pawnee);
    const again = await billingAdmin.put('/api/portal/autopay', {
      enabled: current.enabled,
      rules: current.rules,
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(await autopayRows(pawnee)).toEqual(rows);
  });
});

describe('bad input: 400 naming the field and the reason, nothing half-saved', () => {
  const rule = (fields: Record<string, unknown>) => ({
    enabled: true,
    rules: [{ timing: 'due_date' }, { timing: 'due_date', ...fields }],
  });

  it.each([
    ['day of month 0', { timing: 'day_of_month', dayOfMonth: 0 }, 'rules.1.dayOfMonth', /1 to 31/],
    [
      'day of month 32',
      { timing: 'day_of_month', dayOfMonth: 32 },
      'rules.1.dayOfMonth',
      /1 to 31/,
    ],
    ['no day of month', { timing: 'day_of_month' }, 'rules.1.dayOfMonth', /required/],
    ['negative days', { timing: 'after_due_date', days: -2 }, 'rules.1.days', /negative/],
    ['fractional days', { timing: 'after_due_date', days: 1.5 }, 'rules.1.days', /whole number/],
    ['no days', { timing: 'before_due_date' }, 'rules.1.days', /required/],
    ['more than a year', { timing: 'after_due_date', days: 366 }, 'rules.1.days', /at most 365/],
    ['cap 0', { maxAmountCents: 0 }, 'rules.1.maxAmountCents', /more than 0/],
    ['negative cap', { maxAmountCents: -500 }, 'rules.1.maxAmountCents', /negative/],
    ['cap with too many decimals', { maxAmountCents: 100.5 }, 'rules.1.maxAmountCents', /decimals/],
    ['unknown timing', { timing: 'weekly' }, 'rules.1.timing', /due_date/],
    [
      'unknown category',
      { serviceCategoryIds: [randomUUID()] },
      'rules.1.serviceCategoryIds',
      /does not exist/,
    ],
    [
      'malformed category',
      { serviceCategoryIds: ['hosting'] },
      'rules.1.serviceCategoryIds.0',
      /valid id/,
    ],
  ])('%s', async (_name, fields, field, reason) => {
    const rows = await autopayRows(pawnee);
    const response = await billingAdmin.put('/api/portal/autopay', rule(fields));
    const errors = expectFieldErrors(response, [field]);
    expect(errors.find((e) => e.field === field)!.message).toMatch(reason);
    expect(await autopayRows(pawnee)).toEqual(rows);
  });

  it('day 31 is allowed: the month’s last day', async () => {
    const response = await billingAdmin.put(
      '/api/portal/autopay',
      rule({ timing: 'day_of_month', dayOfMonth: 31 }),
    );
    expect(response.statusCode, response.body).toBe(200);
  });

  it('another organization’s payment method or rule is not found (404), and nothing is saved', async () => {
    const { portal: demoAdmin } = await contactWith('Billing Admin', demo);
    const demoRules = await demoAdmin.put('/api/portal/autopay', {
      enabled: false,
      rules: [{ timing: 'due_date' }],
    });
    expect(demoRules.statusCode, demoRules.body).toBe(200);
    const demoRuleId = demoRules.json<PortalAutopay>().rules[0]!.id;

    const rows = await autopayRows(pawnee);
    const method = await billingAdmin.put('/api/portal/autopay', {
      enabled: true,
      rules: [{ timing: 'due_date', paymentMethodId: otherCard }],
    });
    expect(method.statusCode).toBe(404);
    expect(errorOf(method).message).toBe('Payment method not found');
    const foreign = await billingAdmin.put('/api/portal/autopay', {
      enabled: true,
      rules: [{ id: demoRuleId, timing: 'after_due_date', days: 2 }],
    });
    expect(foreign.statusCode).toBe(404);
    expect(errorOf(foreign).message).toBe('AutoPay rule not found');
    expect(await autopayRows(pawnee)).toEqual(rows);
    // Demo Company's rule is untouched.
    expect(
      (await demoAdmin.get('/api/portal/autopay')).json<PortalAutopay>().rules[0],
    ).toMatchObject({ id: demoRuleId, timing: 'due_date' });
  });

  it('staff: an organization that does not exist is 404', async () => {
    const id = randomUUID();
    expect((await readOnly.get(`/api/organizations/${id}/autopay`)).statusCode).toBe(404);
    expect((await readOnly.get(`/api/organizations/${id}/autopay/preview`)).statusCode).toBe(404);
    const put = await billing.put(`/api/organizations/${id}/autopay`, {
      enabled: false,
      rules: [],
    });
    expect(put.statusCode).toBe(404);
  });
});

describe('permissions', () => {
  it.each(['Accounts Payable', 'User'])(
    'a contact whose profile (%s) lacks "manage AutoPay" is refused every AutoPay route (403)',
    async (profile) => {
      const { portal } = await contactWith(profile, pawnee);
      const rows = await autopayRows(pawnee);
      for (const response of [
        await portal.get('/api/portal/autopay'),
        await portal.put('/api/portal/autopay', { enabled: false, rules: [] }),
        await portal.get('/api/portal/autopay/preview'),
      ]) {
        expect(response.statusCode).toBe(403);
        expect(errorOf(response).message).toMatch(/access level/);
      }
      expect(await autopayRows(pawnee)).toEqual(rows);
    },
  );

  it('read-only staff read AutoPay but cannot change it (403)', async () => {
    expect((await readOnly.get(`/api/organizations/${pawnee}/autopay`)).statusCode).toBe(200);
    const put = await readOnly.put(`/api/organizations/${pawnee}/autopay`, {
      enabled: false,
      rules: [],
    });
    expect(put.statusCode).toBe(403);
  });
});

describe('the MSP’s side: authorization, lock, required', () => {
  let lockedOrg = '';
  let contact: ApiClient;

  beforeAll(async () => {
    lockedOrg = (
      await testApp.database.pool.query<{ id: string }>(
        `INSERT INTO organizations (name) VALUES ('Eagleton Water Works') RETURNING id`,
      )
    ).rows[0]!.id;
    await savedMethod(testApp, lockedOrg, testCard('4242424242424242'), { isDefault: true });
    ({ portal: contact } = await contactWith('Billing Admin', lockedOrg, { notified: true }));
  });

  it('staff turning AutoPay on for a client must record the client’s authorization', async () => {
    const rows = await autopayRows(lockedOrg);
    const missing = await billing.put(`/api/organizations/${lockedOrg}/autopay`, {
      enabled: true,
      rules: [{ timing: 'due_date' }],
    });
    const [error] = expectFieldErrors(missing, ['authorization']);
    expect(error!.message).toMatch(/authorization/);
    expect(await autopayRows(lockedOrg)).toEqual(rows);
    // Required and off is a contradiction: the client would see a lock on nothing.
    const requiredOff = await billing.put(`/api/organizations/${lockedOrg}/autopay`, {
      enabled: false,
      required: true,
      rules: [],
    });
    expectFieldErrors(requiredOff, ['required']);
    expect(await autopayRows(lockedOrg)).toEqual(rows);

    const saved = await billing.put(`/api/organizations/${lockedOrg}/autopay`, {
      enabled: true,
      required: true,
      rules: [{ timing: 'due_date', serviceCategoryIds: [hosting], locked: true }],
      note: 'Πελάτης ζήτησε 電話',
      authorization: {
        text: 'I authorize Eagleton Water Works’ invoices to be charged on their due date.',
        authorizedBy: 'Ingrid de Jesus, by phone',
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const answer = saved.json<StaffAutopay>();
    expect(answer).toMatchObject({
      enabled: true,
      required: true,
      requiredBy: 'Ben Wyatt',
      authorization: {
        authorizedBy: 'Ingrid de Jesus, by phone',
        recordedBy: 'Ben Wyatt',
      },
    });
    expect(answer.rules[0]).toMatchObject({ locked: true });
    expect(answer.changes[0]!.summary).toContain('Made AutoPay required');
    // The note staff wrote with the change is in the history, as the form says.
    expect(answer.changes[0]!.note).toBe('Πελάτης ζήτησε 電話');
    expect(answer.changes[0]!.summary).toContain(
      'Added rule 1: Hosting · On the due date · Default method (Visa •••• 4242) · locked',
    );
    expect(answer.changes[0]!.summary).toContain(
      "Recorded the client's authorization, given by Ingrid de Jesus, by phone",
    );
  });

  it('the portal says what is locked; a contact cannot change, move or delete a locked rule, nor turn off required AutoPay (403)', async () => {
    const read = (await contact.get('/api/portal/autopay')).json<PortalAutopay>();
    expect(read).toMatchObject({ enabled: true, required: true });
    expect(read.lockedReason).toMatch(/AutoPay is required by .+; rule 1 is locked by /);
    expect(read.rules[0]).toMatchObject({ locked: true });
    expect(read.authorization).toMatchObject({ recordedBy: null });
    const locked = read.rules[0]!;
    const rows = await autopayRows(lockedOrg);

    const attempts: Array<[string, unknown, RegExp]> = [
      [
        'change',
        { enabled: true, rules: [{ ...locked, timing: 'after_due_date', days: 5 }] },
        /Rule 1 is locked by .+: it cannot be changed/,
      ],
      [
        'turn off',
        { enabled: true, rules: [{ ...locked, enabled: false }, { timing: 'due_date' }] },
        /Rule 1 is locked by .+: it cannot be changed/,
      ],
      ['delete', { enabled: true, rules: [{ timing: 'due_date' }] }, /it cannot be deleted/],
      [
        'move',
        { enabled: true, rules: [{ timing: 'due_date' }, locked] },
        /Rule 1 is locked by .+: it cannot be moved/,
      ],
      ['turn AutoPay off', { enabled: false, rules: [locked] }, /AutoPay is required by .+/],
    ];
    for (const [what, body, message] of attempts) {
      const response = await contact.put('/api/portal/autopay', body);
      expect(response.statusCode, what).toBe(403);
      expect(errorOf(response).message, what).toMatch(message);
    }
    expect(await autopayRows(lockedOrg)).toEqual(rows);

    // Adding a rule after the locked one is the contact's to do.
    const added = await contact.put('/api/portal/autopay', {
      enabled: true,
      rules: [locked, { timing: 'after_due_date', days: 2 }],
    });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json<PortalAutopay>().rules).toHaveLength(2);
  });

  it('a contact cannot lock or unlock: the portal body has no such field', async () => {
    const read = (await contact.get('/api/portal/autopay')).json<PortalAutopay>();
    const response = await contact.put('/api/portal/autopay', {
      enabled: true,
      rules: [read.rules[0], { ...read.rules[1], locked: true }],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<PortalAutopay>().rules.map((r) => r.locked)).toEqual([true, false]);
  });

  it('staff saving without "required" or a rule\'s "locked" leave them as they are', async () => {
    const before = (
      await billing.get(`/api/organizations/${lockedOrg}/autopay`)
    ).json<StaffAutopay>();
    const saved = await billing.put(`/api/organizations/${lockedOrg}/autopay`, {
      enabled: true,
      rules: before.rules.map(({ locked: _locked, ...rule }) => ({ ...rule, days: 4 })),
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const after = saved.json<StaffAutopay>();
    expect(after.required).toBe(true);
    expect(after.rules.map((r) => r.locked)).toEqual(before.rules.map((r) => r.locked));
  });

  it('once staff unlock the rule and lift "required", the contact may change it', async () => {
    const staff = (
      await billing.get(`/api/organizations/${lockedOrg}/autopay`)
    ).json<StaffAutopay>();
    const unlocked = await billing.put(`/api/organizations/${lockedOrg}/autopay`, {
      enabled: true,
      required: false,
      rules: staff.rules.map((r) => ({ ...r, locked: false })),
    });
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(unlocked.json<StaffAutopay>().changes[0]!.summary).toContain('Unlocked rule 1');
    const off = await contact.put('/api/portal/autopay', { enabled: false, rules: [] });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json<PortalAutopay>()).toMatchObject({
      enabled: false,
      rules: [],
      lockedReason: null,
    });
  });
});

describe('names in other scripts', () => {
  it('reads and emails rules with categories and organizations named in any script', async () => {
    const pool = testApp.database.pool;
    const kyiv = (
      await pool.query<{ id: string }>(
        `INSERT INTO organizations (name) VALUES ('Київські Мережі 东方') RETURNING id`,
      )
    ).rows[0]!.id;
    const { portal, email } = await contactWith('Billing Admin', kyiv, { notified: true });
    const category = (
      await pool.query<{ id: string }>(
        `INSERT INTO service_categories (name) VALUES ('Хостинг と クラウド') RETURNING id`,
      )
    ).rows[0]!.id;
    const since = new Date();
    const saved = await portal.put('/api/portal/autopay', {
      enabled: true,
      rules: [{ serviceCategoryIds: [category], timing: 'day_of_month', dayOfMonth: 2 }],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<PortalAutopay>().rules[0]).toMatchObject({
      timingLabel: 'On the 2nd of the month',
      paymentMethodLabel: 'Default method (none yet)',
    });
    const sent = (await emailsSince(since)).find((e) => e.template === 'autopay_changed');
    expect(sent?.to).toEqual([email]);
    expect(sent?.subject).toBe('AutoPay changed for Київські Мережі 东方');
    expect(sent?.text).toContain('1. Хостинг と クラウド · On the 2nd of the month');
  });
});
