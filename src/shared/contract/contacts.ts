import { z } from 'zod';
import { instant } from './common.js';
import { emailAddress, optionalText, pageLimit, requiredText } from './fields.js';

/**
 * What the contact routes answer (allow-lists: platform/http/responses.ts): a contact's
 * password hash and tokens never leave the server, whatever a query selects.
 */

/** The orders an organization's contact list offers (contacts.service.ts keys each). */
export const contactSorts = ['name', 'email', 'lastLogin', 'profile'] as const;

/** GET /api/organizations/{id}/contacts: order, search and keyset page. */
export const organizationContactsQuery = z.object({
  sort: z.enum(contactSorts, 'must be name, email, lastLogin or profile').default('name'),
  q: optionalText(200).optional(),
  // Carries the last row's name (and profile name): longer than other lists' cursors.
  cursor: z.string().max(4000).optional(),
  limit: pageLimit,
});

/** PUT .../default-notification-contacts/{contactId}: star or unstar the contact. */
export const defaultNotificationRequest = z.object({
  isDefault: z.boolean('must be true or false'),
});

/** Whether the contact is now one of the organization's Default Notification Emails. */
export const defaultNotificationAnswer = z.object({ isDefault: z.boolean() });

/** POST /api/contacts/{id}/view-portal: where the read-only portal session opens. */
export const viewPortalAnswer = z.object({ url: z.string() });

/** A contact's card: details and every organization it relates to, with its profile there. */
export const contactCard = z.object({
  id: z.guid(),
  name: z.string(),
  email: z.string(),
  phone: z.string(),
  lastLoginAt: instant.nullable(),
  createdAt: instant,
  relations: z.array(
    z.object({
      organizationId: z.guid(),
      organizationName: z.string(),
      /** Null: "Revoke Access". */
      accessProfileId: z.guid().nullable(),
      accessProfileName: z.string(),
      isDefaultNotification: z.boolean(),
    }),
  ),
});

/** A page of an organization's contacts (keyset: platform/keyset-cursor.ts). */
export const organizationContactsPage = z.object({
  contacts: z.array(
    z.object({
      id: z.guid(),
      name: z.string(),
      email: z.string(),
      phone: z.string(),
      lastLoginAt: instant.nullable(),
      accessProfileId: z.guid().nullable(),
      accessProfileName: z.string(),
      isDefaultNotification: z.boolean(),
    }),
  ),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});

/** Contacts found by name or email; `isRelated` when the search names an organization. */
export const contactSearchResults = z.object({
  contacts: z.array(
    z.object({
      id: z.guid(),
      name: z.string(),
      email: z.string(),
      isRelated: z.boolean().optional(),
    }),
  ),
});

const contactFields = {
  name: requiredText(200),
  email: emailAddress,
  phone: optionalText(50).default(''),
};

/** A profile id, or null for "Revoke Access". */
const accessProfileChoice = z
  .uuid('must be an access profile id or null for Revoke Access')
  .nullable();

/** A new contact of an organization (POST /api/organizations/{id}/contacts). */
export const newContactRequest = z.object({
  ...contactFields,
  accessProfileId: accessProfileChoice,
  isDefaultNotification: z.boolean().default(false),
});

/** The contact card saved (PUT /api/contacts/{id}): details and the profile per organization. */
export const contactCardRequest = z.object({
  ...contactFields,
  relations: z
    .array(
      z.object({
        organizationId: z.uuid('must be a valid id'),
        accessProfileId: accessProfileChoice,
      }),
    )
    .max(500)
    .default([]),
});

/** An existing contact related to an organization (POST /api/contacts/{id}/relations). */
export const contactRelationRequest = z.object({
  organizationId: z.uuid('must be a valid id'),
  accessProfileId: accessProfileChoice,
});
