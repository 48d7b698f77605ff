import { and, asc, count, desc, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import {
  createDb,
  isUniqueViolation,
  withTransaction,
  type Db,
  type Pool,
} from '../../platform/database.js';
import { decodeCursor, encodeCursor } from '../../platform/keyset-cursor.js';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../../platform/passwords.js';
import { hashToken, newToken } from '../../platform/tokens.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { getSecuritySettings } from '../settings/settings.service.js';
import { staffLoginAttempts, staffSessions, staffUsers, type StaffRole } from './staff.schema.js';

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
}

export function staffActor(user: StaffUser): Actor {
  return { kind: 'staff', id: user.id, label: `${user.name} <${user.email}>` };
}

/** What staff user answers show: never the password hash or the TOTP secret. */
export const staffUserColumns = {
  id: staffUsers.id,
  email: staffUsers.email,
  name: staffUsers.name,
  role: staffUsers.role,
  disabledAt: staffUsers.disabledAt,
  createdAt: staffUsers.createdAt,
  /** Whether TOTP is on; the secret itself never leaves the service. */
  totpEnabled: sql<boolean>`${staffUsers.totpEnabledAt} IS NOT NULL`.as('totp_enabled'),
};

export async function createStaffUser(options: {
  pool: Pool;
  actor: Actor;
  email: string;
  name: string;
  role: StaffRole;
  password: string;
}): Promise<StaffUser> {
  const passwordHash = await hashPassword(options.password);
  return withTransaction(options.pool, async ({ db }) => {
    const existing = await db
      .select({ id: staffUsers.id })
      .from(staffUsers)
      .where(eq(staffUsers.email, options.email));
    const emailTaken = () =>
      new AppError('conflict', `A staff user with email ${options.email} already exists`, [
        { field: 'email', message: 'is already used by another staff user' },
      ]);
    if (existing.length > 0) throw emailTaken();
    const [user] = await db
      .insert(staffUsers)
      .values({ email: options.email, name: options.name, role: options.role, passwordHash })
      .returning({
        id: staffUsers.id,
        email: staffUsers.email,
        name: staffUsers.name,
        role: staffUsers.role,
      })
      .catch((error: unknown) => {
        // A concurrent request created the same email after our check.
        if (isUniqueViolation(error, 'staff_users_email_unique')) throw emailTaken();
        throw error;
      });
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'staff_user',
      entityId: user!.id,
      entityLabel: user!.email,
      action: 'staff_user.created',
      after: { email: user!.email, name: user!.name, role: user!.role },
    });
    return user!;
  });
}

/** True once any staff user exists (disabled ones too): the start banner's "create one" hint. */
export async function anyStaffUserExists(options: { pool: Pool }): Promise<boolean> {
  const [row] = await createDb(options.pool)
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .limit(1);
  return row !== undefined;
}

export async function listStaffUsers(options: { pool: Pool }) {
  return createDb(options.pool)
    .select(staffUserColumns)
    .from(staffUsers)
    .orderBy(asc(staffUsers.name));
}

export async function updateStaffUser(options: {
  pool: Pool;
  actor: Actor;
  staffUserId: string;
  changes: { name?: string; role?: StaffRole; disabled?: boolean };
}) {
  if (options.actor.id === options.staffUserId && options.changes.role !== undefined) {
    const current = await createDb(options.pool)
      .select({ role: staffUsers.role })
      .from(staffUsers)
      .where(eq(staffUsers.id, options.staffUserId));
    if (current[0] && current[0].role !== options.changes.role) {
      throw AppError.validation('role', 'you cannot change your own role');
    }
  }
  if (options.actor.id === options.staffUserId && options.changes.disabled) {
    throw AppError.validation('disabled', 'you cannot disable your own account');
  }
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(staffUserColumns)
      .from(staffUsers)
      .where(eq(staffUsers.id, options.staffUserId))
      .for('update');
    if (!before) throw AppError.notFound('Staff user');
    const disabledAt =
      options.changes.disabled === undefined
        ? before.disabledAt
        : options.changes.disabled
          ? (before.disabledAt ?? new Date())
          : null;
    const [after] = await db
      .update(staffUsers)
      .set({
        name: options.changes.name ?? before.name,
        role: options.changes.role ?? before.role,
        disabledAt,
      })
      .where(eq(staffUsers.id, options.staffUserId))
      .returning(staffUserColumns);
    if (disabledAt) {
      await db.delete(staffSessions).where(eq(staffSessions.staffUserId, options.staffUserId));
    }
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'staff_user',
      entityId: options.staffUserId,
      entityLabel: before.email,
      action: 'staff_user.updated',
      before: { name: before.name, role: before.role, disabled: before.disabledAt !== null },
      after: { name: after!.name, role: after!.role, disabled: after!.disabledAt !== null },
    });
    return after!;
  });
}

