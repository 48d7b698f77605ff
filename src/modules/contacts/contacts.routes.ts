import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { idParam, requiredText } from '../../platform/http/validation.js';
import { errorResponses, noContent } from '../../platform/http/responses.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import {
  contactCard,
  contactCardRequest,
  contactRelationRequest,
  contactSearchResults,
  newContactRequest,
  organizationContactsPage,
  organizationContactsQuery,
  defaultNotificationAnswer,
  defaultNotificationRequest,
} from '../../shared/contract/contacts.js';
import {
  createContact,
  getContact,
  listOrganizationContacts,
  relateContact,
  removeContactRelation,
  saveContactCard,
  searchContacts,
  setDefaultNotificationContact,
} from './contacts.service.js';
import { assertOrganizationExists } from '../organizations/organizations.service.js';

export function contactRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/organizations/:id/contacts',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          querystring: organizationContactsQuery,
          response: { 200: organizationContactsPage, ...errorResponses },
        },
      },
      async (request) => {
        const list = await listOrganizationContacts({
          pool: context.pool,
          organizationId: request.params.id,
          sort: request.query.sort,
          search: request.query.q || undefined,
          cursor: request.query.cursor || undefined,
          limit: request.query.limit,
        });
        // Only an empty list can hide an unknown organization: check then, not on every call.
        if (list.contacts.length === 0)
          await assertOrganizationExists(context.pool, request.params.id);
        return list;
      },
    );

    app.post(
      '/api/organizations/:id/contacts',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: newContactRequest,
          response: { 201: z.object({ contact: contactCard }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { accessProfileId, isDefaultNotification, ...fields } = request.body;
        const contact = await createContact({
          pool: context.pool,
          actor: actorOf(request),
          organizationId: request.params.id,
          fields,
          accessProfileId,
          isDefaultNotification,
        });
        return reply.status(201).send({ contact });
      },
    );

    app.put(
      '/api/organizations/:id/default-notification-contacts/:contactId',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: z.object({
            id: z.uuid('must be a valid id'),
            contactId: z.uuid('must be a valid id'),
          }),
          body: defaultNotificationRequest,
          response: { 200: defaultNotificationAnswer, ...errorResponses },
        },
      },
      async (request) => {
        await setDefaultNotificationContact({
          pool: context.pool,
          actor: actorOf(request),
          organizationId: request.params.id,
          contactId: request.params.contactId,
          isDefault: request.body.isDefault,
        });
        return { isDefault: request.body.isDefault };
      },
    );

    app.get(
      '/api/contacts',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: z.object({
            q: requiredText(200),
            limit: z.coerce.number().int().min(1).max(50).default(20),
            organizationId: z.uuid('must be a valid id').optional(),
          }),
          response: { 200: contactSearchResults, ...errorResponses },
        },
      },
      async (request) => ({
        contacts: await searchContacts({
          pool: context.pool,
          search: request.query.q,
          limit: request.query.limit,
          organizationId: request.query.organizationId,
        }),
      }),
    );

    app.get(
      '/api/contacts/:id',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          response: { 200: z.object({ contact: contactCard }), ...errorResponses },
        },
      },
      async (request) => ({
        contact: await getContact({ pool: context.pool, contactId: request.params.id }),
      }),
    );

    app.put(
      '/api/contacts/:id',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: contactCardRequest,
          response: { 200: z.object({ contact: contactCard }), ...errorResponses },
        },
      },
      async (request) => {
        const { relations, ...fields } = request.body;
        return {
          contact: await saveContactCard({
            pool: context.pool,
            actor: actorOf(request),
            contactId: request.params.id,
            fields,
            relations,
          }),
        };
      },
    );

    app.post(
      '/api/contacts/:id/relations',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: contactRelationRequest,
          response: { 201: z.object({ contact: contactCard }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const contact = await relateContact({
          pool: context.pool,
          actor: actorOf(request),
          contactId: request.params.id,
          ...request.body,
        });
        return reply.status(201).send({ contact });
      },
    );

    app.delete(
      '/api/contacts/:id/relations/:organizationId',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: z.object({
            id: z.uuid('must be a valid id'),
            organizationId: z.uuid('must be a valid id'),
          }),
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await removeContactRelation({
          pool: context.pool,
          actor: actorOf(request),
          contactId: request.params.id,
          organizationId: request.params.organizationId,
        });
        return reply.status(204).send(null);
      },
    );
  };
}
