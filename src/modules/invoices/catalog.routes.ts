import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { idParam, requiredText } from '../../platform/http/validation.js';
import { errorResponses } from '../../platform/http/responses.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { serviceCategoryBody, taxRateBody } from '../../shared/contract/catalog.js';
import {
  createServiceCategory,
  createTaxRate,
  listServiceCategories,
  listTaxRates,
  updateServiceCategory,
  updateTaxRate,
} from './catalog.service.js';
import { parseRatePercent } from '../../shared/money.js';

const ratePercent = z.string('must be a percentage such as "7.25"').transform((text, ctx) => {
  const ppm = parseRatePercent(text);
  if (ppm === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a percentage from 0 to 100, up to 4 decimals',
    });
    return z.NEVER;
  }
  return ppm;
});

const position = z.number().int('must be a whole number').min(0).max(100_000);

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
          body: z.object({ name: requiredText(100) }),
          response: { 201: z.object({ serviceCategory: serviceCategoryBody }), ...errorResponses },
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
          body: z.object({
            name: requiredText(100).optional(),
            position: position.optional(),
            archived: z.boolean('must be true or false').optional(),
          }),
          response: { 200: z.object({ serviceCategory: serviceCategoryBody }), ...errorResponses },
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
          body: z.object({ name: requiredText(100), ratePercent }),
          response: { 201: z.object({ taxRate: taxRateBody }), ...errorResponses },
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
          body: z.object({
            name: requiredText(100).optional(),
            ratePercent: ratePercent.optional(),
            archived: z.boolean('must be true or false').optional(),
          }),
          response: { 200: z.object({ taxRate: taxRateBody }), ...errorResponses },
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