const signInFailureWindowMinutes = 15;
export const wrongCredentialsMessage = 'Email or password is incorrect';

/** The login history's reason for an attempt refused by the per-address limit. */
export const addressLockedReason = 'locked: too many failed attempts from this address';
export const addressLockedMessage = `Too many failed sign-in attempts from your network. Try again in ${signInFailureWindowMinutes} minutes.`;

/** What a sign-in attempt row needs besides its outcome. */
export interface AttemptSource {
  email: string;
  ip: string;
  userAgent: string;
}

/** The login history's reason for an attempt refused by the per-account limit. */
export const accountLockedReason = 'locked: too many failures';

/**
 * The reason an attempt carries while it is being checked. A process that dies mid-check
 * leaves it so, and it counts as a failure, as the attempt it records may have been one.
 */
const uncheckedReason = 'not finished: the check was interrupted';

/**
 * Opens a staff sign-in attempt under the limits (decision 9). The attempt is recorded first,
 * as a failure, and only then are the window's failures counted, this one included: attempts
 * sent at the same instant each see the others' rows, so however many arrive at once, no more
 * than the limit reach the password or code check. Over the per-address limit (when given:
 * failures from the client's address, on any account) or the per-account one (failures for the
 * email), the row takes the lock's reason and 429 is thrown, before anything is checked. Else
 * the row's id is returned: record the outcome with `finishSignInAttempt`; until then the
 * attempt counts as a failure, so a burst of right passwords may briefly count too.
 */
export async function openSignInAttempt(options: {
  pool: Pool;
  attempt: AttemptSource & { staffUserId?: string };
  maxFailuresPerAccount: number;
  maxFailuresPerAddress?: number;
}): Promise<number> {
  const { attempt, maxFailuresPerAccount, maxFailuresPerAddress } = options;
  const db = createDb(options.pool);
  const [row] = await db
    .insert(staffLoginAttempts)
    .values({
      ...attempt,
      staffUserId: attempt.staffUserId ?? null,
      succeeded: false,
      reason: uncheckedReason,
    })
    .returning({ id: staffLoginAttempts.id });
  const id = row!.id;
  const recent = and(
    eq(staffLoginAttempts.succeeded, false),
    gt(
      staffLoginAttempts.attemptedAt,
      sql`now() - make_interval(mins => ${signInFailureWindowMinutes})`,
    ),
  );
  const [failures] = await db
    .select({
      fromAddress: sql<number>`count(*) FILTER (WHERE ${eq(staffLoginAttempts.ip, attempt.ip)})::int`,
      forAccount: sql<number>`count(*) FILTER (WHERE ${eq(staffLoginAttempts.email, attempt.email)})::int`,
    })
    .from(staffLoginAttempts)
    .where(
      and(
        recent,
        sql`(${eq(staffLoginAttempts.ip, attempt.ip)} OR ${eq(staffLoginAttempts.email, attempt.email)})`,
      ),
    );
  if (maxFailuresPerAddress !== undefined && (failures?.fromAddress ?? 0) > maxFailuresPerAddress) {
    await finishSignInAttempt(db, id, { succeeded: false, reason: addressLockedReason });
    throw new AppError('rate_limited', addressLockedMessage);
  }
  if ((failures?.forAccount ?? 0) > maxFailuresPerAccount) {
    await finishSignInAttempt(db, id, { succeeded: false, reason: accountLockedReason });
    throw new AppError(
      'rate_limited',
      `Too many failed sign-in attempts for this account. Try again in ${signInFailureWindowMinutes} minutes.`,
    );
  }
  return id;
}

