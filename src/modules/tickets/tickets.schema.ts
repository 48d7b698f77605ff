import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  index,
  integer,
  pgSequence,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/organizations.schema.js';
import { contacts } from '../contacts/contacts.schema.js';
import { staffUsers } from '../staff/staff.schema.js';
import {
  ticketEntryKinds,
  ticketPriorities,
  ticketStatuses,
} from '../../shared/contract/tickets.js';

/**
 * The tickets module's tables: service tickets, their timelines and attached files
 * (docs/decisions/0052, 0053, 0054). Files live in PostgreSQL (bytea), so one backup holds them.
 */

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** A ticket's kind (Incident, Service Request, Question …); archived ones stay on old tickets. */
export const ticketTypes = pgTable(
  'ticket_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('ticket_types_name_lower_idx').on(sql`lower(${t.name})`)],
);

/** Where ticket numbers come from: T-1001, T-1002, … (never reused, gaps allowed). */
export const ticketNumberSeq = pgSequence('ticket_number_seq', { startWith: 1001 });

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Shown as "T-1042". */
    number: bigint('number', { mode: 'number' })
      .notNull()
      .default(sql`nextval('ticket_number_seq')`),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    summary: text('summary').notNull(),
    /** Plain text, kept exactly as typed. */
    description: text('description').notNull(),
    priority: text('priority', { enum: ticketPriorities }).notNull(),
    typeId: uuid('type_id')
      .notNull()
      .references(() => ticketTypes.id),
    contactPhone: text('contact_phone'),
    status: text('status', { enum: ticketStatuses }).notNull().default('new'),
    assigneeId: uuid('assignee_id').references(() => staffUsers.id),
    openedByContactId: uuid('opened_by_contact_id').references(() => contacts.id),
    openedByStaffId: uuid('opened_by_staff_id').references(() => staffUsers.id),
    /** Required to close; kept when reopened (the timeline keeps every earlier one too). */
    resolutionNotes: text('resolution_notes'),
    /**
     * What needs attention first (docs/decisions/0054): priority rank × 10 + status rank, so the
     * queue's order is one index range: critical new (0) before critical in progress (1) … low
     * resolved (33).
     */
    attention: smallint('attention')
      .notNull()
      .generatedAlwaysAs(
        sql`((CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END) * 10
           + (CASE status WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'waiting_on_client' THEN 2 WHEN 'resolved' THEN 3 ELSE 4 END))::smallint`,
      ),
    /**
     * Staff's full-text search (docs/decisions/0053): summary (A), description (B) and the
     * newest entries' text up to a bound (a tsvector holds at most 1 MB), internal notes
     * included, in the 'simple' configuration; written by the service in the transaction that
     * writes the ticket or an entry.
     */
    search: tsvector('search')
      .notNull()
      .default(sql`''::tsvector`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The last public or internal activity. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('tickets_number_idx').on(t.number),
    check('tickets_summary_length', sql`char_length(summary) BETWEEN 1 AND 200`),
    check('tickets_closed_has_notes', sql`closed_at IS NULL OR resolution_notes IS NOT NULL`),
    check('tickets_closed_status', sql`(status = 'closed') = (closed_at IS NOT NULL)`),
    // The portal's Open Service Tickets and the organization page: last update first. The
    // descending columns are NULLS FIRST, as `ORDER BY … DESC` sorts (drizzle's `.desc()` alone
    // makes them NULLS LAST): an index in another order cannot give the lists theirs, and
    // PostgreSQL then sorts every row (the closed tickets: 0.6 s at 1,000,000; decision 49).
    index('tickets_organization_open_idx')
      .on(t.organizationId, t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`closed_at IS NULL`),
    // Service History: last closed first.
    index('tickets_organization_closed_idx')
      .on(t.organizationId, t.closedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`closed_at IS NOT NULL`),
    // The staff queue: what needs attention first, as a keyset range scan.
    index('tickets_queue_idx')
      .on(t.attention, t.updatedAt, t.id)
      .where(sql`closed_at IS NULL`),
    index('tickets_assignee_queue_idx')
      .on(t.assigneeId, t.attention, t.updatedAt, t.id)
      .where(sql`closed_at IS NULL`),
    // The queue's Unassigned filter, in the queue's order. `assignee_id IS NULL` is no equality
    // to PostgreSQL, so the assignee index above gives those rows unordered: it read every
    // unassigned open ticket and sorted them (11,500 at 1,000,000, 21 ms a page).
    index('tickets_unassigned_queue_idx')
      .on(t.attention, t.updatedAt, t.id)
      .where(sql`closed_at IS NULL AND assignee_id IS NULL`),
    index('tickets_closed_idx')
      .on(t.closedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`closed_at IS NOT NULL`),
    index('tickets_search_idx').using('gin', t.search),
    // The queue's search (open tickets, its default): on the whole index PostgreSQL ANDs a rare
    // word's few matches with every open ticket of tickets_queue_idx (60-200 ms at 1,000,000);
    // this one holds the open tickets only, so the word's matches are the answer (decision 49).
    index('tickets_open_search_idx')
      .using('gin', t.search)
      .where(sql`closed_at IS NULL`),
  ],
);

/** A ticket's timeline: its creation, replies, internal notes, additions and status changes. */
export const ticketEntries = pgTable(
  'ticket_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    kind: text('kind', { enum: ticketEntryKinds }).notNull(),
    /** The text, kept exactly; null for a status change without words. */
    body: text('body'),
    authorContactId: uuid('author_contact_id').references(() => contacts.id),
    authorStaffId: uuid('author_staff_id').references(() => staffUsers.id),
    fromStatus: text('from_status', { enum: ticketStatuses }),
    toStatus: text('to_status', { enum: ticketStatuses }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_entries_ticket_idx').on(t.ticketId, t.createdAt, t.id)],
);

/** A file attached to a ticket entry, its bytes in PostgreSQL (docs/decisions/0052). */
export const ticketAttachments = pgTable(
  'ticket_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    entryId: uuid('entry_id').references(() => ticketEntries.id),
    /** As uploaded (any script), at most 255 characters. */
    fileName: text('file_name').notNull(),
    /** The stored type, from the allow list, decided by the server. */
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    content: bytea('content').notNull(),
    sha256: text('sha256').notNull(),
    uploadedByContactId: uuid('uploaded_by_contact_id').references(() => contacts.id),
    uploadedByStaffId: uuid('uploaded_by_staff_id').references(() => staffUsers.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ticket_attachments_ticket_idx').on(t.ticketId),
    index('ticket_attachments_entry_idx').on(t.entryId),
  ],
);
