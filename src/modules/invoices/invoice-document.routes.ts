import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb, withTransaction } from '../../platform/database.js';
import { idParam } from '../../platform/http/validation.js';
import { defaultNotificationRecipients, renderAccountSummary } from '../email/email.service.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import { businessTodayFor } from '../settings/business-date.js';
import { getBrand } from '../settings/settings.service.js';
import { requireStaff } from '../staff/staff-auth.js';
import { buildAccountStatement } from '../statements/account-statement.js';
import { statementFilename, statementPdf } from '../statements/statement-pdf.js';
import {
  invoiceHtml,
  invoicePdf,
  loadInvoiceDocument,
  type InvoiceDocument,
} from './invoice-document.js';

function safeFilename(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}

function sendPdf(reply: FastifyReply, filename: string, content: Buffer) {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="${safeFilename(filename)}"`)
    .header('cache-control', 'private, no-store')
    .send(content);
}

/**
 * Printable invoices (PDF and HTML) for staff and the portal, and the Account Summary's
 * statement preview and PDF for staff.
 */
export function invoiceDocumentRoutes(context: AppContext): FastifyPluginAsyncZod {
  const brand = () => getBrand(createDb(context.pool), context.config);

  async function respond(reply: FastifyReply, invoice: InvoiceDocument, as: 'pdf' | 'html') {
    if (as === 'pdf') {
      return sendPdf(reply, `${invoice.number}.pdf`, await invoicePdf(invoice, await brand()));
    }
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .send(invoiceHtml(invoice, await brand()));
  }

  return async (app) => {
    for (const as of ['pdf', 'html'] as const) {
      app.get(
        `/api/invoices/:id/${as}`,
        { onRequest: requireStaff('read'), schema: { params: idParam } },
        async (request, reply) =>
          respond(reply, await loadInvoiceDocument(context.pool, request.params.id), as),
      );

      // Only an issued invoice of the organization the contact acts for; anything else is 404.
      app.get(
        `/api/portal/invoices/:id/${as}`,
        { onRequest: requirePortal('view_invoices'), schema: { params: idParam } },
        async (request, reply) => {
          const invoice = await loadInvoiceDocument(context.pool, request.params.id, {
            organizationId: portalScope(request).organizationId,
            issuedOnly: true,
          });
          return respond(reply, invoice, as);
        },
      );
    }

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
      { onRequest: requireStaff('read'), schema: { params: idParam } },
      async (request, reply) => {
        const statement = await buildAccountStatement({
          pool: context.pool,
          organizationId: request.params.id,
          asOf: await businessTodayFor(context),
        });
        const content = await statementPdf(statement, await brand());
        return sendPdf(reply, statementFilename(statement), content);
      },
    );
  };
}
