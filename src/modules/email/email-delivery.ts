import type { Config } from '../../platform/config.js';
import type { Pool } from '../../platform/database.js';
import type { Logger } from '../../platform/logger.js';
import { describeDeliveryError } from './delivery-errors.js';
import {
  LinkUnavailable,
  linkLifetime,
  linkPurposeOf,
  mintContactLink,
  withLinkToken,
} from './email-links.js';
import type { MailTransport } from './mail-transport.js';

export type DeliveryOutcome = 'sent' | 'failed' | 'retry' | 'already_done';

/** Thrown to let the job queue retry the delivery later (with backoff). */
export class RetryLater extends Error {}

/** The header that ties a delivered message to its history row. */
export const porticoMessageIdHeader = 'X-Portico-Message-Id';

/**
 * Delivers one stored email over SMTP and records every step as an event. Guarantees: a
 * message is never lost (the job is retried until our attempt limit, even after a worker
 * dies); a message marked sent is never sent again by a repeated job. SMTP has no
 * exactly-once: a worker that dies after the server accepted the message but before "sent"
 * is recorded sends it again on retry, with the same Message-ID, and the history shows both
 * attempts. A Welcome or Password Reset message gets a freshly minted link on each attempt
 * (email-links.ts), so only the last one sent works.
 */
export async function deliverEmail(options: {
  pool: Pool;
  transport: MailTransport;
  config: Config;
  logger: Logger;
  messageId: string;
}): Promise<DeliveryOutcome> {
  const { pool, messageId } = options;
  // Claim the message, record the attempt and read what to send, in one statement.
  const claim = (
    await pool.query(
      `WITH claimed AS (
         UPDATE email_messages SET status = 'sending', attempts = attempts + 1
          WHERE id = $1 AND status IN ('queued', 'sending')
          RETURNING id, attempts, template, from_address, reply_to, recipients, subject, html, text),
       processing AS (
         INSERT INTO email_events (message_id, kind, detail)
         SELECT id, 'processing', 'Attempt ' || attempts || ' of ' || $2::int FROM claimed)
       SELECT c.*,
              (SELECT coalesce(json_agg(json_build_object(
                        'filename', a.filename, 'contentType', a.content_type,
                        'content', encode(a.content, 'base64')) ORDER BY a.filename), '[]')
                 FROM email_attachments a WHERE a.message_id = c.id) AS attachments
         FROM claimed c`,
      [messageId, options.config.EMAIL_MAX_ATTEMPTS],
    )
  ).rows[0];
  // Sent or failed for good already (a repeated job), or gone: nothing to do.
  if (!claim) return 'already_done';
  const message = claim;
  const attempt: number = claim.attempts;
  const attachments = claim.attachments as {
    filename: string;
    contentType: string;
    content: string;
  }[];

  try {
    let { html, text } = message as { html: string; text: string };
    const purpose = linkPurposeOf(message.template);
    if (purpose) {
      // The link is minted for this delivery only: the stored copy never holds a working token.
      const recipients = message.recipients as { contactId: string | null }[];
      const token = await mintContactLink(pool, {
        contactId: recipients[0]?.contactId ?? null,
        purpose,
        lifetime: linkLifetime(purpose, options.config),
        messageId,
      });
      html = withLinkToken(html, token);
      text = withLinkToken(text, token);
    }
    const info = await options.transport.sendMail({
      from: message.from_address,
      to: (message.recipients as { email: string; name: string }[]).map((r) => ({
        name: r.name,
        address: r.email,
      })),
      replyTo: message.reply_to ?? undefined,
      subject: message.subject,
      html,
      text,
      // The same Message-ID on every attempt lets a receiver (and a reader) spot a duplicate.
      messageId: `<${messageId}@portico>`,
      headers: { [porticoMessageIdHeader]: messageId },
      attachments: attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Buffer.from(a.content, 'base64'),
      })),
    });
    await pool.query(
      `WITH sent AS (
         UPDATE email_messages SET status = 'sent', sent_at = now(), smtp_response = $2,
                smtp_message_id = $3, last_error = NULL WHERE id = $1 RETURNING id)
       INSERT INTO email_events (message_id, kind, detail) SELECT id, 'sent', $4 FROM sent`,
      [
        messageId,
        info.response,
        info.messageId,
        `Server answered "${info.response}"; Message-ID ${info.messageId}`,
      ],
    );
    return 'sent';
  } catch (error) {
    const failure =
      error instanceof LinkUnavailable
        ? { permanent: true, description: error.message }
        : describeDeliveryError(error);
    const giveUp = failure.permanent || attempt >= options.config.EMAIL_MAX_ATTEMPTS;
    const detail = giveUp
      ? failure.permanent
        ? failure.description
        : `${failure.description} Gave up after ${attempt} attempts.`
      : `${failure.description} Portico will try again shortly.`;
    await pool.query(
      `WITH updated AS (
         UPDATE email_messages SET status = $2, last_error = $3 WHERE id = $1 RETURNING id)
       INSERT INTO email_events (message_id, kind, detail) SELECT id, $4, $5 FROM updated`,
      [
        messageId,
        giveUp ? 'failed' : 'queued',
        failure.description,
        giveUp ? 'failed' : 'retry_scheduled',
        detail,
      ],
    );
    options.logger.warn(
      { messageId, attempt, permanent: failure.permanent },
      'email delivery failed',
    );
    if (!giveUp) throw new RetryLater(failure.description);
    return 'failed';
  }
}
