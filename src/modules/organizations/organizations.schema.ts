import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    addressLine1: text('address_line1').notNull().default(''),
    addressLine2: text('address_line2').notNull().default(''),
    city: text('city').notNull().default(''),
    region: text('region').notNull().default(''),
    postalCode: text('postal_code').notNull().default(''),
    country: text('country').notNull().default('US'),
    /** Internal Organization Notes: staff only, never sent to the portal. */
    notes: text('notes').notNull().default(''),
    /** One currency per organization: every invoice of it is in this currency. */
    currency: text('currency').notNull().default('USD'),
    /** Email a New Invoice (with its PDF) to the Default Notification Emails when issued. */
    newInvoiceEmails: boolean('new_invoice_emails').notNull().default(true),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Keyset pagination orders by (sort key, id); each sort has its own index.
    index('organizations_name_sort_idx').on(sql`lower(${t.name})`, t.id),
    index('organizations_created_sort_idx').on(t.createdAt, t.id),
    index('organizations_last_login_sort_idx').on(
      sql`coalesce(${t.lastLoginAt}, '-infinity'::timestamptz)`,
      t.id,
    ),
    // Partial, case-insensitive name search ("parks" finds "Pawnee Parks Dept.").
    index('organizations_name_trgm_idx').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
  ],
);
