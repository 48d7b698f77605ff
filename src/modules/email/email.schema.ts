import { sql } from 'drizzle-orm';
import {
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { emailEventKinds, emailStatuses } from '../../shared/contract/email.js';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

// The statuses and event kinds are part of the API contract (the console filters by them).
export {
  emailEventKinds,
  emailStatuses,
  type EmailEventKind,
  type EmailStatus,
} from '../../shared/contract/email.js';

export interface EmailRecipient {
  email: string;
  name: string;
  contactId: string | null;
}

/**
 * One email as it was (or will be) sent: the exact rendered content is stored, so "View"
 * shows what went out and "Resend" sends the same again.
 */
export const emailMessages = pgTable(
  'email_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id'),
    template: text('template').notNull(),
    recipients: jsonb('recipients').notNull().$type<EmailRecipient[]>(),
    // The recipients that are contacts, indexed so "this contact's emails" is a lookup.
    recipientContactIds: uuid('recipient_contact_ids')
      .array()
      .notNull()
      .default(sql`'{}'`),
    fromAddress: text('from_address').notNull(),
    replyTo: text('reply_to'),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    // The address the content's links were built from (the portal's, or PUBLIC_URL in a staff
    // email), so a Resend can point them at the address in force then. Null: no links, or
    // stored before this was kept.
    linkBase: text('link_base'),
    status: text('status', { enum: emailStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    smtpResponse: text('smtp_response'),
    smtpMessageId: text('smtp_message_id'),
    lastError: text('last_error'),
    resentFromId: uuid('resent_from_id'),
    dedupeKey: text('dedupe_key'),
    triggeredBy: text('triggered_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('email_messages_organization_idx').on(t.organizationId, t.createdAt.desc(), t.id),
    index('email_messages_contacts_idx').using('gin', t.recipientContactIds),
    index('email_messages_dedupe_idx').on(t.dedupeKey, t.createdAt),
    index('email_messages_status_idx').on(t.status, t.createdAt),
  ],
);

export const emailEvents = pgTable(
  'email_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => emailMessages.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: emailEventKinds }).notNull(),
    detail: text('detail').notNull().default(''),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('email_events_message_idx').on(t.messageId, t.id)],
);

export const emailAttachments = pgTable(
  'email_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => emailMessages.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    content: bytea('content').notNull(),
  },
  (t) => [index('email_attachments_message_idx').on(t.messageId)],
);

/** What the local SMTP server (the default mode, and tests) received, kept for staff to read. */
export const localMailbox = pgTable(
  'local_mailbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    envelopeFrom: text('envelope_from').notNull(),
    envelopeTo: text('envelope_to').array().notNull(),
    // As the header carries it (RFC 2047 encoded words): decoded when read (email-history.ts).
    subject: text('subject').notNull().default(''),
    messageIdHeader: text('message_id_header'),
    porticoMessageId: text('portico_message_id'),
    raw: bytea('raw').notNull(),
  },
  (t) => [index('local_mailbox_received_idx').on(t.receivedAt.desc())],
);
