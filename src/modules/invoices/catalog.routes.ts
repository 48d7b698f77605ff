import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { idParam } from '../../platform/http/validation.js';
import { errorResponses } from '../../platform/http/responses.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import {
  newServiceCategoryRequest,
  newTaxRateRequest,
  serviceCategoryAnswer,
  serviceCategoryBody,
  serviceCategoryChangesRequest,
  taxRateAnswer,
  taxRateBody,
  taxRateChangesRequest,
} from '../../shared/contract/catalog.js';
import {
  createServiceCategory,
  createTaxRate,
  listServiceCategories,
  listTaxRates,
  updateServiceCategory,
  updateTaxRate,
} from './catalog.service.js';

export function catalogRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/service-categories',
      {
        onRequest: requireStaff('read'),
        schema: {
          response: {
            200: z.object({ serviceCategories: z.array(serviceCategoryBody) }),
            ...errorResponses,
          },
        },
      },
      async () => ({
        serviceCategories: await listServiceCategories(context.pool),
      }),
    );

    app.post(
      '/api/service-categories',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: newServiceCategoryRequest,
          response: { 201: serviceCategoryAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const serviceCategory = await createServiceCategory({
          pool: context.pool,
          actor: actorOf(request),
          name: request.body.name,
        });
        return reply.status(201).send({ serviceCategory });
      },
    );

    app.patch(
      '/api/service-categories/:id',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          params: idParam,
          body: serviceCategoryChangesRequest,
          response: { 200: serviceCategoryAnswer, ...errorResponses },
        },
      },
      async (request) => ({
        serviceCategory: await updateServiceCategory({
          pool: context.pool,
          actor: actorOf(request),
          id: request.params.id,
          changes: request.body,
        }),
      }),
    );

    app.get(
      '/api/tax-rates',
      {
        onRequest: requireStaff('read'),
        schema: {
          response: { 200: z.object({ taxRates: z.array(taxRateBody) }), ...errorResponses },
        },
      },
      async () => ({
        taxRates: await listTaxRates(context.pool),
      }),
    );

    app.post(
      '/api/tax-rates',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: newTaxRateRequest,
          response: { 201: taxRateAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const taxRate = await createTaxRate({
          pool: context.pool,
          actor: actorOf(request),
          name: request.body.name,
          ratePpm: request.body.ratePercent,
        });
        return reply.status(201).send({ taxRate });
      },
    );

    app.patch(
      '/api/tax-rates/:id',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          params: idParam,
          body: taxRateChangesRequest,
          response: { 200: taxRateAnswer, ...errorResponses },
        },
      },
      async (request) => ({
        taxRate: await updateTaxRate({
          pool: context.pool,
          actor: actorOf(request),
          id: request.params.id,
          changes: {
            name: request.body.name,
            ratePpm: request.body.ratePercent,
            archived: request.body.archived,
          },
        }),
      }),
    );
  };
}
