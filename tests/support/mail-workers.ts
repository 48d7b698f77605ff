import { registerQueues, startWorkers } from '../../src/platform/jobs.js';
import { emailJobs } from '../../src/modules/email/email.jobs.js';
import { statementJobs } from '../../src/modules/statements/statements.jobs.js';
import { createMailTransport } from '../../src/modules/email/mail-transport.js';
import { portalJobs } from '../../src/modules/portal/password-reset-request.js';
import { paymentEmailJobs } from '../../src/modules/payments/payment-receipts.js';
import type { TestApp } from './test-app.js';

/**
 * Starts the real email workers of a test app, sending through SMTP on the given port, and the
 * jobs that queue email on a visitor's request (a password reset) or a payment's outcome.
 */
export async function startMailWorkers(testApp: TestApp, smtpPort: number) {
  const transport = createMailTransport(testApp.context.config, smtpPort);
  const definitions = [
    ...emailJobs({ ...testApp.context, transport }),
    ...statementJobs(testApp.context),
    ...portalJobs(testApp.context),
    ...paymentEmailJobs(testApp.context),
  ];
  await registerQueues(testApp.context.jobs, definitions);
  await startWorkers(testApp.context.jobs, definitions, testApp.context.logger);
  return { transport, close: () => transport.close() };
}
