import { and, eq, gt, like, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import { createDb, withTransaction, type Db, type Pool } from '../../platform/database.js';
import { verifyPassword } from '../../platform/passwords.js';
import { hashToken } from '../../platform/tokens.js';
import { recordAudit } from '../audit/audit.js';
import { getSecuritySettings } from '../settings/settings.service.js';
import { staffLoginAttempts, staffSessions, staffUsers } from './staff.schema.js';
import {
  finishSignInAttempt,
  openSignInAttempt,
  staffActor,
  staffUserColumns,
  type AttemptSource,
  type StaffUser,
} from './staff.service.js';
import { matchTotpCode, newTotpSecret, totpQrDataUrl, totpUri } from './totp.js';
import type { Actor } from '../audit/audit.js';

export const wrongTotpCodeMessage = 'The authentication code is incorrect';
const reusedTotpCodeMessage =
  'That authentication code was already used. Wait for your app to show the next one.';

/*
 * Replay protection without a column of its own: every accepted code is recorded in
 * staff_login_attempts with its time step at the end of the reason ("... (time step N)").
 * A code is only accepted for a step later than the last one used by that user, looked up in
 * the rows of the last few minutes (a code is never acceptable for more than 90 seconds).
 */
const stepSuffix = (step: number) => ` (time step ${step})`;
const stepPattern = /\(time step (\d+)\)$/;

async function lastUsedTotpStep(db: Db, staffUserId: string): Promise<number | null> {
  const rows = await db
    .select({ reason: staffLoginAttempts.reason })
    .from(staffLoginAttempts)
    .where(
      and(
        eq(staffLoginAttempts.staffUserId, staffUserId),
        eq(staffLoginAttempts.succeeded, true),
        gt(staffLoginAttempts.attemptedAt, sql`now() - interval '5 minutes'`),
        like(staffLoginAttempts.reason, '%(time step %)'),
      ),
    );
  const steps = rows
    .map((row) => stepPattern.exec(row.reason)?.[1])
    .filter((step): step is string => step !== undefined)
    .map(Number);
  return steps.length > 0 ? Math.max(...steps) : null;
}

type CodeCheck = { outcome: 'accepted'; step: number } | { outcome: 'wrong' | 'reused' };

/** Checks a code against the secret and the steps this user already used; call it in a transaction holding the user's row. */
async function checkCode(
  db: Db,
  staffUserId: string,
  secret: string,
  code: string,
): Promise<CodeCheck> {
  const step = await matchTotpCode(secret, code);
  if (step === null) return { outcome: 'wrong' };
  const lastUsed = await lastUsedTotpStep(db, staffUserId);
  if (lastUsed !== null && step <= lastUsed) return { outcome: 'reused' };
  return { outcome: 'accepted', step };
}

/** Locks the user's row for the rest of the transaction, so two codes are checked one after the other. */
async function lockUser(db: Db, staffUserId: string) {
  const [row] = await db
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      passwordHash: staffUsers.passwordHash,
      totpSecret: staffUsers.totpSecret,
      totpEnabledAt: staffUsers.totpEnabledAt,
    })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffUserId))
    .for('update');
  if (!row) throw new AppError('unauthenticated', 'Sign in to continue');
  return row;
}

/** Ends the pending state of one session; false when the session is gone (signed out meanwhile). */
async function completeSession(db: Db, token: string, staffUserId: string): Promise<boolean> {
  const updated = await db
    .update(staffSessions)
    .set({ totpPending: false })
    .where(
      and(
        eq(staffSessions.tokenHash, hashToken(token)),
        eq(staffSessions.staffUserId, staffUserId),
      ),
    )
    .returning({ tokenHash: staffSessions.tokenHash });
  return updated.length > 0;
}

/**
 * The second sign-in step: the TOTP code of a session whose password was right. A wrong code
 * is a failed sign-in attempt, under the same per-account limit as a wrong password.
 */
