import { AppError } from '../../platform/errors.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import { hashToken, newToken } from '../../platform/tokens.js';
import type { PortalPermission } from '../access-profiles/access-profiles.schema.js';
import { recordAudit, type Actor } from '../audit/audit.js';

/**
 * Portal sessions: the organizations a contact may act for, opening a session, resolving its
 * cookie on each request, signing out, and staff's read-only "view as" session.
 */

export interface PortalOrganization {
  id: string;
  name: string;
  profileName: string;
  permissions: PortalPermission[];
}

/** The organizations where a contact may sign in: a profile (not Revoke Access), not archived. */
export async function portalOrganizations(options: {
  pool: Pool;
  contactId: string;
}): Promise<PortalOrganization[]> {
  const result = await options.pool.query<PortalOrganization>(
    `SELECT o.id, o.name, p.name AS "profileName", p.permissions
       FROM contact_organizations co
       JOIN organizations o ON o.id = co.organization_id AND o.archived_at IS NULL
       JOIN access_profiles p ON p.id = co.access_profile_id
      WHERE co.contact_id = $1
      ORDER BY lower(o.name), o.id`,
    [options.contactId],
  );
  return result.rows;
}

/**
 * Opens a portal session (a new cookie token; its hash is stored) on the caller's transaction.
 */
export async function openPortalSession(
  db: Pick<Pool, 'query'>,
  options: {
    contactId: string;
    organizationId: string;
    absoluteHours: number;
    ip: string;
    userAgent: string;
    /** Staff's "view as": the staff user and their session's token hash (it ends with it). */
    viewer?: { staffUserId: string; staffSessionHash: string };
  },
): Promise<string> {
  const token = newToken();
  // A "view as" session lasts no longer than the staff session it was opened from.
  await db.query(
    `INSERT INTO portal_sessions
       (token_hash, contact_id, organization_id, viewer_staff_user_id, viewer_staff_session_hash,
        expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5,
             least(now() + make_interval(hours => $6),
                   coalesce((SELECT expires_at FROM staff_sessions WHERE token_hash = $5), 'infinity')),
             $7, $8)`,
    [
      hashToken(token),
      options.contactId,
      options.organizationId,
      options.viewer?.staffUserId ?? null,
      options.viewer?.staffSessionHash ?? null,
      options.absoluteHours,
      options.ip,
      options.userAgent,
    ],
  );
  return token;
}

export interface PortalSession {
  tokenHash: string;
  contact: { id: string; name: string; email: string; mustChangePassword: boolean };
  organizationId: string;
  organizationName: string;
  profileName: string;
  permissions: PortalPermission[];
  viewer: { staffUserId: string; staffName: string } | null;
}

/**
 * Resolves a portal cookie. Permissions are read from the contact's relation on every request,
 * so a profile change applies at once. If the current organization no longer grants access,
 * the session moves to another that does, or ends. A staff "view as" session holds only while
 * the staff session it was opened from does (not signed out, not expired, not idle past
 * `staffIdleMinutes` as staffSessionHook counts it, user not disabled).
 */
