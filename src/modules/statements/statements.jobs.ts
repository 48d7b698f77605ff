import type { AppContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { JobDefinition } from '../../platform/jobs.js';
import type { Actor } from '../audit/audit.js';
import { sendAccountSummary } from './account-summary.js';

/**
 * One organization's Account Summary, sent for POST /api/account-summaries. The name keeps the
 * `email.` prefix it had when the Account Summary lived in the email module, so jobs queued
 * before an upgrade still find their worker.
 */
export const accountSummaryJobName = 'email.account-summary';

/** The statements module's background jobs. */
export function statementJobs(
  deps: Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock' | 'logger'>,
): JobDefinition[] {
  return [
    {
      name: accountSummaryJobName,
      concurrency: 4,
      pollingIntervalSeconds: 0.5,
      handle: async (data) => {
        const { organizationId, actor } = data as { organizationId: string; actor: Actor };
        try {
          await sendAccountSummary({ ...deps, actor, organizationId });
        } catch (error) {
          // An organization without Default Notification Emails (or since deleted) is skipped.
          if (error instanceof AppError) {
            deps.logger.info({ organizationId, reason: error.message }, 'account summary skipped');
            return;
          }
          throw error;
        }
      },
    },
  ];
}
