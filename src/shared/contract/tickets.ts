import { z } from 'zod';
import { instant } from './common.js';
import { optionalText, pageLimit, requiredText, verbatimText } from './fields.js';

/**
 * Service tickets (portal: Service > Create New Service Ticket, Open Service Tickets, Service
 * History; staff: the Tickets queue, the ticket page and the organization page's tab). A ticket
 * belongs to one organization; its timeline is a list of entries, of which internal notes are
 * staff's only: no portal schema below names them, and the portal's timeline schema has no
 * `internal` flag (allow-lists: platform/http/responses.ts).
 */

export const ticketPriorities = ['low', 'medium', 'high', 'critical'] as const;
export type TicketPriority = (typeof ticketPriorities)[number];

export const ticketPriorityLabels: Record<TicketPriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/**
 * new → in_progress → waiting_on_client → resolved (any open status may go to any other), and
 * closed (with resolution notes) from any of them; reopen sets in_progress again.
 */
export const ticketStatuses = [
  'new',
  'in_progress',
  'waiting_on_client',
  'resolved',
  'closed',
] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

/** The statuses a PATCH may set: closing takes resolution notes (POST …/close). */
export const openTicketStatuses = ['new', 'in_progress', 'waiting_on_client', 'resolved'] as const;
export type OpenTicketStatus = (typeof openTicketStatuses)[number];

