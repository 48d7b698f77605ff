import { z } from 'zod';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { errorResponses } from '../../platform/http/responses.js';
import { idParam, pageLimit } from '../../platform/http/validation.js';
import {
  applyCreditAnswer,
  applyCreditBody,
  manualPaymentBody,
  organizationPaymentsAnswer,
  portalCreditsAnswer,
  refundAnswer,
  refundBody,
  staffPaymentAnswer,
  transactionFilters,
  transactionsPage,
} from '../../shared/contract/staff-payments.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import type { PaymentGateway } from './gateway.js';
import { applyCredit, portalCredits } from './credits.js';
import { recordManualPayment } from './manual-payments.js';
import { refundPayment, retryRefund, type RefundOutcome } from './refunds.js';
import { listTransactions, organizationPayments, transactionsCsv } from './transactions.js';
import { idempotencyKeyHeaders } from '../../shared/contract/payments.js';

const organizationPaymentParams = idParam.extend({ paymentId: z.uuid('must be a valid id') });
const organizationRefundParams = idParam.extend({ refundId: z.uuid('must be a valid id') });

/** What staff read beside a refund, by its status. */
const refundMessages = {
  succeeded: 'Refunded. The client is sent a Refund Issued email.',
  failed: 'The payment processor refused the refund; nothing was refunded.',
  pending:
    'The payment processor has not confirmed the refund yet. Send it again later: it can never refund twice.',
} as const;

/** A CSV download, streamed (the reply's schema types JSON answers; the file is not one). */
function sendCsv(reply: FastifyReply, content: Readable) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="transactions.csv"')
    .header('cache-control', 'private, no-store')
    .send(content);
}

const refundReply = (outcome: RefundOutcome) => ({
  ...outcome,
  message: refundMessages[outcome.refund.status],
});

/**
 * Staff's payments (docs/decisions/0028-payment-core.md): the Transactions list and its CSV
 * export (capability 'read'), an organization's Payments tab ('read'), and the money movements
 * (manual payment, refund, applying credit: 'manage_clients', which Billing staff have and Read
 * Only staff lack); and the portal's credits view (permission view_credits). The gateway is
 * the process's one instance (src/app.ts).
 */
export function staffPaymentRoutes(
  context: AppContext,
  deps: { gateway: PaymentGateway },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/payments',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: transactionFilters.extend({
            cursor: z.string().max(500).optional(),
            limit: pageLimit,
          }),
          response: { 200: transactionsPage, ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit, ...filters } = request.query;
        return listTransactions(context.pool, filters, { cursor, limit });
      },
    );

    app.get(
      '/api/payments/export',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: transactionFilters,
          response: {
            200: {
              description: 'The filtered Transactions list as CSV',
              content: { 'text/csv': { schema: z.string().describe('CSV text') } },
            },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => sendCsv(reply, transactionsCsv(context.pool, request.query)),
    );

    app.get(
      '/api/organizations/:id/payments',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          response: { 200: organizationPaymentsAnswer, ...errorResponses },
        },
      },
      async (request) => organizationPayments(context.pool, request.params.id),
    );

    app.post(
      '/api/organizations/:id/payments',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          headers: idempotencyKeyHeaders,
          body: manualPaymentBody,
          response: { 201: staffPaymentAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const payment = await recordManualPayment({
          context,
          actor: actorOf(request),
          organizationId: request.params.id,
          ...request.body,
          requestKey: request.headers['idempotency-key'],
        });
        return reply.status(201).send({ payment });
      },
    );

    app.post(
      '/api/organizations/:id/payments/:paymentId/refunds',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: organizationPaymentParams,
          headers: idempotencyKeyHeaders,
          body: refundBody,
          response: { 201: refundAnswer, 202: refundAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const outcome = await refundPayment({
          context,
          gateway: deps.gateway,
          actor: actorOf(request),
          organizationId: request.params.id,
          paymentId: request.params.paymentId,
          ...request.body,
          requestKey: request.headers['idempotency-key'],
        });
        // 202: the processor's answer was lost; the refund stays pending until sent again.
        return reply
          .status(outcome.refund.status === 'pending' ? 202 : 201)
          .send(refundReply(outcome));
      },
    );

    app.post(
      '/api/organizations/:id/refunds/:refundId/retry',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: organizationRefundParams,
          response: { 200: refundAnswer, 202: refundAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const outcome = await retryRefund({
          context,
          gateway: deps.gateway,
          actor: actorOf(request),
          organizationId: request.params.id,
          refundId: request.params.refundId,
        });
        return reply
          .status(outcome.refund.status === 'pending' ? 202 : 200)
          .send(refundReply(outcome));
      },
    );

    app.post(
      '/api/organizations/:id/credits/apply',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: applyCreditBody,
          response: { 200: applyCreditAnswer, ...errorResponses },
        },
      },
      async (request) =>
        applyCredit({
          context,
          actor: actorOf(request),
          organizationId: request.params.id,
          allocations: request.body.allocations,
        }),
    );

    app.get(
      '/api/portal/credits',
      {
        onRequest: requirePortal('view_credits'),
        schema: { response: { 200: portalCreditsAnswer, ...errorResponses } },
      },
      async (request) => portalCredits(context.pool, portalScope(request)),
    );
  };
}
