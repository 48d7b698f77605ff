import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { idParam, pageLimit } from '../../platform/http/validation.js';
import { errorResponses } from '../../platform/http/responses.js';
import {
  newOrganizationRequest,
  organizationAuditPage,
  organizationChangesRequest,
  organizationDetail,
  organizationListPage,
  organizationListQuery,
  organizationNotesAnswer,
  organizationNotesRequest,
  organizationRecord,
} from '../../shared/contract/organizations.js';
import { listOrganizationAudit } from '../audit/audit.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { listOrganizations } from './organization-list.js';
import {
  assertOrganizationExists,
  createOrganization,
  getOrganization,
  type OrganizationContacts,
  setOrganizationArchived,
  updateOrganization,
  updateOrganizationNotes,
} from './organizations.service.js';

/**
 * The organization routes. `deps.organizationContacts` is the contacts module's summary of an
 * organization's contacts, passed in by the composition root (src/app.ts).
 */
export function organizationRoutes(
  context: AppContext,
  deps: { organizationContacts: OrganizationContacts },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/organizations',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: organizationListQuery,
          response: { 200: organizationListPage, ...errorResponses },
        },
      },
      async (request) =>
        listOrganizations({
          pool: context.pool,
          search: request.query.q || undefined,
          sort: request.query.sort,
          direction: request.query.direction,
          status: request.query.status,
          cursor: request.query.cursor,
          limit: request.query.limit,
        }),
    );

    app.post(
      '/api/organizations',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          body: newOrganizationRequest,
          response: { 201: z.object({ organization: organizationRecord }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const organization = await createOrganization({
          pool: context.pool,
          actor: actorOf(request),
          fields: request.body,
        });
        return reply.status(201).send({ organization });
      },
    );

    app.get(
      '/api/organizations/:id',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          response: { 200: z.object({ organization: organizationDetail }), ...errorResponses },
        },
      },
      async (request) => ({
        organization: await getOrganization({
          pool: context.pool,
          organizationId: request.params.id,
          organizationContacts: deps.organizationContacts,
        }),
      }),
    );

    app.patch(
      '/api/organizations/:id',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: organizationChangesRequest,
          response: { 200: z.object({ organization: organizationRecord }), ...errorResponses },
        },
      },
      async (request) => ({
        organization: await updateOrganization({
          pool: context.pool,
          actor: actorOf(request),
          organizationId: request.params.id,
          changes: request.body,
        }),
      }),
    );

    app.put(
      '/api/organizations/:id/notes',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: organizationNotesRequest,
          response: { 200: organizationNotesAnswer, ...errorResponses },
        },
      },
      async (request) =>
        updateOrganizationNotes({
          pool: context.pool,
          actor: actorOf(request),
          organizationId: request.params.id,
          notes: request.body.notes,
        }),
    );

    for (const [path, archived] of [
      ['archive', true],
      ['restore', false],
    ] as const) {
      app.post(
        `/api/organizations/:id/${path}`,
        {
          onRequest: requireStaff('manage_clients'),
          schema: {
            params: idParam,
            response: { 200: z.object({ organization: organizationRecord }), ...errorResponses },
          },
        },
        async (request) => ({
          organization: await setOrganizationArchived({
            pool: context.pool,
            actor: actorOf(request),
            organizationId: request.params.id,
            archived,
          }),
        }),
      );
    }

    app.get(
      '/api/organizations/:id/audit',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          querystring: z.object({
            cursor: z.coerce.number().int().positive('must be a positive number').optional(),
            limit: pageLimit,
          }),
          response: { 200: organizationAuditPage, ...errorResponses },
        },
      },
      async (request) => {
        await assertOrganizationExists(context.pool, request.params.id);
        return listOrganizationAudit({
          pool: context.pool,
          organizationId: request.params.id,
          beforeId: request.query.cursor,
          limit: request.query.limit,
        });
      },
    );
  };
}
