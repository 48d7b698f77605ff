import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import {
  transactionCountCap,
  type transactionsPage,
} from '../../src/shared/contract/staff-payments.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * The Transactions list on a huge table: its total stops counting past transactionCountCap
 * (10,000) and says so, so a page never reads every payment just to count them.
 */

type Page = Answer<typeof transactionsPage>;
let testApp: TestApp;
let staff: ApiClient;
let busy = '';
let quiet = '';

beforeAll(async () => {
  testApp = await startTestApp();
  staff = await signedInAs(testApp.app, 'read_only');
  busy = await organizationId(testApp, 'Pawnee Parks Dept.');
  quiet = await organizationId(testApp, 'Demo Company');
  // More checks recorded than the list counts: one statement, like an import of years of them.
  await testApp.database.pool.query(
    `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                           method_type, method_label, received_on, created_at)
     SELECT 'P-BULK-' || g, $1, 'manual', 'succeeded', 100 + g, 'USD', 'check', 'Check ' || g,
            '2025-01-01', now() - make_interval(secs => g)
       FROM generate_series(1, $2::int) g`,
    [busy, transactionCountCap + 25],
  );
  await testApp.database.pool.query(
    `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                           method_type, method_label, received_on)
     SELECT 'P-FEW-' || g, $1, 'manual', 'succeeded', 500, 'USD', 'wire', 'Wire ' || g,
            '2025-02-01'
       FROM generate_series(1, 3) g`,
    [quiet],
  );
}, 120_000);
afterAll(async () => testApp?.close());

describe('the Transactions total', () => {
  it('reads "10,000+" past the cap, and the exact count below it', async () => {
    const all = await staff.get('/api/payments?limit=25');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json<Page>()).toMatchObject({ total: transactionCountCap, totalCapped: true });
    expect(all.json<Page>().payments).toHaveLength(25);

    const few = await staff.get(`/api/payments?organizationId=${quiet}&limit=25`);
    expect(few.json<Page>()).toMatchObject({ total: 3, totalCapped: false });

    // A filter that leaves fewer than the cap counts them exactly.
    const february = await staff.get('/api/payments?from=2025-02-01&to=2025-02-28&limit=1');
    expect(february.json<Page>()).toMatchObject({ total: 3, totalCapped: false });
  });
});