export const ticketStatusLabels: Record<TicketStatus, string> = {
  new: 'New',
  in_progress: 'In Progress',
  waiting_on_client: 'Waiting on Client',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const ticketEntryKinds = [
  'created',
  'public_reply',
  'internal_note',
  'additional_information',
  'status_change',
] as const;
export type TicketEntryKind = (typeof ticketEntryKinds)[number];

/** Limits of a ticket's text fields, in characters (the forms count toward them). */
export const ticketLimits = {
  summary: 200,
  description: 20_000,
  body: 20_000,
  contactPhone: 40,
  resolutionNotes: 20_000,
  fileName: 255,
} as const;

/** The attachment defaults (Configuration > Service Tickets may change them). */
export const ticketAttachmentDefaults = {
  maxFileBytes: 10 * 1024 * 1024,
  maxFiles: 5,
  allowedTypes: 'pdf,png,jpg,jpeg,gif,txt,log,csv,docx,xlsx,zip',
} as const;

/** A ticket's number as people read it: "T-1042". */
export function ticketNumberLabel(number: number): string {
  return `T-${number}`;
}

/** A file kept with a ticket entry; its bytes are served by the attachment routes. */
export const ticketAttachment = z.object({
  id: z.guid(),
  /** As uploaded (any script). */
  fileName: z.string(),
  /** The stored type, decided by the server from the extension and the file's first bytes. */
  contentType: z.string(),
  sizeBytes: z.number().int(),
  createdAt: instant,
});
export type TicketAttachment = z.infer<typeof ticketAttachment>;

/** One entry of a ticket's public timeline (the portal's; never an internal note). */
export const ticketEntry = z.object({
  id: z.guid(),
  kind: z.enum(ticketEntryKinds),
  /** The text; null for a status change without words. */
  body: z.string().nullable(),
  authorName: z.string(),
  authorKind: z.enum(['contact', 'staff']),
  fromStatus: z.enum(ticketStatuses).nullable(),
  toStatus: z.enum(ticketStatuses).nullable(),
  createdAt: instant,
  attachments: z.array(ticketAttachment),
});
export type TicketEntry = z.infer<typeof ticketEntry>;

/** One entry of the whole timeline, as staff read it: `internal` marks an internal note. */
export const staffTicketEntry = ticketEntry.extend({ internal: z.boolean() });
export type StaffTicketEntry = z.infer<typeof staffTicketEntry>;

/** A ticket in the portal's lists (Open Service Tickets, Service History). */
export const portalTicketSummary = z.object({
  id: z.guid(),
  /** "T-1042". */
  number: z.string(),
  summary: z.string(),
  status: z.enum(ticketStatuses),
  priority: z.enum(ticketPriorities),
  typeName: z.string(),
  createdAt: instant,
  /** The last public or internal activity. */
  updatedAt: instant,
  closedAt: instant.nullable(),
  /** The contact (or staff user) who opened it. */
  openedByName: z.string(),
});
export type PortalTicketSummary = z.infer<typeof portalTicketSummary>;

/** A ticket's Details page in the portal: the public timeline and, once closed, the notes. */
export const portalTicket = portalTicketSummary.extend({
  description: z.string(),
  contactPhone: z.string().nullable(),
  resolutionNotes: z.string().nullable(),
  timeline: z.array(ticketEntry),
});
export type PortalTicket = z.infer<typeof portalTicket>;

/** A ticket in the staff queue and on the organization page. */
export const staffTicketSummary = portalTicketSummary.extend({
  organizationId: z.guid(),
  organizationName: z.string(),
  assigneeId: z.guid().nullable(),
  assigneeName: z.string().nullable(),
});
export type StaffTicketSummary = z.infer<typeof staffTicketSummary>;

/** The staff ticket page: the whole timeline, internal notes flagged. */
export const staffTicket = staffTicketSummary.extend({
  typeId: z.guid(),
  description: z.string(),
  contactPhone: z.string().nullable(),
  resolutionNotes: z.string().nullable(),
  timeline: z.array(staffTicketEntry),
});
export type StaffTicket = z.infer<typeof staffTicket>;

/** GET /api/portal/tickets: a keyset page (no total: counting would walk the whole table). */
export const portalTicketListPage = z.object({
  tickets: z.array(portalTicketSummary),
  nextCursor: z.string().nullable(),
});

/** GET /api/tickets and GET /api/organizations/{id}/tickets: a keyset page. */
export const staffTicketListPage = z.object({
  tickets: z.array(staffTicketSummary),
  nextCursor: z.string().nullable(),
});

/** POST /api/portal/tickets and …/additional-information: the ticket and a sentence. */
export const portalTicketAnswer = z.object({ ticket: portalTicket, message: z.string() });

/** What the staff changes answer: the ticket page and a sentence. */
export const staffTicketAnswer = z.object({ ticket: staffTicket, message: z.string() });

const priority = z.enum(ticketPriorities, `must be one of: ${ticketPriorities.join(', ')}`);
const typeId = z.uuid('must be a valid id');

/**
 * The text fields of POST /api/portal/tickets (multipart/form-data; the files come as
 * `attachments`). The description is kept exactly as typed (no trimming), but must hold more
 * than spaces.
 */
export const createTicketFields = z.object({
  summary: z
    .string('must be text')
    .trim()
    .min(1, 'must not be empty')
    .max(ticketLimits.summary, `must be at most ${ticketLimits.summary} characters`)
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character'),
  description: verbatimText(ticketLimits.description).refine(
    (value) => value.trim().length > 0,
    'is required',
  ),
  priority,
  typeId,
  contactPhone: optionalText(ticketLimits.contactPhone).optional(),
});
export type CreateTicketFields = z.input<typeof createTicketFields>;

/** A form's empty choice ("" from a multipart select left empty) is no choice. */
const optionalId = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.uuid('must be a valid id').optional(),
);

/**
 * POST /api/tickets (multipart/form-data with files under `attachments`, or JSON): staff open
 * a ticket for an organization, optionally for one of its contacts (`contactId`, who is then
 * emailed as if they had opened it).
 */
export const staffCreateTicketBody = createTicketFields.extend({
  organizationId: z.uuid('must be a valid id'),
  contactId: optionalId,
  // An id, or null for no assignee (JSON); one schema rather than a union with null, so the
  // OpenAPI document says both.
  assigneeId: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.uuid('must be a valid id').nullable().optional(),
  ),
});
export type StaffCreateTicketBody = z.input<typeof staffCreateTicketBody>;

