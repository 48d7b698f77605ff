import { z } from 'zod';
import { instant } from './common.js';
import { optionalText, pageLimit, requiredText, verbatimText } from './fields.js';

/** What the organization routes answer (allow-lists: platform/http/responses.ts). */

/** The orders the organization list offers (organization-list.ts keeps an index for each). */
export const organizationSorts = ['name', 'createdAt', 'lastLogin'] as const;

/** Which organizations the list shows: not archived (the default), archived, or both. */
export const organizationStatuses = ['active', 'archived', 'all'] as const;

/** GET /api/organizations: search, order, archive filter and keyset page. */
export const organizationListQuery = z.object({
  q: optionalText(200).optional(),
  sort: z.enum(organizationSorts, 'must be name, createdAt or lastLogin').default('name'),
  direction: z.enum(['asc', 'desc'], 'must be asc or desc').default('asc'),
  status: z.enum(organizationStatuses, 'must be active, archived or all').default('active'),
  cursor: z.string().max(500).optional(),
  limit: pageLimit,
});

/** The internal notes' limit, in characters (the notes box counts toward it). */
export const maxNotesLength = 10_000;

/** PUT /api/organizations/{id}/notes: the notes kept exactly as typed. */
export const organizationNotesRequest = z.object({ notes: verbatimText(maxNotesLength) });

/** The notes as saved. */
export const organizationNotesAnswer = z.object({ notes: z.string() });

/** An organization as stored (staff only: `notes` are internal). */
export const organizationRecord = z.object({
  id: z.guid(),
  name: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string(),
  notes: z.string(),
  currency: z.string(),
  newInvoiceEmails: z.boolean(),
  lastLoginAt: instant.nullable(),
  archivedAt: instant.nullable(),
  createdAt: instant,
  updatedAt: instant,
});

/** The organization page: the organization, its contact count and Default Notification Emails. */
export const organizationDetail = organizationRecord.extend({
  contactCount: z.number().int(),
  defaultNotificationContacts: z.array(
    z.object({ id: z.guid(), name: z.string(), email: z.string() }),
  ),
});

/** A page of the organization list (keyset: platform/keyset-cursor.ts). */
export const organizationListPage = z.object({
  organizations: z.array(
    z.object({
      id: z.guid(),
      name: z.string(),
      city: z.string(),
      region: z.string(),
      lastLoginAt: instant.nullable(),
      archivedAt: instant.nullable(),
      createdAt: instant,
      contactCount: z.number().int(),
    }),
  ),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});

/** An organization's audit log, newest first; `nextCursor` is the last event's id. */
export const organizationAuditPage = z.object({
  events: z.array(
    z.object({
      id: z.number().int(),
      occurredAt: instant,
      actorKind: z.enum(['staff', 'contact', 'system']),
      actorId: z.guid().nullable(),
      actorLabel: z.string(),
      organizationId: z.guid().nullable(),
      entityType: z.string(),
      entityId: z.string(),
      entityLabel: z.string(),
      action: z.string(),
      before: z.unknown(),
      after: z.unknown(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const addressFields = {
  addressLine1: optionalText(200),
  addressLine2: optionalText(200),
  city: optionalText(100),
  region: optionalText(100),
  postalCode: optionalText(20),
  country: optionalText(100),
};

/** A new organization (POST /api/organizations): a name, and an address whose parts may be empty. */
export const newOrganizationRequest = z.object({
  name: requiredText(200),
  addressLine1: addressFields.addressLine1.default(''),
  addressLine2: addressFields.addressLine2.default(''),
  city: addressFields.city.default(''),
  region: addressFields.region.default(''),
  postalCode: addressFields.postalCode.default(''),
  country: addressFields.country.default('US'),
});

/** Changes to an organization's name and address (PATCH /api/organizations/{id}). */
export const organizationChangesRequest = z
  .object({
    name: requiredText(200),
    ...addressFields,
  })
  .partial();
