import type { AppContext } from '../../platform/context.js';
import { withTransaction, type Transaction } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import {
  ticketNumberLabel,
  ticketPriorityLabels,
  ticketStatusLabels,
  type OpenTicketStatus,
  type TicketPriority,
  type TicketStatus,
} from '../../shared/contract/tickets.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import { defaultNotificationRecipients } from '../email/email.service.js';
import type { EmailRecipient } from '../email/email.schema.js';
import { renderEmail } from '../email/templates/index.js';
import { getBrand, getTicketSettings, type TicketSettings } from '../settings/settings.service.js';
import { acceptFile, type AcceptedFile } from './ticket-files.js';

/**
 * Service tickets' use cases: a contact opens a ticket and adds information; staff open one for
 * a client, reply publicly or note internally, change status, priority, type and assignee,
 * close with resolution notes and reopen. Each writes the ticket, its timeline entry, its files
 * (bytes in PostgreSQL), the search vector, the audit row and the emails in one transaction, so
 * a refused or failed request leaves nothing behind. A closed ticket takes no addition (409).
 * Internal notes reach no email to a client: the client's emails take a reply's text only from
 * a public reply.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config'>;

/** Who opens or writes: a contact (portal) or a staff user. */
export type TicketAuthor = { contactId: string } | { staffId: string };

const contactOf = (author: TicketAuthor) => ('contactId' in author ? author.contactId : null);
const staffOf = (author: TicketAuthor) => ('staffId' in author ? author.staffId : null);

/** The files of a post, checked against the settings (count, type, size, content). */
function acceptFiles(
  files: { fileName: string; content: Buffer }[],
  settings: TicketSettings,
): AcceptedFile[] {
  if (files.length > settings.maxFiles) {
    throw AppError.validation(
      'attachments',
      `at most ${settings.maxFiles} ${settings.maxFiles === 1 ? 'file' : 'files'} at a time`,
    );
  }
  return files.map((file) => acceptFile(file, settings));
}

