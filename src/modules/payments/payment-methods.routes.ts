import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses } from '../../platform/http/responses.js';
import {
  addPaymentMethodBody,
  editPaymentMethodBody,
  monthlyProviderFees as monthlyProviderFeesAnswer,
  organizationProviderFees as organizationProviderFeesAnswer,
  paymentMethodChoices,
  portalPaymentMethodAnswer,
  portalPaymentMethodList,
  paymentMethodRemovalAnswer,
  removedPaymentMethodAnswer,
  staffAddPaymentMethodBody,
  staffPaymentMethodAnswer,
  staffPaymentMethodList,
  staffPaymentMethodQuery,
  unlockPaymentMethodBody,
} from '../../shared/contract/payment-methods.js';
import type { Actor } from '../audit/audit.js';
import { businessToday, mspTimeZone } from '../settings/business-date.js';
import { getPaymentSettings } from '../settings/settings.service.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { portalScope, requirePortal } from '../portal/portal-auth.js';
import type { PaymentGateway } from './gateway.js';
import {
  addPaymentMethod,
  authorizationTexts,
  listPaymentMethods,
  paymentMethodRemoval,
  removePaymentMethod,
  type PaymentMethodUsers,
  setDefaultPaymentMethod,
  staffListPaymentMethods,
  staffPaymentMethod,
  unlockPaymentMethod,
  updatePaymentMethod,
  viewOf,
  type PaymentMethodRow,
} from './payment-methods.js';
import { monthlyProviderFees, organizationProviderFees } from './provider-fees.js';

/** A method id in a path: named `methodId`, so `:id` stays the organization's on staff routes. */
const methodParam = z.object({ methodId: z.uuid('must be a valid id') });
const organizationMethodParams = idParam.extend(methodParam.shape);

/**
 * Payment methods: the portal's Configuration > Payment Methods (permission
 * manage_payment_methods; Pay Selected lists the choices with pay_invoices), staff's
 * organization page (reads 'read', changes 'manage_clients') and the provider fee ledger
 * (staff only). The processor is passed in by src/app.ts (src/payment-gateway.ts picks it).
 */
