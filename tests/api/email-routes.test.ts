import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEmailFailureSummary } from '../../src/modules/email/email.jobs.js';
import { emailTemplateKeys } from '../../src/modules/email/templates/index.js';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import {
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

let testApp: TestApp;
let billing: ApiClient;
let readOnly: ApiClient;
let admin: ApiClient;
let pawnee: string;
let demoCompany: string;
let leslie: string;
let april: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  admin = await signedInAs(testApp.app, 'master_admin');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  demoCompany = await organizationId(testApp, 'Demo Company');
  leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');
});
afterAll(async () => testApp.close());

async function messageCount(): Promise<number> {
  const result = await testApp.database.pool.query('SELECT count(*)::int AS n FROM email_messages');
  return result.rows[0].n;
}

async function jobCount(): Promise<number> {
  const result = await testApp.database.pool.query(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'email.send'`,
  );
  return result.rows[0].n;
}

describe('Send Account Summary', () => {
  it('queues one message to the Default Notification Emails, and a double click makes no second', async () => {
    const before = await messageCount();
    const [first, second] = await Promise.all([
      billing.post(`/api/organizations/${pawnee}/send-account-summary`),
      billing.post(`/api/organizations/${pawnee}/send-account-summary`),
    ]);
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(first.json().messageId).toBe(second.json().messageId);
    expect([first.json().duplicate, second.json().duplicate].sort()).toEqual([false, true]);
    expect(await messageCount()).toBe(before + 1);

    const email = (await billing.get(`/api/emails/${first.json().messageId}`)).json().email;
    expect(email.recipients).toEqual([
      { email: 'lknope@pawnee-indiana.gov', name: 'Leslie Knope', contactId: leslie },
    ]);
    expect(email.templateName).toBe('Account Summary');
    expect(email.status).toBe('queued');
    expect(email.events.map((e: { kind: string }) => e.kind)).toEqual(['triggered', 'queued']);
    expect(email.events[0].detail).toContain('Ben Wyatt');
  });

  it('refuses an organization without Default Notification Emails, queueing nothing', async () => {
    const lonely = (await billing.post('/api/organizations', { name: 'No Contacts LLC' })).json()
      .organization.id;
    const [messages, jobs] = [await messageCount(), await jobCount()];
    const response = await billing.post(`/api/organizations/${lonely}/send-account-summary`);
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).message).toMatch(/no Default Notification Emails/);
    expect(await messageCount()).toBe(messages);
    expect(await jobCount()).toBe(jobs);
  });

  it('answers 404 for an unknown organization, 400 for a malformed id, 403 for Read Only', async () => {
    const unknown = await billing.post(
      '/api/organizations/00000000-0000-4000-8000-000000000000/send-account-summary',
    );
    expect(unknown.statusCode).toBe(404);
    expectFieldErrors(await billing.post('/api/organizations/nope/send-account-summary'), ['id']);
    expect(
      (await readOnly.post(`/api/organizations/${pawnee}/send-account-summary`)).statusCode,
    ).toBe(403);
  });
});

describe("a contact's Email menu", () => {
  it('stores a Welcome Email without a working link: the link is minted at delivery', async () => {
    const response = await billing.post(`/api/contacts/${leslie}/emails`, {
      organizationId: pawnee,
      kind: 'welcome',
    });
    expect(response.statusCode).toBe(202);
    const email = (await billing.get(`/api/emails/${response.json().messageId}`)).json().email;
    expect(email.html).toContain('/set-password?token=sent-to-the-recipient-only');
    expect(email.text).toContain('/set-password?token=sent-to-the-recipient-only');
    // Nothing is minted before delivery (no worker runs here), so there is no link to use yet.
    const stored = await testApp.database.pool.query(
      'SELECT 1 FROM contact_tokens WHERE contact_id = $1',
      [leslie],
    );
    expect(stored.rowCount).toBe(0);
  });

  it('says why Welcome and Password Reset are unavailable for a contact with Revoke Access', async () => {
    await testApp.database.pool.query(
      `UPDATE contact_organizations SET access_profile_id = NULL
        WHERE contact_id = $1 AND organization_id = $2`,
      [april, pawnee],
    );
    const options = (
      await readOnly.get(`/api/contacts/${april}/email-options?organizationId=${pawnee}`)
    ).json().options;
    const reason = (kind: string) =>
      options.find((o: { kind: string }) => o.kind === kind).unavailableReason;
    expect(reason('welcome')).toMatch(/Revoke Access/);
    expect(reason('password_reset')).toMatch(/Revoke Access/);
    expect(reason('account_summary')).toBeNull();

    const before = await messageCount();
    const refused = await billing.post(`/api/contacts/${april}/emails`, {
      organizationId: pawnee,
      kind: 'password_reset',
    });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).message).toMatch(/Revoke Access/);
    expect(await messageCount()).toBe(before);
  });

  it('validates the request and the relation', async () => {
    expectFieldErrors(
      await billing.post(`/api/contacts/${leslie}/emails`, { organizationId: 'x', kind: 'spam' }),
      ['organizationId', 'kind'],
    );
    const notRelated = await billing.post(`/api/contacts/${april}/emails`, {
      organizationId: demoCompany,
      kind: 'account_summary',
    });
    expect(notRelated.statusCode).toBe(404);
  });
});

describe('email history, View and Resend', () => {
  it('lists an organization’s emails with filters, and a contact’s own emails only', async () => {
    await billing.post(`/api/contacts/${leslie}/emails`, {
      organizationId: demoCompany,
      kind: 'account_summary',
    });
    const all = (await readOnly.get(`/api/organizations/${pawnee}/emails`)).json().emails;
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.every((e: { organizationId: string }) => e.organizationId === pawnee)).toBe(true);

    const welcomes = (
      await readOnly.get(`/api/organizations/${pawnee}/emails?template=welcome`)
    ).json().emails;
    expect(welcomes.map((e: { template: string }) => e.template)).toEqual(['welcome']);
    const sent = (await readOnly.get(`/api/organizations/${pawnee}/emails?status=sent`)).json();
    expect(sent.emails).toEqual([]);

    const today = new Date().toISOString().slice(0, 10);
    const inRange = (
      await readOnly.get(`/api/organizations/${pawnee}/emails?from=${today}&to=${today}`)
    ).json().emails;
    expect(inRange).toHaveLength(all.length);
    const earlier = (
      await readOnly.get(`/api/organizations/${pawnee}/emails?from=2020-01-01&to=2020-01-31`)
    ).json().emails;
    expect(earlier).toEqual([]);
    expectFieldErrors(
      await readOnly.get(`/api/organizations/${pawnee}/emails?from=2026-02-01&to=2026-01-01`),
      ['to'],
    );
    expectFieldErrors(await readOnly.get(`/api/organizations/${pawnee}/emails?template=nope`), [
      'template',
    ]);

    const leslieEmails = (await readOnly.get(`/api/contacts/${leslie}/emails`)).json().emails;
    const organizations = new Set(
      leslieEmails.map((e: { organizationId: string }) => e.organizationId),
    );
    expect(organizations).toEqual(new Set([pawnee, demoCompany]));
    expect(
      leslieEmails.every((e: { recipients: { contactId: string }[] }) =>
        e.recipients.some((r) => r.contactId === leslie),
      ),
    ).toBe(true);
    const aprilEmails = (await readOnly.get(`/api/contacts/${april}/emails`)).json().emails;
    expect(aprilEmails).toEqual([]);
  });

  it('pages through history with a cursor, newest first, each message once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { emails: { id: string }[]; nextCursor: string | null } = (
        await readOnly.get(
          `/api/organizations/${pawnee}/emails?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).json();
      seen.push(...page.emails.map((e: { id: string }) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await readOnly.get(`/api/organizations/${pawnee}/emails`)).json().emails;
    expect(seen).toEqual(all.map((e: { id: string }) => e.id));
  });

  it('resends the same content as a new message linked to the original; history shows both', async () => {
    const [original] = (
      await readOnly.get(`/api/organizations/${pawnee}/emails?template=account_summary`)
    ).json().emails;
    expect((await readOnly.post(`/api/emails/${original.id}/resend`)).statusCode).toBe(403);
    const response = await billing.post(`/api/emails/${original.id}/resend`);
    expect(response.statusCode).toBe(202);
    const copy = (await billing.get(`/api/emails/${response.json().messageId}`)).json().email;
    const first = (await billing.get(`/api/emails/${original.id}`)).json().email;
    expect(copy.resentFromId).toBe(original.id);
    expect(copy.html).toBe(first.html);
    expect(copy.subject).toBe(first.subject);
    expect(first.resentAs).toEqual([copy.id]);
    expect(first.events.at(-1).kind).toBe('resent');
    const ids = (await readOnly.get(`/api/organizations/${pawnee}/emails`))
      .json()
      .emails.map((e: { id: string }) => e.id);
    expect(ids).toContain(original.id);
    expect(ids).toContain(copy.id);
    expect(first.headers['X-Portico-Message-Id']).toBe(original.id);
  });

  it('answers 404 for an unknown email and 400 for a malformed one', async () => {
    expect(
      (await readOnly.get('/api/emails/00000000-0000-4000-8000-000000000000')).statusCode,
    ).toBe(404);
    expectFieldErrors(await readOnly.get('/api/emails/123'), ['id']);
    expect(
      (await billing.post('/api/emails/00000000-0000-4000-8000-000000000000/resend')).statusCode,
    ).toBe(404);
  });
});

