import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { errorResponses, fileDownload } from '../../platform/http/responses.js';
import type { FormBody } from '../../platform/http/openapi.js';
import { idParam } from '../../platform/http/validation.js';
import {
  additionalInformationFields,
  changeTicketBody,
  closeTicketBody,
  createTicketFields,
  organizationTicketListQuery,
  portalTicketAnswer,
  portalTicketListPage,
  portalTicketListQuery,
  portalTicketTypeList,
  staffCreateTicketBody,
  staffReplyFields,
  staffTicketAnswer,
  staffTicketListPage,
  ticketListQuery,
  changeTicketTypeBody,
  createTicketTypeBody,
  ticketAssigneeList,
  ticketType,
  ticketTypeList,
} from '../../shared/contract/tickets.js';
import { changeTicketType, createTicketType } from './ticket-types.js';
import { assertOrganizationExists } from '../organizations/organizations.service.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import { getTicketSettings } from '../settings/settings.service.js';
import { createDb } from '../../platform/database.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { attachmentsField, parseFields, readTicketPost } from './ticket-files.js';
import {
  checkListQuery,
  listOrganizationTickets,
  listPortalTickets,
  listStaffTickets,
} from './ticket-lists.js';
import {
  listTicketAssignees,
  listTicketTypes,
  portalAttachment,
  portalTicketView,
  staffAttachment,
  staffTicketView,
  type AttachmentFile,
} from './ticket-reads.js';
import {
  addAdditionalInformation,
  addStaffReply,
  changeTicket,
  closeTicket,
  createTicket,
  reopenTicket,
} from './tickets.service.js';

// Portal ids are named for what they are (not `:id`, which portal routes keep for invoices).
const ticketParams = z.object({ ticketId: z.uuid('must be a valid id') });
const portalAttachmentParams = ticketParams.extend({ attachmentId: z.uuid('must be a valid id') });
const staffAttachmentParams = idParam.extend({ attachmentId: z.uuid('must be a valid id') });

/**
 * A ticket post's form, as the OpenAPI document shows it (`schema.form`, platform/http/
 * openapi.ts): the text fields the route checks with `parseFields`, and the files.
 */
const ticketForm = (fields: z.ZodObject): FormBody => ({
  fields,
  files: {
    name: attachmentsField,
    description:
      'Files, one part each; the number, size and types Configuration > Service Tickets allows ' +
      '(GET /api/portal/ticket-types or /api/settings/tickets answers them). Not in a JSON body.',
  },
});

/**
 * Sends a ticket's file as a download, never as a page: Content-Disposition attachment with its
 * name in any script (RFC 6266 / 5987), the type it was stored with, no sniffing, and a
 * sandboxing Content-Security-Policy should a browser open it all the same.
 */
function sendTicketFile(reply: FastifyReply, file: AttachmentFile) {
  const ascii = file.fileName.replace(/[^\w. -]/g, '_');
  return reply
    .header('content-type', file.contentType)
    .header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    )
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .send(file.content);
}

/**
 * Service tickets: the portal's (permission 'service_tickets', the contact's organization only:
 * another organization's ticket or file is a 404) and staff's (read with 'read'; every change
 * with 'manage_tickets', which Master Admin and Billing have and Read Only lacks). Posts with
 * files are multipart/form-data, read within the limits of Configuration > Service Tickets.
 */
