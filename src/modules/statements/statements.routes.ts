import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses, pdfDocument } from '../../platform/http/responses.js';
import {
  accountSummariesBody,
  accountSummaryPreview,
  queuedAccountSummaries,
  queuedAccountSummary,
} from '../../shared/contract/statements.js';
import { sendPdf } from '../invoices/document-replies.js';
import { businessTodayFor } from '../settings/business-date.js';
import { getBrand } from '../settings/settings.service.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { buildAccountStatement } from './account-statement.js';
import { statementFilename, statementPdf } from './statement-pdf.js';
import { previewAccountSummary, sendAccountSummary } from './account-summary.js';
import { accountSummaryJobName } from './statements.jobs.js';

/** The Account Summary (sending, for one organization or many, and its preview) and the statement PDF, for staff. */
export function statementRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/organizations/:id/send-account-summary',
      {
        onRequest: requireStaff('manage_clients'),
        schema: { params: idParam, response: { 202: queuedAccountSummary, ...errorResponses } },
      },
      async (request, reply) => {
        const queued = await sendAccountSummary({
          ...context,
          actor: actorOf(request),
          organizationId: request.params.id,
        });
        return reply.status(202).send(queued);
      },
    );

    app.post(
      '/api/account-summaries',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          body: accountSummariesBody,
          response: { 202: queuedAccountSummaries, ...errorResponses },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const ids = [...new Set(request.body.organizationIds)];
        // One job per organization, inserted in one statement: each renders and queues its own
        // summary, so a large batch is spread over the workers.
        await context.jobs.insert(
          ids.map((organizationId) => ({
            name: accountSummaryJobName,
            data: { organizationId, actor },
          })),
        );
        return reply.status(202).send({ queued: ids.length });
      },
    );

    app.get(
      '/api/organizations/:id/account-summary/preview',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, response: { 200: accountSummaryPreview, ...errorResponses } },
      },
      async (request) => previewAccountSummary({ ...context, organizationId: request.params.id }),
    );

    app.get(
      '/api/organizations/:id/statement.pdf',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, response: { 200: pdfDocument, ...errorResponses } },
      },
      async (request, reply) => {
        const statement = await buildAccountStatement({
          pool: context.pool,
          organizationId: request.params.id,
          asOf: await businessTodayFor(context),
        });
        const content = await statementPdf(
          statement,
          await getBrand(createDb(context.pool), context.config),
        );
        return sendPdf(reply, statementFilename(statement), content);
      },
    );
  };
}