/**
 * Records the outcome of an attempt opened by `openSignInAttempt` (on the caller's transaction
 * when it comes with a change, so both commit together). `staffUserId` names the user once an
 * email turned out to be theirs.
 */
export async function finishSignInAttempt(
  db: Db,
  id: number,
  outcome: { succeeded: boolean; reason: string; staffUserId?: string | null },
): Promise<void> {
  await db
    .update(staffLoginAttempts)
    .set({
      succeeded: outcome.succeeded,
      reason: outcome.reason,
      ...(outcome.staffUserId !== undefined ? { staffUserId: outcome.staffUserId } : {}),
    })
    .where(eq(staffLoginAttempts.id, id));
}

/** What a correct password leads to: a session, or a second step before it counts. */
export type SignInResult =
  | { token: string; next: 'signed_in'; user: StaffUser }
  | { token: string; next: 'totp' | 'totp_enrollment' };

/**
 * Signs a staff user in. An unknown email, a wrong password and a disabled account all get
 * the same answer; the login history keeps the real reason for staff to read. A user with TOTP
 * on (or without it while the settings require it) gets a session that is still pending: it
 * grants nothing until the code is given (or TOTP is set up).
 */
export async function signInStaff(options: {
  pool: Pool;
  email: string;
  password: string;
  ip: string;
  userAgent: string;
  maxFailuresPerAccount: number;
  /** Failed attempts from one address in the window before it is refused (SIGN_IN_MAX_ATTEMPTS_PER_IP). */
  maxFailuresPerAddress: number;
  absoluteHours: number;
}): Promise<SignInResult> {
  const db = createDb(options.pool);
  const attempt = { email: options.email, ip: options.ip, userAgent: options.userAgent };
  const attemptId = await openSignInAttempt({
    pool: options.pool,
    attempt,
    maxFailuresPerAccount: options.maxFailuresPerAccount,
    maxFailuresPerAddress: options.maxFailuresPerAddress,
  });

  const [user] = await db.select().from(staffUsers).where(eq(staffUsers.email, options.email));
  const passwordMatches = user
    ? await verifyPassword(user.passwordHash, options.password)
    : await verifyAgainstDecoy(options.password);
  const refusal = !user
    ? 'unknown email'
    : !passwordMatches
      ? 'wrong password'
      : user.disabledAt
        ? 'account disabled'
        : null;
  if (refusal || !user) {
    await finishSignInAttempt(db, attemptId, {
      succeeded: false,
      reason: refusal ?? 'unknown email',
      staffUserId: user?.id ?? null,
    });
    throw new AppError('unauthenticated', wrongCredentialsMessage);
  }

  const next =
    user.totpEnabledAt !== null
      ? 'totp'
      : (await getSecuritySettings(db)).requireStaffTotp
        ? 'totp_enrollment'
        : 'signed_in';
  const reason = {
    signed_in: 'signed in',
    totp: 'password accepted, TOTP code due',
    totp_enrollment: 'password accepted, TOTP enrollment due',
  }[next];

  const token = newToken();
  await withTransaction(options.pool, async ({ db: tx }) => {
    await tx.insert(staffSessions).values({
      tokenHash: hashToken(token),
      staffUserId: user.id,
      expiresAt: sql`now() + make_interval(hours => ${options.absoluteHours})`,
      totpPending: next !== 'signed_in',
      ip: options.ip,
      userAgent: options.userAgent,
    });
    await finishSignInAttempt(tx, attemptId, { succeeded: true, reason, staffUserId: user.id });
  });
  if (next !== 'signed_in') return { token, next };
  return {
    token,
    next,
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
  };
}

export async function signOutStaff(options: { pool: Pool; token: string }): Promise<void> {
  await createDb(options.pool)
    .delete(staffSessions)
    .where(eq(staffSessions.tokenHash, hashToken(options.token)));
}

