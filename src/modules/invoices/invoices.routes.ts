import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { idParam, optionalText, pageLimit, requiredText } from '../../platform/http/validation.js';
import { errorResponses, noContent } from '../../platform/http/responses.js';
import {
  invoiceAnswer,
  invoiceImportResult,
  invoiceListPage,
  organizationBillingAnswer,
} from '../../shared/contract/invoices.js';
import { businessTodayFor } from '../settings/business-date.js';
import { actorOf, requireStaff } from '../staff/staff-auth.js';
import { importInvoicesCsv } from './csv-import.js';
import { listInvoices } from './invoice-list.js';
import { invoiceStatuses, invoiceTerms, isValidDate, maxUnitPriceCents } from './invoice-math.js';
import { parseQuantity } from '../../shared/money.js';
import { maxLineDescriptionLength } from '../../shared/invoice-limits.js';
import { createInvoice, deleteDraftInvoice, updateInvoice } from './invoice-drafts.js';
import { issueInvoice, voidInvoice } from './invoice-lifecycle.js';
import { getInvoice } from './invoice-reads.js';
import { currencyNotOffered, updateOrganizationBilling } from './organization-billing.js';

const dateText = z
  .string('must be a date (YYYY-MM-DD)')
  .refine(isValidDate, 'must be a date (YYYY-MM-DD)');

const quantity = z
  .string('must be a number written as text, such as "1.5"')
  .transform((text, ctx) => {
    // The same reading as the console's quantity input and the CSV import.
    const parsed = parseQuantity(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    return parsed.value;
  });

const invoiceLine = z.object({
  description: requiredText(maxLineDescriptionLength),
  quantity,
  unitPriceCents: z
    .number('must be a whole number of cents')
    .int('must be a whole number of cents')
    .min(0, 'must not be negative')
    .max(maxUnitPriceCents, `must be at most ${maxUnitPriceCents} cents`),
  taxable: z.boolean('must be true or false'),
});

const invoiceBody = z.object({
  organizationId: z.uuid('must be a valid id'),
  number: requiredText(50).optional(),
  issueDate: dateText,
  dueDate: dateText.optional(),
  terms: z.enum(invoiceTerms, `must be one of: ${invoiceTerms.join(', ')}`),
  serviceCategoryId: z.uuid('must be a valid id'),
  taxRateId: z.uuid('must be a tax rate id or null').nullable(),
  memo: optionalText(2000).optional(),
  externalReference: optionalText(200).optional(),
  lines: z
    .array(invoiceLine, 'must be a list of lines')
    .min(1, 'must have at least one line')
    .max(500, 'must have at most 500 lines'),
});

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

const listQuery = z.object({
  organizationId: z.uuid('must be a valid id').optional(),
  status: z.enum(invoiceStatuses, `must be one of: ${invoiceStatuses.join(', ')}`).optional(),
  serviceCategoryId: z.uuid('must be a valid id').optional(),
  dueFrom: dateText.optional(),
  dueTo: dateText.optional(),
  overdue: z.enum(['true', 'false'], 'must be true or false').optional(),
  q: optionalText(50).optional(),
  cursor: z.string().max(500).optional(),
  limit: pageLimit,
});

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
        return listInvoices(context.pool, {
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
          body: z.object({
            csv: z.string('must be the CSV file as text').min(1, 'is required').max(900_000),
          }),
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
          body: z.object({ reason: requiredText(500) }),
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
          body: z.object({
            // Which codes are offered (and the one kept for an organization that holds a code
            // no longer offered) is the use case's rule; here only the shape.
            currency: z
              .string(currencyNotOffered)
              .trim()
              .toUpperCase()
              .refine((code) => /^[A-Z]{3}$/.test(code), currencyNotOffered),
            newInvoiceEmails: z.boolean('must be true or false'),
          }),
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
