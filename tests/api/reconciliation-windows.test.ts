import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/platform/config.js';
import { startPayment } from '../../src/modules/payments/pay-invoices.js';
import { reconcilePayments } from '../../src/modules/payments/reconciliation.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { sandboxOf, savedMethod, testCard } from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import { ApiClient, organizationId, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The reconciliation job's windows are settings (PAYMENT_CONFIRM_AFTER_SECONDS,
 * PAYMENT_UNREACHED_AFTER_MINUTES, PAYMENT_UNREACHED_RECHECK_HOURS): an installation that sets
 * them gets them, and a bad value stops the start naming the variable.
 */

let testApp: TestApp;
let portal: ApiClient;
let email = '';
let organization = '';

beforeAll(async () => {
  testApp = await startTestApp({
    PAYMENT_CONFIRM_AFTER_SECONDS: '10',
    PAYMENT_UNREACHED_AFTER_MINUTES: '3',
  });
  organization = await organizationId(testApp, 'Pawnee Parks Dept.');
  ({ portal, email } = await signedInToPortal(testApp, organization));
});
afterAll(async () => {
  delete testApp?.context.clock;
  await testApp?.close();
});

describe('the reconciliation windows', () => {
  it('fails a payment that never reached the processor after the configured window', async () => {
    const invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId: organization,
      number: 'INV-WINDOW-1',
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      lines: [{ description: 'Managed services', quantity: 10_000, unitPriceCents: 2_000 }],
    });
    const card = await savedMethod(testApp, organization, testCard('4242424242424242'));
    const contact = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM contacts WHERE email = $1`,
        [email],
      )
    ).rows[0]!.id;
    // The payment is written, then its process dies before the charge.
    const { paymentId } = await startPayment({
      context: testApp.context,
      gateway: sandboxOf(testApp),
      actor: { kind: 'contact', id: contact, label: 'Ann Client (portal)' },
      organizationId: organization,
      contactId: contact,
      paymentMethodId: card,
      allocations: [{ invoiceId, amountCents: 2_000 }],
    });
    const status = async () =>
      (await portal.get(`/api/portal/payments/${paymentId}`)).json().payment.status;
    testApp.context.clock = () => new Date(Date.now() + 2 * 60_000);
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    expect(await status()).toBe('pending');
    // Four minutes: past this installation's 3, well before the default 10.
    testApp.context.clock = () => new Date(Date.now() + 4 * 60_000);
    await reconcilePayments(testApp.context, sandboxOf(testApp));
    expect(await status()).toBe('failed');
  });

  it('have the documented defaults, and a bad value names its variable', () => {
    expect(loadConfig({})).toMatchObject({
      PAYMENT_CONFIRM_AFTER_SECONDS: 30,
      PAYMENT_UNREACHED_AFTER_MINUTES: 10,
      PAYMENT_UNREACHED_RECHECK_HOURS: 24,
    });
    expect(() => loadConfig({ PAYMENT_UNREACHED_RECHECK_HOURS: '48' })).toThrow(
      /PAYMENT_UNREACHED_RECHECK_HOURS/,
    );
    expect(() =>
      loadConfig({ PAYMENT_CONFIRM_AFTER_SECONDS: '900', PAYMENT_UNREACHED_AFTER_MINUTES: '10' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({ PAYMENT_CONFIRM_AFTER_SECONDS: '900', PAYMENT_UNREACHED_AFTER_MINUTES: '10' }),
    ).toThrow(/PAYMENT_UNREACHED_AFTER_MINUTES: must be longer than PAYMENT_CONFIRM_AFTER_SECONDS/);
  });
});
