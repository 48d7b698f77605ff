import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type { portalAutopay } from '../../src/shared/contract/autopay.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import { organizationId, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * Configuration > AutoPay saved twice: a double click on Save sends the same new rules (no ids
 * yet) twice at once, and a client may send its rules again without their ids. Either way the
 * AutoPay is changed once: one audit row, one round of AutoPay Changed emails, the rule keeps
 * its id (so its last runs stay with it).
 */

type PortalAutopay = Answer<typeof portalAutopay>;

let testApp: TestApp;
let portal: ApiClient;
let pawnee = '';
let card = '';

async function counts() {
  const pool = testApp.database.pool;
  const [audits, emails] = await Promise.all([
    pool.query(`SELECT count(*)::int AS n FROM audit_events WHERE entity_type = 'autopay'`),
    pool.query(
      `SELECT count(*)::int AS n FROM email_messages WHERE template LIKE 'autopay_changed%'`,
    ),
  ]);
  return { audits: audits.rows[0].n as number, emails: emails.rows[0].n as number };
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
  card = await savedMethod(testApp, pawnee, testCard('4242424242424242'), { isDefault: true });
}, 60_000);
afterAll(async () => testApp?.close());

describe('AutoPay saved twice', () => {
  it('the same new rules sent twice at once are added once: one audit row, one round of emails', async () => {
    const before = await counts();
    const body = {
      enabled: true,
      rules: [
        { timing: 'due_date', paymentMethodId: card, maxAmountCents: 50_000 },
        { timing: 'day_of_month', dayOfMonth: 31 },
      ],
    };
    const answers = await Promise.all([
      portal.put('/api/portal/autopay', body),
      portal.put('/api/portal/autopay', body),
    ]);
    const ids = answers.map((answer) => {
      expect(answer.statusCode, answer.body).toBe(200);
      return answer.json<PortalAutopay>().rules.map((rule) => rule.id);
    });
    expect(ids[0]).toHaveLength(2);
    expect(ids[1]).toEqual(ids[0]);
    const after = await counts();
    expect(after.audits - before.audits).toBe(1);
    const onceEmails = after.emails - before.emails;
    expect(onceEmails).toBeGreaterThan(0);

    // Sent again without ids, as it was: nothing changes, nothing is sent.
    const again = await portal.put('/api/portal/autopay', body);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<PortalAutopay>().rules.map((rule) => rule.id)).toEqual(ids[0]);
    expect(await counts()).toEqual(after);

    // A new rule that differs is still a change: added, audited and emailed.
    const changed = await portal.put('/api/portal/autopay', {
      ...body,
      rules: [...body.rules, { timing: 'after_due_date', days: 3 }],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(
      changed
        .json<PortalAutopay>()
        .rules.map((rule) => rule.id)
        .slice(0, 2),
    ).toEqual(ids[0]);
    expect((await counts()).audits).toBe(after.audits + 1);
  });
});
