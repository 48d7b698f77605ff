import { z } from 'zod';
import { instant } from './common.js';

/**
 * What the email history, template and Local Mailbox routes answer, and the bodies the console
 * sends them (allow-lists: platform/http/responses.ts).
 */

/** Where a message is on its way out (email_messages.status). */
export const emailStatuses = ['queued', 'sending', 'sent', 'failed'] as const;
export type EmailStatus = (typeof emailStatuses)[number];

/** What happened to a message, in order (email_events.kind). */
export const emailEventKinds = [
  'triggered',
  'queued',
  'processing',
  'sent',
  'retry_scheduled',
  'failed',
  'resent',
] as const;
export type EmailEventKind = (typeof emailEventKinds)[number];

/** The emails the contact card's Email menu sends. */
export const contactEmailKinds = ['welcome', 'password_reset', 'account_summary'] as const;
export type ContactEmailKind = (typeof contactEmailKinds)[number];

/** One addressee of a message; `contactId` is null for an address that is not a contact's. */
export const emailRecipient = z.object({
  email: z.string(),
  name: z.string(),
  contactId: z.guid().nullable(),
});

export const emailEvent = z.object({
  kind: z.enum(emailEventKinds),
  detail: z.string(),
  occurredAt: instant,
});

/** A message as the history lists it: `template` is its key, `templateName` what staff read. */
export const emailSummary = z.object({
  id: z.guid(),
  organizationId: z.guid().nullable(),
  template: z.string(),
  templateName: z.string(),
  recipients: z.array(emailRecipient),
  subject: z.string(),
  status: z.enum(emailStatuses),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  resentFromId: z.guid().nullable(),
  createdAt: instant,
  sentAt: instant.nullable(),
  events: z.array(emailEvent),
});

/** A page of an email history, newest first (keyset: platform/keyset-cursor.ts). */
export const emailHistoryPage = z.object({
  emails: z.array(emailSummary),
  nextCursor: z.string().nullable(),
});

/** A stored attachment; its bytes are at /api/emails/{id}/attachments/{attachmentId}. */
export const emailAttachment = z.object({
  id: z.guid(),
  filename: z.string(),
  contentType: z.string(),
  /** In bytes. */
  size: z.number().int(),
});

/** One message exactly as stored: content, headers as sent, attachments, events and resends. */
export const emailDetailBody = z.object({
  email: emailSummary.omit({ events: true }).extend({
    from: z.string(),
    replyTo: z.string().nullable(),
    html: z.string(),
    text: z.string(),
    smtpResponse: z.string().nullable(),
    smtpMessageId: z.string().nullable(),
    triggeredBy: z.string(),
    /** Header name to value, as the message carried them. */
    headers: z.record(z.string(), z.string()),
    attachments: z.array(emailAttachment),
    events: z.array(emailEvent),
    /** The messages that resent this one, oldest first. */
    resentAs: z.array(z.guid()),
  }),
});

/**
 * An email queued (202): its message id, and whether it was a double click of one queued
 * moments before (then nothing new was queued).
 */
export const queuedEmailBody = z.object({ messageId: z.guid(), duplicate: z.boolean() });

/** A contact email to send (POST /api/contacts/{id}/emails). */
export const contactEmailRequest = z.object({
  organizationId: z.uuid('must be a valid id'),
  kind: z.enum(contactEmailKinds, 'must be welcome, password_reset or account_summary'),
});

/** The contact card's Email menu: each kind, and why it cannot be sent now (null: it can). */
export const contactEmailOptionsBody = z.object({
  options: z.array(
    z.object({ kind: z.enum(contactEmailKinds), unavailableReason: z.string().nullable() }),
  ),
});

/** The email templates, by key and name. */
export const emailTemplateListBody = z.object({
  templates: z.array(z.object({ key: z.string(), name: z.string() })),
});

/** A template rendered with its sample data and the MSP's branding. */
export const emailTemplatePreviewBody = z.object({
  key: z.string(),
  name: z.string(),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
});

/** A message the local SMTP server received, as the Local Mailbox lists it. */
export const localMailboxItem = z.object({
  id: z.number().int(),
  receivedAt: instant,
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  messageId: z.string().nullable(),
  porticoMessageId: z.string().nullable(),
});

/**
 * A page of the Local Mailbox, newest first (`nextCursor`: the last message's id), and whether
 * it is in use (no SMTP_URL configured).
 */
export const localMailboxPage = z.object({
  enabled: z.boolean(),
  messages: z.array(localMailboxItem),
  nextCursor: z.string().nullable(),
});

/** One received message, parsed: header lines unfolded and decoded. */
export const localMessageBody = z.object({
  message: z.object({
    id: z.number().int(),
    receivedAt: instant,
    envelopeFrom: z.string(),
    envelopeTo: z.array(z.string()),
    subject: z.string(),
    html: z.string(),
    text: z.string(),
    headers: z.array(z.object({ name: z.string(), line: z.string() })),
    attachments: z.array(
      z.object({ filename: z.string(), contentType: z.string(), size: z.number().int() }),
    ),
  }),
});