const entryBody = verbatimText(ticketLimits.body).refine(
  (value) => value.trim().length > 0,
  'is required',
);

/** POST /api/portal/tickets/{id}/additional-information (multipart; files `attachments`). */
export const additionalInformationFields = z.object({ body: entryBody });
export type AdditionalInformationFields = z.input<typeof additionalInformationFields>;

/** POST /api/tickets/{id}/replies (multipart; files `attachments`): a public reply or a note. */
export const staffReplyFields = z.object({
  body: entryBody,
  /** Multipart fields are text: 'true' for an internal note. */
  internal: z
    .enum(['true', 'false'], 'must be true or false')
    .default('false')
    .transform((value) => value === 'true'),
});
export type StaffReplyFields = z.input<typeof staffReplyFields>;

/** PATCH /api/tickets/{id}: any of these; assigneeId null unassigns. */
export const changeTicketBody = z
  .object({
    status: z
      .enum(openTicketStatuses, `must be one of: ${openTicketStatuses.join(', ')}`)
      .optional(),
    priority: priority.optional(),
    typeId: typeId.optional(),
    assigneeId: z.uuid('must be a valid id').nullable().optional(),
  })
  .refine(
    (body) =>
      body.status !== undefined ||
      body.priority !== undefined ||
      body.typeId !== undefined ||
      body.assigneeId !== undefined,
    { message: 'change the status, priority, type or assignee', path: ['status'] },
  );
export type ChangeTicketBody = z.input<typeof changeTicketBody>;

/** POST /api/tickets/{id}/close: the resolution notes (required), kept exactly. */
export const closeTicketBody = z.object({
  resolutionNotes: verbatimText(ticketLimits.resolutionNotes).refine(
    (value) => value.trim().length > 0,
    'is required',
  ),
});
export type CloseTicketBody = z.input<typeof closeTicketBody>;

/** GET /api/portal/tickets: open (last update first) or closed (last closed first). */
export const portalTicketListQuery = z.object({
  state: z.enum(['open', 'closed'], 'must be open or closed').default('open'),
  cursor: z.string().max(500).optional(),
  limit: pageLimit,
});

/** Which tickets the staff queue shows: `open` (every status but closed), one status, closed. */
export const ticketStatusFilters = ['open', ...ticketStatuses] as const;

/**
 * GET /api/tickets: the queue's filters. Open tickets sort by what needs attention first
 * (priority, then status, then the oldest update); closed ones by when they closed, newest first.
 */
export const ticketListQuery = z.object({
  status: z
    .enum(ticketStatusFilters, `must be one of: ${ticketStatusFilters.join(', ')}`)
    .default('open'),
  priority: priority.optional(),
  typeId: typeId.optional(),
  organizationId: z.uuid('must be a valid id').optional(),
  assigneeId: z.uuid('must be a valid id').optional(),
  unassigned: z.enum(['true', 'false'], 'must be true or false').optional(),
  /** Only tickets not updated for at least this many days. */
  olderThanDays: z.coerce
    .number<string | number>('must be a whole number of days')
    .int('must be a whole number of days')
    .min(0, 'must be 0 or more')
    .max(3650, 'must be at most 3650 days')
    .optional(),
  /** Words (PostgreSQL full-text search) or a ticket number ("T-1042" or "1042"). */
  q: optionalText(200).optional(),
  cursor: z.string().max(500).optional(),
  limit: pageLimit,
});
export type TicketListQuery = z.input<typeof ticketListQuery>;

/** GET /api/organizations/{id}/tickets: the organization page's tab. */
export const organizationTicketListQuery = portalTicketListQuery;

/** A ticket type (Configuration > Service Tickets); archived ones stay on old tickets. */
export const ticketType = z.object({
  id: z.guid(),
  name: z.string(),
  position: z.number().int(),
  archivedAt: instant.nullable(),
});
export type TicketType = z.infer<typeof ticketType>;

