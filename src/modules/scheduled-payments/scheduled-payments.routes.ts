import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { errorResponses } from '../../platform/http/responses.js';
import { idParam } from '../../platform/http/validation.js';
import {
  changeScheduledPaymentBody,
  scheduledPaymentAnswer,
  scheduledPaymentList,
  scheduledPaymentsRange,
  schedulePaymentBody,
} from '../../shared/contract/scheduled-payments.js';
import { paymentMethodChoices } from '../../shared/contract/payment-methods.js';
import { assertOrganizationExists } from '../organizations/organizations.service.js';
import { listPaymentMethods } from '../payments/payment-methods.js';
import { businessToday } from '../settings/business-date.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import { getBrand } from '../settings/settings.service.js';
import { formatDate } from '../../shared/dates.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import {
  cancelScheduledPayment,
  changeScheduledPayment,
  listScheduledPayments,
  schedulePayment,
  scheduledPaymentsBetween,
} from './scheduled-payments.service.js';

const scheduledPaymentParams = z.object({ scheduledPaymentId: z.uuid('must be a valid id') });
const organizationScheduledParams = idParam.extend({
  scheduledPaymentId: z.uuid('must be a valid id'),
});

/**
 * Scheduled Payments: the portal's (permission 'schedule_payments': list, the saved methods to
 * schedule with, schedule from Pay Selected with a future date, change the date or amounts,
 * cancel) and staff's (the
 * organization page's list and the Payments Calendar's range with 'read'; cancelling with
 * 'manage_clients', which Billing staff have and Read Only staff lack).
 */
export function scheduledPaymentRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const contactActor = (request: Parameters<typeof portalScope>[0]) => {
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

    app.get(
      '/api/portal/scheduled-payments',
      {
        onRequest: requirePortal('schedule_payments'),
        schema: { response: { 200: scheduledPaymentList, ...errorResponses } },
      },
      async (request) => ({
        scheduledPayments: await listScheduledPayments({
          pool: context.pool,
          organizationId: portalScope(request).organizationId,
        }),
      }),
    );

    // The methods a payment may be scheduled with: Pay Selected's choices, for a contact who may
    // schedule payments but not pay now (Pay Selected's own list needs 'pay_invoices').
    app.get(
      '/api/portal/scheduled-payments/payment-method-choices',
      {
        onRequest: requirePortal('schedule_payments'),
        schema: { response: { 200: paymentMethodChoices, ...errorResponses } },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        const today = await businessToday(context.pool, currentTime(context));
        return listPaymentMethods(createDb(context.pool), { organizationId, today });
      },
    );

    app.post(
      '/api/portal/scheduled-payments',
      {
        onRequest: requirePortal('schedule_payments'),
        schema: {
          body: schedulePaymentBody,
          response: { 201: scheduledPaymentAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { scope, actor } = contactActor(request);
        const scheduledPayment = await schedulePayment({
          context,
          actor,
          organizationId: scope.organizationId,
          contactId: scope.contactId,
          ...request.body,
        });
        const { dateFormat } = await getBrand(createDb(context.pool), context.config);
        return reply.status(201).send({
          scheduledPayment,
          message: `Payment scheduled for ${formatDate(scheduledPayment.runOn, dateFormat)}. Nothing is charged until then; a confirmation is on its way by email.`,
        });
      },
    );

    app.patch(
      '/api/portal/scheduled-payments/:scheduledPaymentId',
      {
        onRequest: requirePortal('schedule_payments'),
        schema: {
          params: scheduledPaymentParams,
          body: changeScheduledPaymentBody,
          response: { 200: scheduledPaymentAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { scope, actor } = contactActor(request);
        const { scheduledPayment, changed } = await changeScheduledPayment({
          context,
          actor,
          organizationId: scope.organizationId,
          scheduledPaymentId: request.params.scheduledPaymentId,
          changes: request.body,
        });
        return {
          scheduledPayment,
          message: changed
            ? 'Scheduled payment changed.'
            : 'Nothing to change: the scheduled payment already has this date and these amounts.',
        };
      },
    );

    app.post(
      '/api/portal/scheduled-payments/:scheduledPaymentId/cancel',
      {
        onRequest: requirePortal('schedule_payments'),
        schema: {
          params: scheduledPaymentParams,
          response: { 200: scheduledPaymentAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { scope, actor } = contactActor(request);
        const scheduledPayment = await cancelScheduledPayment({
          context,
          actor,
          organizationId: scope.organizationId,
          scheduledPaymentId: request.params.scheduledPaymentId,
        });
        return {
          scheduledPayment,
          message: 'Scheduled payment cancelled. Nothing will be charged.',
        };
      },
    );

    app.get(
      '/api/organizations/:id/scheduled-payments',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, response: { 200: scheduledPaymentList, ...errorResponses } },
      },
      async (request) => {
        // 404 for an organization that does not exist, as its other tabs answer.
        await assertOrganizationExists(context.pool, request.params.id);
        return {
          scheduledPayments: await listScheduledPayments({
            pool: context.pool,
            organizationId: request.params.id,
          }),
        };
      },
    );

    app.post(
      '/api/organizations/:id/scheduled-payments/:scheduledPaymentId/cancel',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: organizationScheduledParams,
          response: { 200: scheduledPaymentAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const scheduledPayment = await cancelScheduledPayment({
          context,
          actor: actorOf(request),
          organizationId: request.params.id,
          scheduledPaymentId: request.params.scheduledPaymentId,
        });
        return {
          scheduledPayment,
          message: 'Scheduled payment cancelled. The client is sent a Payment Cancelled email.',
        };
      },
    );

    app.get(
      '/api/scheduled-payments',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: scheduledPaymentsRange,
          response: { 200: scheduledPaymentList, ...errorResponses },
        },
      },
      async (request) => ({
        scheduledPayments: await scheduledPaymentsBetween(context.pool, request.query),
      }),
    );
  };
}
