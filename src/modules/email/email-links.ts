import type { Config } from '../../platform/config.js';
import type { Pool } from '../../platform/database.js';
import { hashToken, newToken } from '../../platform/tokens.js';
import { storeContactLink, type ContactLinkPurpose } from '../contacts/contacts.service.js';

/**
 * What the stored copy of a Welcome or Password Reset email carries where its link's token
 * goes. The working token is minted only as the message is delivered and exists nowhere but
 * in the delivered message (the database keeps its hash): View, the email history and Resend
 * never hold a credential a staff user could use. See docs/decisions/0017.
 */
export const linkTokenPlaceholder = 'sent-to-the-recipient-only';

/** How long a Password Reset link works, from its delivery. */
export const resetLinkMinutes = 60;

export type LinkPurpose = ContactLinkPurpose;

const purposeByTemplate: Record<string, LinkPurpose> = {
  welcome: 'set_password',
  password_reset: 'reset_password',
};

/** The kind of link a template's messages carry, or null for an email without one. */
export function linkPurposeOf(template: string): LinkPurpose | null {
  return purposeByTemplate[template] ?? null;
}

/** A link's lifetime as a PostgreSQL interval: WELCOME_LINK_DAYS, or resetLinkMinutes. */
export function linkLifetime(purpose: LinkPurpose, config: Pick<Config, 'WELCOME_LINK_DAYS'>) {
  return purpose === 'set_password'
    ? `${config.WELCOME_LINK_DAYS} days`
    : `${resetLinkMinutes} minutes`;
}

/** Thrown when a link cannot be minted: the message cannot be sent, now or later. */
export class LinkUnavailable extends Error {}

/**
 * Mints the single-use link of one delivery: a fresh token whose hash is stored, ending the
 * contact's earlier links of the same kind (only the newest Welcome or reset link works, so a
 * Resend or a retried delivery ends the link sent before). Answers the token, to be put in
 * the message that goes out and nowhere else. Any change of the contact's password ends every
 * outstanding link, including those of messages queued before it and not yet delivered, so no
 * link is minted for a message (`messageId`) queued before the contact's password_changed_at
 * (decision 17). The contact's row is locked while minting (FOR UPDATE), so a change that
 * committed before is seen, and one that updates the row waits until the link exists.
 * @throws LinkUnavailable when the contact no longer exists, or changed their password after
 * the message was queued.
 */
export async function mintContactLink(
  pool: Pool,
  options: { contactId: string | null; purpose: LinkPurpose; lifetime: string; messageId: string },
): Promise<string> {
  const token = newToken();
  const message = await pool.query<{ queuedAt: string }>(
    'SELECT created_at::text AS "queuedAt" FROM email_messages WHERE id = $1',
    [options.messageId],
  );
  const queuedAt = message.rows[0]?.queuedAt;
  // The link is the contacts module's row: it stores it, under the lock described above.
  const stored = queuedAt
    ? await storeContactLink(pool, {
        contactId: options.contactId,
        purpose: options.purpose,
        tokenHash: hashToken(token),
        lifetime: options.lifetime,
        queuedAt,
      })
    : 'no_contact';
  if (stored === 'no_contact') {
    throw new LinkUnavailable(
      'The contact this link was for no longer exists, so there is no link to send.',
    );
  }
  if (stored === 'password_changed') {
    throw new LinkUnavailable(
      "The contact's password was changed after this email was queued, which ends its link, so it was not sent. Send a new one if it is still needed.",
    );
  }
  return token;
}

/** The stored content with the placeholder replaced by the minted token (delivery only). */
export function withLinkToken(content: string, token: string): string {
  return content.replaceAll(`token=${linkTokenPlaceholder}`, `token=${token}`);
}

/**
 * Whether an email of the template was queued for the contact in the last `minutes` minutes
 * (delivered or not): the throttle for emails a visitor can trigger, such as a reset request.
 */
export async function linkEmailedWithin(
  pool: Pool,
  options: { contactId: string; template: string; minutes: number },
): Promise<boolean> {
  const found = await pool.query(
    `SELECT 1 FROM email_messages
      WHERE recipient_contact_ids @> ARRAY[$1::uuid] AND template = $2
        AND created_at > now() - make_interval(mins => $3)
      LIMIT 1`,
    [options.contactId, options.template, options.minutes],
  );
  return (found.rowCount ?? 0) > 0;
}

/** Templates written for staff: their links go to the console (PUBLIC_URL), not the portal. */
const staffTemplates = new Set([
  'email_failure_summary',
  'payment_made',
  'autopay_summary',
  'autopay_changed_staff',
  'ticket_staff_notice',
]);

/**
 * The address a template's links start with: PUBLIC_URL for a staff email, else the portal's
 * address in force (`Brand.portalUrl`: Branding's Portal URL or PUBLIC_URL/portal, decision 16),
 * without a trailing slash. Stored with each message as `link_base` and worked out again at
 * Resend, so a resent message links to where Portico answers now (decision 20).
 */
export function linkBaseOf(
  template: string,
  where: { brand: { portalUrl: string }; address: Pick<Config, 'PUBLIC_URL'> },
): string {
  const base = staffTemplates.has(template) ? where.address.PUBLIC_URL : where.brand.portalUrl;
  return base.replace(/\/+$/, '');
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `&`, `<`, `>` and quotes as React writes them in an attribute or text. */
const escapeHtml = (value: string) =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#x27;');

/**
 * Stored content with every link that starts with the address `from` moved to `to`: what
 * Resend stores and sends when the address changed since the first send (another PORT,
 * PUBLIC_URL or Branding Portal URL). Only whole addresses move: `http://a:3000` does not
 * match inside `http://a:30001/…` or `http://a:3000.example`. In `html`, the address is
 * also matched as the markup writes it (escaped).
 */
export function rebaseLinks(
  content: { html: string; text: string },
  from: string,
  to: string,
): { html: string; text: string } {
  if (from === to) return content;
  // Not followed by what would continue the host, port or path segment. One pass over each
  // part, so an address `to` that starts with `from` is not moved twice.
  const end = '(?![\\w\\-~%:@]|\\.\\w)';
  const replace = (value: string, pairs: [string, string][]) => {
    const found = new RegExp(`(${pairs.map(([a]) => escapeRegExp(a)).join('|')})${end}`, 'g');
    return value.replace(found, (match) => pairs.find(([a]) => a === match)![1]);
  };
  const pairsInHtml: [string, string][] =
    escapeHtml(from) === from
      ? [[from, to]]
      : [
          [escapeHtml(from), escapeHtml(to)],
          [from, to],
        ];
  return {
    html: replace(content.html, pairsInHtml),
    text: replace(content.text, [[from, to]]),
  };
}
