import type { AppContext } from '../../platform/context.js';
import { withTransaction } from '../../platform/database.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { systemActor } from '../audit/audit.js';
import { getBrand } from '../settings/settings.service.js';
import { deliverEmail } from './email-delivery.js';
import { linkBaseOf } from './email-links.js';
import { queueEmail, sendEmailJobName } from './email-queue.js';
import type { MailTransport } from './mail-transport.js';
import { renderEmail, templateName } from './templates/index.js';

export const failureSummaryJobName = 'email.failure-summary';

type Deps = Omit<AppContext, 'jobs'> & { jobs: AppContext['jobs']; transport: MailTransport };

export function emailJobs(deps: Deps): JobDefinition[] {
  return [
    {
      name: sendEmailJobName,
      // About twice the SMTP pool's connections, so a connection is never left idle.
      concurrency: 10,
      pollingIntervalSeconds: 0.5,
      handle: async (data) => {
        const { messageId } = data as { messageId: string };
        await deliverEmail({ ...deps, messageId });
      },
    },
    {
      name: failureSummaryJobName,
      cron: '0 7 * * *',
      handle: async () => {
        await sendEmailFailureSummary(deps);
      },
    },
  ];
}

/**
 * The internal Email Failure Summary: the client emails that failed for good in the last day,
 * sent to every Master Admin. Nothing is sent on a day without failures.
 */
export async function sendEmailFailureSummary(options: Pick<Deps, 'pool' | 'jobs' | 'config'>) {
  const failures = (
    await options.pool.query(
      `SELECT m.template, m.recipients, m.last_error, m.created_at, coalesce(o.name, 'Internal') AS organization
         FROM email_messages m LEFT JOIN organizations o ON o.id = m.organization_id
        WHERE m.status = 'failed' AND m.created_at > now() - interval '1 day'
          AND m.template <> 'email_failure_summary'
        ORDER BY m.created_at`,
    )
  ).rows;
  if (failures.length === 0) return null;
  const admins = (
    await options.pool.query(
      `SELECT email, name FROM staff_users WHERE role = 'master_admin' AND disabled_at IS NULL ORDER BY name`,
    )
  ).rows as { email: string; name: string }[];
  if (admins.length === 0) return null;
  return withTransaction(options.pool, async (tx) => {
    const brand = await getBrand(tx.db, options.config);
    const rendered = await renderEmail(
      'email_failure_summary',
      {
        periodLabel: 'in the last 24 hours',
        // Staff work in the console, at this installation's own address.
        consoleUrl: options.config.PUBLIC_URL,
        failures: failures.map((f) => ({
          organizationName: f.organization,
          templateName: templateName(f.template),
          recipients: (f.recipients as { email: string }[]).map((r) => r.email).join(', '),
          error: f.last_error ?? 'Unknown error',
          failedAt: new Date(f.created_at).toISOString(),
        })),
      },
      brand,
    );
    return queueEmail(tx, options, {
      organizationId: null,
      template: 'email_failure_summary',
      recipients: admins.map((a) => ({ email: a.email, name: a.name, contactId: null })),
      rendered,
      linkBase: linkBaseOf('email_failure_summary', { brand, address: options.config }),
      triggeredBy: systemActor,
      reason: 'Daily email failure summary',
    });
  });
}
