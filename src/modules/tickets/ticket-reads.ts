import type { Pool, PoolClient } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import type {
  PortalTicket,
  StaffTicket,
  StaffTicketEntry,
  TicketEntry,
  TicketType,
} from '../../shared/contract/tickets.js';
import { summaryColumns, summaryJoins, summaryOf } from './ticket-lists.js';

/**
 * One ticket as the portal and staff read it, its attachments' bytes, and the ticket types.
 * The portal's reads take the contact's organization and leave out internal notes and their
 * files in SQL (`kind <> 'internal_note'`), so no later step can let one through; another
 * organization's ticket or file is a 404, the same as one that does not exist.
 */

type Queryable = Pool | PoolClient;

interface EntryRow extends Omit<StaffTicketEntry, 'internal'> {
  attachments: (TicketEntry['attachments'][number] & { createdAt: string | Date })[];
}

/** The timeline of a ticket, oldest first; `publicOnly` leaves internal notes out. */
async function timeline(db: Queryable, ticketId: string, publicOnly: boolean): Promise<EntryRow[]> {
  const result = await db.query<EntryRow>(
    `SELECT e.id, e.kind, e.body, e.from_status AS "fromStatus", e.to_status AS "toStatus",
            e.created_at AS "createdAt",
            CASE WHEN e.author_contact_id IS NOT NULL THEN 'contact' ELSE 'staff' END AS "authorKind",
            coalesce(c.name, s.name, 'Portico') AS "authorName",
            coalesce((SELECT json_agg(json_build_object(
                        'id', a.id, 'fileName', a.file_name, 'contentType', a.content_type,
                        'sizeBytes', a.size_bytes, 'createdAt', a.created_at)
                        ORDER BY a.created_at, a.id)
                        FROM ticket_attachments a WHERE a.entry_id = e.id), '[]'::json)
              AS attachments
       FROM ticket_entries e
       LEFT JOIN contacts c ON c.id = e.author_contact_id
       LEFT JOIN staff_users s ON s.id = e.author_staff_id
      WHERE e.ticket_id = $1 ${publicOnly ? `AND e.kind <> 'internal_note'` : ''}
      ORDER BY e.created_at, e.id`,
    [ticketId],
  );
  return result.rows.map((row) => ({
    ...row,
    attachments: row.attachments.map((a) => ({ ...a, createdAt: new Date(a.createdAt) })),
  }));
}

const detailColumns = `${summaryColumns}, t.description, t.contact_phone AS "contactPhone",
  t.resolution_notes AS "resolutionNotes", t.organization_id AS "organizationId",
  t.type_id AS "typeId", o.name AS "organizationName", t.assignee_id AS "assigneeId",
  a.name AS "assigneeName"`;

const detailJoins = `${summaryJoins}
  JOIN organizations o ON o.id = t.organization_id
  LEFT JOIN staff_users a ON a.id = t.assignee_id`;

type DetailRow = Omit<StaffTicket, 'timeline' | 'number'> & { number: number };

/**
 * A ticket's Details page in the portal: the ticket of the contact's organization and its public
 * timeline (never an internal note), or 404.
 */
export async function portalTicketView(
  db: Queryable,
  scope: { organizationId: string; ticketId: string },
): Promise<PortalTicket> {
  const found = await db.query<DetailRow>(
    `SELECT ${detailColumns} FROM tickets t ${detailJoins}
      WHERE t.id = $1 AND t.organization_id = $2`,
    [scope.ticketId, scope.organizationId],
  );
  const row = found.rows[0];
  if (!row) throw AppError.notFound('Ticket');
  const entries = await timeline(db, row.id, true);
  // Only what the portal's schema names: no assignee, organization or type id.
  return {
    ...summaryOf({
      id: row.id,
      number: row.number,
      summary: row.summary,
      status: row.status,
      priority: row.priority,
      typeName: row.typeName,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      closedAt: row.closedAt,
      openedByName: row.openedByName,
    }),
    description: row.description,
    contactPhone: row.contactPhone,
    resolutionNotes: row.resolutionNotes,
    timeline: entries,
  };
}

/** The staff ticket page: any organization's ticket, its whole timeline, or 404. */
export async function staffTicketView(db: Queryable, ticketId: string): Promise<StaffTicket> {
  const found = await db.query<DetailRow>(
    `SELECT ${detailColumns} FROM tickets t ${detailJoins} WHERE t.id = $1`,
    [ticketId],
  );
  const row = found.rows[0];
  if (!row) throw AppError.notFound('Ticket');
  const entries = await timeline(db, row.id, false);
  return {
    ...summaryOf(row),
    timeline: entries.map((entry) => ({ ...entry, internal: entry.kind === 'internal_note' })),
  };
}

/** An attachment's bytes and how it is served. */
export interface AttachmentFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/**
 * A file of a ticket of the contact's organization, attached to a public entry; a file of
 * another organization, of an internal note, or of another ticket is a 404.
 */
export async function portalAttachment(
  db: Queryable,
  scope: { organizationId: string; ticketId: string; attachmentId: string },
): Promise<AttachmentFile> {
  const found = await db.query<AttachmentFile>(
    `SELECT a.file_name AS "fileName", a.content_type AS "contentType", a.content
       FROM ticket_attachments a
       JOIN tickets t ON t.id = a.ticket_id
       LEFT JOIN ticket_entries e ON e.id = a.entry_id
      WHERE a.id = $1 AND a.ticket_id = $2 AND t.organization_id = $3
        AND e.kind IS DISTINCT FROM 'internal_note'`,
    [scope.attachmentId, scope.ticketId, scope.organizationId],
  );
  const file = found.rows[0];
  if (!file) throw AppError.notFound('Attachment');
  return file;
}

/** A file of the ticket, for staff (internal notes' included), or 404. */
export async function staffAttachment(
  db: Queryable,
  scope: { ticketId: string; attachmentId: string },
): Promise<AttachmentFile> {
  const found = await db.query<AttachmentFile>(
    `SELECT file_name AS "fileName", content_type AS "contentType", content
       FROM ticket_attachments WHERE id = $1 AND ticket_id = $2`,
    [scope.attachmentId, scope.ticketId],
  );
  const file = found.rows[0];
  if (!file) throw AppError.notFound('Attachment');
  return file;
}

/** The ticket types in their order; `activeOnly` for the portal's form. */
export async function listTicketTypes(
  db: Queryable,
  options: { activeOnly: boolean },
): Promise<TicketType[]> {
  const result = await db.query<TicketType>(
    `SELECT id, name, position, archived_at AS "archivedAt" FROM ticket_types
      ${options.activeOnly ? 'WHERE archived_at IS NULL' : ''}
      ORDER BY position, lower(name), id`,
  );
  return result.rows;
}

/**
 * The staff a ticket may be assigned to: active (not disabled) Master Admin and Billing users,
 * the roles with 'manage_tickets' (src/modules/staff/staff-roles.ts), which checkAssignee in
 * tickets.service.ts accepts. Ids and names only: the list is for anyone who works tickets.
 */
export async function listTicketAssignees(db: Queryable): Promise<{ id: string; name: string }[]> {
  const result = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM staff_users
      WHERE disabled_at IS NULL AND role IN ('master_admin', 'billing')
      ORDER BY lower(name), id`,
  );
  return result.rows;
}
