import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { idParam, pageLimit } from '../../platform/http/validation.js';
import { errorResponses, noContent } from '../../platform/http/responses.js';
import {
  invoiceAnswer,
  invoiceBody,
  invoiceImportBody,
  invoiceImportResult,
  invoiceListPage,
  invoiceListQuery,
  organizationBillingAnswer,
  organizationBillingBody,
  voidInvoiceBody,
} from '../../shared/contract/invoices.js';
import { businessTodayFor } from '../settings/business-date.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { importInvoicesCsv } from './csv-import.js';
import { listInvoices } from './invoice-list.js';
import { createInvoice, deleteDraftInvoice, updateInvoice } from './invoice-drafts.js';
import { issueInvoice, voidInvoice } from './invoice-lifecycle.js';
import { getInvoice } from './invoice-reads.js';
import { updateOrganizationBilling } from './organization-billing.js';

type InvoiceBody = z.infer<typeof invoiceBody>;

function inputOf(body: InvoiceBody) {
  return {
    ...body,
    lines: body.lines.map(({ quantity: quantityTenThousandths, ...line }) => ({
      ...line,
      quantityTenThousandths,
    })),
  };
}

// The page size is the server's own default and limit (platform/http/validation.ts).
const listQuery = invoiceListQuery.extend({ limit: pageLimit });

export function invoiceRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/invoices',
      {
        onRequest: requireStaff('read'),
        schema: { querystring: listQuery, response: { 200: invoiceListPage, ...errorResponses } },
      },
      async (request) => {
        const { q, overdue, cursor, ...filters } = request.query;
        return listInvoices({
          pool: context.pool,
          ...filters,
          today: await businessTodayFor(context),
          overdue: overdue === 'true',
          search: q || undefined,
          cursor: cursor || undefined,
        });
      },
    );

    app.post(
      '/api/invoices',
      {
        onRequest: requireStaff('manage_clients'),
        schema: { body: invoiceBody, response: { 201: invoiceAnswer, ...errorResponses } },
      },
      async (request, reply) => {
        const invoice = await createInvoice({
          pool: context.pool,
          actor: actorOf(request),
          input: inputOf(request.body),
        });
        return reply.status(201).send({ invoice });
      },
    );

    app.post(
      '/api/invoices/import',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          body: invoiceImportBody,
          response: { 201: invoiceImportResult, ...errorResponses },
        },
      },
      async (request, reply) => {
        const result = await importInvoicesCsv({
          pool: context.pool,
          actor: actorOf(request),
          csv: request.body.csv,
        });
        return reply.status(201).send(result);
      },
    );

    app.get(
      '/api/invoices/:id',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, response: { 200: invoiceAnswer, ...errorResponses } },
      },
      async (request) => ({
        invoice: await getInvoice({
          pool: context.pool,
          invoiceId: request.params.id,
          today: await businessTodayFor(context),
        }),
      }),
    );

    app.put(
      '/api/invoices/:id',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: invoiceBody,
          response: { 200: invoiceAnswer, ...errorResponses },
        },
      },
      async (request) => ({
        invoice: await updateInvoice({
          pool: context.pool,
          actor: actorOf(request),
          invoiceId: request.params.id,
          input: inputOf(request.body),
        }),
      }),
    );

    app.post(
      '/api/invoices/:id/issue',
      {
        onRequest: requireStaff('manage_clients'),
        schema: { params: idParam, response: { 200: invoiceAnswer, ...errorResponses } },
      },
      async (request) => ({
        invoice: await issueInvoice({
          context,
          actor: actorOf(request),
          invoiceId: request.params.id,
        }),
      }),
    );

    app.post(
      '/api/invoices/:id/void',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: voidInvoiceBody,
          response: { 200: invoiceAnswer, ...errorResponses },
        },
      },
      async (request) => ({
        invoice: await voidInvoice({
          pool: context.pool,
          actor: actorOf(request),
          invoiceId: request.params.id,
          reason: request.body.reason,
        }),
      }),
    );

    app.delete(
      '/api/invoices/:id',
      {
        onRequest: requireStaff('manage_clients'),
        schema: { params: idParam, response: { 204: noContent, ...errorResponses } },
      },
      async (request, reply) => {
        await deleteDraftInvoice({
          pool: context.pool,
          actor: actorOf(request),
          invoiceId: request.params.id,
        });
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/api/organizations/:id/billing',
      {
        onRequest: requireStaff('manage_clients'),
        schema: {
          params: idParam,
          body: organizationBillingBody,
          response: { 200: organizationBillingAnswer, ...errorResponses },
        },
      },
      async (request) => ({
        billing: await updateOrganizationBilling({
          pool: context.pool,
          actor: actorOf(request),
          organizationId: request.params.id,
          billing: request.body,
        }),
      }),
    );
  };
}
