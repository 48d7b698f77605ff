import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses, htmlDocument, pdfDocument } from '../../platform/http/responses.js';
import { sendInvoiceDocument } from '../invoices/document-replies.js';
import { loadInvoiceDocument } from '../invoices/invoice-document.js';
import { getBrand } from '../settings/settings.service.js';
import { portalScope, requirePortal } from './portal-auth.js';

/** Printable invoices (PDF and HTML) in the client portal. */
export function portalDocumentRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    for (const as of ['pdf', 'html'] as const) {
      // Only an issued invoice of the organization the contact acts for; anything else is 404.
      app.get(
        `/api/portal/invoices/:id/${as}`,
        {
          onRequest: requirePortal('view_invoices'),
          schema: {
            params: idParam,
            response: { 200: as === 'pdf' ? pdfDocument : htmlDocument, ...errorResponses },
          },
        },
        async (request, reply) => {
          const invoice = await loadInvoiceDocument(context.pool, request.params.id, {
            organizationId: portalScope(request).organizationId,
            issuedOnly: true,
          });
          return sendInvoiceDocument(reply, {
            invoice,
            as,
            brand: await getBrand(createDb(context.pool), context.config),
          });
        },
      );
    }
  };
}
