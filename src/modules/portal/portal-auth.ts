import type { FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import { guardWithAccess } from '../../platform/http/route-access.js';
import type { AppContext } from '../../platform/context.js';
import type { PortalPermission } from '../access-profiles/access-profiles.schema.js';
import { findPortalSession, type PortalSession } from './portal-sessions.js';

export const portalSessionCookie = 'portico_portal';

declare module 'fastify' {
  interface FastifyRequest {
    portalSession: PortalSession | null;
  }
}

/** Resolves the portal cookie on portal API requests; staff and portal sessions never mix. */
export function portalSessionHook(context: AppContext) {
  return async (request: FastifyRequest) => {
    request.portalSession = null;
    const token = request.cookies[portalSessionCookie];
    // Decided on the route reached, not the raw URL (which may be percent-encoded or absolute).
    if (!token || !request.routeOptions.url?.startsWith('/api/portal/')) return;
    request.portalSession = await findPortalSession({
      pool: context.pool,
      token,
      idleMinutes: context.config.PORTAL_SESSION_IDLE_MINUTES,
      staffIdleMinutes: context.config.SESSION_IDLE_MINUTES,
    });
  };
}

interface PortalGuardOptions {
  /** Allowed before a temporary password is changed (change-password, sign-out, session). */
  duringPasswordChange?: boolean;
  /** Allowed in staff's read-only "view as" session although it is not a GET. */
  whileViewing?: boolean;
}

/**
 * A portal route guard: a signed-in contact whose profile, in the organization they act for,
 * has the permission. Checked on the server for every call; the navigation only mirrors it.
 */
export function requirePortal(permission?: PortalPermission, options: PortalGuardOptions = {}) {
  return guardWithAccess(
    async (request: FastifyRequest) => {
      const session = request.portalSession;
      if (!session) throw new AppError('unauthenticated', 'Sign in to the portal to continue');
      // Staff viewing the portal see it as it is, temporary password or not.
      if (session.contact.mustChangePassword && !session.viewer && !options.duringPasswordChange) {
        throw new AppError('password_change_required', 'Choose a new password to continue');
      }
      if (session.viewer && request.method !== 'GET' && !options.whileViewing) {
        throw new AppError('forbidden', 'This is a read-only view of the portal');
      }
      if (permission && !session.permissions.includes(permission)) {
        throw new AppError('forbidden', 'Your access level does not include this page');
      }
    },
    {
      audience: 'portal',
      permission: permission ?? null,
      duringPasswordChange: options.duringPasswordChange ?? false,
      whileViewing: options.whileViewing ?? false,
    },
  );
}

/**
 * The scope every portal query takes: the contact and the one organization they act for.
 * Portal data access goes through this, so a query cannot forget the organization.
 */
export function portalScope(request: FastifyRequest): {
  contactId: string;
  organizationId: string;
} {
  const session = request.portalSession;
  if (!session) throw new AppError('unauthenticated', 'Sign in to the portal to continue');
  return { contactId: session.contact.id, organizationId: session.organizationId };
}
