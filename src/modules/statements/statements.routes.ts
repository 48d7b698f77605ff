import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb, withTransaction } from '../../platform/database.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses, pdfDocument } from '../../platform/http/responses.js';
import { defaultNotificationRecipients, renderAccountSummary } from '../email/email.service.js';
import { sendPdf } from '../invoices/document-replies.js';
import { businessTodayFor } from '../settings/business-date.js';
import { getBrand } from '../settings/settings.service.js';
import { requireStaff } from '../staff/staff-auth.js';
import { buildAccountStatement } from './account-statement.js';
import { statementFilename, statementPdf } from './statement-pdf.js';

/** The Account Summary's statement preview and PDF, for staff. */
export function statementRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/organizations/:id/account-summary/preview',
      { onRequest: requireStaff('read'), schema: { params: idParam } },
      async (request) =>
        withTransaction(context.pool, async (tx) => {
          const recipients = await defaultNotificationRecipients(tx, request.params.id);
          const { statement, rendered } = await renderAccountSummary(tx, {
            organizationId: request.params.id,
            recipients,
            now: currentTime(context),
            address: context.config,
          });
          return { ...rendered, statement };
        }),
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
