import type { Config } from '../../platform/config.js';
import type { Pool } from '../../platform/database.js';
import { hashToken, newToken } from '../../platform/tokens.js';

/**
 * What the stored copy of a Welcome or Password Reset email carries where its link's token
 * goes. The working token is minted only as the message is delivered and exists nowhere but
 * in the delivered message (the database keeps its hash): View, the email history and Resend
 * never hold a credential a staff user could use. See docs/decisions/0017.
 */
export const linkTokenPlaceholder = 'sent-to-the-recipient-only';

/** How long a Password Reset link works, from its delivery. */
export const resetLinkMinutes = 60;

export type LinkPurpose = 'set_password' | 'reset_password';

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
 * the message that goes out and nowhere else.
 * @throws LinkUnavailable when the contact no longer exists.
 */
export async function mintContactLink(
  pool: Pool,
  options: { contactId: string | null; purpose: LinkPurpose; lifetime: string },
): Promise<string> {
  const token = newToken();
  const minted = await pool.query(
    `WITH ended AS (
       UPDATE contact_tokens SET used_at = now()
        WHERE contact_id = $2 AND purpose = $3 AND used_at IS NULL)
     INSERT INTO contact_tokens (token_hash, contact_id, purpose, expires_at)
     SELECT $1, id, $3, now() + $4::interval FROM contacts WHERE id = $2`,
    [hashToken(token), options.contactId, options.purpose, options.lifetime],
  );
  if (minted.rowCount === 0) {
    throw new LinkUnavailable(
      'The contact this link was for no longer exists, so there is no link to send.',
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