export async function findPortalSession(options: {
  pool: Pool;
  token: string;
  /** The portal session's own idle limit (PORTAL_SESSION_IDLE_MINUTES). */
  idleMinutes: number;
  /** The staff session's idle limit (SESSION_IDLE_MINUTES), for a "view as" session. */
  staffIdleMinutes: number;
}): Promise<PortalSession | null> {
  const tokenHash = hashToken(options.token);
  const found =
    // A named statement: planned once per connection, as this six-table join runs on every
    // portal request and planning it costs as much as running it.
    (
      await options.pool.query({
        name: 'find-portal-session',
        text: `SELECT s.contact_id, s.organization_id, s.viewer_staff_user_id,
              s.last_seen_at < now() - interval '1 minute' AS stale,
              c.name, c.email, c.must_change_password,
              o.name AS organization_name, p.name AS profile_name, p.permissions,
              v.name AS viewer_name
         FROM portal_sessions s
         JOIN contacts c ON c.id = s.contact_id
         LEFT JOIN contact_organizations co
                ON co.contact_id = s.contact_id AND co.organization_id = s.organization_id
         LEFT JOIN organizations o ON o.id = co.organization_id AND o.archived_at IS NULL
         LEFT JOIN access_profiles p ON p.id = co.access_profile_id
         LEFT JOIN staff_users v ON v.id = s.viewer_staff_user_id
         LEFT JOIN staff_sessions vs ON vs.token_hash = s.viewer_staff_session_hash
        WHERE s.token_hash = $1 AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(mins => $2)
          AND (s.viewer_staff_user_id IS NULL
               OR (vs.expires_at > now() AND NOT vs.totp_pending AND v.disabled_at IS NULL
                   AND vs.last_seen_at > now() - make_interval(mins => $3)))`,
        values: [tokenHash, options.idleMinutes, options.staffIdleMinutes],
      })
    ).rows[0];
  if (!found) return null;
  if (!found.profile_name || !found.organization_name) {
    const [other] = await portalOrganizations({
      pool: options.pool,
      contactId: found.contact_id,
    });
    if (!other) {
      await options.pool.query('DELETE FROM portal_sessions WHERE token_hash = $1', [tokenHash]);
      return null;
    }
    await options.pool.query(
      'UPDATE portal_sessions SET organization_id = $2 WHERE token_hash = $1',
      [tokenHash, other.id],
    );
    return findPortalSession(options);
  }
  if (found.stale) {
    await options.pool.query(
      'UPDATE portal_sessions SET last_seen_at = now() WHERE token_hash = $1',
      [tokenHash],
    );
  }
  return {
    tokenHash,
    contact: {
      id: found.contact_id,
      name: found.name,
      email: found.email,
      mustChangePassword: found.must_change_password,
    },
    organizationId: found.organization_id,
    organizationName: found.organization_name,
    profileName: found.profile_name,
    permissions: found.permissions,
    viewer: found.viewer_staff_user_id
      ? { staffUserId: found.viewer_staff_user_id, staffName: found.viewer_name }
      : null,
  };
}

/** Signing out: ends the portal session whose cookie token hashes to `tokenHash`. */
export async function signOutContact(options: { pool: Pool; tokenHash: string }) {
  await options.pool.query('DELETE FROM portal_sessions WHERE token_hash = $1', [
    options.tokenHash,
  ]);
}

/**
 * Staff "view portal as this contact": a read-only portal session, audited, that lasts at most
 * an hour and ends with the staff session that opened it.
 */
export async function openViewAsSession(options: {
  pool: Pool;
  actor: Actor & { id: string };
  /** The cookie token of the staff session opening the view: the view ends with it. */
  staffSessionToken: string;
  contactId: string;
  organizationId: string;
  ip: string;
  userAgent: string;
}): Promise<string> {
  const organizations = await portalOrganizations(options);
  const organization = organizations.find((o) => o.id === options.organizationId);
  if (!organization) {
    const exists = await options.pool.query(
      'SELECT 1 FROM contact_organizations WHERE contact_id = $1 AND organization_id = $2',
      [options.contactId, options.organizationId],
    );
    if (exists.rowCount === 0) throw AppError.notFound('Contact of this organization');
    throw new AppError(
      'conflict',
      'This contact has Revoke Access here, so there is no portal to view.',
    );
  }
  const contactName = (
    await options.pool.query<{ name: string }>('SELECT name FROM contacts WHERE id = $1', [
      options.contactId,
    ])
  ).rows[0]!.name;
  return withTransaction(options.pool, async ({ db, client }) => {
    await recordAudit(db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'contact',
      entityId: options.contactId,
      entityLabel: contactName,
      action: 'contact.portal_viewed_as',
      after: { readOnly: true },
    });
    return openPortalSession(client, {
      contactId: options.contactId,
      organizationId: options.organizationId,
      absoluteHours: 1,
      ip: options.ip,
      userAgent: options.userAgent,
      viewer: {
        staffUserId: options.actor.id,
        staffSessionHash: hashToken(options.staffSessionToken),
      },
    });
  });
}