/** GET /api/portal/ticket-types (active only) and GET /api/ticket-types (all). */
export const ticketTypeList = z.object({ ticketTypes: z.array(ticketType) });

/**
 * GET /api/portal/ticket-types: the types a contact may choose and the attachment limits, so
 * the form shows them and names a file they refuse before it is sent.
 */
export const portalTicketTypeList = ticketTypeList.extend({
  attachmentLimits: z.object({
    maxFileBytes: z.number().int(),
    maxFiles: z.number().int(),
    /** Extensions, comma-separated, lower case, without dots: "pdf,png,jpg". */
    allowedTypes: z.string(),
  }),
});

/**
 * GET /api/ticket-assignees: the staff a ticket may be assigned to (active Master Admin and
 * Billing users), by name; ids and names only, for anyone who may change tickets.
 */
export const ticketAssigneeList = z.object({
  assignees: z.array(z.object({ id: z.guid(), name: z.string() })),
});

/** POST /api/ticket-types. */
export const createTicketTypeBody = z.object({ name: requiredText(100) });

/**
 * PATCH /api/ticket-types/{id}: rename, archive (true) or restore (false), or move to a place
 * in the list (`position`, 1 = first; past the end = last; the others close up around it).
 */
export const changeTicketTypeBody = z
  .object({
    name: requiredText(100).optional(),
    archived: z.boolean('must be true or false').optional(),
    position: z
      .number('must be a number')
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10000')
      .optional(),
  })
  .refine(
    (body) => body.name !== undefined || body.archived !== undefined || body.position !== undefined,
    { message: 'change the name, archive it or move it', path: ['name'] },
  );
export type ChangeTicketTypeBody = z.input<typeof changeTicketTypeBody>;

/**
 * Configuration > Service Tickets (GET/PUT /api/settings/tickets): where staff are told of new
 * tickets (besides the assignee), and the attachment limits.
 */
export const ticketSettingsBody = z.object({
  tickets: z.object({
    /** Empty: only the assignee is told. */
    notifyEmail: z.string(),
    maxFileBytes: z.number().int(),
    maxFiles: z.number().int(),
    /** Extensions, comma-separated, lower case, without dots: "pdf,png,jpg". */
    allowedTypes: z.string(),
  }),
});

/** The extensions Portico can store and serve (each with its stored content type). */
export const ticketKnownTypes = [
  'pdf',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'txt',
  'log',
  'csv',
  'docx',
  'xlsx',
  'pptx',
  'doc',
  'xls',
  'zip',
  'eml',
  'json',
] as const;

/** PUT /api/settings/tickets. */
export const ticketSettingsRequest = z.object({
  notifyEmail: z.union([
    z.literal(''),
    z.email('must be an email address').max(254, 'must be at most 254 characters'),
  ]),
  maxFileBytes: z
    .number('must be a number of bytes')
    .int('must be a whole number of bytes')
    .min(1024, 'must be at least 1 KB')
    .max(25 * 1024 * 1024, 'must be at most 25 MB'),
  maxFiles: z
    .number('must be a whole number of files')
    .int('must be a whole number of files')
    .min(1, 'must be at least 1')
    .max(20, 'must be at most 20'),
  allowedTypes: z
    .string('must be a list of file extensions')
    .trim()
    .toLowerCase()
    .max(500, 'must be at most 500 characters')
    .refine(
      (value) => {
        const types = value
          .split(',')
          .map((type) => type.trim().replace(/^\./, ''))
          .filter(Boolean);
        return (
          types.length > 0 &&
          types.every((type) => (ticketKnownTypes as readonly string[]).includes(type))
        );
      },
      `must be extensions from: ${ticketKnownTypes.join(', ')}`,
    ),
});
export type TicketSettingsRequest = z.input<typeof ticketSettingsRequest>;
