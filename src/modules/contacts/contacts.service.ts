import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import {
  createDb,
  isUniqueViolation,
  withTransaction,
  type Db,
  type Pool,
} from '../../platform/database.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import { accessProfiles } from '../access-profiles/access-profiles.schema.js';
import {
  accessProfileName,
  assertAccessProfileExists,
  revokeAccessLabel,
} from '../access-profiles/access-profiles.service.js';
import { likePattern } from '../../platform/keyset-cursor.js';
import { organizations } from '../organizations/organizations.schema.js';
import { lockOrganization } from '../organizations/organizations.service.js';
import { contactOrganizations, contacts } from './contacts.schema.js';

export const contactSorts = ['name', 'email', 'lastLogin', 'profile'] as const;
export type ContactSort = (typeof contactSorts)[number];

export interface ContactFields {
  name: string;
  email: string;
  phone: string;
}

const contactListOrder: Record<ContactSort, string> = {
  name: 'lower(c.name), c.id',
  email: 'lower(c.email), c.id',
  lastLogin: 'c.last_login_at DESC NULLS LAST, lower(c.name), c.id',
  profile: `lower(coalesce(p.name, '${revokeAccessLabel}')), lower(c.name), c.id`,
};

export const maxContactsPerList = 200;

/** An organization's contacts, for the console's contact cards. */
export async function listOrganizationContacts(
  pool: Pool,
  options: { organizationId: string; sort: ContactSort; search?: string },
) {
  const params: unknown[] = [options.organizationId];
  let searchCondition = '';
  if (options.search) {
    params.push(likePattern(options.search));
    searchCondition = `AND (lower(c.name) LIKE $2 OR lower(c.email) LIKE $2 OR c.phone LIKE $2)`;
  }
  params.push(maxContactsPerList + 1);
  const result = await pool.query(
    `SELECT c.id, c.name, c.email, c.phone, c.last_login_at AS "lastLoginAt",
            co.access_profile_id AS "accessProfileId",
            coalesce(p.name, '${revokeAccessLabel}') AS "accessProfileName",
            co.is_default_notification AS "isDefaultNotification"
       FROM contact_organizations co
       JOIN contacts c ON c.id = co.contact_id
       LEFT JOIN access_profiles p ON p.id = co.access_profile_id
      WHERE co.organization_id = $1 ${searchCondition}
      ORDER BY ${contactListOrder[options.sort]}
      LIMIT $${params.length}`,
    params,
  );
  return {
    contacts: result.rows.slice(0, maxContactsPerList),
    truncated: result.rows.length > maxContactsPerList,
  };
}

async function contactRelations(db: Db, contactId: string) {
  return db
    .select({
      organizationId: contactOrganizations.organizationId,
      organizationName: organizations.name,
      accessProfileId: contactOrganizations.accessProfileId,
      accessProfileName: sql<string>`coalesce(${accessProfiles.name}, ${revokeAccessLabel})`,
      isDefaultNotification: contactOrganizations.isDefaultNotification,
    })
    .from(contactOrganizations)
    .innerJoin(organizations, eq(organizations.id, contactOrganizations.organizationId))
    .leftJoin(accessProfiles, eq(accessProfiles.id, contactOrganizations.accessProfileId))
    .where(eq(contactOrganizations.contactId, contactId))
    .orderBy(asc(sql`lower(${organizations.name})`));
}

const contactColumns = {
  id: contacts.id,
  name: contacts.name,
  email: contacts.email,
  phone: contacts.phone,
  lastLoginAt: contacts.lastLoginAt,
  createdAt: contacts.createdAt,
};

/** Answers 404 unless the contact exists. */
export async function assertContactExists(pool: Pool, contactId: string): Promise<void> {
  const found = await pool.query('SELECT 1 FROM contacts WHERE id = $1', [contactId]);
  if (found.rowCount === 0) throw AppError.notFound('Contact');
}

/** One contact's card: their details and every organization they relate to. */
export async function getContact(options: { pool: Pool; contactId: string }) {
  const db = createDb(options.pool);
  const [contact] = await db
    .select(contactColumns)
    .from(contacts)
    .where(eq(contacts.id, options.contactId));
  if (!contact) throw AppError.notFound('Contact');
  return { ...contact, relations: await contactRelations(db, options.contactId) };
}

