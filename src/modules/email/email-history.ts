import { simpleParser } from 'mailparser';
import { AppError } from '../../platform/errors.js';
import type { Pool } from '../../platform/database.js';
import { decodeCursor, encodeCursor } from '../../platform/keyset-cursor.js';
import { mspTimeZone } from '../settings/business-date.js';
import type { EmailStatus } from './email.schema.js';
import libmime from 'libmime';
import { templateName } from './templates/index.js';

export interface EmailHistoryFilter {
  organizationId?: string;
  contactId?: string;
  template?: string;
  status?: EmailStatus;
  /**
   * Inclusive calendar dates, YYYY-MM-DD, on the MSP's clock (Configuration > Billing time
   * zone): a message belongs to the day it was on the MSP's calendar when it was created.
   */
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** Email history, newest first, with each message's events in order. */
export async function listEmailHistory(filter: EmailHistoryFilter & { pool: Pool }) {
  const { pool } = filter;
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (condition: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.organizationId) add((p) => `m.organization_id = ${p}`, filter.organizationId);
  if (filter.contactId)
    add((p) => `m.recipient_contact_ids @> ARRAY[${p}::uuid]`, filter.contactId);
  if (filter.template) add((p) => `m.template = ${p}`, filter.template);
  if (filter.status) add((p) => `m.status = ${p}`, filter.status);
  if (filter.from || filter.to) {
    // Day bounds are the MSP's midnights (not the database session's), compared with
    // created_at itself so its index still serves the range.
    params.push(await mspTimeZone(pool));
    const zone = `$${params.length}`;
    if (filter.from) {
      add((p) => `m.created_at >= (${p}::date::timestamp AT TIME ZONE ${zone})`, filter.from);
    }
    if (filter.to) {
      add((p) => `m.created_at < ((${p}::date + 1)::timestamp AT TIME ZONE ${zone})`, filter.to);
    }
  }
  // A cursor belongs to the one history that gave it out (an organization's, a contact's).
  const scope = filter.organizationId
    ? `emails:organization:${filter.organizationId}`
    : filter.contactId
      ? `emails:contact:${filter.contactId}`
      : 'emails';
  if (filter.cursor) {
    const [createdAt, id] = decodeCursor(scope, filter.cursor, 'timestamptz');
    params.push(createdAt, id);
    where.push(
      `(m.created_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
    );
  }
  params.push(filter.limit + 1);
  const rows = (
    await pool.query(
      `SELECT m.id, m.organization_id AS "organizationId", m.template, m.recipients, m.subject,
              m.status, m.attempts, m.last_error AS "lastError", m.resent_from_id AS "resentFromId",
              m.created_at AS "createdAt", m.sent_at AS "sentAt", m.created_at::text AS "sortKey"
         FROM email_messages m
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $${params.length}`,
      params,
    )
  ).rows;
  const page = rows.slice(0, filter.limit);
  const events = page.length
    ? (
        await pool.query(
          `SELECT message_id AS "messageId", kind, detail, occurred_at AS "occurredAt"
             FROM email_events WHERE message_id = ANY($1::uuid[]) ORDER BY id`,
          [page.map((m) => m.id)],
        )
      ).rows
    : [];
  const last = page[page.length - 1];
  return {
    emails: page.map(({ sortKey: _sortKey, ...message }) => ({
      ...message,
      templateName: templateName(message.template),
      events: events
        .filter((e) => e.messageId === message.id)
        .map(({ messageId: _messageId, ...event }) => event),
    })),
    nextCursor:
      rows.length > filter.limit && last ? encodeCursor(scope, last.sortKey, last.id) : null,
  };
}

/** One message exactly as stored: content, headers as sent, attachments and events. */
export async function getEmailDetail(options: { pool: Pool; messageId: string }) {
  const { pool, messageId } = options;
  const message = (
    await pool.query(
      `SELECT id, organization_id AS "organizationId", template, recipients, from_address AS "from",
              reply_to AS "replyTo", subject, html, text, status, attempts, smtp_response AS "smtpResponse",
              smtp_message_id AS "smtpMessageId", last_error AS "lastError", resent_from_id AS "resentFromId",
              triggered_by AS "triggeredBy", created_at AS "createdAt", sent_at AS "sentAt"
         FROM email_messages WHERE id = $1`,
      [messageId],
    )
  ).rows[0];
  if (!message) throw AppError.notFound('Email');
  const [attachments, events, resends] = await Promise.all([
    pool.query(
      `SELECT id, filename, content_type AS "contentType", octet_length(content) AS size
         FROM email_attachments WHERE message_id = $1 ORDER BY filename`,
      [messageId],
    ),
    pool.query(
      `SELECT kind, detail, occurred_at AS "occurredAt" FROM email_events WHERE message_id = $1 ORDER BY id`,
      [messageId],
    ),
    pool.query(`SELECT id FROM email_messages WHERE resent_from_id = $1 ORDER BY created_at`, [
      messageId,
    ]),
  ]);
  const recipients = message.recipients as { email: string; name: string }[];
  return {
    ...message,
    templateName: templateName(message.template),
    headers: {
      From: message.from,
      To: recipients.map((r) => `"${r.name}" <${r.email}>`).join(', '),
      ...(message.replyTo ? { 'Reply-To': message.replyTo } : {}),
      Subject: message.subject,
      'Message-ID': `<${message.id}@portico>`,
      'X-Portico-Message-Id': message.id,
    },
    attachments: attachments.rows,
    events: events.rows,
    resentAs: resends.rows.map((r) => r.id as string),
  };
}

/** One attachment of one message, content included; 404 when the message has no such attachment. */
export async function getEmailAttachment(options: {
  pool: Pool;
  messageId: string;
  attachmentId: string;
}) {
  const row = (
    await options.pool.query(
      `SELECT filename, content_type AS "contentType", content
         FROM email_attachments WHERE id = $1 AND message_id = $2`,
      [options.attachmentId, options.messageId],
    )
  ).rows[0];
  if (!row) throw AppError.notFound('Attachment');
  return row as { filename: string; contentType: string; content: Buffer };
}

/**
 * What the local SMTP server received (default mode), newest first. The subject is stored as
 * its header carried it (encoded words for any non-ASCII letter) and decoded here, so rows kept
 * before are read right too, and the list says what the opened message says.
 */
export async function listLocalMailbox(options: { pool: Pool; beforeId?: number; limit: number }) {
  const rows = (
    await options.pool.query(
      `SELECT id, received_at AS "receivedAt", envelope_from AS "from", envelope_to AS "to", subject,
              message_id_header AS "messageId", portico_message_id AS "porticoMessageId"
         FROM local_mailbox ${options.beforeId ? 'WHERE id < $2' : ''}
        ORDER BY id DESC LIMIT $1`,
      options.beforeId ? [options.limit + 1, options.beforeId] : [options.limit + 1],
    )
  ).rows;
  const page = rows
    .slice(0, options.limit)
    .map((row) => ({ ...row, subject: libmime.decodeWords(row.subject) }));
  return {
    messages: page,
    nextCursor: rows.length > options.limit ? String(page[page.length - 1].id) : null,
  };
}

/** One message the local SMTP server received (by its number), parsed for reading; 404 when unknown. */
export async function getLocalMessage(options: { pool: Pool; id: number }) {
  const row = (
    await options.pool.query(
      `SELECT id, received_at AS "receivedAt", envelope_from AS "envelopeFrom", envelope_to AS "envelopeTo", raw
         FROM local_mailbox WHERE id = $1`,
      [options.id],
    )
  ).rows[0];
  if (!row) throw AppError.notFound('Local message');
  const parsed = await simpleParser(row.raw as Buffer);
  return {
    id: row.id,
    receivedAt: row.receivedAt,
    envelopeFrom: row.envelopeFrom,
    envelopeTo: row.envelopeTo,
    subject: parsed.subject ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    text: parsed.text ?? '',
    // Each header line as a reader reads it: unfolded, names and subjects in any script decoded.
    headers: parsed.headerLines.map((h) => ({
      name: h.key,
      line: libmime.decodeWords(h.line.replace(/\r?\n(?=[ \t])/g, '')),
    })),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.contentType,
      size: a.size,
    })),
  };
}
