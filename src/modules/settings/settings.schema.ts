import { boolean, check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/** The installation's branding and contact details: one row, id 1. */
export const settings = pgTable(
  'settings',
  {
    id: integer('id').primaryKey().default(1),
    mspName: text('msp_name').notNull().default('Your MSP'),
    logoUrl: text('logo_url').notNull().default(''),
    brandColor: text('brand_color').notNull().default('#1c7ed6'),
    supportEmail: text('support_email').notNull().default(''),
    supportPhone: text('support_phone').notNull().default(''),
    portalUrl: text('portal_url').notNull().default('http://localhost:3000/portal'),
    /** Every staff user must sign in with a TOTP code (enrolling at next sign-in). */
    requireStaffTotp: boolean('require_staff_totp').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('settings_single_row', sql`${t.id} = 1`)],
);
