import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses, htmlDocument, pdfDocument } from '../../platform/http/responses.js';
import { getBrand } from '../settings/settings.service.js';
import { requireStaff } from '../staff/staff-auth.js';
import { sendInvoiceDocument } from './document-replies.js';
import { loadInvoiceDocument } from './invoice-document.js';

/**
 * Printable invoices (PDF and HTML) for staff. The portal's copies are portal routes
 * (portal/portal-documents.routes.ts), the statement's are statements routes.
 */
export function invoiceDocumentRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    for (const as of ['pdf', 'html'] as const) {
      app.get(
        `/api/invoices/:id/${as}`,
        {
          onRequest: requireStaff('read'),
          schema: {
            params: idParam,
            response: { 200: as === 'pdf' ? pdfDocument : htmlDocument, ...errorResponses },
          },
        },
        async (request, reply) =>
          sendInvoiceDocument(reply, {
            invoice: await loadInvoiceDocument(context.pool, request.params.id),
            as,
            brand: await getBrand(createDb(context.pool), context.config),
          }),
      );
    }
  };
}
