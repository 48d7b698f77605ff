import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Pool } from 'pg';
import { createDb, type Db } from '../../platform/database.js';
import { auditEvents } from './audit.schema.js';

/** Who did something: a staff user, a portal contact, or Portico itself. */
export interface Actor {
  kind: 'staff' | 'contact' | 'system';
  id: string | null;
  label: string;
}

export const systemActor: Actor = { kind: 'system', id: null, label: 'Portico' };

export interface AuditEntry {
  organizationId: string | null;
  entityType: string;
  entityId: string;
  /** A readable name for the entity, kept as it was when the change happened. */
  entityLabel?: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

/** Writes an audit row; call it with the transaction that makes the change. */
export async function recordAudit(db: Db, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({
    actorKind: actor.kind,
    actorId: actor.id,
    actorLabel: actor.label,
    organizationId: entry.organizationId,
    entityType: entry.entityType,
    entityId: entry.entityId,
    entityLabel: entry.entityLabel ?? '',
    action: entry.action,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}

/**
 * The same audit row as recordAudit writes, as an INSERT to put in the statement that makes the
 * change (a common table expression), so the change and its audit are one round trip: the
 * payment state machine runs it on every payment. `entityLabel` may be an expression of that
 * statement (``sql`(SELECT number FROM payment)` ``, a number the statement assigns).
 */
export function auditInsert(
  actor: Actor,
  entry: Omit<AuditEntry, 'entityLabel'> & { entityLabel?: string | SQL },
): SQL {
  const json = (value: unknown) =>
    value === undefined || value === null ? null : JSON.stringify(value);
  return sql`INSERT INTO audit_events (actor_kind, actor_id, actor_label, organization_id,
                                      entity_type, entity_id, entity_label, action, before, after)
    VALUES (${actor.kind}, ${actor.id}::uuid, ${actor.label}, ${entry.organizationId}::uuid,
            ${entry.entityType}, ${entry.entityId}, ${entry.entityLabel ?? ''}, ${entry.action},
            ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb)`;
}

/**
 * Many audit rows of one actor as one INSERT (the rows recordAudit would write one by one): for
 * a change made to many entities in one statement (the AutoPay run's chunk of payments). Call
 * it with the transaction that makes the change.
 */
export function auditInsertMany(actor: Actor, entries: AuditEntry[]): SQL {
  const json = (value: unknown) =>
    value === undefined || value === null ? null : JSON.stringify(value);
  return sql`INSERT INTO audit_events (actor_kind, actor_id, actor_label, organization_id,
                                      entity_type, entity_id, entity_label, action, before, after)
    SELECT ${actor.kind}, ${actor.id}::uuid, ${actor.label}, e.organization_id, e.entity_type,
           e.entity_id, e.entity_label, e.action, e.before, e.after
      FROM unnest(${sql.param(entries.map((e) => e.organizationId))}::uuid[],
                  ${sql.param(entries.map((e) => e.entityType))}::text[],
                  ${sql.param(entries.map((e) => e.entityId))}::text[],
                  ${sql.param(entries.map((e) => e.entityLabel ?? ''))}::text[],
                  ${sql.param(entries.map((e) => e.action))}::text[],
                  ${sql.param(entries.map((e) => json(e.before)))}::jsonb[],
                  ${sql.param(entries.map((e) => json(e.after)))}::jsonb[])
           AS e(organization_id, entity_type, entity_id, entity_label, action, before, after)`;
}

/** Only the fields that changed, before and after, so the log reads as a diff. */
export function changedFields<T extends object>(
  before: T,
  after: Partial<T>,
): { before: Partial<T>; after: Partial<T> } | null {
  const was: Partial<T> = {};
  const now: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (after[key] === undefined) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      was[key] = before[key];
      now[key] = after[key];
    }
  }
  return Object.keys(now).length === 0 ? null : { before: was, after: now };
}

/**
 * A page of an organization's audit log, newest first: at most `limit` events with an id
 * below `beforeId` (the previous page's `nextCursor`), and the cursor of the next page.
 */
export async function listOrganizationAudit(options: {
  pool: Pool;
  organizationId: string;
  beforeId?: number;
  limit: number;
}) {
  const rows = await createDb(options.pool)
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.organizationId, options.organizationId),
        options.beforeId ? lt(auditEvents.id, options.beforeId) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  return {
    events: page,
    nextCursor: rows.length > options.limit ? String(page[page.length - 1]!.id) : null,
  };
}

/**
 * Who last did `action` to each of these entities, and when, from the audit log: for a list
 * that shows "removed by … on …" with no column of its own. Entities never audited so are
 * absent from the map.
 */
export async function lastActorsOf(
  db: Db,
  options: { entityType: string; action: string; entityIds: string[] },
): Promise<Map<string, { label: string; at: Date }>> {
  if (options.entityIds.length === 0) return new Map();
  const result = await db.execute<{ entityId: string; label: string; at: Date }>(
    sql`SELECT DISTINCT ON (entity_id) entity_id AS "entityId", actor_label AS label,
               occurred_at AS at
          FROM audit_events
         WHERE entity_type = ${options.entityType} AND action = ${options.action}
           AND entity_id IN (${sql.join(
             options.entityIds.map((id) => sql`${id}`),
             sql`, `,
           )})
         ORDER BY entity_id, id DESC`,
  );
  return new Map(
    result.rows.map((row) => [row.entityId, { label: row.label, at: new Date(row.at) }]),
  );
}