/** Stores a post's files with its entry. */
async function storeFiles(
  tx: Transaction,
  options: { ticketId: string; entryId: string; author: TicketAuthor; files: AcceptedFile[] },
): Promise<void> {
  for (const file of options.files) {
    await tx.client.query(
      `INSERT INTO ticket_attachments (ticket_id, entry_id, file_name, content_type, size_bytes,
                                       content, sha256, uploaded_by_contact_id, uploaded_by_staff_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        options.ticketId,
        options.entryId,
        file.fileName,
        file.contentType,
        file.sizeBytes,
        file.content,
        file.sha256,
        contactOf(options.author),
        staffOf(options.author),
      ],
    );
  }
}

/** Adds an entry to the timeline; answers its id. */
async function addEntry(
  tx: Transaction,
  entry: {
    ticketId: string;
    kind: 'created' | 'public_reply' | 'internal_note' | 'additional_information' | 'status_change';
    body: string | null;
    author: TicketAuthor;
    fromStatus?: TicketStatus;
    toStatus?: TicketStatus;
  },
): Promise<string> {
  const result = await tx.client.query<{ id: string }>(
    // clock_timestamp(), not the transaction's now(): two entries of one post keep their order.
    `INSERT INTO ticket_entries (ticket_id, kind, body, author_contact_id, author_staff_id,
                                 from_status, to_status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp()) RETURNING id`,
    [
      entry.ticketId,
      entry.kind,
      entry.body,
      contactOf(entry.author),
      staffOf(entry.author),
      entry.fromStatus ?? null,
      entry.toStatus ?? null,
    ],
  );
  return result.rows[0]!.id;
}

/**
 * How much of a ticket's timeline its search vector holds, in bytes of text (UTF-8), newest
 * entries first. PostgreSQL refuses a tsvector over 1 MB ("string is too long for tsvector"),
 * and a vector takes up to about 3 times the bytes of its text (short words found nowhere else:
 * each lexeme has an entry, its bytes and its positions): 200,000 bytes of entries, with a
 * 20,000-character description and the summary, stay well under the limit whatever is
 * written (docs/decisions/0053).
 */
export const searchTimelineBytes = 200_000;

/**
 * Marks activity on the ticket (updated_at) and writes its search vector again from the
 * summary (weight A), the description (B) and the text of its newest entries, internal notes
 * included (staff's search only), up to `searchTimelineBytes`: whole entries, so an older entry
 * that would pass the bound is left out with every one before it (docs/decisions/0053). Runs
 * after the entry is written, in its transaction.
 */
async function touch(tx: Transaction, ticketId: string): Promise<void> {
  await tx.client.query(
    `UPDATE tickets t SET updated_at = now(),
            search = setweight(to_tsvector('simple', t.summary), 'A')
              || setweight(to_tsvector('simple', t.description), 'B')
              || to_tsvector('simple', coalesce((
                   SELECT string_agg(e.body, E'\n' ORDER BY e.created_at, e.id)
                     FROM (SELECT body, created_at, id,
                                  -- octet_length reads a stored text's size without its bytes.
                                  sum(octet_length(body)) OVER (ORDER BY created_at DESC, id DESC)
                                    AS upto
                             FROM ticket_entries
                            WHERE ticket_id = t.id AND body IS NOT NULL AND kind <> 'created') e
                    WHERE e.upto <= $2), ''))
      WHERE t.id = $1`,
    [ticketId, searchTimelineBytes],
  );
}

interface LockedTicket {
  id: string;
  number: number;
  organizationId: string;
  organizationName: string;
  summary: string;
  status: TicketStatus;
  priority: TicketPriority;
  typeId: string;
  assigneeId: string | null;
  resolutionNotes: string | null;
  openedByContactId: string | null;
}

/**
 * Locks a ticket for a change (FOR UPDATE): two posts to one ticket take turns. 404 when it does
 * not exist or, with `organizationId` (the portal), belongs to another organization.
 */
async function lockTicket(
  tx: Transaction,
  scope: { ticketId: string; organizationId?: string },
): Promise<LockedTicket> {
  const result = await tx.client.query<LockedTicket>(
    `SELECT t.id, t.number, t.organization_id AS "organizationId", o.name AS "organizationName",
            t.summary, t.status, t.priority, t.type_id AS "typeId", t.assignee_id AS "assigneeId",
            t.resolution_notes AS "resolutionNotes",
            t.opened_by_contact_id AS "openedByContactId"
       FROM tickets t JOIN organizations o ON o.id = t.organization_id
      WHERE t.id = $1 AND ($2::uuid IS NULL OR t.organization_id = $2::uuid)
      FOR UPDATE OF t`,
    [scope.ticketId, scope.organizationId ?? null],
  );
  const ticket = result.rows[0];
  if (!ticket) throw AppError.notFound('Ticket');
  return ticket;
}

/** 409 for an addition to a closed ticket, in a sentence. */
function refuseClosed(ticket: LockedTicket, what: string): void {
  if (ticket.status !== 'closed') return;
  throw new AppError(
    'conflict',
    `Ticket ${ticketNumberLabel(ticket.number)} is closed, so it takes no ${what}. Open a new ticket and mention ${ticketNumberLabel(ticket.number)}.`,
  );
}

/** 400 naming `typeId` unless it is an active ticket type. */
async function checkType(tx: Transaction, typeId: string): Promise<string> {
  const found = await tx.client.query<{ name: string }>(
    `SELECT name FROM ticket_types WHERE id = $1 AND archived_at IS NULL`,
    [typeId],
  );
  const type = found.rows[0];
  if (!type) throw AppError.validation('typeId', 'must be one of the ticket types');
  return type.name;
}

/** 400 naming `assigneeId` unless it is a staff user who may work tickets (not disabled). */
async function checkAssignee(tx: Transaction, assigneeId: string): Promise<string> {
  const found = await tx.client.query<{ name: string }>(
    `SELECT name FROM staff_users
      WHERE id = $1 AND disabled_at IS NULL AND role IN ('master_admin', 'billing')`,
    [assigneeId],
  );
  const staff = found.rows[0];
  if (!staff) {
    throw AppError.validation('assigneeId', 'must be a Master Admin or Billing user not disabled');
  }
  return staff.name;
}

const label = (ticket: { number: number }) => ticketNumberLabel(ticket.number);

/**
 * Opens a ticket: a contact for the organization it acts for (the portal), or staff for any
 * organization. `fields` are validated by the contract (createTicketFields); the type must be
 * active (400 `typeId`), the files within the settings (400 `attachments`). Writes the ticket
 * (status new), its `created` entry with the files, the search vector, the audit row, Ticket
 * Created to the contact who opened it and the staff notice (a contact's ticket), in one
 * transaction. Answers the ticket's id and number.
 */
export async function createTicket(options: {
  context: Deps;
  actor: Actor;
  organizationId: string;
  author: TicketAuthor;
  fields: {
    summary: string;
    description: string;
    priority: TicketPriority;
    typeId: string;
    contactPhone?: string | undefined;
    assigneeId?: string | null | undefined;
  };
  files: { fileName: string; content: Buffer }[];
  /**
   * Staff opening a ticket for a client: the contact it is opened for (a contact of the
   * organization, else 400 `contactId`), who then gets Ticket Created and the later emails.
   */
  forContactId?: string | undefined;
}): Promise<{ id: string; number: string }> {
  const { context, fields } = options;
  return withTransaction(context.pool, async (tx) => {
    const settings = await getTicketSettings(tx.db);
    const files = acceptFiles(options.files, settings);
    await checkType(tx, fields.typeId);
    if (fields.assigneeId) await checkAssignee(tx, fields.assigneeId);
    const organization = await tx.client.query<{ name: string }>(
      `SELECT name FROM organizations WHERE id = $1`,
      [options.organizationId],
    );
    if (!organization.rows[0]) throw AppError.notFound('Organization');
    if (options.forContactId) {
      const member = await tx.client.query(
        `SELECT 1 FROM contact_organizations WHERE contact_id = $1 AND organization_id = $2`,
        [options.forContactId, options.organizationId],
      );
      if (member.rowCount === 0) {
        throw AppError.validation('contactId', 'must be a contact of this organization');
      }
    }
    const inserted = await tx.client.query<{ id: string; number: number }>(
      `INSERT INTO tickets (organization_id, summary, description, priority, type_id,
                            contact_phone, assignee_id, opened_by_contact_id, opened_by_staff_id,
                            search)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
               setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'))
       RETURNING id, number`,
      [
        options.organizationId,
        fields.summary,
        fields.description,
        fields.priority,
        fields.typeId,
        fields.contactPhone ? fields.contactPhone : null,
        fields.assigneeId ?? null,
        contactOf(options.author) ?? options.forContactId ?? null,
        staffOf(options.author),
      ],
    );
    const ticket = inserted.rows[0]!;
    const entryId = await addEntry(tx, {
      ticketId: ticket.id,
      kind: 'created',
      body: null,
      author: options.author,
      toStatus: 'new',
    });
    await storeFiles(tx, { ticketId: ticket.id, entryId, author: options.author, files });
    await recordAudit(tx.db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'ticket',
      entityId: ticket.id,
      entityLabel: label(ticket),
      action: 'ticket.created',
      after: {
        summary: fields.summary,
        priority: fields.priority,
        typeId: fields.typeId,
        assigneeId: fields.assigneeId ?? null,
        // Named as in changeTicket: the Audit Log shows the name as it was then.
        assignee: fields.assigneeId ? await staffName(tx, fields.assigneeId) : null,
        files: files.map((f) => f.fileName),
      },
    });
    const locked = await lockTicket(tx, { ticketId: ticket.id });
    await queueClientEmail(tx, context, {
      template: 'ticket_created',
      ticket: locked,
      text: '',
      by: '',
      actor: options.actor,
    });
    if ('contactId' in options.author) {
      await queueStaffNotice(tx, context, {
        kind: 'created',
        ticket: locked,
        text: fields.description,
        by: await contactName(tx, options.author.contactId),
        actor: options.actor,
        settings,
      });
    }
    return { id: ticket.id, number: label(ticket) };
  });
}

/**
 * Submit Additional Information (the portal): text and files added to a ticket of the contact's
 * organization (404 for another's), refused on a closed ticket (409). A ticket waiting on the
 * client goes back to In Progress, which the timeline says. Staff are told (the notice).
 */
export async function addAdditionalInformation(options: {
  context: Deps;
  actor: Actor;
  organizationId: string;
  contactId: string;
  ticketId: string;
  body: string;
  files: { fileName: string; content: Buffer }[];
}): Promise<{ moved: boolean }> {
  const { context } = options;
  return withTransaction(context.pool, async (tx) => {
    const ticket = await lockTicket(tx, {
      ticketId: options.ticketId,
      organizationId: options.organizationId,
    });
    refuseClosed(ticket, 'additional information');
    const settings = await getTicketSettings(tx.db);
    const files = acceptFiles(options.files, settings);
    const author = { contactId: options.contactId };
    const entryId = await addEntry(tx, {
      ticketId: ticket.id,
      kind: 'additional_information',
      body: options.body,
      author,
    });
    await storeFiles(tx, { ticketId: ticket.id, entryId, author, files });
    const moved = ticket.status === 'waiting_on_client';
    if (moved) {
      await tx.client.query(`UPDATE tickets SET status = 'in_progress' WHERE id = $1`, [ticket.id]);
      await addEntry(tx, {
        ticketId: ticket.id,
        kind: 'status_change',
        body: null,
        author,
        fromStatus: 'waiting_on_client',
        toStatus: 'in_progress',
      });
    }
    await touch(tx, ticket.id);
    await recordAudit(tx.db, options.actor, {
      organizationId: ticket.organizationId,
      entityType: 'ticket',
      entityId: ticket.id,
      entityLabel: label(ticket),
      action: 'ticket.additional_information',
      after: {
        characters: options.body.length,
        files: files.map((f) => f.fileName),
        ...(moved ? { status: 'in_progress' } : {}),
      },
    });
    await queueStaffNotice(tx, context, {
      kind: 'additional_information',
      ticket,
      text: options.body,
      by: await contactName(tx, options.contactId),
      actor: options.actor,
      settings,
    });
    return { moved };
  });
}

/**
 * Staff's reply: public (the contact reads it in the portal and gets Ticket Updated with its
 * text) or an internal note (staff only: no email leaves for the client, no portal answer shows
 * it). Refused on a closed ticket (409).
 */
export async function addStaffReply(options: {
  context: Deps;
  actor: Actor;
  staffId: string;
  ticketId: string;
  body: string;
  internal: boolean;
  files: { fileName: string; content: Buffer }[];
}): Promise<void> {
  const { context } = options;
  await withTransaction(context.pool, async (tx) => {
    const ticket = await lockTicket(tx, { ticketId: options.ticketId });
    refuseClosed(ticket, options.internal ? 'notes' : 'replies');
    const settings = await getTicketSettings(tx.db);
    const files = acceptFiles(options.files, settings);
    const author = { staffId: options.staffId };
    const entryId = await addEntry(tx, {
      ticketId: ticket.id,
      kind: options.internal ? 'internal_note' : 'public_reply',
      body: options.body,
      author,
    });
    await storeFiles(tx, { ticketId: ticket.id, entryId, author, files });
    await touch(tx, ticket.id);
    // The audit row says that a note was written, not its words: the log is not the ticket.
    await recordAudit(tx.db, options.actor, {
      organizationId: ticket.organizationId,
      entityType: 'ticket',
      entityId: ticket.id,
      entityLabel: label(ticket),
      action: options.internal ? 'ticket.internal_note' : 'ticket.replied',
      after: { characters: options.body.length, files: files.map((f) => f.fileName) },
    });
    if (!options.internal) {
      await queueClientEmail(tx, context, {
        template: 'ticket_updated',
        ticket,
        text: options.body,
        by: await staffName(tx, options.staffId),
        actor: options.actor,
      });
    }
  });
}

/**
 * Changes an open ticket's status (any open status to any other), priority, type (an active
 * one) or assignee (a Master Admin or Billing user, or null to unassign). A status change is a
 * timeline entry. A closed ticket is reopened first (409). Audited with before and after.
 */
export async function changeTicket(options: {
  context: Deps;
  actor: Actor;
  staffId: string;
  ticketId: string;
  changes: {
    status?: OpenTicketStatus | undefined;
    priority?: TicketPriority | undefined;
    typeId?: string | undefined;
    assigneeId?: string | null | undefined;
  };
}): Promise<void> {
  const { changes } = options;
  await withTransaction(options.context.pool, async (tx) => {
    const ticket = await lockTicket(tx, { ticketId: options.ticketId });
    if (ticket.status === 'closed') {
      throw new AppError(
        'conflict',
        `Ticket ${label(ticket)} is closed: reopen it before changing it.`,
      );
    }
    if (changes.typeId !== undefined && changes.typeId !== ticket.typeId) {
      await checkType(tx, changes.typeId);
    }
    if (changes.assigneeId && changes.assigneeId !== ticket.assigneeId) {
      await checkAssignee(tx, changes.assigneeId);
    }
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const set = (key: 'status' | 'priority' | 'typeId' | 'assigneeId', value: unknown) => {
      if (value === undefined || value === ticket[key]) return;
      before[key] = ticket[key];
      after[key] = value;
    };
    set('status', changes.status);
    set('priority', changes.priority);
    set('typeId', changes.typeId);
    set('assigneeId', changes.assigneeId);
    if (Object.keys(after).length === 0) return;
    if ('assigneeId' in after) {
      // The names as they were, beside the ids: the Audit Log reads them without the staff
      // list (which not every role may read), and a user renamed later stays as they were.
      before.assignee = ticket.assigneeId ? await staffName(tx, ticket.assigneeId) : null;
      after.assignee = changes.assigneeId ? await staffName(tx, changes.assigneeId) : null;
    }
    await tx.client.query(
      `UPDATE tickets SET status = coalesce($2, status), priority = coalesce($3, priority),
              type_id = coalesce($4::uuid, type_id),
              assignee_id = CASE WHEN $5 THEN $6::uuid ELSE assignee_id END,
              updated_at = now()
        WHERE id = $1`,
      [
        ticket.id,
        after.status ?? null,
        after.priority ?? null,
        after.typeId ?? null,
        'assigneeId' in after,
        after.assigneeId ?? null,
      ],
    );
    if (after.status) {
      await addEntry(tx, {
        ticketId: ticket.id,
        kind: 'status_change',
        body: null,
        author: { staffId: options.staffId },
        fromStatus: ticket.status,
        toStatus: after.status as TicketStatus,
      });
    }
    await recordAudit(tx.db, options.actor, {
      organizationId: ticket.organizationId,
      entityType: 'ticket',
      entityId: ticket.id,
      entityLabel: label(ticket),
      action: 'ticket.changed',
      before,
      after,
    });
  });
}

/**
 * Closes a ticket with its resolution notes (required: the contract refuses empty ones), kept
 * on the ticket and in the timeline's status change; Ticket Closed emails the contact the
 * notes. A closed ticket cannot be closed again (409).
 */
export async function closeTicket(options: {
  context: Deps;
  actor: Actor;
  staffId: string;
  ticketId: string;
  resolutionNotes: string;
}): Promise<void> {
  const { context } = options;
  await withTransaction(context.pool, async (tx) => {
    const ticket = await lockTicket(tx, { ticketId: options.ticketId });
    if (ticket.status === 'closed') {
      throw new AppError('conflict', `Ticket ${label(ticket)} is already closed.`);
    }
    await tx.client.query(
      `UPDATE tickets SET status = 'closed', closed_at = now(), resolution_notes = $2
        WHERE id = $1`,
      [ticket.id, options.resolutionNotes],
    );
    await addEntry(tx, {
      ticketId: ticket.id,
      kind: 'status_change',
      body: options.resolutionNotes,
      author: { staffId: options.staffId },
      fromStatus: ticket.status,
      toStatus: 'closed',
    });
    await touch(tx, ticket.id);
    await recordAudit(tx.db, options.actor, {
      organizationId: ticket.organizationId,
      entityType: 'ticket',
      entityId: ticket.id,
      entityLabel: label(ticket),
      action: 'ticket.closed',
      before: { status: ticket.status },
      after: { status: 'closed', resolutionNotes: options.resolutionNotes },
    });
    await queueClientEmail(tx, context, {
      template: 'ticket_closed',
      ticket,
      text: options.resolutionNotes,
      by: await staffName(tx, options.staffId),
      actor: options.actor,
    });
  });
}

/**
 * Reopens a closed ticket (staff): In Progress again, no longer closed; its earlier resolution
 * notes stay in the timeline (the close's entry carries them). 409 for a ticket not closed.
 */
export async function reopenTicket(options: {
  context: Deps;
  actor: Actor;
  staffId: string;
  ticketId: string;
}): Promise<void> {
  await withTransaction(options.context.pool, async (tx) => {
    const ticket = await lockTicket(tx, { ticketId: options.ticketId });
    if (ticket.status !== 'closed') {
      throw new AppError('conflict', `Ticket ${label(ticket)} is not closed.`);
    }
    await tx.client.query(
      `UPDATE tickets SET status = 'in_progress', closed_at = NULL, resolution_notes = NULL,
              updated_at = now()
        WHERE id = $1`,
      [ticket.id],
    );
    await addEntry(tx, {
      ticketId: ticket.id,
      kind: 'status_change',
      body: null,
      author: { staffId: options.staffId },
      fromStatus: 'closed',
      toStatus: 'in_progress',
    });
    await recordAudit(tx.db, options.actor, {
      organizationId: ticket.organizationId,
      entityType: 'ticket',
      entityId: ticket.id,
      entityLabel: label(ticket),
      action: 'ticket.reopened',
      before: { status: 'closed', resolutionNotes: ticket.resolutionNotes },
      after: { status: 'in_progress' },
    });
  });
}

async function contactName(tx: Transaction, contactId: string): Promise<string> {
  const found = await tx.client.query<{ name: string }>(`SELECT name FROM contacts WHERE id = $1`, [
    contactId,
  ]);
  return found.rows[0]?.name ?? 'A client';
}

async function staffName(tx: Transaction, staffId: string): Promise<string> {
  const found = await tx.client.query<{ name: string }>(
    `SELECT name FROM staff_users WHERE id = $1`,
    [staffId],
  );
  return found.rows[0]?.name ?? 'Our support team';
}

/**
 * Who the client's ticket emails go to: the contact who opened it (when it has an address),
 * else, for a ticket staff opened, the organization's Default Notification Emails.
 */
async function clientRecipients(tx: Transaction, ticket: LockedTicket): Promise<EmailRecipient[]> {
  if (ticket.openedByContactId) {
    const found = await tx.client.query<EmailRecipient>(
      `SELECT email, name, id AS "contactId" FROM contacts WHERE id = $1 AND email <> ''`,
      [ticket.openedByContactId],
    );
    return found.rows;
  }
  return defaultNotificationRecipients(tx, ticket.organizationId);
}

/**
 * Queues one of the client's ticket emails on `tx`. `text` is the public reply or the resolution
 * notes: the callers never pass an internal note's words.
 */
async function queueClientEmail(
  tx: Transaction,
  deps: Pick<Deps, 'jobs' | 'config'>,
  options: {
    template: 'ticket_created' | 'ticket_updated' | 'ticket_closed';
    ticket: LockedTicket;
    text: string;
    by: string;
    actor: Actor;
  },
): Promise<void> {
  const { ticket } = options;
  const recipients = await clientRecipients(tx, ticket);
  if (recipients.length === 0) return;
  const brand = await getBrand(tx.db, deps.config);
  const contactName =
    recipients.length === 1 ? recipients[0]!.name : `${ticket.organizationName} team`;
  const rendered = await renderEmail(
    options.template,
    {
      contactName,
      organizationId: ticket.organizationId,
      organizationName: ticket.organizationName,
      ticketId: ticket.id,
      number: label(ticket),
      summary: ticket.summary,
      text: options.text,
      by: options.by,
    },
    brand,
  );
  await queueEmail(tx, deps, {
    organizationId: ticket.organizationId,
    template: options.template,
    recipients,
    rendered,
    linkBase: linkBaseOf(options.template, { brand, address: deps.config }),
    triggeredBy: options.actor,
    reason: `Ticket ${label(ticket)}`,
  });
}

/**
 * Queues staff's notice of a new ticket or of a client's additional information: to the
 * address of Configuration > Service Tickets and the assignee (each address once); nothing when
 * neither is there.
 */
async function queueStaffNotice(
  tx: Transaction,
  deps: Pick<Deps, 'jobs' | 'config'>,
  options: {
    kind: 'created' | 'additional_information';
    ticket: LockedTicket;
    text: string;
    by: string;
    actor: Actor;
    settings: TicketSettings;
  },
): Promise<void> {
  const { ticket } = options;
  const recipients: EmailRecipient[] = [];
  if (options.settings.notifyEmail) {
    recipients.push({ email: options.settings.notifyEmail, name: 'Service desk', contactId: null });
  }
  if (ticket.assigneeId) {
    const found = await tx.client.query<{ email: string; name: string }>(
      `SELECT email, name FROM staff_users WHERE id = $1 AND disabled_at IS NULL`,
      [ticket.assigneeId],
    );
    const assignee = found.rows[0];
    if (
      assignee &&
      !recipients.some((r) => r.email.toLowerCase() === assignee.email.toLowerCase())
    ) {
      recipients.push({ email: assignee.email, name: assignee.name, contactId: null });
    }
  }
  if (recipients.length === 0) return;
  const brand = await getBrand(tx.db, deps.config);
  const rendered = await renderEmail(
    'ticket_staff_notice',
    {
      kind: options.kind,
      organizationId: ticket.organizationId,
      organizationName: ticket.organizationName,
      ticketId: ticket.id,
      number: label(ticket),
      summary: ticket.summary,
      priority: ticketPriorityLabels[ticket.priority],
      text: options.text,
      by: options.by,
      consoleUrl: deps.config.PUBLIC_URL,
    },
    brand,
  );
  await queueEmail(tx, deps, {
    organizationId: ticket.organizationId,
    template: 'ticket_staff_notice',
    recipients,
    rendered,
    linkBase: linkBaseOf('ticket_staff_notice', { brand, address: deps.config }),
    triggeredBy: options.actor,
    reason: `Ticket ${label(ticket)}`,
  });
}

/** The status as people read it, for messages ("In Progress"). */
export const statusInWords = (status: TicketStatus) => ticketStatusLabels[status];
