import { bigserial, boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { staffRoles } from '../../shared/contract/staff.js';

// The roles are part of the API contract (the console's role picker uses the same list).
export { staffRoles, type StaffRole } from '../../shared/contract/staff.js';

export const staffUsers = pgTable('staff_users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: staffRoles }).notNull(),
  passwordHash: text('password_hash').notNull(),
  /** Base32 TOTP secret; set while enrolling, in force once totp_enabled_at is set. */
  totpSecret: text('totp_secret'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Session tokens are stored as their SHA-256 hash, so a database leak does not hand out sessions. */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    staffUserId: uuid('staff_user_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Password accepted, second factor still due: the session grants nothing else yet. */
    totpPending: boolean('totp_pending').notNull().default(false),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('staff_sessions_expires_at_idx').on(t.expiresAt)],
);

/** Every staff sign-in attempt: the login history, and the source of the per-account limit. */
export const staffLoginAttempts = pgTable(
  'staff_login_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    email: text('email').notNull(),
    staffUserId: uuid('staff_user_id').references(() => staffUsers.id, { onDelete: 'cascade' }),
    ip: text('ip'),
    userAgent: text('user_agent'),
    succeeded: boolean('succeeded').notNull(),
    reason: text('reason').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('staff_login_attempts_email_idx').on(t.email, t.attemptedAt.desc()),
    // A staff user's login history pages newest first by (time, id).
    index('staff_login_attempts_user_idx').on(t.staffUserId, t.attemptedAt.desc(), t.id.desc()),
    // The per-address limit counts recent failures from one address.
    index('staff_login_attempts_ip_failed_idx')
      .on(t.ip, t.attemptedAt.desc())
      .where(sql`NOT ${t.succeeded}`),
  ],
);