export async function verifySignInTotp(options: {
  pool: Pool;
  token: string;
  user: StaffUser;
  code: string;
  ip: string;
  userAgent: string;
  maxFailuresPerAccount: number;
  /** Failed attempts from one address in the window before it is refused. */
  maxFailuresPerAddress: number;
}): Promise<void> {
  const attempt: AttemptSource & { staffUserId: string } = {
    email: options.user.email,
    staffUserId: options.user.id,
    ip: options.ip,
    userAgent: options.userAgent,
  };
  const attemptId = await openSignInAttempt({
    pool: options.pool,
    attempt,
    maxFailuresPerAccount: options.maxFailuresPerAccount,
    maxFailuresPerAddress: options.maxFailuresPerAddress,
  });
  const outcome = await withTransaction(options.pool, async ({ db }) => {
    const gone = async () => {
      await finishSignInAttempt(db, attemptId, {
        succeeded: false,
        reason: 'no TOTP code due (signed out, or TOTP turned off)',
      });
      return 'gone' as const;
    };
    const user = await lockUser(db, options.user.id);
    if (!user.totpSecret || !user.totpEnabledAt) return gone();
    const check = await checkCode(db, user.id, user.totpSecret, options.code);
    if (check.outcome !== 'accepted') {
      await finishSignInAttempt(db, attemptId, {
        succeeded: false,
        reason: check.outcome === 'wrong' ? 'wrong TOTP code' : 'TOTP code already used',
      });
      return check.outcome;
    }
    if (!(await completeSession(db, options.token, user.id))) return gone();
    await finishSignInAttempt(db, attemptId, {
      succeeded: true,
      reason: `signed in with TOTP code${stepSuffix(check.step)}`,
    });
    return 'accepted' as const;
  });
  if (outcome === 'wrong') throw new AppError('unauthenticated', wrongTotpCodeMessage);
  if (outcome === 'reused') throw new AppError('unauthenticated', reusedTotpCodeMessage);
  if (outcome === 'gone') {
    throw new AppError('unauthenticated', 'Sign in with your email and password first');
  }
}

export interface TotpStatus {
  enabled: boolean;
  enabledAt: Date | null;
  /** The settings require TOTP of every staff user, so it cannot be turned off. */
  required: boolean;
}

export async function getTotpStatus(options: { pool: Pool; user: StaffUser }): Promise<TotpStatus> {
  const db = createDb(options.pool);
  const [row] = await db
    .select({ enabledAt: staffUsers.totpEnabledAt })
    .from(staffUsers)
    .where(eq(staffUsers.id, options.user.id));
  if (!row) throw new AppError('unauthenticated', 'Sign in to continue');
  const { requireStaffTotp } = await getSecuritySettings(db);
  return { enabled: row.enabledAt !== null, enabledAt: row.enabledAt, required: requireStaffTotp };
}

