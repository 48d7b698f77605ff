import type { Config } from '../../platform/config.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import type { Logger } from '../../platform/logger.js';
import { describeDeliveryError } from './delivery-errors.js';
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
 * attempts.
 */
export async function deliverEmail(options: {
  pool: Pool;
  transport: MailTransport;
  config: Config;
  logger: Logger;
  messageId: string;
}): Promise<DeliveryOutcome> {
  const { pool, messageId } = options;
  const claim = await withTransaction(pool, async ({ client }) => {
    const found = await client.query(
      `SELECT status, attempts FROM email_messages WHERE id = $1 FOR UPDATE`,
      [messageId],
    );
    const row = found.rows[0];
    if (!row || row.status === 'sent' || row.status === 'failed') return null;
    const attempt = row.attempts + 1;
    await client.query(
      `UPDATE email_messages SET status = 'sending', attempts = $2 WHERE id = $1`,
      [messageId, attempt],
    );
    await client.query(
      `INSERT INTO email_events (message_id, kind, detail) VALUES ($1, 'processing', $2)`,
      [messageId, `Attempt ${attempt} of ${options.config.EMAIL_MAX_ATTEMPTS}`],
    );
    return { attempt };
  });
  if (!claim) return 'already_done';

  const message = (
    await pool.query(
      `SELECT from_address, reply_to, recipients, subject, html, text FROM email_messages WHERE id = $1`,
      [messageId],
    )
  ).rows[0];
  const attachments = (
    await pool.query(
      `SELECT filename, content_type, content FROM email_attachments WHERE message_id = $1 ORDER BY filename`,
      [messageId],
    )
  ).rows;

  try {
    const info = await options.transport.sendMail({
      from: message.from_address,
      to: (message.recipients as { email: string; name: string }[]).map((r) => ({
        name: r.name,
        address: r.email,
      })),
      replyTo: message.reply_to ?? undefined,
      subject: message.subject,
      html: message.html,
      text: message.text,
      // The same Message-ID on every attempt lets a receiver (and a reader) spot a duplicate.
      messageId: `<${messageId}@portico>`,
      headers: { [porticoMessageIdHeader]: messageId },
      attachments: attachments.map((a) => ({
        filename: a.filename,
        contentType: a.content_type,
        content: a.content,
      })),
    });
    await withTransaction(pool, async ({ client }) => {
      await client.query(
        `UPDATE email_messages SET status = 'sent', sent_at = now(), smtp_response = $2,
                smtp_message_id = $3, last_error = NULL WHERE id = $1`,
        [messageId, info.response, info.messageId],
      );
      await client.query(
        `INSERT INTO email_events (message_id, kind, detail) VALUES ($1, 'sent', $2)`,
        [messageId, `Server answered "${info.response}"; Message-ID ${info.messageId}`],
      );
    });
    return 'sent';
  } catch (error) {
    const failure = describeDeliveryError(error);
    const giveUp = failure.permanent || claim.attempt >= options.config.EMAIL_MAX_ATTEMPTS;
    await withTransaction(pool, async ({ client }) => {
      await client.query(`UPDATE email_messages SET status = $2, last_error = $3 WHERE id = $1`, [
        messageId,
        giveUp ? 'failed' : 'queued',
        failure.description,
      ]);
      const detail = giveUp
        ? failure.permanent
          ? failure.description
          : `${failure.description} Gave up after ${claim.attempt} attempts.`
        : `${failure.description} Portico will try again shortly.`;
      await client.query(
        `INSERT INTO email_events (message_id, kind, detail) VALUES ($1, $2, $3)`,
        [messageId, giveUp ? 'failed' : 'retry_scheduled', detail],
      );
    });
    options.logger.warn(
      { messageId, attempt: claim.attempt, permanent: failure.permanent },
      'email delivery failed',
    );
    if (!giveUp) throw new RetryLater(failure.description);
    return 'failed';
  }
}
