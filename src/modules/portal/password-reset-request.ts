import type { AppContext } from '../../platform/context.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { sendContactEmail } from '../email/email.service.js';
import { linkEmailedWithin } from '../email/email-links.js';
import { portalOrganizations } from './portal-sessions.js';

export const passwordResetRequestJobName = 'portal.password-reset-request';

/** One reset email a minute per contact, however often the form is sent. */
const resetEmailIntervalMinutes = 1;

/**
 * "Forgot your password?": records the request as a job and nothing else, so the answer takes
 * the same work (one insert of the same shape) whether or not the address has portal access,
 * and its timing tells nothing about the address. The job decides and sends.
 */
export async function requestPasswordReset(options: {
  jobs: AppContext['jobs'];
  email: string;
}): Promise<void> {
  await options.jobs.send(passwordResetRequestJobName, { email: options.email }, { retryLimit: 3 });
}

/**
 * The job's half: sends a reset link when the address belongs to a contact with portal access
 * (acting for the first organization that grants it), unless one went out in the last minute;
 * else nothing.
 */
export async function sendRequestedPasswordReset(
  options: Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'> & { email: string },
): Promise<void> {
  const contact = (
    await options.pool.query<{ id: string; name: string }>(
      'SELECT id, name FROM contacts WHERE lower(email) = $1',
      [options.email],
    )
  ).rows[0];
  if (!contact) return;
  const [organization] = await portalOrganizations({ pool: options.pool, contactId: contact.id });
  if (!organization) return;
  if (
    await linkEmailedWithin(options.pool, {
      contactId: contact.id,
      template: 'password_reset',
      minutes: resetEmailIntervalMinutes,
    })
  ) {
    return;
  }
  await sendContactEmail({
    pool: options.pool,
    jobs: options.jobs,
    config: options.config,
    clock: options.clock,
    actor: { kind: 'contact', id: contact.id, label: `${contact.name} (portal)` },
    contactId: contact.id,
    organizationId: organization.id,
    kind: 'password_reset',
  });
}

/** The portal's background jobs. */
export function portalJobs(
  context: Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>,
): JobDefinition[] {
  return [
    {
      name: passwordResetRequestJobName,
      concurrency: 2,
      pollingIntervalSeconds: 0.5,
      handle: async (data) => {
        await sendRequestedPasswordReset({ ...context, email: (data as { email: string }).email });
      },
    },
  ];
}
