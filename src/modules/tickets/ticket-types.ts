import { withTransaction, isUniqueViolation, type Pool } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import type { TicketType } from '../../shared/contract/tickets.js';
import { recordAudit, type Actor } from '../audit/audit.js';

/**
 * Configuration > Service Tickets: the ticket types clients choose from. A type is renamed or
 * archived, never deleted: archived types stay on the tickets that have them and leave the
 * portal's form. Names are unique whatever their letter case (ticket_types_name_lower_idx).
 */

const columns = `id, name, position, archived_at AS "archivedAt"`;

/** 409 naming `name` for a name another type has (any letter case). */
function duplicateName(error: unknown, name: string): unknown {
  if (!isUniqueViolation(error, 'ticket_types_name_lower_idx')) return error;
  const message = `A ticket type named ${name} exists already`;
  return new AppError('conflict', message, [{ field: 'name', message }]);
}

/** Adds a type at the end of the list (audited). 409 when the name is taken. */
export async function createTicketType(options: {
  pool: Pool;
  actor: Actor;
  name: string;
}): Promise<TicketType> {
  return withTransaction(options.pool, async (tx) => {
    const inserted = await tx.client
      .query<TicketType>(
        `INSERT INTO ticket_types (name, position)
         VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM ticket_types))
         RETURNING ${columns}`,
        [options.name],
      )
      .catch((error: unknown) => {
        throw duplicateName(error, options.name);
      });
    const type = inserted.rows[0]!;
    await recordAudit(tx.db, options.actor, {
      organizationId: null,
      entityType: 'ticket_type',
      entityId: type.id,
      entityLabel: type.name,
      action: 'ticket_type.created',
      after: { name: type.name },
    });
    return type;
  });
}

/**
 * Renames, archives (true) or restores (false) a type, or moves it to `position` (1 = first;
 * past the end = last), renumbering the list 1..n so the order has no gaps or ties (audited).
 * 404, or 409 for a taken name.
 */
export async function changeTicketType(options: {
  pool: Pool;
  actor: Actor;
  typeId: string;
  changes: {
    name?: string | undefined;
    archived?: boolean | undefined;
    position?: number | undefined;
  };
}): Promise<TicketType> {
  return withTransaction(options.pool, async (tx) => {
    const found = await tx.client.query<TicketType>(
      `SELECT ${columns} FROM ticket_types WHERE id = $1 FOR UPDATE`,
      [options.typeId],
    );
    const before = found.rows[0];
    if (!before) throw AppError.notFound('Ticket type');
    const { name, archived } = options.changes;
    const updated = await tx.client
      .query<TicketType>(
        `UPDATE ticket_types
            SET name = coalesce($2, name),
                archived_at = CASE WHEN $3::boolean IS NULL THEN archived_at
                                   WHEN $3 THEN coalesce(archived_at, now()) ELSE NULL END
          WHERE id = $1 RETURNING ${columns}`,
        [options.typeId, name ?? null, archived ?? null],
      )
      .catch((error: unknown) => {
        throw duplicateName(error, name ?? before.name);
      });
    let after = updated.rows[0]!;
    if (options.changes.position !== undefined) {
      // Every row is locked in order so two moves at once cannot interleave their numbering.
      const ordered = await tx.client.query<{ id: string }>(
        `SELECT id FROM ticket_types ORDER BY position, lower(name), id FOR UPDATE`,
      );
      const ids = ordered.rows.map((row) => row.id).filter((id) => id !== options.typeId);
      ids.splice(Math.min(options.changes.position, ids.length + 1) - 1, 0, options.typeId);
      await tx.client.query(
        `UPDATE ticket_types SET position = placed.position
           FROM unnest($1::uuid[]) WITH ORDINALITY AS placed(id, position)
          WHERE ticket_types.id = placed.id AND ticket_types.position <> placed.position`,
        [ids],
      );
      after = { ...after, position: ids.indexOf(options.typeId) + 1 };
    }
    await recordAudit(tx.db, options.actor, {
      organizationId: null,
      entityType: 'ticket_type',
      entityId: after.id,
      entityLabel: after.name,
      action: 'ticket_type.changed',
      before: {
        name: before.name,
        archived: before.archivedAt !== null,
        position: before.position,
      },
      after: { name: after.name, archived: after.archivedAt !== null, position: after.position },
    });
    return after;
  });
}
