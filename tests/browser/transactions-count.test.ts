import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionCountCap } from '../../src/shared/contract/staff-payments.js';
import { startBrowserApp, signInToConsole, type BrowserApp } from '../support/browser-app.js';

/**
 * Transactions on an installation with more payments than the list counts: the console reads
 * "10,000+" and pages on as usual.
 */

let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp();
  const pool = app.testApp.database.pool;
  const organization = (
    await pool.query(`SELECT id FROM organizations WHERE name = 'Pawnee Parks Dept.'`)
  ).rows[0].id;
  await pool.query(
    `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                           method_type, method_label, received_on, created_at)
     SELECT 'P-BULK-' || g, $1, 'manual', 'succeeded', 100 + g, 'USD', 'check', 'Check ' || g,
            '2025-01-01', now() - make_interval(secs => g)
       FROM generate_series(1, $2::int) g`,
    [organization, transactionCountCap + 25],
  );
}, 120_000);
afterAll(async () => app?.close());

describe('Transactions', () => {
  it('says "10,000+" when there are more payments than it counts', async () => {
    const staff = await app.newPage();
    await signInToConsole(staff, app.baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await staff
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Transactions' })
      .click();
    await staff.getByRole('heading', { name: 'Transactions', level: 1 }).waitFor();
    const status = staff.getByRole('status').filter({ hasText: /^Showing/ });
    await expect.poll(() => status.innerText()).toMatch(/^Showing 50 of 10,000\+ payments$/);
    await staff.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => status.innerText()).toMatch(/^Showing 100 of 10,000\+ payments$/);
    await staff.close();
  });
});
