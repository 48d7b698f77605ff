import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PgBoss from 'pg-boss';
import { loadConfig } from '../../src/platform/config.js';
import { registerQueues } from '../../src/platform/jobs.js';
import { emailJobs } from '../../src/modules/email/email.jobs.js';
import { createMailTransport } from '../../src/modules/email/mail-transport.js';
import { paymentEmailJobs } from '../../src/modules/payments/payment-receipts.js';
import type { AppContext } from '../../src/platform/context.js';
import { createLogger } from '../../src/platform/logger.js';
import { runAutopay } from '../../src/modules/autopay/autopay-run.js';
import { businessToday } from '../../src/modules/settings/business-date.js';
import { paymentGateway } from '../../src/payment-gateway.js';
import { checkAutopayLedger, ledgerAgrees } from '../../bench/autopay-ledger.js';
import { seedAutopayData } from '../../bench/autopay-seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The proof the AutoPay chaos run prints (npm run chaos -- autopay) must see what it claims to
 * count: on the chaos run's own seeding, a run of AutoPay leaves the three figures at 0, and a
 * charge made twice, an invoice left alone and a payment left pending each show.
 */

let database: TestDatabase;
let context: AppContext;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const jobs = new PgBoss({
    connectionString: database.connectionString,
    schema: 'pgboss',
    supervise: false,
    schedule: false,
    max: 2,
  });
  jobs.on('error', () => undefined);
  await jobs.start();
  context = { config, pool: database.pool, jobs, logger: createLogger('silent') };
  // The queues the run's payments and emails are put on, as after npm start.
  await registerQueues(jobs, [
    ...emailJobs({ ...context, transport: createMailTransport(config, 1) }),
    ...paymentEmailJobs(context),
  ]);
});

afterAll(async () => {
  await context?.jobs.stop({ graceful: false, wait: true });
  await database?.drop();
});

describe('the AutoPay chaos check', () => {
  it('counts invoices missed, then 0 of each once AutoPay has run; a double charge and a pending payment show', async () => {
    const pool = database.pool;
    const dueDate = await businessToday(pool);
    const seed = await seedAutopayData({
      pool,
      organizations: 10,
      invoices: 30,
      dueDate,
      declineEvery: 5,
    });
    expect(seed).toMatchObject({ softDeclines: 1, hardDeclines: 1 });

    // Before the run every seeded invoice is due and unpaid: missed.
    const before = await checkAutopayLedger(pool, 'A');
    expect(before.invoicesMissed).toBe(30);
    expect(ledgerAgrees(before)).toBe(false);

    await runAutopay(context, paymentGateway(context), { businessDate: dueDate });
    const after = await checkAutopayLedger(pool, 'A');
    expect(after).toMatchObject({
      doubleCharges: 0,
      invoicesMissed: 0,
      paymentsNotFinal: 0,
      statusesOff: 0,
      invoicesOff: 0,
      invoicesPaid: 24,
      invoicesFailedWithReason: 6,
    });
    expect(ledgerAgrees(after)).toBe(true);

    // A second charge of a paid invoice at the processor, under a key no payment has.
    await pool.query(
      `INSERT INTO sandbox_charges (id, idempotency_key, request_fingerprint, method_id,
                                    amount_cents, currency, status)
       SELECT 'ch_sbx_twice', 'portico-payment-lost', 'x', method_id, amount_cents, currency,
              'succeeded'
         FROM sandbox_charges LIMIT 1`,
    );
    // A payment left pending.
    await pool.query(`UPDATE payments SET status = 'pending' WHERE id =
                        (SELECT id FROM payments WHERE status = 'failed' LIMIT 1)`);
    const broken = await checkAutopayLedger(pool, 'A');
    expect(broken.doubleCharges).toBe(1);
    expect(broken.chargesWithoutPayment).toBe(1);
    expect(broken.paymentsNotFinal).toBe(1);
    expect(ledgerAgrees(broken)).toBe(false);
  });
});