/** How long a password-accepted session may wait for its TOTP code (or enrollment). */
export const pendingSessionMinutes = 15;

/**
 * A resolved session cookie. `pending` is the second step still due: such a session is not
 * signed in, and only the TOTP routes accept it.
 */
export interface StaffSession {
  user: StaffUser;
  pending: null | 'totp' | 'totp_enrollment';
}

/**
 * Resolves a session cookie to its user, ending sessions past their idle or absolute limit
 * (and pending ones past pendingSessionMinutes). last_seen_at is refreshed at most once a
 * minute so reads do not turn into writes.
 */
export async function findStaffSession(options: {
  pool: Pool;
  token: string;
  idleMinutes: number;
}): Promise<StaffSession | null> {
  const tokenHash = hashToken(options.token);
  const result = await options.pool.query<
    StaffUser & { stale: boolean; totp_pending: boolean; totp_enabled: boolean }
  >(
    `SELECT u.id, u.email, u.name, u.role,
            s.last_seen_at < now() - interval '1 minute' AS stale,
            s.totp_pending, u.totp_enabled_at IS NOT NULL AS totp_enabled
       FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_user_id
      WHERE s.token_hash = $1
        AND s.expires_at > now()
        AND s.last_seen_at > now() - make_interval(mins => $2)
        AND (NOT s.totp_pending OR s.created_at > now() - make_interval(mins => $3))
        AND u.disabled_at IS NULL`,
    [tokenHash, options.idleMinutes, pendingSessionMinutes],
  );
  const row = result.rows[0];
  if (!row) return null;
  if (row.stale) {
    await options.pool.query(
      'UPDATE staff_sessions SET last_seen_at = now() WHERE token_hash = $1',
      [tokenHash],
    );
  }
  return {
    user: { id: row.id, email: row.email, name: row.name, role: row.role },
    pending: !row.totp_pending ? null : row.totp_enabled ? 'totp' : 'totp_enrollment',
  };
}

/**
 * A staff user's sign-in attempts, newest first, a page at a time: at most `limit` rows,
 * `total` (every attempt kept for the user, on every page) and `nextCursor`, the keyset
 * cursor (attempt time and id) of the page after this one, null on the last page
 * (docs/decisions/0004-keyset-pagination.md). An unknown user is a 404; a cursor this list
 * did not give out is a 400 naming `cursor`.
 */
export async function listStaffLoginHistory(options: {
  pool: Pool;
  staffUserId: string;
  cursor?: string;
  limit: number;
}) {
  const db = createDb(options.pool);
  const [user] = await db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(eq(staffUsers.id, options.staffUserId));
  if (!user) throw AppError.notFound('Staff user');
  // A cursor belongs to one user's history.
  const scope = `staff-login-history:${options.staffUserId}`;
  const ofUser = eq(staffLoginAttempts.staffUserId, options.staffUserId);
  let keyset = sql`true`;
  if (options.cursor) {
    const [attemptedAt, id] = decodeCursor(scope, options.cursor, 'timestamptz', 'bigint');
    keyset = sql`(${staffLoginAttempts.attemptedAt}, ${staffLoginAttempts.id}) < (${attemptedAt}::timestamptz, ${id}::bigint)`;
  }
  const [rows, [counted]] = await Promise.all([
    db
      .select({
        ...getTableColumns(staffLoginAttempts),
        // As PostgreSQL prints it, so the cursor keeps the microseconds.
        sortKey: sql<string>`${staffLoginAttempts.attemptedAt}::text`,
      })
      .from(staffLoginAttempts)
      .where(and(ofUser, keyset))
      .orderBy(desc(staffLoginAttempts.attemptedAt), desc(staffLoginAttempts.id))
      .limit(options.limit + 1),
    db.select({ total: count() }).from(staffLoginAttempts).where(ofUser),
  ]);
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    attempts: page.map(({ sortKey: _sortKey, ...attempt }) => attempt),
    total: counted?.total ?? 0,
    nextCursor:
      rows.length > options.limit && last
        ? encodeCursor(scope, last.sortKey, String(last.id))
        : null,
  };
}
