import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accessProfiles } from '../access-profiles/access-profiles.schema.js';
import { organizations } from '../organizations/organizations.schema.js';

/** A contact is one person: the email address is unique across the installation. */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone').notNull().default(''),
    // Sign-in comes with the portal; these hold what it needs.
    passwordHash: text('password_hash'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    /** The organization the portal last acted for (signed in with or switched to). */
    lastPortalOrganizationId: uuid('last_portal_organization_id').references(
      () => organizations.id,
      { onDelete: 'set null' },
    ),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contacts_email_idx').on(sql`lower(${t.email})`),
    index('contacts_name_idx').on(sql`lower(${t.name})`),
  ],
);

/**
 * A contact's relation to an organization. A null access profile is "Revoke Access":
 * the relation stays (history, notifications) but grants no portal sign-in.
 */
export const contactOrganizations = pgTable(
  'contact_organizations',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    accessProfileId: uuid('access_profile_id').references(() => accessProfiles.id, {
      onDelete: 'restrict',
    }),
    isDefaultNotification: boolean('is_default_notification').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.contactId] }),
    index('contact_organizations_contact_idx').on(t.contactId),
    index('contact_organizations_profile_idx').on(t.accessProfileId),
  ],
);

/**
 * Single-use links sent to a contact (set the first password, reset it). Only the token's
 * hash is stored.
 */
export const contactTokens = pgTable(
  'contact_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['set_password', 'reset_password'] }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('contact_tokens_contact_idx').on(t.contactId)],
);
