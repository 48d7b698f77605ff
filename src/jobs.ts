import type { AppContext } from './platform/context.js';
import type { JobDefinition } from './platform/jobs.js';
import { housekeepingJob } from './modules/staff/housekeeping.job.js';
import { emailJobs } from './modules/email/email.jobs.js';
import { invoiceJobs } from './modules/invoices/invoice-notices.js';
import { portalJobs } from './modules/portal/password-reset-request.js';
import type { MailTransport } from './modules/email/mail-transport.js';

/** Every background job Portico runs; later modules add theirs here. */
export function allJobs(context: AppContext, mail: { transport: MailTransport }): JobDefinition[] {
  return [
    housekeepingJob({
      pool: context.pool,
      idleMinutes: context.config.SESSION_IDLE_MINUTES,
      portalIdleMinutes: context.config.PORTAL_SESSION_IDLE_MINUTES,
      logger: context.logger,
    }),
    ...emailJobs({ ...context, transport: mail.transport }),
    ...invoiceJobs(context),
    ...portalJobs(context),
  ];
}
