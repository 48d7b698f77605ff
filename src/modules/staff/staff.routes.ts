import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { errorResponses } from '../../platform/http/responses.js';
import { idParam, pageLimit } from '../../platform/http/validation.js';
import {
  createdStaffUserBody,
  csrfBody,
  newStaffUserRequest,
  signedOutBody,
  signInBody,
  signInRequest,
  staffLoginHistoryPage,
  staffSessionBody,
  staffUserBody,
  staffUserChangesRequest,
  staffUserListBody,
} from '../../shared/contract/staff.js';
import { getDateSettings } from '../settings/settings.service.js';
import { actorOf, requireStaff, staffCookieOptions, staffSessionCookie } from './staff-auth.js';
import { capabilitiesOf } from './staff-roles.js';
import { staffTotpRoutes } from './staff-totp.routes.js';
import {
  createStaffUser,
  listStaffLoginHistory,
  listStaffUsers,
  signInStaff,
  signOutStaff,
  updateStaffUser,
} from './staff.service.js';

export function staffRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/auth/csrf',
      { config: { access: 'public' }, schema: { response: { 200: csrfBody, ...errorResponses } } },
      async (_request, reply) => ({ csrfToken: reply.csrfToken() }),
    );

    app.get(
      '/api/auth/session',
      {
        config: { access: 'public' },
        schema: { response: { 200: staffSessionBody, ...errorResponses } },
      },
      async (request, reply) => {
        const user = request.staffUser;
        const pending = request.pendingStaffSession?.pending;
        return {
          user: user ? { ...user, capabilities: capabilitiesOf(user.role) } : null,
          // How the console writes dates, and the business date it is: never the browser's.
          dates: await getDateSettings(createDb(context.pool), currentTime(context)),
          // Password accepted, second step due: say which, and nothing about the user.
          ...(pending === 'totp' ? { totpRequired: true as const } : {}),
          ...(pending === 'totp_enrollment' ? { totpEnrollmentRequired: true as const } : {}),
          csrfToken: reply.csrfToken(),
        };
      },
    );

    app.post(
      '/api/auth/sign-in',
      {
        config: { access: 'public' },
        // The per-address limit counts failed attempts only (signInStaff): a request-counting
        // limit would lock out an office whose staff all sign in from one address.
        schema: {
          body: signInRequest,
          response: { 200: signInBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const result = await signInStaff({
          pool: context.pool,
          email: request.body.email,
          password: request.body.password,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
          maxFailuresPerAccount: context.config.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
          maxFailuresPerAddress: context.config.SIGN_IN_MAX_ATTEMPTS_PER_IP,
          absoluteHours: context.config.SESSION_ABSOLUTE_HOURS,
        });
        reply.setCookie(staffSessionCookie, result.token, {
          ...staffCookieOptions,
          maxAge: context.config.SESSION_ABSOLUTE_HOURS * 3600,
        });
        // A pending session says only which step is due: no user data before the second factor.
        if (result.next !== 'signed_in') {
          return result.next === 'totp'
            ? { totpRequired: true as const }
            : { totpEnrollmentRequired: true as const };
        }
        return { user: { ...result.user, capabilities: capabilitiesOf(result.user.role) } };
      },
    );

    app.post(
      '/api/auth/sign-out',
      {
        config: { access: 'public' },
        schema: { response: { 200: signedOutBody, ...errorResponses } },
      },
      async (request, reply) => {
        const token = request.cookies[staffSessionCookie];
        if (token) await signOutStaff({ pool: context.pool, token });
        reply.clearCookie(staffSessionCookie, staffCookieOptions);
        return { signedOut: true as const };
      },
    );

    app.get(
      '/api/staff-users',
      {
        onRequest: requireStaff('manage_staff'),
        schema: { response: { 200: staffUserListBody, ...errorResponses } },
      },
      async () => ({ staffUsers: await listStaffUsers({ pool: context.pool }) }),
    );

    app.post(
      '/api/staff-users',
      {
        onRequest: requireStaff('manage_staff'),
        schema: {
          body: newStaffUserRequest,
          response: { 201: createdStaffUserBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const user = await createStaffUser({
          pool: context.pool,
          actor: actorOf(request),
          ...request.body,
        });
        return reply.status(201).send({ staffUser: user });
      },
    );

    app.patch(
      '/api/staff-users/:id',
      {
        onRequest: requireStaff('manage_staff'),
        schema: {
          params: idParam,
          body: staffUserChangesRequest,
          response: { 200: staffUserBody, ...errorResponses },
        },
      },
      async (request) => ({
        staffUser: await updateStaffUser({
          pool: context.pool,
          actor: actorOf(request),
          staffUserId: request.params.id,
          changes: request.body,
        }),
      }),
    );

    app.get(
      '/api/staff-users/:id/login-history',
      {
        onRequest: requireStaff('manage_staff'),
        schema: {
          params: idParam,
          querystring: z.object({ cursor: z.string().max(500).optional(), limit: pageLimit }),
          response: { 200: staffLoginHistoryPage, ...errorResponses },
        },
      },
      async (request) =>
        listStaffLoginHistory({
          pool: context.pool,
          staffUserId: request.params.id,
          cursor: request.query.cursor || undefined,
          limit: request.query.limit,
        }),
    );

    await app.register(staffTotpRoutes(context));
  };
}