export function ticketRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const contactActor = (request: FastifyRequest) => {
      const scope = portalScope(request);
      return {
        scope,
        actor: {
          kind: 'contact' as const,
          id: scope.contactId,
          label: `${request.portalSession!.contact.name} (portal)`,
        },
      };
    };
    const staffOf = (request: FastifyRequest) => {
      if (!request.staffUser) throw new AppError('unauthenticated', 'Sign in to continue');
      return { actor: actorOf(request), staffId: request.staffUser.id };
    };
    const readPost = async (request: FastifyRequest) =>
      readTicketPost(request, await getTicketSettings(createDb(context.pool)));

    // The posts with files, in a scope of their own: only they read multipart/form-data (the
    // files' limits are the settings', applied per request: ticket-files.ts), so a form sent to
    // any other route is refused (415) like anywhere else in the API. Each declares its form
    // (`schema.form`) for the OpenAPI document, since it reads the body itself.
    const formRoutes: FastifyPluginAsyncZod = async (forms) => {
      await forms.register(multipart, { throwFileSizeLimit: true });

      forms.post(
        '/api/portal/tickets',
        {
          onRequest: requirePortal('service_tickets'),
          schema: {
            description:
              "Opens a ticket for the contact's organization: multipart/form-data with files, or JSON without.",
            form: ticketForm(createTicketFields),
            response: { 201: portalTicketAnswer, ...errorResponses },
          },
        },
        async (request, reply) => {
          const { scope, actor } = contactActor(request);
          const post = await readPost(request);
          const fields = parseFields(createTicketFields, post.fields);
          const created = await createTicket({
            context,
            actor,
            organizationId: scope.organizationId,
            author: { contactId: scope.contactId },
            fields,
            files: post.files,
          });
          const ticket = await portalTicketView(context.pool, {
            organizationId: scope.organizationId,
            ticketId: created.id,
          });
          return reply.status(201).send({
            ticket,
            message: `Ticket ${created.number} was created. We emailed you a confirmation.`,
          });
        },
      );

      forms.post(
        '/api/portal/tickets/:ticketId/additional-information',
        {
          onRequest: requirePortal('service_tickets'),
          schema: {
            description:
              'Adds information to an open ticket: multipart/form-data with files, or JSON without.',
            form: ticketForm(additionalInformationFields),
            params: ticketParams,
            response: { 201: portalTicketAnswer, ...errorResponses },
          },
        },
        async (request, reply) => {
          const { scope, actor } = contactActor(request);
          // The ticket is looked up before the files are read: another organization's is a 404
          // whatever the form holds.
          await portalTicketView(context.pool, {
            organizationId: scope.organizationId,
            ticketId: request.params.ticketId,
          });
          const post = await readPost(request);
          const { body } = parseFields(additionalInformationFields, post.fields);
          const { moved } = await addAdditionalInformation({
            context,
            actor,
            organizationId: scope.organizationId,
            contactId: scope.contactId,
            ticketId: request.params.ticketId,
            body,
            files: post.files,
          });
          const ticket = await portalTicketView(context.pool, {
            organizationId: scope.organizationId,
            ticketId: request.params.ticketId,
          });
          return reply.status(201).send({
            ticket,
            message: moved
              ? `Your information was added to ticket ${ticket.number}, which is In Progress again. We let our team know.`
              : `Your information was added to ticket ${ticket.number}. We let our team know.`,
          });
        },
      );

      forms.post(
        '/api/tickets',
        {
          onRequest: requireStaff('manage_tickets'),
          schema: {
            description:
              'Opens a ticket for an organization, optionally for one of its contacts (contactId: emailed as if they had opened it): multipart/form-data with files, or JSON without.',
            form: ticketForm(staffCreateTicketBody),
            response: { 201: staffTicketAnswer, ...errorResponses },
          },
        },
        async (request, reply) => {
          const { actor, staffId } = staffOf(request);
          // JSON keeps its types (assigneeId null); a form's fields are text.
          const post = request.isMultipart()
            ? await readPost(request)
            : { fields: request.body as Record<string, string>, files: [] };
          const { organizationId, contactId, ...fields } = parseFields(
            staffCreateTicketBody,
            post.fields,
          );
          const created = await createTicket({
            context,
            actor,
            organizationId,
            author: { staffId },
            fields,
            files: post.files,
            forContactId: contactId,
          });
          return reply.status(201).send({
            ticket: await staffTicketView(context.pool, created.id),
            message: `Ticket ${created.number} was created.`,
          });
        },
      );

      forms.post(
        '/api/tickets/:id/replies',
        {
          onRequest: requireStaff('manage_tickets'),
          schema: {
            description:
              'A public reply, or an internal note with internal=true: multipart/form-data with files, or JSON without.',
            form: ticketForm(staffReplyFields),
            params: idParam,
            response: { 201: staffTicketAnswer, ...errorResponses },
          },
        },
        async (request, reply) => {
          const { actor, staffId } = staffOf(request);
          await staffTicketView(context.pool, request.params.id);
          const post = await readPost(request);
          const { body, internal } = parseFields(staffReplyFields, post.fields);
          await addStaffReply({
            context,
            actor,
            staffId,
            ticketId: request.params.id,
            body,
            internal,
            files: post.files,
          });
          const ticket = await staffTicketView(context.pool, request.params.id);
          return reply.status(201).send({
            ticket,
            message: internal
              ? 'Internal note added. Only staff see it.'
              : 'Reply sent. The client was emailed.',
          });
        },
      );
    };
    await app.register(formRoutes);

    app.get(
      '/api/portal/ticket-types',
      {
        onRequest: requirePortal('service_tickets'),
        schema: { response: { 200: portalTicketTypeList, ...errorResponses } },
      },
      async (request) => {
        portalScope(request);
        const settings = await getTicketSettings(createDb(context.pool));
        return {
          ticketTypes: await listTicketTypes(context.pool, { activeOnly: true }),
          attachmentLimits: {
            maxFileBytes: settings.maxFileBytes,
            maxFiles: settings.maxFiles,
            allowedTypes: settings.allowedTypes,
          },
        };
      },
    );

    app.get(
      '/api/portal/tickets',
      {
        onRequest: requirePortal('service_tickets'),
        schema: {
          querystring: portalTicketListQuery,
          response: { 200: portalTicketListPage, ...errorResponses },
        },
      },
      async (request) =>
        listPortalTickets({
          pool: context.pool,
          organizationId: portalScope(request).organizationId,
          query: request.query,
        }),
    );

    app.get(
      '/api/portal/tickets/:ticketId',
      {
        onRequest: requirePortal('service_tickets'),
        schema: {
          params: ticketParams,
          response: { 200: portalTicketAnswer.shape.ticket, ...errorResponses },
        },
      },
      async (request) =>
        portalTicketView(context.pool, {
          organizationId: portalScope(request).organizationId,
          ticketId: request.params.ticketId,
        }),
    );

    app.get(
      '/api/portal/tickets/:ticketId/attachments/:attachmentId',
      {
        onRequest: requirePortal('service_tickets'),
        schema: {
          params: portalAttachmentParams,
          response: { 200: fileDownload, ...errorResponses },
        },
      },
      async (request, reply) =>
        sendTicketFile(
          reply,
          await portalAttachment(context.pool, {
            organizationId: portalScope(request).organizationId,
            ticketId: request.params.ticketId,
            attachmentId: request.params.attachmentId,
          }),
        ),
    );

    // Staff.

    app.get(
      '/api/tickets',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: ticketListQuery,
          response: { 200: staffTicketListPage, ...errorResponses },
        },
      },
      async (request) => {
        checkListQuery(request.query);
        return listStaffTickets({ pool: context.pool, query: request.query });
      },
    );

    app.get(
      '/api/tickets/:id',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          response: { 200: staffTicketAnswer.shape.ticket, ...errorResponses },
        },
      },
      async (request) => staffTicketView(context.pool, request.params.id),
    );

    app.get(
      '/api/organizations/:id/tickets',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          querystring: organizationTicketListQuery,
          response: { 200: staffTicketListPage, ...errorResponses },
        },
      },
      async (request) => {
        await assertOrganizationExists(context.pool, request.params.id);
        return listOrganizationTickets({
          pool: context.pool,
          organizationId: request.params.id,
          query: request.query,
        });
      },
    );

    app.get(
      '/api/ticket-types',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: ticketTypeList, ...errorResponses } },
      },
      async () => ({ ticketTypes: await listTicketTypes(context.pool, { activeOnly: false }) }),
    );

    // The ticket page's assignee select: Billing may assign to a colleague without the staff
    // list (manage_staff, Master Admin only) and its emails.
    app.get(
      '/api/ticket-assignees',
      {
        onRequest: requireStaff('manage_tickets'),
        schema: { response: { 200: ticketAssigneeList, ...errorResponses } },
      },
      async () => ({ assignees: await listTicketAssignees(context.pool) }),
    );

    // Configuration > Service Tickets: the types clients choose from (Master Admin).
    app.post(
      '/api/ticket-types',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: createTicketTypeBody,
          response: { 201: z.object({ ticketType }), ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.status(201).send({
          ticketType: await createTicketType({
            pool: context.pool,
            actor: actorOf(request),
            name: request.body.name,
          }),
        }),
    );

    app.patch(
      '/api/ticket-types/:id',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          params: idParam,
          body: changeTicketTypeBody,
          response: { 200: z.object({ ticketType }), ...errorResponses },
        },
      },
      async (request) => ({
        ticketType: await changeTicketType({
          pool: context.pool,
          actor: actorOf(request),
          typeId: request.params.id,
          changes: request.body,
        }),
      }),
    );

    app.patch(
      '/api/tickets/:id',
      {
        onRequest: requireStaff('manage_tickets'),
        schema: {
          params: idParam,
          body: changeTicketBody,
          response: { 200: staffTicketAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { actor, staffId } = staffOf(request);
        await changeTicket({
          context,
          actor,
          staffId,
          ticketId: request.params.id,
          changes: request.body,
        });
        const ticket = await staffTicketView(context.pool, request.params.id);
        return { ticket, message: `Ticket ${ticket.number} was saved.` };
      },
    );

    app.post(
      '/api/tickets/:id/close',
      {
        onRequest: requireStaff('manage_tickets'),
        schema: {
          params: idParam,
          body: closeTicketBody,
          response: { 200: staffTicketAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { actor, staffId } = staffOf(request);
        await closeTicket({
          context,
          actor,
          staffId,
          ticketId: request.params.id,
          resolutionNotes: request.body.resolutionNotes,
        });
        const ticket = await staffTicketView(context.pool, request.params.id);
        return { ticket, message: `Ticket ${ticket.number} was closed. The client was emailed.` };
      },
    );

    app.post(
      '/api/tickets/:id/reopen',
      {
        onRequest: requireStaff('manage_tickets'),
        schema: { params: idParam, response: { 200: staffTicketAnswer, ...errorResponses } },
      },
      async (request) => {
        const { actor, staffId } = staffOf(request);
        await reopenTicket({ context, actor, staffId, ticketId: request.params.id });
        const ticket = await staffTicketView(context.pool, request.params.id);
        return { ticket, message: `Ticket ${ticket.number} was reopened.` };
      },
    );

    app.get(
      '/api/tickets/:id/attachments/:attachmentId',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: staffAttachmentParams,
          response: { 200: fileDownload, ...errorResponses },
        },
      },
      async (request, reply) =>
        sendTicketFile(
          reply,
          await staffAttachment(context.pool, {
            ticketId: request.params.id,
            attachmentId: request.params.attachmentId,
          }),
        ),
    );
  };
}
