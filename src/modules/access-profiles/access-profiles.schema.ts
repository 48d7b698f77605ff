import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const portalPermissions = [
  'view_invoices',
  'pay_invoices',
  'view_payment_history',
  'manage_payment_methods',
  'manage_autopay',
  'schedule_payments',
  'view_credits',
  'service_tickets',
] as const;
export type PortalPermission = (typeof portalPermissions)[number];

export const accessProfiles = pgTable(
  'access_profiles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    permissions: text('permissions').array().notNull().$type<PortalPermission[]>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('access_profiles_name_idx').on(sql`lower(${t.name})`)],
);
