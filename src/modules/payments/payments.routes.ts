import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { errorResponses, pdfDocument } from '../../platform/http/responses.js';
import { pageLimit } from '../../platform/http/validation.js';
import {
  payInvoicesAnswer,
  payInvoicesBody,
  paymentHistoryPage,
  paymentReceipt as paymentReceiptAnswer,
  idempotencyKeyHeaders,
  paymentDocumentWording,
} from '../../shared/contract/payments.js';
import { sendPdf } from '../invoices/document-replies.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import { getBrand } from '../settings/settings.service.js';
import type { PaymentGateway } from './gateway.js';
import { payInvoices } from './pay-invoices.js';
import { paymentHistory, paymentReceipt } from './payment-history.js';
import { receiptPdf } from './receipt-document.js';

const paymentParams = z.object({ paymentId: z.uuid('must be a valid id') });

/** What the client reads beside the payment, by its status. */
const outcomeMessages = {
  succeeded: 'Thank you. A receipt is on its way by email.',
  processing: 'Bank payment accepted. It takes a few business days to settle.',
  failed: 'The payment did not go through. Nothing was charged.',
  pending:
    'We are confirming this payment with the payment processor. It will not be charged twice; check Payment History in a few minutes.',
  returned: 'The bank returned this payment.',
} as const;

/**
 * The portal's payments: Pay Selected (POST /api/portal/payments), Payment History, a
 * payment's receipt and its PDF. The gateway is the process's one instance (src/app.ts).
 */
export function paymentRoutes(
  context: AppContext,
  deps: { gateway: PaymentGateway },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/portal/payments',
      {
        onRequest: requirePortal('pay_invoices'),
        schema: {
          headers: idempotencyKeyHeaders,
          body: payInvoicesBody,
          response: {
            200: payInvoicesAnswer,
            201: payInvoicesAnswer,
            202: payInvoicesAnswer,
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const scope = portalScope(request);
        const session = request.portalSession!;
        const { payment, repeated } = await payInvoices({
          context,
          gateway: deps.gateway,
          actor: {
            kind: 'contact',
            id: scope.contactId,
            label: `${session.contact.name} (portal)`,
          },
          organizationId: scope.organizationId,
          contactId: scope.contactId,
          paymentMethodId: request.body.paymentMethodId,
          allocations: request.body.allocations,
          requestKey: request.headers['idempotency-key'],
        });
        // 202: the outcome is not known yet (the processor's answer was lost); 200: the same
        // request again, answered with the payment it made; 201: a payment with its outcome.
        const status = payment.status === 'pending' ? 202 : repeated ? 200 : 201;
        return reply.status(status).send({ payment, message: outcomeMessages[payment.status] });
      },
    );

    app.get(
      '/api/portal/payment-history',
      {
        onRequest: requirePortal('view_payment_history'),
        schema: {
          querystring: z.object({ cursor: z.string().max(500).optional(), limit: pageLimit }),
          response: { 200: paymentHistoryPage, ...errorResponses },
        },
      },
      async (request) => paymentHistory(context.pool, portalScope(request), request.query),
    );

    app.get(
      '/api/portal/payments/:paymentId',
      {
        onRequest: requirePortal('view_payment_history'),
        schema: {
          params: paymentParams,
          response: { 200: paymentReceiptAnswer, ...errorResponses },
        },
      },
      async (request) => ({
        payment: await paymentReceipt(context.pool, portalScope(request), request.params.paymentId),
      }),
    );

    app.get(
      '/api/portal/payments/:paymentId/pdf',
      {
        onRequest: requirePortal('view_payment_history'),
        schema: { params: paymentParams, response: { 200: pdfDocument, ...errorResponses } },
      },
      async (request, reply) => {
        const receipt = await paymentReceipt(
          context.pool,
          portalScope(request),
          request.params.paymentId,
        );
        const brand = await getBrand(createDb(context.pool), context.config);
        // "Receipt P-000042.pdf"; a payment that took no money is not called a receipt.
        const name = paymentDocumentWording(receipt.status).tookMoney
          ? `Receipt ${receipt.number}`
          : `${paymentDocumentWording(receipt.status).title} ${receipt.number}`;
        return sendPdf(reply, `${name}.pdf`, await receiptPdf(receipt, brand));
      },
    );
  };
}
