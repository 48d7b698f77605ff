import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';
import { errorResponses } from '../../platform/http/responses.js';
import { autopayLastRunOfAll } from '../../shared/contract/autopay-run.js';
import { requireStaff } from '../staff/staff-auth.js';
import { lastAutopayRun } from './autopay-run.js';

/**
 * The daily AutoPay run as staff read it (capability 'read'): the latest run, its counts and
 * every try with its outcome and the reason it was skipped or failed.
 */
export function autopayRunRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/autopay/runs/last',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: autopayLastRunOfAll, ...errorResponses } },
      },
      async () => lastAutopayRun(context),
    );
  };
}