/** Finds contacts across organizations by name or email, to relate one to another company. */
export async function searchContacts(options: { pool: Pool; search: string; limit: number }) {
  const pattern = likePattern(options.search);
  const result = await options.pool.query(
    `SELECT id, name, email FROM contacts
      WHERE lower(name) LIKE $1 OR lower(email) LIKE $1
      ORDER BY lower(name), id LIMIT $2`,
    [pattern, options.limit],
  );
  return result.rows;
}

async function assertEmailFree(db: Db, email: string, exceptContactId?: string) {
  const [clash] = await db
    .select({ id: contacts.id, name: contacts.name })
    .from(contacts)
    .where(
      and(
        eq(sql`lower(${contacts.email})`, email.toLowerCase()),
        exceptContactId ? ne(contacts.id, exceptContactId) : undefined,
      ),
    );
  if (clash) throw emailTaken(email, clash.name);
}

function emailTaken(email: string, owner = 'another contact'): AppError {
  return new AppError(
    'conflict',
    `The email address ${email} already belongs to ${owner}. A contact is one person: relate that contact instead.`,
    [{ field: 'email', message: `already belongs to ${owner}` }],
  );
}

/** The unique index answers when a concurrent save took the address after our check. */
function rethrowEmailTaken(email: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error, 'contacts_email_idx')) throw emailTaken(email);
    throw error;
  };
}

async function lockContact(db: Db, contactId: string) {
  const [row] = await db.select().from(contacts).where(eq(contacts.id, contactId)).for('update');
  if (!row) throw AppError.notFound('Contact');
  return row;
}

export async function createContact(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  fields: ContactFields;
  accessProfileId: string | null;
  isDefaultNotification: boolean;
}) {
  const contactId = await withTransaction(options.pool, async ({ db }) => {
    await lockOrganization(db, options.organizationId);
    await assertEmailFree(db, options.fields.email);
    await assertAccessProfileExists(db, options.accessProfileId, 'accessProfileId');
    const [contact] = await db
      .insert(contacts)
      .values(options.fields)
      .returning()
      .catch(rethrowEmailTaken(options.fields.email));
    await db.insert(contactOrganizations).values({
      contactId: contact!.id,
      organizationId: options.organizationId,
      accessProfileId: options.accessProfileId,
      isDefaultNotification: options.isDefaultNotification,
    });
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'contact',
      entityId: contact!.id,
      entityLabel: options.fields.name,
      action: 'contact.created',
      after: {
        ...options.fields,
        accessProfileId: options.accessProfileId,
        accessProfile: await accessProfileName(db, options.accessProfileId),
        isDefaultNotification: options.isDefaultNotification,
      },
    });
    return contact!.id;
  });
  return getContact({ pool: options.pool, contactId });
}

export interface RelationChange {
  organizationId: string;
  accessProfileId: string | null;
}

/**
 * Saves a contact card as one change: details and the profile of each related company.
 * Either all of it is written (and audited on each organization concerned) or none.
 */
export async function saveContactCard(options: {
  pool: Pool;
  actor: Actor;
  contactId: string;
  fields: ContactFields;
  relations: RelationChange[];
}) {
  await withTransaction(options.pool, async ({ db }) => {
    const before = await lockContact(db, options.contactId);
    const existing = await db
      .select()
      .from(contactOrganizations)
      .where(eq(contactOrganizations.contactId, options.contactId));
    const existingByOrg = new Map(existing.map((r) => [r.organizationId, r]));

    const listed = new Set<string>();
    for (const [index, change] of options.relations.entries()) {
      if (!existingByOrg.has(change.organizationId)) {
        throw AppError.validation(
          `relations.${index}.organizationId`,
          'is not a company this contact is related to',
        );
      }
      if (listed.has(change.organizationId)) {
        throw AppError.validation(`relations.${index}.organizationId`, 'is listed more than once');
      }
      listed.add(change.organizationId);
      await assertAccessProfileExists(
        db,
        change.accessProfileId,
        `relations.${index}.accessProfileId`,
      );
    }

    const detailDiff = changedFields<ContactFields>(before, options.fields);
    if (detailDiff) {
      if (detailDiff.after.email) await assertEmailFree(db, detailDiff.after.email, before.id);
      await db
        .update(contacts)
        .set({ ...detailDiff.after, updatedAt: sql`now()` })
        .where(eq(contacts.id, options.contactId))
        .catch(rethrowEmailTaken(options.fields.email));
      // Each related organization's log shows the change to its contact.
      for (const relation of existing) {
        await recordAudit(db, options.actor, {
          organizationId: relation.organizationId,
          entityType: 'contact',
          entityId: options.contactId,
          entityLabel: options.fields.name,
          action: 'contact.updated',
          ...detailDiff,
        });
      }
    }

    for (const change of options.relations) {
      const current = existingByOrg.get(change.organizationId)!;
      if (current.accessProfileId === change.accessProfileId) continue;
      await db
        .update(contactOrganizations)
        .set({ accessProfileId: change.accessProfileId })
        .where(
          and(
            eq(contactOrganizations.contactId, options.contactId),
            eq(contactOrganizations.organizationId, change.organizationId),
          ),
        );
      await recordAudit(db, options.actor, {
        organizationId: change.organizationId,
        entityType: 'contact',
        entityId: options.contactId,
        entityLabel: options.fields.name,
        action:
          change.accessProfileId === null
            ? 'contact.access_revoked'
            : 'contact.access_profile_changed',
        before: {
          accessProfileId: current.accessProfileId,
          accessProfile: await accessProfileName(db, current.accessProfileId),
        },
        after: {
          accessProfileId: change.accessProfileId,
          accessProfile: await accessProfileName(db, change.accessProfileId),
        },
      });
    }
  });
  return getContact({ pool: options.pool, contactId: options.contactId });
}

