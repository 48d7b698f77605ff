import { and, asc, count, eq, ne, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import {
  createDb,
  isUniqueViolation,
  withTransaction,
  type Db,
  type Pool,
  type PoolClient,
} from '../../platform/database.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import { accessProfiles } from '../access-profiles/access-profiles.schema.js';
import {
  accessProfileName,
  assertAccessProfileExists,
  revokeAccessLabel,
  type ProfileHolders,
} from '../access-profiles/access-profiles.service.js';
import {
  decodeCursor,
  encodeCursor,
  isSortKey,
  invalidCursor,
  likePattern,
} from '../../platform/keyset-cursor.js';
import { organizations } from '../organizations/organizations.schema.js';
import {
  lockOrganization,
  type OrganizationContacts,
} from '../organizations/organizations.service.js';
import { contactOrganizations, contacts } from './contacts.schema.js';
import type { contactSorts } from '../../shared/contract/contacts.js';

export type ContactSort = (typeof contactSorts)[number];

export interface ContactFields {
  name: string;
  email: string;
  phone: string;
}

interface SortKey {
  expression: string;
  /** The type the key's text in a cursor casts back to. */
  cast: 'text' | 'timestamptz';
  direction: 'ASC' | 'DESC';
}

const byName: SortKey = { expression: 'lower(c.name)', cast: 'text', direction: 'ASC' };

/**
 * Each sort's keys, most significant first; the contact id ends every order (ascending) so the
 * order is total and a cursor points between two rows. A contact who never signed in sorts
 * last on Last Login (-infinity, descending), as NULLS LAST did.
 */
const contactListKeys: Record<ContactSort, SortKey[]> = {
  name: [byName],
  email: [{ expression: 'lower(c.email)', cast: 'text', direction: 'ASC' }],
  lastLogin: [
    {
      expression: "coalesce(c.last_login_at, '-infinity'::timestamptz)",
      cast: 'timestamptz',
      direction: 'DESC',
    },
    byName,
  ],
  profile: [
    {
      expression: `lower(coalesce(p.name, '${revokeAccessLabel}'))`,
      cast: 'text',
      direction: 'ASC',
    },
    byName,
  ],
};

/**
 * "Comes after (keys, id)" in the sort's order. The keys run in mixed directions (Last Login
 * descends, the name tie-break ascends), so a row comparison cannot say it; each key is
 * either strictly past the cursor's, or equal and the next key decides.
 */
function afterCursor(keys: SortKey[], values: string[], id: string, params: unknown[]): string {
  params.push(id);
  let condition = `c.id > $${params.length}::uuid`;
  for (let index = keys.length - 1; index >= 0; index -= 1) {
    const key = keys[index]!;
    params.push(values[index]);
    const value = `$${params.length}::${key.cast}`;
    const past = key.direction === 'ASC' ? '>' : '<';
    condition = `(${key.expression} ${past} ${value} OR (${key.expression} = ${value} AND ${condition}))`;
  }
  return condition;
}

/** The key values a contact-list cursor carries (as text), or a 400 naming `cursor`. */
function cursorKeys(sortKey: string, keys: SortKey[]): string[] {
  let values: unknown;
  try {
    values = JSON.parse(sortKey);
  } catch {
    throw invalidCursor();
  }
  if (
    !Array.isArray(values) ||
    values.length !== keys.length ||
    !values.every(
      (v, index): v is string => typeof v === 'string' && isSortKey(v, keys[index]!.cast),
    )
  ) {
    throw invalidCursor();
  }
  return values;
}

/** PostgreSQL's class 22, "data exception": a value that does not cast to its type. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

export interface OrganizationContactRow {
  id: string;
  name: string;
  email: string;
  phone: string;
  lastLoginAt: Date | null;
  accessProfileId: string | null;
  accessProfileName: string;
  isDefaultNotification: boolean;
}

/**
 * One page of an organization's contacts, for the console's contact cards: at most `limit`
 * rows in the chosen sort, `total` (how many match, on every page) and `nextCursor`, the
 * opaque keyset cursor for the page after this one (null on the last page). The cursor
 * carries its sort, so one from another sort is refused; a cursor the list did not give out
 * is a 400 naming `cursor` (docs/decisions/0004-keyset-pagination.md). `search` matches
 * part of the name, email or phone, in any case.
 */
export async function listOrganizationContacts(options: {
  pool: Pool;
  organizationId: string;
  sort: ContactSort;
  search?: string;
  cursor?: string;
  limit: number;
}) {
  const { pool } = options;
  const keys = contactListKeys[options.sort];
  const scope = `contacts:${options.sort}`;
  const filterParams: unknown[] = [options.organizationId];
  let searchCondition = '';
  if (options.search) {
    filterParams.push(likePattern(options.search));
    searchCondition = `AND (lower(c.name) LIKE $2 OR lower(c.email) LIKE $2 OR c.phone LIKE $2)`;
  }
  const params = [...filterParams];
  let keyset = '';
  if (options.cursor) {
    const [sortKey, id] = decodeCursor(scope, options.cursor);
    keyset = `AND ${afterCursor(keys, cursorKeys(sortKey, keys), id, params)}`;
  }
  params.push(options.limit + 1);
  const from = `FROM contact_organizations co
       JOIN contacts c ON c.id = co.contact_id
       LEFT JOIN access_profiles p ON p.id = co.access_profile_id
      WHERE co.organization_id = $1 ${searchCondition}`;
  const [rows, count] = await Promise.all([
    pool
      .query<OrganizationContactRow & { sortKey: string[] }>(
        `SELECT c.id, c.name, c.email, c.phone, c.last_login_at AS "lastLoginAt",
                co.access_profile_id AS "accessProfileId",
                coalesce(p.name, '${revokeAccessLabel}') AS "accessProfileName",
                co.is_default_notification AS "isDefaultNotification",
                ARRAY[${keys.map((k) => `${k.expression}::text`).join(', ')}] AS "sortKey"
           ${from} ${keyset}
          ORDER BY ${keys.map((k) => `${k.expression} ${k.direction}`).join(', ')}, c.id
          LIMIT $${params.length}`,
        params,
      )
      .catch((error: unknown) => {
        // A cursor that decodes but whose key does not cast: edited by hand.
        if (options.cursor && isDataException(error)) throw invalidCursor();
        throw error;
      }),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total ${from}`, filterParams),
  ]);
  const page = rows.rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    contacts: page.map(({ sortKey: _sortKey, ...row }) => row),
    total: count.rows[0]?.total ?? 0,
    nextCursor:
      rows.rows.length > options.limit && last
        ? encodeCursor(scope, JSON.stringify(last.sortKey), last.id)
        : null,
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

/**
 * Finds contacts across organizations by name or email, to relate one to another company:
 * at most `limit` matches by name. With `organizationId`, each match says whether it is
 * already related to that organization (`isRelated`), however long that organization's
 * contact list is.
 */
export async function searchContacts(options: {
  pool: Pool;
  search: string;
  limit: number;
  organizationId?: string;
}) {
  const pattern = likePattern(options.search);
  const result = await options.pool.query<{
    id: string;
    name: string;
    email: string;
    isRelated: boolean;
  }>(
    `SELECT c.id, c.name, c.email,
            EXISTS (SELECT 1 FROM contact_organizations co
                     WHERE co.contact_id = c.id AND co.organization_id = $3) AS "isRelated"
       FROM contacts c
      WHERE lower(c.name) LIKE $1 OR lower(c.email) LIKE $1
      ORDER BY lower(c.name), c.id LIMIT $2`,
    [pattern, options.limit, options.organizationId ?? null],
  );
  return options.organizationId
    ? result.rows
    : result.rows.map(({ isRelated: _isRelated, ...row }) => row);
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

/**
 * The organization page's contact summary (organizations.service `OrganizationContacts`): how
 * many contacts relate to the organization, and its Default Notification Emails by name.
 */
export const organizationContacts: OrganizationContacts = async (db, organizationId) => {
  const [contactCount] = await db
    .select({ n: count() })
    .from(contactOrganizations)
    .where(eq(contactOrganizations.organizationId, organizationId));
  const defaultNotificationContacts = await db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email })
    .from(contactOrganizations)
    .innerJoin(contacts, eq(contacts.id, contactOrganizations.contactId))
    .where(
      and(
        eq(contactOrganizations.organizationId, organizationId),
        eq(contactOrganizations.isDefaultNotification, true),
      ),
    )
    .orderBy(asc(sql`lower(${contacts.name})`));
  return { contactCount: contactCount?.n ?? 0, defaultNotificationContacts };
};

/**
 * The contact relations holding an access profile (access-profiles.service `ProfileHolders`),
 * for deleting a profile: how many hold it, and moving them all to another profile or to
 * "Revoke Access" (null), each move audited on its organization as a profile change.
 */
export const profileHolders: ProfileHolders = {
  async count(db, profileId) {
    const [holders] = await db
      .select({ n: count() })
      .from(contactOrganizations)
      .where(eq(contactOrganizations.accessProfileId, profileId));
    return holders?.n ?? 0;
  },
  async move(db, actor, { from, to }) {
    const moved = await db
      .update(contactOrganizations)
      .set({ accessProfileId: to })
      .where(eq(contactOrganizations.accessProfileId, from.id))
      .returning({
        contactId: contactOrganizations.contactId,
        organizationId: contactOrganizations.organizationId,
      });
    for (const relation of moved) {
      await recordAudit(db, actor, {
        organizationId: relation.organizationId,
        entityType: 'contact',
        entityId: relation.contactId,
        action: 'contact.access_profile_changed',
        before: { accessProfileId: from.id, accessProfile: from.name },
        after: { accessProfileId: to, reason: 'profile deleted' },
      });
    }
  },
};

/**
 * The contacts' share of the nightly housekeeping (staff/housekeeping.job.ts): removes emailed
 * links (welcome, password reset) that expired more than 30 days ago.
 */
export async function removeExpiredContactTokens(options: {
  pool: Pool;
}): Promise<{ sessions?: number; attempts?: number }> {
  await options.pool.query(
    `DELETE FROM contact_tokens WHERE expires_at < now() - interval '30 days'`,
  );
  return {};
}

/**
 * Stores a contact's new portal password (an argon2id hash from platform/passwords.ts) on the
 * caller's transaction, marking when it changed (emails queued before then lose their links)
 * and whether it must be changed at the next sign-in (a temporary password). The portal's
 * password use cases decide when; the contact row is written here, by the module that owns it.
 */
export async function setContactPassword(
  client: PoolClient,
  options: { contactId: string; passwordHash: string; mustChange: boolean },
): Promise<void> {
  await client.query(
    `UPDATE contacts SET password_hash = $2, must_change_password = $3, password_changed_at = now(),
            updated_at = now() WHERE id = $1`,
    [options.contactId, options.passwordHash, options.mustChange],
  );
}

/** What a contact's emailed link is for: a Welcome email's first password, or a reset. */
export type ContactLinkPurpose = 'set_password' | 'reset_password';

/**
 * Stores a new emailed link of a contact (the hash of its token, platform/tokens.ts) that
 * works for `lifetime` (a PostgreSQL interval), ending the contact's earlier links of the same
 * purpose: only the newest Welcome or reset link works. A change of the contact's password
 * ends every link sent before it, so nothing is stored when the password changed after
 * `queuedAt` (the email's queue time, as PostgreSQL text so no precision is lost; decision 17).
 * The contact row is locked meanwhile (FOR UPDATE): a password change that committed before
 * is seen, and one that updates the row waits until the link exists (and then ends it).
 * Answers 'stored', 'no_contact' (no such contact) or 'password_changed'.
 */
export async function storeContactLink(
  db: Pick<Pool, 'query'>,
  options: {
    contactId: string | null;
    purpose: ContactLinkPurpose;
    tokenHash: string;
    lifetime: string;
    queuedAt: string;
  },
): Promise<'stored' | 'no_contact' | 'password_changed'> {
  const stored = await db.query<{ passwordChangedSince: boolean }>(
    `WITH contact AS (
       SELECT c.id,
              coalesce(c.password_changed_at > $5::timestamptz, false) AS "passwordChangedSince"
         FROM contacts c
        WHERE c.id = $2
          FOR UPDATE OF c),
     ended AS (
       UPDATE contact_tokens SET used_at = now()
        WHERE contact_id = (SELECT id FROM contact WHERE NOT "passwordChangedSince")
          AND purpose = $3 AND used_at IS NULL),
     inserted AS (
       INSERT INTO contact_tokens (token_hash, contact_id, purpose, expires_at)
       SELECT $1, id, $3, now() + $4::interval FROM contact WHERE NOT "passwordChangedSince")
     SELECT "passwordChangedSince" FROM contact`,
    [options.tokenHash, options.contactId, options.purpose, options.lifetime, options.queuedAt],
  );
  const contact = stored.rows[0];
  if (!contact) return 'no_contact';
  return contact.passwordChangedSince ? 'password_changed' : 'stored';
}

/**
 * Uses one emailed link (by its token's hash) on the caller's transaction: false when it was
 * used already (by a request that got there first), true when this call used it.
 */
export async function useContactLink(
  client: Pick<Pool, 'query'>,
  tokenHash: string,
): Promise<boolean> {
  const used = await client.query(
    `UPDATE contact_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL RETURNING 1`,
    [tokenHash],
  );
  return (used.rowCount ?? 0) > 0;
}

/**
 * Ends every outstanding emailed link of a contact (Welcome and reset alike), on the caller's
 * transaction. Every change of a contact's password calls it: a link sent before the change
 * must not set a password after it.
 */
export async function endContactLinks(
  client: Pick<Pool, 'query'>,
  contactId: string,
): Promise<void> {
  await client.query(
    `UPDATE contact_tokens SET used_at = now() WHERE contact_id = $1 AND used_at IS NULL`,
    [contactId],
  );
}

/**
 * Records a contact's portal sign-in: when (Last Login on the contact card) and the
 * organization it acts for, where its next sign-in starts.
 */
export async function recordContactSignIn(
  db: Pick<Pool, 'query'>,
  options: { contactId: string; organizationId: string },
): Promise<void> {
  await db.query(
    'UPDATE contacts SET last_login_at = now(), last_portal_organization_id = $2 WHERE id = $1',
    [options.contactId, options.organizationId],
  );
}

/** Records the organization a contact switched to in the portal: its next sign-in starts there. */
export async function setLastPortalOrganization(
  db: Pick<Pool, 'query'>,
  options: { contactId: string; organizationId: string },
): Promise<void> {
  await db.query('UPDATE contacts SET last_portal_organization_id = $2 WHERE id = $1', [
    options.contactId,
    options.organizationId,
  ]);
}