export function paymentMethodRoutes(
  context: AppContext,
  /** `methodUsers`: what else uses a method, changed when it is removed (src/app.ts). */
  deps: { gateway: PaymentGateway; methodUsers: PaymentMethodUsers },
): FastifyPluginAsyncZod {
  const db = createDb(context.pool);
  const today = () => businessToday(context.pool, currentTime(context));

  function portalActor(request: FastifyRequest): Actor {
    const session = request.portalSession!;
    return { kind: 'contact', id: session.contact.id, label: `${session.contact.name} (portal)` };
  }

  /** One method as the portal shows it, under the settings and business date of now. */
  async function portalView(method: PaymentMethodRow) {
    return viewOf(method, await today(), await getPaymentSettings(db));
  }

  return async (app) => {
    // ---- Portal -------------------------------------------------------------------------------

    app.get(
      '/api/portal/payment-methods',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: { response: { 200: portalPaymentMethodList, ...errorResponses } },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        const list = await listPaymentMethods(db, { organizationId, today: await today() });
        return { ...list, authorizationTexts: await authorizationTexts(db) };
      },
    );

    // Pay Selected chooses among these: a contact who may pay but not manage methods sees them.
    app.get(
      '/api/portal/payment-methods/choices',
      {
        onRequest: requirePortal('pay_invoices'),
        schema: { response: { 200: paymentMethodChoices, ...errorResponses } },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        return listPaymentMethods(db, { organizationId, today: await today() });
      },
    );

    app.post(
      '/api/portal/payment-methods',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: {
          body: addPaymentMethodBody,
          response: { 201: portalPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { organizationId, contactId } = portalScope(request);
        const method = await addPaymentMethod({
          pool: context.pool,
          gateway: deps.gateway,
          logger: request.log,
          actor: portalActor(request),
          organizationId,
          input: request.body,
          authorizedBy: { contactId, staffId: null, ip: request.ip },
        });
        reply.code(201);
        return { paymentMethod: await portalView(method) };
      },
    );

    app.patch(
      '/api/portal/payment-methods/:methodId',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: {
          params: methodParam,
          body: editPaymentMethodBody,
          response: { 200: portalPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        const method = await updatePaymentMethod({
          pool: context.pool,
          gateway: deps.gateway,
          actor: portalActor(request),
          organizationId,
          methodId: request.params.methodId,
          changes: request.body,
          today: await today(),
        });
        return { paymentMethod: await portalView(method) };
      },
    );

    app.post(
      '/api/portal/payment-methods/:methodId/default',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: {
          params: methodParam,
          response: { 200: portalPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        const method = await setDefaultPaymentMethod({
          pool: context.pool,
          actor: portalActor(request),
          organizationId,
          methodId: request.params.methodId,
        });
        return { paymentMethod: await portalView(method) };
      },
    );

    app.get(
      '/api/portal/payment-methods/:methodId/removal',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: {
          params: methodParam,
          response: { 200: paymentMethodRemovalAnswer, ...errorResponses },
        },
      },
      async (request) =>
        paymentMethodRemoval({
          pool: context.pool,
          organizationId: portalScope(request).organizationId,
          methodId: request.params.methodId,
          users: deps.methodUsers,
        }),
    );

    app.delete(
      '/api/portal/payment-methods/:methodId',
      {
        onRequest: requirePortal('manage_payment_methods'),
        schema: {
          params: methodParam,
          response: { 200: removedPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { organizationId } = portalScope(request);
        return removePaymentMethod({
          pool: context.pool,
          gateway: deps.gateway,
          logger: request.log,
          actor: portalActor(request),
          organizationId,
          methodId: request.params.methodId,
          users: deps.methodUsers,
        });
      },
    );

    // ---- Staff: the organization page -----------------------------------------------------------

    app.get(
      '/api/organizations/:id/payment-methods',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          querystring: staffPaymentMethodQuery,
          response: { 200: staffPaymentMethodList, ...errorResponses },
        },
      },
      async (request) => {
        const list = await staffListPaymentMethods(db, {
          organizationId: request.params.id,
          today: await today(),
          includeRemoved: request.query.removed === 'include',
        });
        return { ...list, authorizationTexts: await authorizationTexts(db) };
      },
    );

    // Staff enter a method for a client only with the client's authorization: which contact
    // agreed, to the same words the portal shows.
    app.post(
      '/api/organizations/:id/payment-methods',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: staffAddPaymentMethodBody,
          response: { 201: staffPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { authorizedByContactId, ...input } = request.body;
        const method = await addPaymentMethod({
          pool: context.pool,
          gateway: deps.gateway,
          logger: request.log,
          actor,
          organizationId: request.params.id,
          input,
          authorizedBy: { contactId: authorizedByContactId, staffId: actor.id, ip: request.ip },
        });
        reply.code(201);
        return { paymentMethod: await staffPaymentMethod(db, method, await today()) };
      },
    );

    app.patch(
      '/api/organizations/:id/payment-methods/:methodId',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: organizationMethodParams,
          body: editPaymentMethodBody,
          response: { 200: staffPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const method = await updatePaymentMethod({
          pool: context.pool,
          gateway: deps.gateway,
          actor: actorOf(request),
          organizationId: request.params.id,
          methodId: request.params.methodId,
          changes: request.body,
          today: await today(),
        });
        return { paymentMethod: await staffPaymentMethod(db, method, await today()) };
      },
    );

    app.post(
      '/api/organizations/:id/payment-methods/:methodId/unlock',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: organizationMethodParams,
          body: unlockPaymentMethodBody,
          response: { 200: staffPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const method = await unlockPaymentMethod({
          pool: context.pool,
          actor: actorOf(request),
          organizationId: request.params.id,
          methodId: request.params.methodId,
          reason: request.body?.reason ?? '',
        });
        return { paymentMethod: await staffPaymentMethod(db, method, await today()) };
      },
    );

    app.post(
      '/api/organizations/:id/payment-methods/:methodId/default',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: organizationMethodParams,
          response: { 200: staffPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const method = await setDefaultPaymentMethod({
          pool: context.pool,
          actor: actorOf(request),
          organizationId: request.params.id,
          methodId: request.params.methodId,
        });
        return { paymentMethod: await staffPaymentMethod(db, method, await today()) };
      },
    );

    app.get(
      '/api/organizations/:id/payment-methods/:methodId/removal',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: organizationMethodParams,
          response: { 200: paymentMethodRemovalAnswer, ...errorResponses },
        },
      },
      async (request) =>
        paymentMethodRemoval({
          pool: context.pool,
          organizationId: request.params.id,
          methodId: request.params.methodId,
          users: deps.methodUsers,
        }),
    );

    app.delete(
      '/api/organizations/:id/payment-methods/:methodId',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: organizationMethodParams,
          response: { 200: removedPaymentMethodAnswer, ...errorResponses },
        },
      },
      async (request) =>
        removePaymentMethod({
          pool: context.pool,
          gateway: deps.gateway,
          logger: request.log,
          actor: actorOf(request),
          organizationId: request.params.id,
          methodId: request.params.methodId,
          users: deps.methodUsers,
        }),
    );

    // ---- Staff: the provider fee ledger (never a portal answer) --------------------------------

    app.get(
      '/api/organizations/:id/provider-fees',
      {
        onRequest: requireStaff('read'),
        schema: {
          params: idParam,
          response: { 200: organizationProviderFeesAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const found = await context.pool.query('SELECT 1 FROM organizations WHERE id = $1', [
          request.params.id,
        ]);
        if (found.rowCount === 0) throw AppError.notFound('Organization');
        return organizationProviderFees(db, {
          organizationId: request.params.id,
          timeZone: await mspTimeZone(context.pool),
        });
      },
    );

    app.get(
      '/api/provider-fees',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: monthlyProviderFeesAnswer, ...errorResponses } },
      },
      async () => monthlyProviderFees(db, { timeZone: await mspTimeZone(context.pool) }),
    );
  };
}
