import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses } from '../../platform/http/responses.js';
import {
  autopayPreview,
  autopayPreviewQuery,
  portalAutopay,
  portalAutopayBody,
  staffAutopay,
  staffAutopayBody,
} from '../../shared/contract/autopay.js';
import type { Actor } from '../audit/audit.js';
import { businessTodayFor } from '../settings/business-date.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import {
  getPortalAutopay,
  getStaffAutopay,
  previewAutopay,
  savePortalAutopay,
  saveStaffAutopay,
} from './autopay.service.js';

/**
 * AutoPay: the portal's Configuration > AutoPay (permission manage_autopay: read, save, preview)
 * and staff's organization page (reads 'read'; changes, locks, required and the client's
 * authorization 'manage_clients', the capability billing staff have). A save answers the
 * AutoPay as it now is.
 */
export function autopayRoutes(context: AppContext): FastifyPluginAsyncZod {
  function portalActor(request: FastifyRequest): Actor {
    const session = request.portalSession!;
    return { kind: 'contact', id: session.contact.id, label: `${session.contact.name} (portal)` };
  }

  return async (app) => {
    // ---- Portal -------------------------------------------------------------------------------

    app.get(
      '/api/portal/autopay',
      {
        onRequest: requirePortal('manage_autopay'),
        schema: { response: { 200: portalAutopay, ...errorResponses } },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        // Staff viewing the portal see it read-only.
        const canChange = !request.portalSession!.viewer;
        return getPortalAutopay(context.pool, { organizationId, canChange });
      },
    );

    app.put(
      '/api/portal/autopay',
      {
        onRequest: requirePortal('manage_autopay'),
        schema: { body: portalAutopayBody, response: { 200: portalAutopay, ...errorResponses } },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        await savePortalAutopay(context, {
          actor: portalActor(request),
          organizationId,
          input: request.body,
        });
        return getPortalAutopay(context.pool, { organizationId, canChange: true });
      },
    );

    app.get(
      '/api/portal/autopay/preview',
      {
        onRequest: requirePortal('manage_autopay'),
        schema: {
          querystring: autopayPreviewQuery,
          response: { 200: autopayPreview, ...errorResponses },
        },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        return previewAutopay(context.pool, {
          organizationId,
          today: await businessTodayFor(context),
          ...request.query,
        });
      },
    );

    // ---- Staff: the organization page -----------------------------------------------------------

    app.get(
      '/api/organizations/:id/autopay',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, response: { 200: staffAutopay, ...errorResponses } },
      },
      async (request) => getStaffAutopay(context.pool, { organizationId: request.params.id }),
    );

    app.put(
      '/api/organizations/:id/autopay',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: staffAutopayBody,
          response: { 200: staffAutopay, ...errorResponses },
        },
      },
      async (request) => {
        await saveStaffAutopay(context, {
          actor: actorOf(request),
          organizationId: request.params.id,
          input: request.body,
        });
        return getStaffAutopay(context.pool, { organizationId: request.params.id });
      },
    );

    app.get(
      '/api/organizations/:id/autopay/preview',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          querystring: autopayPreviewQuery,
          response: { 200: autopayPreview, ...errorResponses },
        },
      },
      async (request) =>
        previewAutopay(context.pool, {
          organizationId: request.params.id,
          today: await businessTodayFor(context),
          ...request.query,
        }),
    );
  };
}
