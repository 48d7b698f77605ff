import { AppError } from '../../platform/errors.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import { decodeCursor, encodeCursor } from '../../platform/keyset-cursor.js';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../../platform/passwords.js';
import { hashToken, newToken } from '../../platform/tokens.js';
import type { PortalPermission } from '../access-profiles/access-profiles.schema.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { passwordProblem } from './password-policy.js';
import { assertContactExists, setContactPassword } from '../contacts/contacts.service.js';

export const portalWrongCredentials = 'Email or password is incorrect';
const failureWindowMinutes = 15;

export interface PortalOrganization {
  id: string;
  name: string;
  profileName: string;
  permissions: PortalPermission[];
}

/** The organizations where a contact may sign in: a profile (not Revoke Access), not archived. */
export async function portalOrganizations(
  pool: Pool,
  contactId: string,
): Promise<PortalOrganization[]> {
  const result = await pool.query<PortalOrganization>(
    `SELECT o.id, o.name, p.name AS "profileName", p.permissions
       FROM contact_organizations co
       JOIN organizations o ON o.id = co.organization_id AND o.archived_at IS NULL
       JOIN access_profiles p ON p.id = co.access_profile_id
      WHERE co.contact_id = $1
      ORDER BY lower(o.name), o.id`,
    [contactId],
  );
  return result.rows;
}

/**
 * Opens a portal sign-in attempt under the limits (decision 9): the attempt is recorded first,
 * as a failure, and only then are the window's failures counted, this one included, so
 * attempts sent at the same instant each see the others' rows and no more than the limit
 * reach the password check. Over the per-address limit (failures from the client's address,
 * any email) or the per-account one (failures for the email), the row takes the lock's reason
 * and 429 is thrown. Else the row's id is returned, for `finishAttempt`; until then it counts
 * as a failure (and stays one if the process dies mid-check).
 */
async function openAttempt(
  pool: Pool,
  attempt: { email: string; contactId: string | null; ip: string; userAgent: string },
  limits: { maxFailuresPerAccount: number; maxFailuresPerAddress: number },
): Promise<string> {
  const inserted = await pool.query<{ id: string }>(
    `INSERT INTO contact_login_attempts (email, contact_id, ip, user_agent, succeeded, reason)
     VALUES ($1, $2, $3, $4, false, 'not finished: the check was interrupted')
     RETURNING id::text AS id`,
    [attempt.email, attempt.contactId, attempt.ip, attempt.userAgent],
  );
  const id = inserted.rows[0]!.id;
  const failures = (
    await pool.query<{ fromAddress: number; forAccount: number }>(
      `SELECT count(*) FILTER (WHERE ip = $1)::int AS "fromAddress",
              count(*) FILTER (WHERE email = $2)::int AS "forAccount"
         FROM contact_login_attempts
        WHERE (ip = $1 OR email = $2) AND NOT succeeded
          AND attempted_at > now() - make_interval(mins => $3)`,
      [attempt.ip, attempt.email, failureWindowMinutes],
    )
  ).rows[0];
  if ((failures?.fromAddress ?? 0) > limits.maxFailuresPerAddress) {
    await finishAttempt(pool, id, {
      succeeded: false,
      reason: 'locked: too many failed attempts from this address',
    });
    throw new AppError(
      'rate_limited',
      `Too many failed sign-in attempts from your network. Try again in ${failureWindowMinutes} minutes.`,
    );
  }
  if ((failures?.forAccount ?? 0) > limits.maxFailuresPerAccount) {
    await finishAttempt(pool, id, { succeeded: false, reason: 'locked: too many failures' });
    throw new AppError(
      'rate_limited',
      `Too many failed sign-in attempts. Try again in ${failureWindowMinutes} minutes.`,
    );
  }
  return id;
}

/** Records the outcome of an attempt opened by `openAttempt` (on the caller's transaction, if any). */
async function finishAttempt(
  db: Pick<Pool, 'query'>,
  id: string,
  outcome: { succeeded: boolean; reason: string; organizationId?: string | null },
) {
  await db.query(
    `UPDATE contact_login_attempts
        SET succeeded = $2, reason = $3, organization_id = coalesce($4, organization_id)
      WHERE id = $1`,
    [id, outcome.succeeded, outcome.reason, outcome.organizationId ?? null],
  );
}

