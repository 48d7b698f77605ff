import type { AppContext } from './platform/context.js';
import { registerQueues, type JobDefinition } from './platform/jobs.js';
import { mspTimeZone } from './modules/settings/business-date.js';
import { housekeepingJob } from './modules/staff/housekeeping.job.js';
import { emailJobs } from './modules/email/email.jobs.js';
import { statementJobs } from './modules/statements/statements.jobs.js';
import { invoiceJobs } from './modules/invoices/invoice-notices.js';
import { portalJobs } from './modules/portal/password-reset-request.js';
import { paymentMethodJobs } from './modules/payments/method-expiration.js';
import { paymentJobs } from './modules/payments/reconciliation.js';
import { refundJobs } from './modules/payments/refunds.js';
import { paymentEmailJobs } from './modules/payments/payment-receipts.js';
import { autopayJobs } from './modules/autopay/autopay-run.js';
import { autopayReturnJobs } from './modules/autopay/autopay-returns.js';
import { paymentGateway } from './payment-gateway.js';
import { scheduledPaymentJobs } from './modules/scheduled-payments/scheduled-payments.job.js';
import type { MailTransport } from './modules/email/mail-transport.js';
import { removeExpiredPortalSessions } from './modules/portal/portal-housekeeping.js';
import { removeExpiredContactTokens } from './modules/contacts/contacts.service.js';

/**
 * The nightly housekeeping: staff's expired sessions and attempts, then the portal's, then the
 * contacts' expired emailed links, each module removing its own rows.
 */
export function housekeeping(
  context: Pick<AppContext, 'pool' | 'config' | 'logger'>,
): JobDefinition {
  return housekeepingJob({
    pool: context.pool,
    idleMinutes: context.config.SESSION_IDLE_MINUTES,
    logger: context.logger,
    others: [
      () =>
        removeExpiredPortalSessions({
          pool: context.pool,
          idleMinutes: context.config.PORTAL_SESSION_IDLE_MINUTES,
        }),
      () => removeExpiredContactTokens({ pool: context.pool }),
    ],
  });
}

/** Every background job Portico runs; later modules add theirs here. */
export function allJobs(context: AppContext, mail: { transport: MailTransport }): JobDefinition[] {
  return [
    housekeeping(context),
    ...emailJobs({ ...context, transport: mail.transport }),
    ...invoiceJobs(context),
    ...statementJobs(context),
    ...portalJobs(context),
    ...paymentJobs(context, paymentGateway(context)),
    ...refundJobs(context, paymentGateway(context)),
    ...paymentEmailJobs(context),
    ...paymentMethodJobs(context),
    ...scheduledPaymentJobs(context, paymentGateway(context)),
    ...autopayJobs(context, paymentGateway(context)),
    ...autopayReturnJobs(context),
  ];
}

/**
 * Creates every job's queue and schedules the daily jobs on the MSP's clock: their crons run
 * in the time zone of Configuration > Billing (the server's until one is chosen), read afresh
 * at each start. A change of the setting moves the schedules (updateDateSettings).
 */
export async function registerJobs(
  context: Pick<AppContext, 'jobs' | 'pool'>,
  definitions: JobDefinition[],
): Promise<void> {
  await registerQueues(context.jobs, definitions, { timeZone: await mspTimeZone(context.pool) });
}
