import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { idParam, pageLimit } from '../../platform/http/validation.js';
import { errorResponses, noContent } from '../../platform/http/responses.js';
import { viewPortalAnswer } from '../../shared/contract/contacts.js';
import { minimumPasswordLength } from '../../platform/passwords.js';
import { businessToday, businessTodayFor } from '../settings/business-date.js';
import { getBrand } from '../settings/settings.service.js';
import {
  actorOf,
  requireStaff,
  staffCookieOptions,
  staffSessionCookie,
} from '../staff/staff-auth.js';
import {
  portalInvoice,
  portalOpenInvoices,
  portalPaidInvoices,
} from '../invoices/portal-invoices.js';
import {
  portalInvoiceDetail,
  portalOpenInvoicesPage,
  portalPaidInvoicesPage,
} from '../../shared/contract/portal-invoices.js';
import {
  changePasswordBody,
  contactLoginHistoryPage,
  newPasswordBody,
  passwordResetRequestBody,
  passwordSetBody,
  portalSignInBody,
  portalSessionBody,
  portalSessionWithToken,
  organizationIdBody,
} from '../../shared/contract/portal.js';
import { portalScope, portalSessionCookie, requirePortal } from './portal-auth.js';
import { requestPasswordReset } from './password-reset-request.js';
import {
  findPortalSession,
  openViewAsSession,
  portalOrganizations,
  signOutContact,
  type PortalSession,
} from './portal-sessions.js';
import { contactLoginHistory, signInContact } from './portal-sign-in.js';
import {
  changeContactPassword,
  setPasswordWithToken,
  setTemporaryPassword,
} from './portal-passwords.js';
import { switchOrganization } from './portal-company-switch.js';

/** A page of a portal list: keyset cursor (none for the first page) and size. */
const portalPageQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: pageLimit,
});

