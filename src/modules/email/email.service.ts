import { AppError } from '../../platform/errors.js';
import type { AppContext } from '../../platform/context.js';
import { createDb, withTransaction, type Transaction } from '../../platform/database.js';
import type { Actor } from '../audit/audit.js';
import { portalLink, portalPages } from './portal-links.js';
import { getBrand } from '../settings/settings.service.js';
import type { EmailRecipient } from './email.schema.js';
import { queueEmail, type QueuedEmail } from './email-queue.js';
import { linkBaseOf, linkTokenPlaceholder, rebaseLinks, resetLinkMinutes } from './email-links.js';
import { renderEmail } from './templates/index.js';

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

export { resetLinkMinutes };

/** The contacts starred as Default Notification Emails of an organization, by name. */
export async function defaultNotificationRecipients(
  tx: Pick<Transaction, 'client'>,
  organizationId: string,
) {
  const result = await tx.client.query<EmailRecipient>(
    `SELECT c.email, c.name, c.id AS "contactId"
       FROM contact_organizations co JOIN contacts c ON c.id = co.contact_id
      WHERE co.organization_id = $1 AND co.is_default_notification AND c.email <> ''
      ORDER BY lower(c.name)`,
    [organizationId],
  );
  return result.rows;
}

import type { ContactEmailKind } from '../../shared/contract/email.js';

// The kinds are part of the API contract (the contact card's Email menu offers them).
export { contactEmailKinds, type ContactEmailKind } from '../../shared/contract/email.js';
/** The emails of the contact's Email menu that sign in to the portal (email sends them). */
export type SignInEmailKind = Exclude<ContactEmailKind, 'account_summary'>;

export interface ContactInOrganization {
  id: string;
  name: string;
  email: string;
  accessProfileId: string | null;
  organizationName: string;
}

/** A contact as a member of one organization; 404 when it is not one of its contacts. */
export async function contactInOrganization(
  tx: Transaction,
  contactId: string,
  organizationId: string,
): Promise<ContactInOrganization> {
  const result = await tx.client.query<ContactInOrganization>(
    `SELECT c.id, c.name, c.email, co.access_profile_id AS "accessProfileId", o.name AS "organizationName"
       FROM contacts c
       JOIN contact_organizations co ON co.contact_id = c.id AND co.organization_id = $2
       JOIN organizations o ON o.id = co.organization_id
      WHERE c.id = $1`,
    [contactId, organizationId],
  );
  if (!result.rows[0]) throw AppError.notFound('Contact of this organization');
  return result.rows[0];
}

/** The Email menu's Send Account Summary, for one contact (statements' sendContactAccountSummary). */
export type SendContactAccountSummary = (
  options: Deps & { actor: Actor; contactId: string; organizationId: string },
) => Promise<QueuedEmail>;

/** Why an email from the contact's Email menu cannot be sent, or null when it can. */
export function contactEmailUnavailableReason(
  kind: ContactEmailKind,
  contact: { email: string; accessProfileId: string | null },
): string | null {
  if (!contact.email) return 'This contact has no email address.';
  if (kind !== 'account_summary' && contact.accessProfileId === null) {
    return 'This contact has Revoke Access here: give them a profile before sending portal sign-in emails.';
  }
  return null;
}

/**
 * The contact card's Email menu: Send Welcome Email, Send Password Reset. (Its Send Account
 * Summary is the statements module's sendContactAccountSummary.)
 */
export async function sendContactEmail(
  options: Deps & {
    actor: Actor;
    contactId: string;
    organizationId: string;
    kind: SignInEmailKind;
  },
): Promise<QueuedEmail> {
  return withTransaction(options.pool, async (tx) => {
    const contact = await contactInOrganization(tx, options.contactId, options.organizationId);
    const unavailable = contactEmailUnavailableReason(options.kind, contact);
    if (unavailable) throw new AppError('conflict', unavailable);
    const recipients: EmailRecipient[] = [
      { email: contact.email, name: contact.name, contactId: contact.id },
    ];
    const dedupeKey = `${options.kind}:${options.organizationId}:${contact.id}:${options.actor.id}`;
    const brand = await getBrand(tx.db, options.config);
    // The stored copy carries a placeholder: the working link is minted at delivery.
    const rendered =
      options.kind === 'welcome'
        ? await renderEmail(
            'welcome',
            {
              contactName: contact.name,
              email: contact.email,
              organizationName: contact.organizationName,
              setPasswordUrl: `${portalLink(brand, portalPages.setPassword)}?token=${linkTokenPlaceholder}`,
              linkExpiresInDays: options.config.WELCOME_LINK_DAYS,
            },
            brand,
          )
        : await renderEmail(
            'password_reset',
            {
              contactName: contact.name,
              email: contact.email,
              resetUrl: `${portalLink(brand, portalPages.resetPassword)}?token=${linkTokenPlaceholder}`,
              linkExpiresInMinutes: resetLinkMinutes,
            },
            brand,
          );
    return queueEmail(tx, options, {
      organizationId: options.organizationId,
      template: options.kind,
      recipients,
      rendered,
      linkBase: linkBaseOf(options.kind, { brand, address: options.config }),
      triggeredBy: options.actor,
      reason: options.kind === 'welcome' ? 'Send Welcome Email' : 'Send Password Reset',
      dedupeKey,
    });
  });
}

/**
 * "Resend": the stored content as a new message, linked to the original, with its links moved
 * to the address in force now when Portico's address changed since (another PORT, PUBLIC_URL
 * or Branding Portal URL; decision 20): the new message stores what it delivers, the original
 * stays the record of what it delivered. A Welcome or Password Reset message's stored copy
 * holds no working link: its delivery mints a fresh one, which ends the link sent before
 * (email-links.ts).
 */
export async function resendEmail(
  options: Deps & { actor: Actor; messageId: string },
): Promise<QueuedEmail> {
  return withTransaction(options.pool, async (tx) => {
    const original = (
      await tx.client.query(
        `SELECT id, organization_id, template, recipients, subject, html, text, link_base
           FROM email_messages WHERE id = $1 FOR UPDATE`,
        [options.messageId],
      )
    ).rows[0];
    if (!original) throw AppError.notFound('Email');
    const attachments = (
      await tx.client.query(
        `SELECT filename, content_type AS "contentType", content FROM email_attachments WHERE message_id = $1`,
        [options.messageId],
      )
    ).rows;
    // A message stored before link bases were kept (null) is sent as it was.
    const from: string | null = original.link_base;
    const linkBase =
      from === null
        ? null
        : linkBaseOf(original.template, {
            brand: await getBrand(tx.db, options.config),
            address: options.config,
          });
    const stored = { html: original.html as string, text: original.text as string };
    const content =
      from === null || linkBase === null ? stored : rebaseLinks(stored, from, linkBase);
    const queued = await queueEmail(tx, options, {
      organizationId: original.organization_id,
      template: original.template,
      recipients: original.recipients,
      rendered: { subject: original.subject, ...content },
      linkBase,
      attachments,
      triggeredBy: options.actor,
      reason: `Resend of the email of ${options.messageId}`,
      resentFromId: original.id,
      dedupeKey: `resend:${original.id}:${options.actor.id}`,
    });
    if (!queued.duplicate) {
      await tx.client.query(
        `INSERT INTO email_events (message_id, kind, detail) VALUES ($1, 'resent', $2)`,
        [original.id, `Resent as a new message (${queued.messageId}) by ${options.actor.label}`],
      );
    }
    return queued;
  });
}

export async function brandForPreview(deps: Pick<AppContext, 'pool' | 'config'>) {
  return getBrand(createDb(deps.pool), deps.config);
}
