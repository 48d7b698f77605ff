import { AppError } from '../../platform/errors.js';
import { currentTime, type AppContext } from '../../platform/context.js';
import { withTransaction, type Transaction } from '../../platform/database.js';
import type { Actor } from '../audit/audit.js';
import { businessToday } from '../settings/business-date.js';
import { getBrand, type PublicAddress } from '../settings/settings.service.js';
import type { EmailRecipient } from '../email/email.schema.js';
import { queueEmail, type QueuedEmail } from '../email/email-queue.js';
import { linkBaseOf } from '../email/email-links.js';
import {
  contactEmailUnavailableReason,
  contactInOrganization,
  defaultNotificationRecipients,
} from '../email/email.service.js';
import { renderEmail } from '../email/templates/index.js';
import { buildAccountStatement } from './account-statement.js';
import { statementFilename, statementPdf } from './statement-pdf.js';

/**
 * The Account Summary: an organization's statement (account-statement.ts) sent by email with
 * its PDF attached. It lives with the statement it shows; email only queues and delivers it.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

async function organizationName(tx: Transaction, organizationId: string): Promise<string> {
  const found = await tx.client.query('SELECT name FROM organizations WHERE id = $1', [
    organizationId,
  ]);
  if (!found.rows[0]) throw AppError.notFound('Organization');
  return found.rows[0].name;
}

/**
 * The Account Summary of one organization as of `asOf`, else today in the MSP's time zone at
 * `now` (a business date, see businessToday), rendered for the given greeting: what is sent,
 * and what staff preview before sending.
 */
export async function renderAccountSummary(
  tx: Pick<Transaction, 'db' | 'client'>,
  options: {
    organizationId: string;
    recipients: EmailRecipient[];
    asOf?: string;
    now?: Date;
    /** Where its links point: the configuration's PUBLIC_URL. */
    address: PublicAddress;
  },
) {
  const brand = await getBrand(tx.db, options.address);
  const statement = await buildAccountStatement({
    pool: tx.client,
    organizationId: options.organizationId,
    asOf: options.asOf ?? businessToday(brand, options.now),
  });
  const greeting =
    options.recipients.length === 1
      ? options.recipients[0]!.name
      : `${statement.organizationName} team`;
  const rendered = await renderEmail(
    'account_summary',
    { contactName: greeting, statement },
    brand,
  );
  return { statement, brand, rendered };
}

/**
 * "Preview Account Summary": the email as it would go to the organization's Default
 * Notification Emails contacts today, and the statement it shows.
 */
export async function previewAccountSummary(
  options: Pick<AppContext, 'pool' | 'config' | 'clock'> & { organizationId: string },
) {
  return withTransaction(options.pool, async (tx) => {
    const recipients = await defaultNotificationRecipients(tx, options.organizationId);
    const { statement, rendered } = await renderAccountSummary(tx, {
      organizationId: options.organizationId,
      recipients,
      now: currentTime(options),
      address: options.config,
    });
    return { ...rendered, statement };
  });
}

/** Renders and queues an Account Summary for the given recipients of one organization. */
async function queueAccountSummary(
  tx: Transaction,
  deps: Deps,
  options: {
    organizationId: string;
    recipients: EmailRecipient[];
    actor: Actor;
    reason: string;
    dedupeKey?: string;
  },
): Promise<QueuedEmail> {
  const { statement, brand, rendered } = await renderAccountSummary(tx, {
    ...options,
    now: currentTime(deps),
    address: deps.config,
  });
  return queueEmail(tx, deps, {
    organizationId: options.organizationId,
    template: 'account_summary',
    recipients: options.recipients,
    rendered,
    linkBase: linkBaseOf('account_summary', { brand, address: deps.config }),
    attachments: [
      {
        filename: statementFilename(statement),
        contentType: 'application/pdf',
        content: await statementPdf(statement, brand),
      },
    ],
    triggeredBy: options.actor,
    reason: options.reason,
    dedupeKey: options.dedupeKey,
  });
}

/**
 * "Send Account Summary": to the organization's Default Notification Emails contacts.
 * Errors: 404 for an unknown organization, 409 when it has no such contact (nothing is sent).
 */
export async function sendAccountSummary(
  options: Deps & { actor: Actor; organizationId: string },
): Promise<QueuedEmail> {
  return withTransaction(options.pool, async (tx) => {
    const name = await organizationName(tx, options.organizationId);
    const recipients = await defaultNotificationRecipients(tx, options.organizationId);
    if (recipients.length === 0) {
      throw new AppError(
        'conflict',
        `${name} has no Default Notification Emails. Star a contact first; nothing was sent.`,
      );
    }
    return queueAccountSummary(tx, options, {
      organizationId: options.organizationId,
      recipients,
      actor: options.actor,
      reason: 'Send Account Summary',
      dedupeKey: `account_summary:${options.organizationId}:all:${options.actor.id}`,
    });
  });
}

/**
 * The contact card's Email menu, "Send Account Summary": to this one contact of the
 * organization. Errors: 404 when the contact is not the organization's, 409 when it has no
 * email address. src/app.ts hands this to the email routes, which serve that menu.
 */
export async function sendContactAccountSummary(
  options: Deps & { actor: Actor; contactId: string; organizationId: string },
): Promise<QueuedEmail> {
  return withTransaction(options.pool, async (tx) => {
    const contact = await contactInOrganization(tx, options.contactId, options.organizationId);
    const unavailable = contactEmailUnavailableReason('account_summary', contact);
    if (unavailable) throw new AppError('conflict', unavailable);
    return queueAccountSummary(tx, options, {
      organizationId: options.organizationId,
      recipients: [{ email: contact.email, name: contact.name, contactId: contact.id }],
      actor: options.actor,
      reason: 'Send Account Summary (this contact)',
      dedupeKey: `account_summary:${options.organizationId}:${contact.id}:${options.actor.id}`,
    });
  });
}