export interface TotpEnrollment {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

/**
 * Starts setting up TOTP for oneself: a new secret is stored (replacing one not yet confirmed)
 * but is not in force until a code from it is confirmed.
 */
export async function startTotpEnrollment(options: {
  pool: Pool;
  user: StaffUser;
}): Promise<TotpEnrollment> {
  const secret = newTotpSecret();
  await withTransaction(options.pool, async ({ db }) => {
    const user = await lockUser(db, options.user.id);
    if (user.totpEnabledAt) {
      throw new AppError(
        'conflict',
        'Two-factor sign-in is already on for your account. Turn it off first to set it up again.',
      );
    }
    await db.update(staffUsers).set({ totpSecret: secret }).where(eq(staffUsers.id, user.id));
    await recordAudit(db, staffActor(options.user), {
      organizationId: null,
      entityType: 'staff_user',
      entityId: user.id,
      entityLabel: user.email,
      action: 'staff_user.totp_enrollment_started',
    });
  });
  const otpauthUrl = totpUri(options.user.email, secret);
  return { secret, otpauthUrl, qrDataUrl: await totpQrDataUrl(otpauthUrl) };
}

/**
 * Turns TOTP on once a code from the new secret is given. For a session that had to set up
 * TOTP before it counted, this also completes the sign-in.
 */
export async function confirmTotpEnrollment(options: {
  pool: Pool;
  token: string;
  user: StaffUser;
  code: string;
  ip: string;
  userAgent: string;
}): Promise<void> {
  await withTransaction(options.pool, async ({ db }) => {
    const user = await lockUser(db, options.user.id);
    if (user.totpEnabledAt) {
      throw new AppError('conflict', 'Two-factor sign-in is already on for your account');
    }
    if (!user.totpSecret) {
      throw new AppError('conflict', 'Start setting up two-factor sign-in first');
    }
    const check = await checkCode(db, user.id, user.totpSecret, options.code);
    if (check.outcome !== 'accepted') {
      throw AppError.validation(
        'code',
        check.outcome === 'wrong'
          ? 'is not the current code from your authenticator app'
          : 'was already used; wait for the next one',
      );
    }
    await db
      .update(staffUsers)
      .set({ totpEnabledAt: sql`now()` })
      .where(eq(staffUsers.id, user.id));
    const wasPending = await db
      .update(staffSessions)
      .set({ totpPending: false })
      .where(
        and(
          eq(staffSessions.tokenHash, hashToken(options.token)),
          eq(staffSessions.staffUserId, user.id),
          eq(staffSessions.totpPending, true),
        ),
      )
      .returning({ tokenHash: staffSessions.tokenHash });
    await db.insert(staffLoginAttempts).values({
      email: user.email,
      staffUserId: user.id,
      ip: options.ip,
      userAgent: options.userAgent,
      succeeded: true,
      reason:
        (wasPending.length > 0 ? 'signed in after TOTP enrollment' : 'TOTP enrollment confirmed') +
        stepSuffix(check.step),
    });
    await recordAudit(db, staffActor(options.user), {
      organizationId: null,
      entityType: 'staff_user',
      entityId: user.id,
      entityLabel: user.email,
      action: 'staff_user.totp_enabled',
      before: { totpEnabled: false },
      after: { totpEnabled: true },
    });
  });
}

/**
 * Turns TOTP off for oneself, proven with a current code or the password; refused while the
 * settings require TOTP. A wrong proof is a failed sign-in attempt, so it cannot be guessed
 * from a stolen session without locking the account.
 */
export async function disableOwnTotp(options: {
  pool: Pool;
  user: StaffUser;
  proof: { code: string } | { password: string };
  ip: string;
  userAgent: string;
  maxFailuresPerAccount: number;
}): Promise<void> {
  if ((await getSecuritySettings(createDb(options.pool))).requireStaffTotp) {
    throw new AppError(
      'forbidden',
      'Two-factor sign-in is required for all staff: it cannot be turned off',
    );
  }
  const attempt = {
    email: options.user.email,
    staffUserId: options.user.id,
    ip: options.ip,
    userAgent: options.userAgent,
  };
  const attemptId = await openSignInAttempt({
    pool: options.pool,
    attempt,
    maxFailuresPerAccount: options.maxFailuresPerAccount,
  });
  const refused = await withTransaction(options.pool, async ({ db }) => {
    const user = await lockUser(db, options.user.id);
    if (!user.totpSecret || !user.totpEnabledAt) {
      await finishSignInAttempt(db, attemptId, {
        succeeded: false,
        reason: 'TOTP was not on (turning TOTP off)',
      });
      return 'not_on' as const;
    }
    let refusal: FieldRefusal | null = null;
    if ('code' in options.proof) {
      const check = await checkCode(db, user.id, user.totpSecret, options.proof.code);
      if (check.outcome !== 'accepted') {
        refusal = {
          field: 'code',
          message:
            check.outcome === 'wrong'
              ? 'is not the current code from your authenticator app'
              : 'was already used; wait for the next one',
          reason: check.outcome === 'wrong' ? 'wrong TOTP code' : 'TOTP code already used',
        };
      }
    } else if (!(await verifyPassword(user.passwordHash, options.proof.password))) {
      refusal = { field: 'password', message: 'is incorrect', reason: 'wrong password' };
    }
    if (refusal) {
      await finishSignInAttempt(db, attemptId, {
        succeeded: false,
        reason: `${refusal.reason} (turning TOTP off)`,
      });
      return refusal;
    }
    await finishSignInAttempt(db, attemptId, {
      succeeded: true,
      reason: `TOTP turned off, proved with ${'code' in options.proof ? 'a code' : 'the password'}`,
    });
    await db
      .update(staffUsers)
      .set({ totpSecret: null, totpEnabledAt: null })
      .where(eq(staffUsers.id, user.id));
    await recordAudit(db, staffActor(options.user), {
      organizationId: null,
      entityType: 'staff_user',
      entityId: user.id,
      entityLabel: user.email,
      action: 'staff_user.totp_disabled',
      before: { totpEnabled: true },
      after: { totpEnabled: false, provedWith: 'code' in options.proof ? 'code' : 'password' },
    });
    return null;
  });
  if (refused === 'not_on') {
    throw new AppError('conflict', 'Two-factor sign-in is not on for your account');
  }
  if (refused) throw AppError.validation(refused.field, refused.message);
}

interface FieldRefusal {
  field: 'code' | 'password';
  message: string;
  reason: string;
}

/**
 * A Master Admin turns a staff user's TOTP off (a lost phone): the secret is cleared and the
 * user's sessions end. If the settings require TOTP, they set it up again at next sign-in.
 */
export async function resetStaffTotp(options: { pool: Pool; actor: Actor; staffUserId: string }) {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select({
        email: staffUsers.email,
        totpSecret: staffUsers.totpSecret,
        totpEnabledAt: staffUsers.totpEnabledAt,
      })
      .from(staffUsers)
      .where(eq(staffUsers.id, options.staffUserId))
      .for('update');
    if (!before) throw AppError.notFound('Staff user');
    const [after] = await db
      .update(staffUsers)
      .set({ totpSecret: null, totpEnabledAt: null })
      .where(eq(staffUsers.id, options.staffUserId))
      .returning(staffUserColumns);
    await db.delete(staffSessions).where(eq(staffSessions.staffUserId, options.staffUserId));
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'staff_user',
      entityId: options.staffUserId,
      entityLabel: before.email,
      action: 'staff_user.totp_reset',
      before: { totpEnabled: before.totpEnabledAt !== null },
      after: { totpEnabled: false, sessionsEnded: true },
    });
    return after!;
  });
}
