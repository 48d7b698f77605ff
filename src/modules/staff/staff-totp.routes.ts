import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http/responses.js';
import { idParam } from '../../platform/http/validation.js';
import {
  disableTotpRequest,
  signedInBody,
  staffUserBody,
  totpCodeRequest,
  totpDisabledBody,
  totpEnrollmentBody,
  totpStatusBody,
} from '../../shared/contract/staff.js';
import {
  actorOf,
  enrollingUserOf,
  requirePendingTotp,
  requireStaff,
  requireStaffOrPendingEnrollment,
  staffSessionCookie,
} from './staff-auth.js';
import { capabilitiesOf } from './staff-roles.js';
import {
  confirmTotpEnrollment,
  disableOwnTotp,
  getTotpStatus,
  resetStaffTotp,
  startTotpEnrollment,
  verifySignInTotp,
} from './staff-totp.service.js';
import type { StaffUser } from './staff.service.js';

function sessionToken(request: FastifyRequest): string {
  const token = request.cookies[staffSessionCookie];
  if (!token) throw new AppError('unauthenticated', 'Sign in to continue');
  return token;
}

const sessionUser = (user: StaffUser) => ({ ...user, capabilities: capabilitiesOf(user.role) });

export function staffTotpRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/auth/sign-in/totp',
      {
        onRequest: requirePendingTotp(),
        // Wrong codes count against the per-address limit (verifySignInTotp), right ones do not.
        schema: {
          body: totpCodeRequest,
          response: { 200: signedInBody, ...errorResponses },
        },
      },
      async (request) => {
        const user = request.pendingStaffSession!.user;
        await verifySignInTotp({
          pool: context.pool,
          token: sessionToken(request),
          user,
          code: request.body.code,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
          maxFailuresPerAccount: context.config.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
          maxFailuresPerAddress: context.config.SIGN_IN_MAX_ATTEMPTS_PER_IP,
        });
        return { user: sessionUser(user) };
      },
    );

    app.get(
      '/api/auth/totp',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: totpStatusBody, ...errorResponses } },
      },
      async (request) => ({
        totp: await getTotpStatus({ pool: context.pool, user: request.staffUser! }),
      }),
    );

    app.post(
      '/api/auth/totp/enroll',
      {
        onRequest: requireStaffOrPendingEnrollment(),
        schema: { response: { 200: totpEnrollmentBody, ...errorResponses } },
      },
      async (request) =>
        startTotpEnrollment({ pool: context.pool, user: enrollingUserOf(request) }),
    );

    app.post(
      '/api/auth/totp/confirm',
      {
        onRequest: requireStaffOrPendingEnrollment(),
        schema: {
          body: totpCodeRequest,
          response: { 200: signedInBody, ...errorResponses },
        },
      },
      async (request) => {
        const user = enrollingUserOf(request);
        await confirmTotpEnrollment({
          pool: context.pool,
          token: sessionToken(request),
          user,
          code: request.body.code,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
        });
        return { user: sessionUser(user) };
      },
    );

    app.delete(
      '/api/auth/totp',
      {
        onRequest: requireStaff('read'),
        schema: {
          body: disableTotpRequest,
          response: { 200: totpDisabledBody, ...errorResponses },
        },
      },
      async (request) => {
        const { code, password } = request.body;
        await disableOwnTotp({
          pool: context.pool,
          user: request.staffUser!,
          proof: code !== undefined ? { code } : { password: password ?? '' },
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
          maxFailuresPerAccount: context.config.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
        });
        return { totpEnabled: false as const };
      },
    );

    app.post(
      '/api/staff-users/:id/reset-totp',
      {
        onRequest: requireStaff('manage_staff'),
        schema: { params: idParam, response: { 200: staffUserBody, ...errorResponses } },
      },
      async (request) => ({
        staffUser: await resetStaffTotp({
          pool: context.pool,
          actor: actorOf(request),
          staffUserId: request.params.id,
        }),
      }),
    );
  };
}
