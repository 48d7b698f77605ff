import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/modules/invoices/invoice-math.js';
import { businessToday } from '../../src/modules/settings/business-date.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * One definition of "open as of a date" (issued, neither draft nor void, a balance, issued on
 * or before the date): an invoice dated tomorrow is owed from tomorrow, on the statement, the
 * Account Summary, the portal's tiles and list, and the staff overdue list alike.
 */
const password = 'Tomorrow never comes early 42';

let testApp: TestApp;
let staff: ApiClient;
let portal: ApiClient;
let org: string;
let now: Date;
let today: string;

beforeAll(async () => {
  testApp = await startTestApp();
  now = new Date();
  testApp.context.clock = () => now;
  staff = await signedInAs(testApp.app, 'billing');
  const pool = testApp.database.pool;
  today = await businessToday(pool, now);
  org = (await pool.query(`INSERT INTO organizations (name) VALUES ('Future Co') RETURNING id`))
    .rows[0].id;
  const contact = (
    await pool.query(
      `INSERT INTO contacts (name, email) VALUES ('Marty McFly', 'marty@future.example') RETURNING id`,
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, is_default_notification,
                                        access_profile_id)
     VALUES ($1, $2, true, (SELECT id FROM access_profiles WHERE name = 'Billing Admin'))`,
    [contact, org],
  );
  const line = (cents: number) => [
    { description: 'Managed services', quantity: 10_000, unitPriceCents: cents },
  ];
  // Issued ten days ago, 5 days past due; and one dated tomorrow.
  await insertInvoice(pool, {
    organizationId: org,
    number: 'F-PAST',
    issueDate: addDays(today, -10),
    dueDate: addDays(today, -5),
    lines: line(10_000),
  });
  await insertInvoice(pool, {
    organizationId: org,
    number: 'F-TOMORROW',
    issueDate: addDays(today, 1),
    dueDate: addDays(today, 1),
    lines: line(25_000),
  });

  // The password is set as the Welcome link would set it: the link is not what this is about.
  await pool.query('UPDATE contacts SET password_hash = $2 WHERE id = $1', [
    contact,
    await hashPassword(password),
  ]);
  portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', {
    email: 'marty@future.example',
    password,
  });
  expect(signIn.statusCode, signIn.body).toBe(200);
});
afterAll(async () => testApp.close());

const numbers = (rows: { number: string }[]) => rows.map((row) => row.number).sort();

/** What each surface says the organization owes, and for which invoices. */
async function whatIsOwed() {
  const summary = (await staff.get(`/api/organizations/${org}/account-summary/preview`)).json()
    .statement;
  const portalOpen = (await portal.get('/api/portal/invoices')).json();
  const overdue = (await staff.get(`/api/invoices?organizationId=${org}&overdue=true`)).json();
  return {
    statement: { total: summary.totalDueCents, invoices: numbers(summary.openInvoices) },
    portalTiles: { total: portalOpen.totals.balanceCents, pastDue: portalOpen.totals.pastDueCents },
    portalList: numbers(portalOpen.invoices),
    staffOverdue: numbers(overdue.invoices),
  };
}

describe('open as of a date', () => {
  it('leaves an invoice dated tomorrow out everywhere today', async () => {
    expect(await whatIsOwed()).toEqual({
      statement: { total: 10_000, invoices: ['F-PAST'] },
      portalTiles: { total: 10_000, pastDue: 10_000 },
      portalList: ['F-PAST'],
      staffOverdue: ['F-PAST'],
    });
  });

  it('counts it everywhere from its issue date on', async () => {
    now = new Date(now.getTime() + 24 * 60 * 60 * 1000);
    expect(await whatIsOwed()).toEqual({
      statement: { total: 35_000, invoices: ['F-PAST', 'F-TOMORROW'] },
      portalTiles: { total: 35_000, pastDue: 10_000 },
      portalList: ['F-PAST', 'F-TOMORROW'],
      staffOverdue: ['F-PAST'],
    });
  });
});
