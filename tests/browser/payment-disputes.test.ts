import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, signInToConsole, type BrowserApp } from '../support/browser-app.js';

/**
 * A payment the client disputed at their bank, as staff see it: "Disputed" beside its status in
 * Transactions and on the organization's Payments tab while the bank decides, "Dispute lost"
 * once it is lost (the webhook that sets it: tests/api/stripe-payments.test.ts).
 */

let app: BrowserApp;
let organization = '';

beforeAll(async () => {
  app = await startBrowserApp();
  const pool = app.testApp.database.pool;
  organization = (
    await pool.query(`SELECT id FROM organizations WHERE name = 'Pawnee Parks Dept.'`)
  ).rows[0].id;
  await pool.query(
    `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                           method_type, method_label, gateway, dispute_ref, dispute_status,
                           dispute_reason, disputed_at)
     VALUES ('P-DISPUTE-1', $1, 'portal', 'succeeded', 125050, 'USD', 'card', 'Visa •••• 4242',
             'stripe', 'du_1', 'needs_response', 'fraudulent', now()),
            ('P-DISPUTE-2', $1, 'portal', 'succeeded', 98000, 'USD', 'card', 'Visa •••• 4242',
             'stripe', 'du_2', 'lost', 'duplicate', now())`,
    [organization],
  );
}, 120_000);
afterAll(async () => app?.close());

describe('disputed payments', () => {
  it('read Disputed, then Dispute lost, beside their status', async () => {
    const staff = await app.newPage();
    await signInToConsole(staff, app.baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await staff.goto(`${app.baseUrl}/transactions`);
    const table = staff.getByRole('table', { name: 'Transactions' });
    const open = table.getByRole('row', { name: /P-DISPUTE-1/ });
    await open.waitFor();
    expect(await open.innerText()).toMatch(/Paid\s+Disputed/i);
    // The client's reason, on the badge's title.
    expect(await open.locator('[title="Reason: fraudulent"]').count()).toBe(1);
    const lost = table.getByRole('row', { name: /P-DISPUTE-2/ });
    expect(await lost.innerText()).toMatch(/Dispute lost/i);

    await staff.goto(`${app.baseUrl}/organizations/${organization}`);
    await staff.getByRole('tab', { name: 'Payments', exact: true }).click();
    await staff
      .getByRole('row', { name: /P-DISPUTE-1/ })
      .getByText('Disputed')
      .waitFor();
    await staff.close();
  });
});
