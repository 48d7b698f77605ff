import { sql } from 'drizzle-orm';
import { type PortalPermission } from '../../shared/contract/access-profiles.js';
import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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

export { portalPermissions, type PortalPermission } from '../../shared/contract/access-profiles.js';
