import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { errorResponses, fileDownload } from '../../platform/http/responses.js';
import { idParam, pageLimit } from '../../platform/http/validation.js';
import {
  contactEmailOptionsBody,
  contactEmailRequest,
  emailDetailBody,
  emailHistoryPage,
  emailTemplateListBody,
  emailTemplatePreviewBody,
  localMailboxPage,
  localMessageBody,
  queuedEmailBody,
} from '../../shared/contract/email.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { emailStatuses } from './email.schema.js';
import {
  getEmailAttachment,
  getEmailDetail,
  getLocalMessage,
  listEmailHistory,
  listLocalMailbox,
} from './email-history.js';
import {
  brandForPreview,
  contactEmailKinds,
  contactEmailUnavailableReason,
  resendEmail,
  sendContactEmail,
  type SendContactAccountSummary,
} from './email.service.js';
import { assertOrganizationExists } from '../organizations/organizations.service.js';
import { assertContactExists } from '../contacts/contacts.service.js';
import { emailTemplateKeys, emailTemplates, renderEmail } from './templates/index.js';

const isoDate = z.iso.date('must be a date like 2026-11-22');

const historyQuery = z
  .object({
    template: z
      .enum(emailTemplateKeys, `must be one of: ${emailTemplateKeys.join(', ')}`)
      .optional(),
    status: z.enum(emailStatuses, 'must be queued, sending, sent or failed').optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    cursor: z.string().max(500).optional(),
    limit: pageLimit,
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'must not be before from',
    path: ['to'],
  });

/**
 * Sends a stored attachment as a download, under the content type it was stored with (the
 * route declares `fileDownload`: bytes, not JSON).
 */
function sendAttachment(
  reply: FastifyReply,
  attachment: { filename: string; contentType: string; content: Buffer },
) {
  return reply
    .header('content-type', attachment.contentType)
    .header(
      'content-disposition',
      `attachment; filename="${attachment.filename.replace(/[^\w.-]/g, '_')}"`,
    )
    .send(attachment.content);
}

/** An email history page, or the shared error body. */
const historyResponse = { 200: emailHistoryPage, ...errorResponses };

/**
 * Email history, the contact card's Email menu, resending, template previews and the Local
 * Mailbox. `sendContactAccountSummary` is the statements module's (handed in by src/app.ts:
 * statements sits above email).
 */
export function emailRoutes(
  context: AppContext,
  deps: { sendContactAccountSummary: SendContactAccountSummary },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/organizations/:id/emails',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, querystring: historyQuery, response: historyResponse },
      },
      async (request) => {
        await assertOrganizationExists(context.pool, request.params.id);
        return listEmailHistory({
          pool: context.pool,
          ...request.query,
          organizationId: request.params.id,
        });
      },
    );

    app.get(
      '/api/contacts/:id/emails',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, querystring: historyQuery, response: historyResponse },
      },
      async (request) => {
        await assertContactExists(context.pool, request.params.id);
        return listEmailHistory({
          pool: context.pool,
          ...request.query,
          contactId: request.params.id,
        });
      },
    );

    app.get(
      '/api/contacts/:id/email-options',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          querystring: z.object({ organizationId: z.uuid('must be a valid id') }),
          response: { 200: contactEmailOptionsBody, ...errorResponses },
        },
      },
      async (request) => {
        const row = (
          await context.pool.query(
            `SELECT c.email, co.access_profile_id AS "accessProfileId"
               FROM contacts c JOIN contact_organizations co
                 ON co.contact_id = c.id AND co.organization_id = $2
              WHERE c.id = $1`,
            [request.params.id, request.query.organizationId],
          )
        ).rows[0];
        if (!row) throw AppError.notFound('Contact of this organization');
        return {
          options: contactEmailKinds.map((kind) => ({
            kind,
            unavailableReason: contactEmailUnavailableReason(kind, row),
          })),
        };
      },
    );

    app.post(
      '/api/contacts/:id/emails',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: contactEmailRequest,
          response: { 202: queuedEmailBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { organizationId, kind } = request.body;
        const options = { actor: actorOf(request), contactId: request.params.id, organizationId };
        const queued =
          kind === 'account_summary'
            ? await deps.sendContactAccountSummary({ ...context, ...options })
            : await sendContactEmail({ ...context, ...options, kind });
        return reply.status(202).send(queued);
      },
    );

    app.get(
      '/api/emails/:id',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, response: { 200: emailDetailBody, ...errorResponses } },
      },
      async (request) => ({
        email: await getEmailDetail({ pool: context.pool, messageId: request.params.id }),
      }),
    );

    app.get(
      '/api/emails/:id/attachments/:attachmentId',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: z.object({
            id: z.uuid('must be a valid id'),
            attachmentId: z.uuid('must be a valid id'),
          }),
          response: { 200: fileDownload, ...errorResponses },
        },
      },
      async (request, reply) => {
        const attachment = await getEmailAttachment({
          pool: context.pool,
          messageId: request.params.id,
          attachmentId: request.params.attachmentId,
        });
        return sendAttachment(reply, attachment);
      },
    );

    app.post(
      '/api/emails/:id/resend',
      {
        onRequest: requireStaff('manage_clients'),
        schema: { params: idParam, response: { 202: queuedEmailBody, ...errorResponses } },
      },
      async (request, reply) => {
        const queued = await resendEmail({
          ...context,
          actor: actorOf(request),
          messageId: request.params.id,
        });
        return reply.status(202).send(queued);
      },
    );

    app.get(
      '/api/email-templates',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: emailTemplateListBody, ...errorResponses } },
      },
      async () => ({
        templates: emailTemplateKeys.map((key) => ({ key, name: emailTemplates[key].name })),
      }),
    );

    app.get(
      '/api/email-templates/:key/preview',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: z.object({
            key: z.enum(emailTemplateKeys, `must be one of: ${emailTemplateKeys.join(', ')}`),
          }),
          response: { 200: emailTemplatePreviewBody, ...errorResponses },
        },
      },
      async (request) => {
        const key = request.params.key;
        const brand = await brandForPreview(context);
        return {
          key,
          name: emailTemplates[key].name,
          ...(await renderEmail(key, emailTemplates[key].sample as never, brand)),
        };
      },
    );

    app.get(
      '/api/local-mailbox',
      {
        // What clients receive, working links included: Master Admins only.
        onRequest: requireStaff('read_local_mailbox'),
        schema: {
          querystring: z.object({
            cursor: z.coerce.number().int().positive('must be a positive number').optional(),
            limit: pageLimit,
          }),
          response: { 200: localMailboxPage, ...errorResponses },
        },
      },
      async (request) => ({
        enabled: !context.config.SMTP_URL,
        ...(await listLocalMailbox({
          pool: context.pool,
          beforeId: request.query.cursor,
          limit: request.query.limit,
        })),
      }),
    );

    app.get(
      '/api/local-mailbox/:id',
      {
        onRequest: requireStaff('read_local_mailbox'),
        schema: {
          params: z.object({ id: z.coerce.number().int().positive('must be a message number') }),
          response: { 200: localMessageBody, ...errorResponses },
        },
      },
      async (request) => ({
        message: await getLocalMessage({ pool: context.pool, id: request.params.id }),
      }),
    );
  };
}
