import { AppError } from '../../platform/errors.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import { decodeCursor, encodeCursor } from '../../platform/keyset-cursor.js';
import { verifyAgainstDecoy, verifyPassword } from '../../platform/passwords.js';
import { assertContactExists, recordContactSignIn } from '../contacts/contacts.service.js';
import { recordOrganizationPortalUse } from '../organizations/organizations.service.js';
import { openPortalSession, portalOrganizations } from './portal-sessions.js';

/**
 * Portal sign-in: the attempt limits (decision 9), signing a contact in, and the record of
 * attempts staff read (Login History).
 */

export const portalWrongCredentials = 'Email or password is incorrect';
const failureWindowMinutes = 15;

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
    contact && passwordMatches ? await portalOrganizations({ pool, contactId: contact.id }) : [];
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
    await recordContactSignIn(client, { contactId: contact.id, organizationId: first.id });
    await recordOrganizationPortalUse(client, first.id);
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
