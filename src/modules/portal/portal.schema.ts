import { bigserial, boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { contacts } from '../contacts/contacts.schema.js';
import { organizations } from '../organizations/organizations.schema.js';
import { staffSessions, staffUsers } from '../staff/staff.schema.js';

/**
 * A contact's portal session, apart from staff sessions. It acts for one organization at a
 * time (the company switch). A session opened by staff to view the portal as the contact
 * carries the staff user and the staff session it was opened from, and is read-only: it ends
 * with that staff session (sign-out, disabled user, expiry).
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    viewerStaffUserId: uuid('viewer_staff_user_id').references(() => staffUsers.id, {
      onDelete: 'cascade',
    }),
    viewerStaffSessionHash: text('viewer_staff_session_hash').references(
      () => staffSessions.tokenHash,
      { onDelete: 'cascade' },
    ),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [
    index('portal_sessions_contact_idx').on(t.contactId),
    index('portal_sessions_expires_idx').on(t.expiresAt),
  ],
);

/** Every portal sign-in attempt: staff read it as the contact's login history. */
export const contactLoginAttempts = pgTable(
  'contact_login_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    email: text('email').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    succeeded: boolean('succeeded').notNull(),
    reason: text('reason').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('contact_login_attempts_contact_idx').on(t.contactId, t.attemptedAt.desc()),
    index('contact_login_attempts_email_idx').on(t.email, t.attemptedAt.desc()),
    // The per-address limit counts recent failures from one address.
    index('contact_login_attempts_ip_failed_idx')
      .on(t.ip, t.attemptedAt.desc())
      .where(sql`NOT ${t.succeeded}`),
  ],
);