export async function relateContact(options: {
  pool: Pool;
  actor: Actor;
  contactId: string;
  organizationId: string;
  accessProfileId: string | null;
}) {
  await withTransaction(options.pool, async ({ db }) => {
    const contact = await lockContact(db, options.contactId);
    const organization = await lockOrganization(db, options.organizationId);
    await assertAccessProfileExists(db, options.accessProfileId, 'accessProfileId');
    const inserted = await db
      .insert(contactOrganizations)
      .values({
        contactId: options.contactId,
        organizationId: options.organizationId,
        accessProfileId: options.accessProfileId,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) {
      throw new AppError('conflict', `This contact is already related to ${organization.name}`, [
        { field: 'organizationId', message: 'is already related to this contact' },
      ]);
    }
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'contact',
      entityId: options.contactId,
      entityLabel: contact.name,
      action: 'contact.related',
      after: {
        organizationId: options.organizationId,
        accessProfileId: options.accessProfileId,
        accessProfile: await accessProfileName(db, options.accessProfileId),
      },
    });
  });
  return getContact({ pool: options.pool, contactId: options.contactId });
}

export async function removeContactRelation(options: {
  pool: Pool;
  actor: Actor;
  contactId: string;
  organizationId: string;
}) {
  await withTransaction(options.pool, async ({ db }) => {
    const contact = await lockContact(db, options.contactId);
    const removed = await db
      .delete(contactOrganizations)
      .where(
        and(
          eq(contactOrganizations.contactId, options.contactId),
          eq(contactOrganizations.organizationId, options.organizationId),
        ),
      )
      .returning();
    if (removed.length === 0) throw AppError.notFound('Relation to this organization');
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'contact',
      entityId: options.contactId,
      entityLabel: contact.name,
      action: 'contact.relation_removed',
      before: {
        accessProfileId: removed[0]!.accessProfileId,
        accessProfile: await accessProfileName(db, removed[0]!.accessProfileId),
        isDefaultNotification: removed[0]!.isDefaultNotification,
      },
    });
  });
}

/** Stars or unstars a contact as one of the organization's Default Notification Emails. */
export async function setDefaultNotificationContact(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  contactId: string;
  isDefault: boolean;
}) {
  await withTransaction(options.pool, async ({ db }) => {
    const [relation] = await db
      .select()
      .from(contactOrganizations)
      .where(
        and(
          eq(contactOrganizations.contactId, options.contactId),
          eq(contactOrganizations.organizationId, options.organizationId),
        ),
      )
      .for('update');
    if (!relation) throw AppError.notFound('Contact of this organization');
    if (relation.isDefaultNotification === options.isDefault) return;
    await db
      .update(contactOrganizations)
      .set({ isDefaultNotification: options.isDefault })
      .where(
        and(
          eq(contactOrganizations.contactId, options.contactId),
          eq(contactOrganizations.organizationId, options.organizationId),
        ),
      );
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'contact',
      entityId: options.contactId,
      entityLabel: (await lockContact(db, options.contactId)).name,
      action: options.isDefault
        ? 'contact.default_notification_added'
        : 'contact.default_notification_removed',
      before: { isDefaultNotification: relation.isDefaultNotification },
      after: { isDefaultNotification: options.isDefault },
    });
  });
}
