import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses, noContent } from '../../platform/http/responses.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { portalPermissions } from './access-profiles.schema.js';
import {
  createAccessProfile,
  deleteAccessProfile,
  listAccessProfiles,
  updateAccessProfile,
  type ProfileHolders,
} from './access-profiles.service.js';
import {
  accessProfileBody,
  accessProfileChangesRequest,
  accessProfileList,
  newAccessProfileRequest,
} from '../../shared/contract/access-profiles.js';

/**
 * The access profile routes. `deps.profileHolders` is the contacts module's view of the
 * relations holding a profile, passed in by the composition root (src/app.ts).
 */
export function accessProfileRoutes(
  context: AppContext,
  deps: { profileHolders: ProfileHolders },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/access-profiles',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: accessProfileList, ...errorResponses } },
      },
      async () => ({
        accessProfiles: await listAccessProfiles({ pool: context.pool }),
        permissions: [...portalPermissions],
        revokedCount: (
          await context.pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM contact_organizations WHERE access_profile_id IS NULL',
          )
        ).rows[0]!.n,
      }),
    );

    app.post(
      '/api/access-profiles',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: newAccessProfileRequest,
          response: { 201: z.object({ accessProfile: accessProfileBody }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const accessProfile = await createAccessProfile({
          pool: context.pool,
          actor: actorOf(request),
          ...request.body,
        });
        return reply.status(201).send({ accessProfile });
      },
    );

    app.patch(
      '/api/access-profiles/:id',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          params: idParam,
          body: accessProfileChangesRequest,
          response: { 200: z.object({ accessProfile: accessProfileBody }), ...errorResponses },
        },
      },
      async (request) => ({
        accessProfile: await updateAccessProfile({
          pool: context.pool,
          actor: actorOf(request),
          profileId: request.params.id,
          changes: request.body,
        }),
      }),
    );

    app.delete(
      '/api/access-profiles/:id',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          params: idParam,
          querystring: z.object({
            reassignTo: z
              .union([z.literal('revoke'), z.uuid()], 'must be a profile id or "revoke"')
              .optional(),
          }),
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const target = request.query.reassignTo;
        await deleteAccessProfile({
          pool: context.pool,
          actor: actorOf(request),
          profileId: request.params.id,
          reassignTo: target === 'revoke' ? null : target,
          holders: deps.profileHolders,
        });
        return reply.status(204).send(null);
      },
    );
  };
}