export function portalRoutes(context: AppContext): FastifyPluginAsyncZod {
  const setCookie = (reply: FastifyReply, token: string, hours: number) =>
    reply.setCookie(portalSessionCookie, token, { ...staffCookieOptions, maxAge: hours * 3600 });

  const loadSession = (token: string) =>
    findPortalSession({
      pool: context.pool,
      token,
      idleMinutes: context.config.PORTAL_SESSION_IDLE_MINUTES,
      staffIdleMinutes: context.config.SESSION_IDLE_MINUTES,
    });

  async function sessionBody(session: PortalSession | null) {
    const {
      portalUrl: _portalUrl,
      dateFormat,
      timeZone,
      ...branding
    } = await getBrand(createDb(context.pool), context.config);
    // How the portal writes dates, and the business date it is: never the browser's.
    const dates = {
      dateFormat,
      timeZone,
      today: businessToday({ timeZone }, currentTime(context)),
    };
    if (!session)
      return { branding, dates, contact: null, organizations: [], current: null, viewer: null };
    return {
      branding,
      dates,
      contact: session.contact,
      organizations: await portalOrganizations({
        pool: context.pool,
        contactId: session.contact.id,
      }),
      current: {
        organizationId: session.organizationId,
        organizationName: session.organizationName,
        profileName: session.profileName,
        permissions: session.permissions,
      },
      viewer: session.viewer ? { staffName: session.viewer.staffName } : null,
    };
  }

  return async (app) => {
    app.get(
      '/api/portal/session',
      {
        config: { access: 'public' },
        schema: { response: { 200: portalSessionWithToken, ...errorResponses } },
      },
      async (request, reply) => ({
        csrfToken: reply.csrfToken(),
        ...(await sessionBody(request.portalSession)),
      }),
    );

    app.post(
      '/api/portal/sign-in',
      {
        config: { access: 'public' },
        // The per-address limit counts failed attempts only (signInContact).
        schema: {
          body: portalSignInBody,
          response: { 200: portalSessionBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { token } = await signInContact({
          pool: context.pool,
          email: request.body.email,
          password: request.body.password,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
          maxFailuresPerAccount: context.config.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
          maxFailuresPerAddress: context.config.SIGN_IN_MAX_ATTEMPTS_PER_IP,
          absoluteHours: context.config.PORTAL_SESSION_ABSOLUTE_HOURS,
        });
        setCookie(reply, token, context.config.PORTAL_SESSION_ABSOLUTE_HOURS);
        return sessionBody(await loadSession(token));
      },
    );

    app.post(
      '/api/portal/sign-out',
      {
        config: { access: 'public' },
        schema: {
          response: { 200: z.object({ signedOut: z.literal(true) }), ...errorResponses },
        },
      },
      async (request, reply) => {
        if (request.portalSession)
          await signOutContact({ pool: context.pool, tokenHash: request.portalSession.tokenHash });
        reply.clearCookie(portalSessionCookie, staffCookieOptions);
        return { signedOut: true as const };
      },
    );

    app.post(
      '/api/portal/switch-organization',
      {
        onRequest: requirePortal(undefined, { whileViewing: true }),
        schema: {
          body: organizationIdBody,
          response: { 200: portalSessionBody, ...errorResponses },
        },
      },
      async (request) => {
        await switchOrganization({
          pool: context.pool,
          session: request.portalSession!,
          organizationId: request.body.organizationId,
        });
        return sessionBody(await loadSession(request.cookies[portalSessionCookie]!));
      },
    );

    const newPasswordSchema = {
      body: newPasswordBody,
      response: { 200: passwordSetBody, ...errorResponses },
    };
    app.post(
      '/api/portal/set-password',
      { config: { access: 'public' }, schema: newPasswordSchema },
      async (request) =>
        setPasswordWithToken({ pool: context.pool, purpose: 'set_password', ...request.body }),
    );

    app.post(
      '/api/portal/reset-password',
      { config: { access: 'public' }, schema: newPasswordSchema },
      async (request) =>
        setPasswordWithToken({ pool: context.pool, purpose: 'reset_password', ...request.body }),
    );

    app.post(
      '/api/portal/request-password-reset',
      {
        config: { access: 'public', rateLimit: { max: 5, timeWindow: '15 minutes' } },
        schema: {
          body: passwordResetRequestBody,
          response: { 202: z.object({ message: z.string() }), ...errorResponses },
        },
      },
      async (request, reply) => {
        await requestPasswordReset({ jobs: context.jobs, email: request.body.email });
        // The same answer, after the same work, whether or not the address has an account.
        return reply.status(202).send({
          message: 'If that address has a portal account, a reset link is on its way.',
        });
      },
    );

    app.post(
      '/api/portal/change-password',
      {
        onRequest: requirePortal(undefined, { duringPasswordChange: true }),
        schema: {
          body: changePasswordBody,
          response: { 200: z.object({ changed: z.literal(true) }), ...errorResponses },
        },
      },
      async (request) => {
        await changeContactPassword({
          pool: context.pool,
          session: request.portalSession!,
          ...request.body,
        });
        return { changed: true as const };
      },
    );

    app.get(
      '/api/portal/invoices',
      {
        onRequest: requirePortal('view_invoices'),
        schema: {
          querystring: portalPageQuery,
          response: { 200: portalOpenInvoicesPage, ...errorResponses },
        },
      },
      async (request) =>
        portalOpenInvoices({
          pool: context.pool,
          ...portalScope(request),
          ...request.query,
          today: await businessTodayFor(context),
        }),
    );

    app.get(
      '/api/portal/invoice-history',
      {
        onRequest: requirePortal('view_invoices'),
        schema: {
          querystring: portalPageQuery,
          response: { 200: portalPaidInvoicesPage, ...errorResponses },
        },
      },
      async (request) =>
        portalPaidInvoices({ pool: context.pool, ...portalScope(request), ...request.query }),
    );

    app.get(
      '/api/portal/invoices/:id',
      {
        onRequest: requirePortal('view_invoices'),
        schema: {
          params: idParam,
          response: { 200: z.object({ invoice: portalInvoiceDetail }), ...errorResponses },
        },
      },
      async (request) => ({
        invoice: await portalInvoice({
          pool: context.pool,
          ...portalScope(request),
          invoiceId: request.params.id,
          today: await businessTodayFor(context),
        }),
      }),
    );

    // Staff side: the contact's login history, a temporary password, and "view portal as".
    app.get(
      '/api/contacts/:id/login-history',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          querystring: z.object({ cursor: z.string().max(500).optional(), limit: pageLimit }),
          response: { 200: contactLoginHistoryPage, ...errorResponses },
        },
      },
      async (request) =>
        contactLoginHistory({
          pool: context.pool,
          contactId: request.params.id,
          cursor: request.query.cursor || undefined,
          limit: request.query.limit,
        }),
    );

    app.post(
      '/api/contacts/:id/temporary-password',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: z.object({
            password: z
              .string()
              .min(minimumPasswordLength, `must be at least ${minimumPasswordLength} characters`)
              .max(200, 'must be at most 200 characters'),
          }),
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await setTemporaryPassword({
          pool: context.pool,
          actor: actorOf(request),
          contactId: request.params.id,
          password: request.body.password,
        });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/contacts/:id/view-portal',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          body: organizationIdBody,
          response: { 200: viewPortalAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const token = await openViewAsSession({
          pool: context.pool,
          actor: { ...actor, id: request.staffUser!.id },
          staffSessionToken: request.cookies[staffSessionCookie]!,
          contactId: request.params.id,
          organizationId: request.body.organizationId,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
        });
        setCookie(reply, token, 1);
        return { url: '/portal' };
      },
    );
  };
}
