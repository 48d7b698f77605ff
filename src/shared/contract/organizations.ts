import { z } from 'zod';
import { instant } from './common.js';

/** What the organization routes answer (allow-lists: platform/http/responses.ts). */

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
