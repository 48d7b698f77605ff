import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import { guardWithAccess } from '../../platform/http/route-access.js';
import type { AppContext } from '../../platform/context.js';
import { roleCan, type StaffCapability } from './staff-roles.js';
import {
  findStaffSession,
  staffActor,
  type StaffSession,
  type StaffUser,
} from './staff.service.js';
import type { Actor } from '../audit/audit.js';

export const staffSessionCookie = 'portico_staff';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff user; null for a session whose TOTP step is still due. */
    staffUser: StaffUser | null;
    /** A session whose password was right but whose TOTP code (or enrollment) is still due. */
    pendingStaffSession: PendingStaffSession | null;
  }
}

export const staffCookieOptions = {
  path: '/',
  httpOnly: true,
  sameSite: 'lax',
  // Secure whenever the request came over HTTPS (directly or, with TRUST_PROXY, via a proxy).
  secure: 'auto',
} as const;

export type PendingStaffSession = StaffSession & { pending: 'totp' | 'totp_enrollment' };

/**
 * Resolves the staff session cookie, once per request, before any handler runs. A pending
 * session leaves staffUser null, so every route guarded by requireStaff answers 401 to it.
 */
export function staffSessionHook(context: AppContext) {
  return async (request: FastifyRequest) => {
    request.staffUser = null;
    request.pendingStaffSession = null;
    const token = request.cookies[staffSessionCookie];
    // Portal routes never act for staff: a browser with both cookies costs no staff lookup there.
    // Decided on the route reached, not the raw URL (which may be percent-encoded or absolute).
    const route = request.routeOptions.url;
    if (!token || !route?.startsWith('/api/') || route.startsWith('/api/portal/')) return;
    const session = await findStaffSession({
      pool: context.pool,
      token,
      idleMinutes: context.config.SESSION_IDLE_MINUTES,
    });
    if (!session) return;
    if (session.pending === null) request.staffUser = session.user;
    else request.pendingStaffSession = { user: session.user, pending: session.pending };
  };
}

/**
 * A route guard: a signed-in staff user whose role allows the capability. Use it as the
 * route's onRequest hook, so callers without the right are refused before their input is
 * parsed and validated (a validation error would tell them about the route and its data).
 */
export function requireStaff(capability: StaffCapability = 'read') {
  return guardWithAccess(
    async (request: FastifyRequest, _reply: FastifyReply) => {
      const user = request.staffUser;
      if (!user) throw new AppError('unauthenticated', 'Sign in to continue');
      if (!roleCan(user.role, capability)) {
        throw new AppError('forbidden', 'Your role does not allow this action');
      }
    },
    { audience: 'staff', capability },
  );
}

/** A route guard: a session whose password was right and whose TOTP code is due. */
export function requirePendingTotp() {
  return guardWithAccess(
    async (request: FastifyRequest, _reply: FastifyReply) => {
      if (request.pendingStaffSession?.pending !== 'totp') {
        throw new AppError('unauthenticated', 'Sign in with your email and password first');
      }
    },
    { audience: 'staff_pending', step: 'totp' },
  );
}

/**
 * A route guard for setting up TOTP: a signed-in staff user, or a session whose password was
 * right and that must set up TOTP before it counts (the settings require it).
 */
export function requireStaffOrPendingEnrollment() {
  return guardWithAccess(
    async (request: FastifyRequest, _reply: FastifyReply) => {
      if (request.staffUser || request.pendingStaffSession?.pending === 'totp_enrollment') return;
      throw new AppError('unauthenticated', 'Sign in to continue');
    },
    // Every role has 'read': any signed-in staff user.
    { audience: 'staff', capability: 'read', orPendingStep: 'totp_enrollment' },
  );
}

/** The user setting up TOTP; only call behind requireStaffOrPendingEnrollment. */
export function enrollingUserOf(request: FastifyRequest): StaffUser {
  const user = request.staffUser ?? request.pendingStaffSession?.user;
  if (!user) throw new AppError('unauthenticated', 'Sign in to continue');
  return user;
}

/** The signed-in staff user as an audit actor; only call behind requireStaff. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.staffUser) throw new AppError('unauthenticated', 'Sign in to continue');
  return staffActor(request.staffUser);
}