describe('templates and branding', () => {
  it('previews every template with sample data and the current branding', async () => {
    const listed = (await readOnly.get('/api/email-templates')).json().templates;
    expect(listed.map((t: { key: string }) => t.key)).toEqual(emailTemplateKeys);
    for (const key of emailTemplateKeys) {
      const preview = (await readOnly.get(`/api/email-templates/${key}/preview`)).json();
      expect(preview.subject.length).toBeGreaterThan(5);
      expect(preview.html).toContain('Northwind Managed IT');
      expect(preview.text.length).toBeGreaterThan(20);
    }
    expect((await readOnly.get('/api/email-templates/nope/preview')).statusCode).toBe(400);
  });

  it('lets a Master Admin change the branding every email wears, and no one else', async () => {
    const branding = {
      mspName: 'Pawnee Tech Partners',
      logoUrl: '',
      brandColor: '#2b8a3e',
      supportEmail: 'help@pawneetech.example',
      supportPhone: '(317) 555-0111',
      portalUrl: 'https://portal.pawneetech.example/portal',
    };
    expect((await billing.put('/api/settings/branding', branding)).statusCode).toBe(403);
    expectFieldErrors(
      await admin.put('/api/settings/branding', {
        ...branding,
        brandColor: 'green',
        portalUrl: 'ftp://x',
      }),
      ['brandColor', 'portalUrl'],
    );
    const saved = await admin.put('/api/settings/branding', branding);
    expect(saved.statusCode).toBe(200);
    const preview = (await readOnly.get('/api/email-templates/welcome/preview')).json();
    expect(preview.subject).toBe('Welcome to the Pawnee Tech Partners client portal');
    expect(preview.html).toContain('#2b8a3e');
  });
});

describe('Email Failure Summary', () => {
  it('tells every Master Admin which client emails failed in the last day, and is silent otherwise', async () => {
    const quiet = await startTestApp();
    try {
      expect(await sendEmailFailureSummary(quiet.context)).toBeNull();
    } finally {
      await quiet.close();
    }
    await testApp.database.pool.query(
      `UPDATE email_messages SET status = 'failed', last_error = 'The mailbox does not exist.'
        WHERE id = (SELECT id FROM email_messages WHERE template = 'welcome' LIMIT 1)`,
    );
    const queued = await sendEmailFailureSummary(testApp.context);
    const summary = (await admin.get(`/api/emails/${queued!.messageId}`)).json().email;
    expect(summary.recipients.map((r: { email: string }) => r.email)).toEqual([
      'admin@portico.test',
    ]);
    expect(summary.text).toContain('The mailbox does not exist.');
    expect(summary.text).toContain('Pawnee Parks Dept.: Welcome to lknope@pawnee-indiana.gov');
  });
});
