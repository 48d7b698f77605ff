import type { SandboxGateway } from '../../src/modules/sandbox-processor/sandbox-gateway.js';
import type { SandboxTokenRequest } from '../../src/shared/contract/sandbox.js';
import { paymentGateway } from '../../src/payment-gateway.js';
import {
  paymentEmailsJobName,
  sendPaymentEmails,
} from '../../src/modules/payments/payment-receipts.js';
import type { TestApp } from './test-app.js';

/** The test app's payment gateway: the sandbox processor, one instance per app. */
export function sandboxOf(testApp: TestApp): SandboxGateway {
  return paymentGateway(testApp.context) as SandboxGateway;
}

/** A card of test-cards.md, expiring well in the future. */
export function testCard(number: string): SandboxTokenRequest {
  return { type: 'card', number, expMonth: 12, expYear: 2034, cvc: '123', name: 'Ann Client' };
}

/** A bank account of test-cards.md (routing 110000000). */
export function testBankAccount(accountNumber: string): SandboxTokenRequest {
  return {
    type: 'ach',
    routingNumber: '110000000',
    accountNumber,
    accountHolderName: 'Ann Client',
    accountType: 'checking',
  };
}

/**
 * A saved payment method of the organization, made the way the portal makes one: the data is
 * tokenized by the sandbox, the token saved at the processor, and Portico keeps the reference,
 * brand, last four digits and expiry. Answers the method's id.
 */
export async function savedMethod(
  testApp: TestApp,
  organizationId: string,
  data: SandboxTokenRequest,
  options: { friendlyName?: string; isDefault?: boolean } = {},
): Promise<string> {
  const gateway = sandboxOf(testApp);
  const token = await gateway.tokenize(data);
  const saved = await gateway.saveMethod({
    token: token.token,
    organizationId,
    customerRef: null,
    billingName: 'Ann Client',
  });
  const inserted = await testApp.database.pool.query<{ id: string }>(
    `INSERT INTO payment_methods (organization_id, gateway, gateway_ref, customer_ref, type,
                                  friendly_name, brand, last4, exp_month, exp_year, bank_name,
                                  billing_name, authorization_text, authorized_at, authorized_ip,
                                  is_default)
     VALUES ($1, 'sandbox', $2, $3, $4, $5, $6, $7, $8, $9, $10, 'Ann Client',
             'I agree', now(), '127.0.0.1', $11)
     RETURNING id`,
    [
      organizationId,
      saved.gatewayRef,
      saved.customerRef,
      saved.type,
      options.friendlyName ?? (saved.type === 'card' ? 'Company card' : 'Operating account'),
      saved.brand,
      saved.last4,
      saved.expMonth,
      saved.expYear,
      saved.bankName,
      options.isDefault ?? false,
    ],
  );
  return inserted.rows[0]!.id;
}

/**
 * Works the payments.receipts jobs waiting in the queue now, with the real handler, as the
 * worker would: what a test runs before looking for a payment's emails.
 */
export async function sendQueuedPaymentEmails(testApp: TestApp): Promise<void> {
  const { jobs } = testApp.context;
  for (;;) {
    const batch = await jobs.fetch<Parameters<typeof sendPaymentEmails>[1]>(paymentEmailsJobName, {
      batchSize: 50,
      includeMetadata: true,
    });
    if (batch.length === 0) return;
    // A batch comes in no particular order: work them in the order the outcomes happened, so
    // the emails are stored in that order too.
    batch.sort((a, b) => a.createdOn.getTime() - b.createdOn.getTime());
    for (const job of batch) await sendPaymentEmails(testApp.context, job.data);
    await jobs.complete(
      paymentEmailsJobName,
      batch.map((job) => job.id),
    );
  }
}