async function openPortalSession(
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

/**
 * Signs a contact in to the portal. An unknown email, a wrong password, a contact with no
 * password yet and one with Revoke Access everywhere all get the same answer; the login
 * history keeps the real reason for staff. The session acts for the organization the contact
 * last used (signed in with or switched to) while it grants access, else the first by name.
 */
export async function signInContact(options: {
  pool: Pool;
  email: string;
  password: string;
  ip: string;
  userAgent: string;
  maxFailuresPerAccount: number;
  /** Failed attempts from one address in the window before it is refused; successes never count. */
  maxFailuresPerAddress: number;
  absoluteHours: number;
}): Promise<{ token: string; contactId: string }> {
  const { pool } = options;
  const attempt = { email: options.email, ip: options.ip, userAgent: options.userAgent };
  const contact = (
    await pool.query<{
      id: string;
      passwordHash: string | null;
      lastOrganizationId: string | null;
    }>(
      `SELECT id, password_hash AS "passwordHash",
              last_portal_organization_id AS "lastOrganizationId"
         FROM contacts WHERE lower(email) = $1`,
      [options.email],
    )
  ).rows[0];
  // Only failures count, so an office behind one address is never locked out by its own
  // successful sign-ins.
  const attemptId = await openAttempt(
    pool,
    { ...attempt, contactId: contact?.id ?? null },
    {
      maxFailuresPerAccount: options.maxFailuresPerAccount,
      maxFailuresPerAddress: options.maxFailuresPerAddress,
    },
  );
  const passwordMatches = contact?.passwordHash
    ? await verifyPassword(contact.passwordHash, options.password)
    : await verifyAgainstDecoy(options.password);
  const organizations =
    contact && passwordMatches ? await portalOrganizations(pool, contact.id) : [];
  const refusal = !contact
    ? 'unknown email'
    : !contact.passwordHash
      ? 'no password set yet'
      : !passwordMatches
        ? 'wrong password'
        : organizations.length === 0
          ? 'no portal access (Revoke Access in every organization)'
          : null;
  const first = organizations.find((o) => o.id === contact?.lastOrganizationId) ?? organizations[0];
  if (refusal || !contact || !first) {
    await finishAttempt(pool, attemptId, {
      succeeded: false,
      reason: refusal ?? 'no portal access',
    });
    throw new AppError('unauthenticated', portalWrongCredentials);
  }
  const token = await withTransaction(pool, async ({ client }) => {
    await client.query(
      'UPDATE contacts SET last_login_at = now(), last_portal_organization_id = $2 WHERE id = $1',
      [contact.id, first.id],
    );
    await client.query('UPDATE organizations SET last_login_at = now() WHERE id = $1', [first.id]);
    await finishAttempt(client, attemptId, {
      succeeded: true,
      reason: 'signed in',
      organizationId: first.id,
    });
    return openPortalSession(client, {
      contactId: contact.id,
      organizationId: first.id,
      absoluteHours: options.absoluteHours,
      ip: options.ip,
      userAgent: options.userAgent,
    });
  });
  return { token, contactId: contact.id };
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
    const [other] = await portalOrganizations(options.pool, found.contact_id);
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

export async function signOutContact(pool: Pool, tokenHash: string) {
  await pool.query('DELETE FROM portal_sessions WHERE token_hash = $1', [tokenHash]);
}

/**
 * The company switch: act for another organization where the contact has access. It is also
 * where the contact's next sign-in starts.
 */
export async function switchOrganization(options: {
  pool: Pool;
  session: PortalSession;
  organizationId: string;
}) {
  const organizations = await portalOrganizations(options.pool, options.session.contact.id);
  // Another organization's id, or one without access, is simply not found for this contact.
  if (!organizations.some((o) => o.id === options.organizationId)) {
    throw AppError.notFound('Organization');
  }
  await options.pool.query(
    'UPDATE portal_sessions SET organization_id = $2 WHERE token_hash = $1',
    [options.session.tokenHash, options.organizationId],
  );
  // Staff viewing the portal leave no trace in what the contact last used.
  if (!options.session.viewer) {
    await options.pool.query('UPDATE organizations SET last_login_at = now() WHERE id = $1', [
      options.organizationId,
    ]);
    await options.pool.query('UPDATE contacts SET last_portal_organization_id = $2 WHERE id = $1', [
      options.session.contact.id,
      options.organizationId,
    ]);
  }
}

/**
 * Ends every outstanding emailed link of a contact (Welcome and reset alike), on the caller's
 * transaction. Every change of a contact's password calls it: a link sent before the change
 * must not set a password after it.
 */
async function endPasswordLinks(client: Pick<Pool, 'query'>, contactId: string) {
  await client.query(
    `UPDATE contact_tokens SET used_at = now() WHERE contact_id = $1 AND used_at IS NULL`,
    [contactId],
  );
}

function passwordFields(password: string, confirmation: string, email: string, field: string) {
  const problem = passwordProblem(password, email);
  if (problem) throw AppError.validation(field, problem);
  if (password !== confirmation) {
    throw AppError.validation(`${field}Confirmation`, 'does not match the new password');
  }
}

/**
 * Sets a password from an emailed link (welcome or reset). The token is single-use and
 * expires; using it ends every session of the contact and every other link. A link older than
 * the contact's last password change never works, whichever path changed it.
 */
export async function setPasswordWithToken(options: {
  pool: Pool;
  token: string;
  purpose: 'set_password' | 'reset_password';
  password: string;
  passwordConfirmation: string;
}): Promise<{ email: string }> {
  const tokenHash = hashToken(options.token);
  const row = (
    await options.pool.query<{ contactId: string; email: string }>(
      `SELECT t.contact_id AS "contactId", c.email FROM contact_tokens t JOIN contacts c ON c.id = t.contact_id
        WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now()
          AND (c.password_changed_at IS NULL OR t.created_at > c.password_changed_at)`,
      [tokenHash, options.purpose],
    )
  ).rows[0];
  if (!row) {
    throw AppError.validation(
      'token',
      'this link has expired or was already used: ask for a new one',
    );
  }
  passwordFields(options.password, options.passwordConfirmation, row.email, 'password');
  const passwordHash = await hashPassword(options.password);
  await withTransaction(options.pool, async ({ client }) => {
    const used = await client.query(
      `UPDATE contact_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL RETURNING 1`,
      [tokenHash],
    );
    if (used.rowCount === 0) {
      throw AppError.validation(
        'token',
        'this link has expired or was already used: ask for a new one',
      );
    }
    await endPasswordLinks(client, row.contactId);
    await setContactPassword(client, {
      contactId: row.contactId,
      passwordHash,
      mustChange: false,
    });
    await client.query('DELETE FROM portal_sessions WHERE contact_id = $1', [row.contactId]);
  });
  return { email: row.email };
}

/** My Account > Change Password: other sessions and every emailed link end; this one stays signed in. */
export async function changeContactPassword(options: {
  pool: Pool;
  session: PortalSession;
  currentPassword: string;
  newPassword: string;
  newPasswordConfirmation: string;
}) {
  const contact = (
    await options.pool.query<{ passwordHash: string | null }>(
      'SELECT password_hash AS "passwordHash" FROM contacts WHERE id = $1',
      [options.session.contact.id],
    )
  ).rows[0];
  if (
    !contact?.passwordHash ||
    !(await verifyPassword(contact.passwordHash, options.currentPassword))
  ) {
    throw AppError.validation('currentPassword', 'is not your current password');
  }
  passwordFields(
    options.newPassword,
    options.newPasswordConfirmation,
    options.session.contact.email,
    'newPassword',
  );
  if (options.newPassword === options.currentPassword) {
    throw AppError.validation('newPassword', 'must differ from your current password');
  }
  const passwordHash = await hashPassword(options.newPassword);
  await withTransaction(options.pool, async ({ client }) => {
    await setContactPassword(client, {
      contactId: options.session.contact.id,
      passwordHash,
      mustChange: false,
    });
    await client.query('DELETE FROM portal_sessions WHERE contact_id = $1 AND token_hash <> $2', [
      options.session.contact.id,
      options.session.tokenHash,
    ]);
    await endPasswordLinks(client, options.session.contact.id);
  });
}

/**
 * Staff set a temporary password, to be changed at the first sign-in. Every session and every
 * emailed link of the contact ends.
 */
export async function setTemporaryPassword(options: {
  pool: Pool;
  actor: Actor;
  contactId: string;
  password: string;
}) {
  const contact = (
    await options.pool.query<{ email: string; name: string }>(
      'SELECT email, name FROM contacts WHERE id = $1',
      [options.contactId],
    )
  ).rows[0];
  if (!contact) throw AppError.notFound('Contact');
  const problem = passwordProblem(options.password, contact.email);
  if (problem) throw AppError.validation('password', problem);
  const passwordHash = await hashPassword(options.password);
  await withTransaction(options.pool, async ({ db, client }) => {
    await setContactPassword(client, {
      contactId: options.contactId,
      passwordHash,
      mustChange: true,
    });
    await client.query('DELETE FROM portal_sessions WHERE contact_id = $1', [options.contactId]);
    await endPasswordLinks(client, options.contactId);
    const organizations = await client.query<{ organization_id: string }>(
      'SELECT organization_id FROM contact_organizations WHERE contact_id = $1',
      [options.contactId],
    );
    for (const row of organizations.rows) {
      await recordAudit(db, options.actor, {
        organizationId: row.organization_id,
        entityType: 'contact',
        entityId: options.contactId,
        entityLabel: contact.name,
        action: 'contact.temporary_password_set',
        after: { mustChangePassword: true },
      });
    }
  });
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
  const organizations = await portalOrganizations(options.pool, options.contactId);
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

/**
 * A contact's portal sign-in attempts, newest first, a page at a time (the console's Login
 * history window): at most `limit` rows, `total` (every attempt kept for the contact, on every
 * page) and `nextCursor`, the keyset cursor (attempt time and id) of the page after this one,
 * null on the last page (docs/decisions/0004-keyset-pagination.md). An unknown contact is a
 * 404; a cursor this list did not give out is a 400 naming `cursor`.
 */
export async function contactLoginHistory(options: {
  pool: Pool;
  contactId: string;
  cursor?: string;
  limit: number;
}) {
  const { pool, contactId } = options;
  await assertContactExists(pool, contactId);
  // A cursor belongs to one contact's history.
  const scope = `contact-login-history:${contactId}`;
  const params: unknown[] = [contactId];
  let keyset = '';
  if (options.cursor) {
    const [attemptedAt, id] = decodeCursor(scope, options.cursor, 'timestamptz', 'bigint');
    params.push(attemptedAt, id);
    keyset = 'AND (a.attempted_at, a.id) < ($2::timestamptz, $3::bigint)';
  }
  params.push(options.limit + 1);
  const [rows, counted] = await Promise.all([
    pool.query(
      `SELECT a.id::text AS id, a.attempted_at AS "attemptedAt", a.ip, a.user_agent AS "userAgent",
              a.succeeded, a.reason, o.name AS "organizationName",
              a.attempted_at::text AS "sortKey"
         FROM contact_login_attempts a LEFT JOIN organizations o ON o.id = a.organization_id
        WHERE a.contact_id = $1 ${keyset}
        ORDER BY a.attempted_at DESC, a.id DESC
        LIMIT $${params.length}`,
      params,
    ),
    pool.query<{ total: number }>(
      'SELECT count(*)::int AS total FROM contact_login_attempts WHERE contact_id = $1',
      [contactId],
    ),
  ]);
  const page = rows.rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    attempts: page.map(({ sortKey: _sortKey, ...attempt }) => attempt),
    total: counted.rows[0]?.total ?? 0,
    nextCursor:
      rows.rows.length > options.limit && last ? encodeCursor(scope, last.sortKey, last.id) : null,
  };
}
