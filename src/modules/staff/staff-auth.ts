import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import type { AppContext } from '../../platform/context.js';
import { roleCan, type StaffCapability } from './staff-roles.js';
import { findStaffSession, staffActor, type StaffUser } from './staff.service.js';
import type { Actor } from '../audit/audit.js';

export const staffSessionCookie = 'portico_staff';

declare module 'fastify' {
  interface FastifyRequest {
    staffUser: StaffUser | null;
  }
}

export const staffCookieOptions = {
  path: '/',
  httpOnly: true,
  sameSite: 'lax',
  // Secure whenever the request came over HTTPS (directly or, with TRUST_PROXY, via a proxy).
  secure: 'auto',
} as const;

/** Resolves the staff session cookie, once per request, before any handler runs. */
export function staffSessionHook(context: AppContext) {
  return async (request: FastifyRequest) => {
    request.staffUser = null;
    const token = request.cookies[staffSessionCookie];
    if (!token || !request.url.startsWith('/api/')) return;
    request.staffUser = await findStaffSession({
      pool: context.pool,
      token,
      idleMinutes: context.config.SESSION_IDLE_MINUTES,
    });
  };
}

/**
 * A route guard: a signed-in staff user whose role allows the capability. Use it as the
 * route's onRequest hook, so callers without the right are refused before their input is
 * parsed and validated (a validation error would tell them about the route and its data).
 */
export function requireStaff(capability: StaffCapability = 'read') {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const user = request.staffUser;
    if (!user) throw new AppError('unauthenticated', 'Sign in to continue');
    if (!roleCan(user.role, capability)) {
      throw new AppError('forbidden', 'Your role does not allow this action');
    }
  };
}

/** The signed-in staff user as an audit actor; only call behind requireStaff. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.staffUser) throw new AppError('unauthenticated', 'Sign in to continue');
  return staffActor(request.staffUser);
}
