import { asc, eq, ne, and, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import {
  createDb,
  isUniqueViolation,
  withTransaction,
  type Db,
  type Pool,
} from '../../platform/database.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { accessProfiles, type PortalPermission } from './access-profiles.schema.js';

/** The built-in profile name for "no portal access"; stored as a null profile on a relation. */
export const revokeAccessLabel = 'Revoke Access';

export async function listAccessProfiles(options: { pool: Pool }) {
  return createDb(options.pool)
    .select({
      id: accessProfiles.id,
      name: accessProfiles.name,
      permissions: accessProfiles.permissions,
      contactCount: sql<number>`(SELECT count(*)::int FROM contact_organizations co
                                  WHERE co.access_profile_id = ${accessProfiles.id})`,
    })
    .from(accessProfiles)
    .orderBy(asc(sql`lower(${accessProfiles.name})`));
}

async function assertNameFree(db: Db, name: string, exceptId?: string) {
  if (name.toLowerCase() === revokeAccessLabel.toLowerCase()) {
    throw AppError.validation('name', `"${revokeAccessLabel}" is built in and cannot be used`);
  }
  const [clash] = await db
    .select({ id: accessProfiles.id })
    .from(accessProfiles)
    .where(
      and(
        eq(sql`lower(${accessProfiles.name})`, name.toLowerCase()),
        exceptId ? ne(accessProfiles.id, exceptId) : undefined,
      ),
    );
  if (clash) throw nameTaken(name);
}

function nameTaken(name: string): AppError {
  return new AppError('conflict', `A profile named "${name}" already exists`, [
    { field: 'name', message: 'is already used by another profile' },
  ]);
}

/** The unique index answers when a concurrent save took the name after our check. */
function rethrowNameTaken(name: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error, 'access_profiles_name_idx')) throw nameTaken(name);
    throw error;
  };
}

/** A profile's name for the audit log; null is the built-in "Revoke Access". */
export async function accessProfileName(db: Db, profileId: string | null): Promise<string> {
  if (profileId === null) return revokeAccessLabel;
  const [found] = await db
    .select({ name: accessProfiles.name })
    .from(accessProfiles)
    .where(eq(accessProfiles.id, profileId));
  return found?.name ?? 'a deleted profile';
}

export async function assertAccessProfileExists(db: Db, profileId: string | null, field: string) {
  if (profileId === null) return;
  const [found] = await db
    .select({ id: accessProfiles.id })
    .from(accessProfiles)
    .where(eq(accessProfiles.id, profileId));
  if (!found) throw AppError.validation(field, 'is not an existing access profile');
}

export async function createAccessProfile(options: {
  pool: Pool;
  actor: Actor;
  name: string;
  permissions: PortalPermission[];
}) {
  return withTransaction(options.pool, async ({ db }) => {
    await assertNameFree(db, options.name);
    const [profile] = await db
      .insert(accessProfiles)
      .values({ name: options.name, permissions: [...new Set(options.permissions)] })
      .returning()
      .catch(rethrowNameTaken(options.name));
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'access_profile',
      entityId: profile!.id,
      entityLabel: profile!.name,
      action: 'access_profile.created',
      after: { name: profile!.name, permissions: profile!.permissions },
    });
    return profile!;
  });
}

/** Renames or changes a profile; every contact holding it is affected at once. */
export async function updateAccessProfile(options: {
  pool: Pool;
  actor: Actor;
  profileId: string;
  changes: { name?: string; permissions?: PortalPermission[] };
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select()
      .from(accessProfiles)
      .where(eq(accessProfiles.id, options.profileId))
      .for('update');
    if (!before) throw AppError.notFound('Access profile');
    if (options.changes.name !== undefined) {
      await assertNameFree(db, options.changes.name, options.profileId);
    }
    const [after] = await db
      .update(accessProfiles)
      .set({
        name: options.changes.name ?? before.name,
        permissions: options.changes.permissions
          ? [...new Set(options.changes.permissions)]
          : before.permissions,
        updatedAt: sql`now()`,
      })
      .where(eq(accessProfiles.id, options.profileId))
      .returning()
      .catch(rethrowNameTaken(options.changes.name ?? before.name));
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'access_profile',
      entityId: options.profileId,
      entityLabel: after!.name,
      action: 'access_profile.updated',
      before: { name: before.name, permissions: before.permissions },
      after: { name: after!.name, permissions: after!.permissions },
    });
    return after!;
  });
}

/**
 * The contact relations holding a profile. They are the contacts module's rows, so it answers
 * (contacts.service `profileHolders`); the composition root (src/app.ts) passes it in, so
 * access profiles import nothing from contacts.
 */
export interface ProfileHolders {
  /** How many contact relations hold the profile. */
  count(db: Db, profileId: string): Promise<number>;
  /**
   * Moves every relation holding `from` to the profile `to` (null: "Revoke Access"), auditing
   * each on its organization.
   */
  move(
    db: Db,
    actor: Actor,
    options: { from: { id: string; name: string }; to: string | null },
  ): Promise<void>;
}

/**
 * Deletes a profile. When contacts hold it, the caller must say where they go: another
 * profile, or null for "Revoke Access". Each moved relation is audited on its organization.
 */
export async function deleteAccessProfile(options: {
  pool: Pool;
  actor: Actor;
  profileId: string;
  reassignTo?: string | null;
  holders: ProfileHolders;
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const [profile] = await db
      .select()
      .from(accessProfiles)
      .where(eq(accessProfiles.id, options.profileId))
      .for('update');
    if (!profile) throw AppError.notFound('Access profile');
    const holderCount = await options.holders.count(db, options.profileId);
    if (holderCount > 0) {
      if (options.reassignTo === undefined) {
        throw new AppError(
          'conflict',
          `"${profile.name}" is held by ${holderCount} contact relation(s). Choose the profile they move to, or Revoke Access.`,
          [{ field: 'reassignTo', message: 'is required while contacts hold this profile' }],
        );
      }
      if (options.reassignTo === options.profileId) {
        throw AppError.validation('reassignTo', 'must be a different profile');
      }
      await assertAccessProfileExists(db, options.reassignTo, 'reassignTo');
      await options.holders.move(db, options.actor, {
        from: { id: options.profileId, name: profile.name },
        to: options.reassignTo,
      });
    }
    await db.delete(accessProfiles).where(eq(accessProfiles.id, options.profileId));
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'access_profile',
      entityId: options.profileId,
      entityLabel: profile.name,
      action: 'access_profile.deleted',
      before: { name: profile.name, permissions: profile.permissions },
      after: { reassignedTo: options.reassignTo ?? null, contactsMoved: holderCount },
    });
  });
}
