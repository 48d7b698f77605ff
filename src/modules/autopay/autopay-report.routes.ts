import { z } from 'zod';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentTime, type AppContext } from '../../platform/context.js';
import { errorResponses } from '../../platform/http/responses.js';
import { idParam } from '../../platform/http/validation.js';
import {
  autopayLastRunAnswer,
  autopayReportFilters,
  autopayReportPage,
  autopayReportQuery,
  paymentsCalendarAnswer,
  paymentsCalendarDayAnswer,
  paymentsCalendarDayQuery,
  paymentsCalendarQuery,
} from '../../shared/contract/autopay-report.js';
import { assertOrganizationExists } from '../organizations/organizations.service.js';
import { requireStaff } from '../staff/staff-auth.js';
import { autopayReport, autopayReportCsv, organizationLastAutopayRun } from './autopay-report.js';
import { paymentsCalendar, paymentsCalendarDay } from './payments-calendar.js';

/** A CSV download, streamed (the reply's schema types JSON answers; the file is not one). */
function sendCsv(reply: FastifyReply, content: Readable) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="autopay-configurations.csv"')
    .header('cache-control', 'private, no-store')
    .send(content);
}

/**
 * Staff's reads of automatic payments (capability 'read'): the AutoPay Configurations report
 * and its CSV export, an organization's last AutoPay run, and the Payments Calendar (a range's
 * days with their totals, and one day's charges and scheduled payments).
 */
export function autopayReportRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/autopay/report',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: autopayReportQuery,
          response: { 200: autopayReportPage, ...errorResponses },
        },
      },
      async (request) => autopayReport(context.pool, request.query),
    );

    app.get(
      '/api/autopay/report/export',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: autopayReportFilters,
          response: {
            200: {
              description: 'The AutoPay Configurations report as CSV, one line per rule',
              content: { 'text/csv': { schema: z.string().describe('CSV text') } },
            },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => sendCsv(reply, autopayReportCsv(context.pool, request.query)),
    );

    app.get(
      '/api/organizations/:id/autopay/last-run',
      {
        onRequest: requireStaff('read'),
        schema: { params: idParam, response: { 200: autopayLastRunAnswer, ...errorResponses } },
      },
      async (request) => {
        await assertOrganizationExists(context.pool, request.params.id);
        return organizationLastAutopayRun(context.pool, request.params.id);
      },
    );

    app.get(
      '/api/payments-calendar',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: paymentsCalendarQuery,
          response: { 200: paymentsCalendarAnswer, ...errorResponses },
        },
      },
      async (request) => paymentsCalendar(context.pool, request.query, currentTime(context)),
    );

    app.get(
      '/api/payments-calendar/day',
      {
        onRequest: requireStaff('read'),
        schema: {
          querystring: paymentsCalendarDayQuery,
          response: { 200: paymentsCalendarDayAnswer, ...errorResponses },
        },
      },
      async (request) => paymentsCalendarDay(context.pool, request.query, currentTime(context)),
    );
  };
}
