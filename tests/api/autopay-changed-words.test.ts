import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * The AutoPay Changed email as the client reads it: who changed AutoPay in the client's words
 * (the contact's name; staff as the MSP's billing team, as the Scheduled Payments emails say),
 * never the audit log's labels ("(portal)", a staff member's email address). Staff's own
 * AutoPay Changed email names the staff member.
 */

let testApp: TestApp;
let portal: ApiClient;
let pawnee = '';

async function lastEmail(template: string) {
  return (
    await testApp.database.pool.query<{ text: string; html: string }>(
      `SELECT text, html FROM email_messages WHERE template = $1 ORDER BY created_at DESC LIMIT 1`,
      [template],
    )
  ).rows[0]!;
}

beforeAll(async () => {
  testApp = await startTestApp();
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  let email = '';
  ({ portal, email } = await signedInToPortal(testApp, pawnee));
  await testApp.database.pool.query(
    `UPDATE contact_organizations
        SET access_profile_id = (SELECT id FROM access_profiles WHERE name = 'Billing Admin'),
            is_default_notification = true
      WHERE contact_id = (SELECT id FROM contacts WHERE email = $1)`,
    [email],
  );
  await testApp.database.pool.query(`UPDATE contacts SET name = 'Ана Кузнецова' WHERE email = $1`, [
    email,
  ]);
  await savedMethod(testApp, pawnee, testCard('4242424242424242'), { isDefault: true });
}, 60_000);
afterAll(async () => testApp?.close());

describe('who changed AutoPay, in the client’s words', () => {
  it('a contact’s change names the contact; a staff change names the billing team, not an address', async () => {
    const mine = await portal.put('/api/portal/autopay', {
      enabled: true,
      rules: [{ timing: 'due_date' }],
    });
    expect(mine.statusCode, mine.body).toBe(200);
    const byContact = await lastEmail('autopay_changed');
    expect(byContact.text).toContain('Ана Кузнецова changed AutoPay for Pawnee Parks Dept.');
    expect(byContact.text).not.toContain('(portal)');

    const billing = await signedInAs(testApp.app, 'billing');
    const theirs = await billing.put(`/api/organizations/${pawnee}/autopay`, {
      enabled: true,
      rules: [{ timing: 'before_due_date', days: 2 }],
    });
    expect(theirs.statusCode, theirs.body).toBe(200);
    const byStaff = await lastEmail('autopay_changed');
    expect(byStaff.text).toContain('Our billing team changed AutoPay for Pawnee Parks Dept.');
    expect(byStaff.text).not.toMatch(/<[^>\s]+@[^>\s]+>/);
    const staffEmail = (
      await testApp.database.pool.query<{ email: string }>(
        `SELECT email FROM staff_users WHERE role = 'billing' ORDER BY created_at LIMIT 1`,
      )
    ).rows[0]!.email;
    expect(byStaff.html).not.toContain(staffEmail);
    // Staff's own copy says which of them it was.
    expect((await lastEmail('autopay_changed_staff')).text).toMatch(/<[^>\s]+@[^>\s]+> changed/);
  });
});
