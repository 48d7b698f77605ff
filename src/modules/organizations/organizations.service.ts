import { eq, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import { createDb, withTransaction, type Db, type Pool } from '../../platform/database.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import { organizations } from './organizations.schema.js';

export interface OrganizationFields {
  name: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

/** Locks and returns an organization inside a transaction, or answers 404. */
export async function lockOrganization(db: Db, organizationId: string) {
  const [row] = await db
    .select()
    .from(organizations)
    .where(eq(organizations.id, organizationId))
    .for('update');
  if (!row) throw AppError.notFound('Organization');
  return row;
}

/**
 * Writes an organization's billing fields (currency, New Invoice emails) on the caller's
 * transaction. The invoices module decides whether a change is allowed (a currency is fixed
 * once invoices exist) and audits it; the row is written here, by the module that owns it.
 */
export async function setOrganizationBilling(
  db: Db,
  input: { organizationId: string; currency?: string; newInvoiceEmails?: boolean },
): Promise<void> {
  const { organizationId, ...changes } = input;
  await db
    .update(organizations)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(organizations.id, organizationId));
}

/** Answers 404 unless the organization exists: one cheap query for routes that list its things. */
export async function assertOrganizationExists(pool: Pool, organizationId: string): Promise<void> {
  const found = await pool.query('SELECT 1 FROM organizations WHERE id = $1', [organizationId]);
  if (found.rowCount === 0) throw AppError.notFound('Organization');
}

/**
 * What the organization page shows of its contacts: how many relate to it and its Default
 * Notification Emails. The contacts module answers it (it owns those tables); the composition
 * root (src/app.ts) passes its function in, so organizations import nothing from contacts.
 */
export type OrganizationContacts = (
  db: Db,
  organizationId: string,
) => Promise<{
  contactCount: number;
  defaultNotificationContacts: { id: string; name: string; email: string }[];
}>;

/** One organization with its contact summary; 404 when it does not exist. */
export async function getOrganization(options: {
  pool: Pool;
  organizationId: string;
  organizationContacts: OrganizationContacts;
}) {
  const db = createDb(options.pool);
  const [organization] = await db
    .select()
    .from(organizations)
    .where(eq(organizations.id, options.organizationId));
  if (!organization) throw AppError.notFound('Organization');
  return {
    ...organization,
    ...(await options.organizationContacts(db, options.organizationId)),
  };
}

export async function createOrganization(options: {
  pool: Pool;
  actor: Actor;
  fields: OrganizationFields;
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const [created] = await db.insert(organizations).values(options.fields).returning();
    await recordAudit(db, options.actor, {
      organizationId: created!.id,
      entityType: 'organization',
      entityId: created!.id,
      entityLabel: created!.name,
      action: 'organization.created',
      after: options.fields,
    });
    return created!;
  });
}

export async function updateOrganization(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  changes: Partial<OrganizationFields>;
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const before = await lockOrganization(db, options.organizationId);
    const diff = changedFields<OrganizationFields>(before, options.changes);
    if (!diff) return before;
    const [after] = await db
      .update(organizations)
      .set({ ...diff.after, updatedAt: sql`now()` })
      .where(eq(organizations.id, options.organizationId))
      .returning();
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'organization',
      entityId: options.organizationId,
      entityLabel: after!.name,
      action: 'organization.updated',
      ...diff,
    });
    return after!;
  });
}

export async function updateOrganizationNotes(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  notes: string;
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const before = await lockOrganization(db, options.organizationId);
    if (before.notes === options.notes) return { notes: before.notes };
    await db
      .update(organizations)
      .set({ notes: options.notes, updatedAt: sql`now()` })
      .where(eq(organizations.id, options.organizationId));
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'organization',
      entityId: options.organizationId,
      entityLabel: before.name,
      action: 'organization.notes_updated',
      before: { notes: before.notes },
      after: { notes: options.notes },
    });
    return { notes: options.notes };
  });
}

export async function setOrganizationArchived(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  archived: boolean;
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const before = await lockOrganization(db, options.organizationId);
    if ((before.archivedAt !== null) === options.archived) return before;
    const [after] = await db
      .update(organizations)
      .set({ archivedAt: options.archived ? sql`now()` : null, updatedAt: sql`now()` })
      .where(eq(organizations.id, options.organizationId))
      .returning();
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'organization',
      entityId: options.organizationId,
      entityLabel: before.name,
      action: options.archived ? 'organization.archived' : 'organization.restored',
      before: { archivedAt: before.archivedAt },
      after: { archivedAt: after!.archivedAt },
    });
    return after!;
  });
}

/**
 * Records that a contact signed in to the portal for the organization, or switched to it
 * (its Last Login on the organizations list).
 */
export async function recordOrganizationPortalUse(
  db: Pick<Pool, 'query'>,
  organizationId: string,
): Promise<void> {
  await db.query('UPDATE organizations SET last_login_at = now() WHERE id = $1', [organizationId]);
}
