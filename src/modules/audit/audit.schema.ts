import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    actorKind: text('actor_kind', { enum: ['staff', 'contact', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    organizationId: uuid('organization_id'),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** What the entity was called at the time (a contact's name, a profile's name). */
    entityLabel: text('entity_label').notNull().default(''),
    action: text('action').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [index('audit_events_organization_idx').on(t.organizationId, t.id.desc())],
);
