import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/audit.js';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { errorResponses } from '../../platform/http/responses.js';
import {
  autopayRunBody,
  autopayRunRequest,
  brandingBody,
  brandingRequest,
  businessDatesBody,
  businessDatesRequest,
  invoiceRemindersBody,
  invoiceRemindersRequest,
  securityBody,
  securityRequest,
} from '../../shared/contract/settings.js';
import { ticketSettingsBody, ticketSettingsRequest } from '../../shared/contract/tickets.js';
import {
  paymentSettingsAnswer,
  paymentSettingsBody,
} from '../../shared/contract/payment-methods.js';
import {
  defaultPortalUrl,
  getAutopayRunSettings,
  getBranding,
  getDateSettings,
  getInvoiceReminderSettings,
  getPaymentSettings,
  getSecuritySettings,
  getTicketSettings,
  updateAutopayRunSettings,
  updateBrand,
  updateDateSettings,
  updateInvoiceReminderSettings,
  updatePaymentSettings,
  updateSecuritySettings,
  updateTicketSettings,
} from './settings.service.js';

/**
 * The staff guard and actor the settings routes use: staff's requireStaff and actorOf, handed
 * in by src/app.ts. Staff sits above settings (sign-in reads the security settings), so
 * settings does not import them.
 */
export interface StaffGuard {
  requireStaff: (
    capability: 'read' | 'manage_settings',
  ) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  actorOf: (request: FastifyRequest) => Actor;
}

export function settingsRoutes(context: AppContext, staff: StaffGuard): FastifyPluginAsyncZod {
  const { requireStaff, actorOf } = staff;
  return async (app) => {
    // The saved branding, and the portal address emails use while its Portal URL is empty.
    app.get(
      '/api/settings/branding',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: brandingBody, ...errorResponses } },
      },
      async () => ({
        branding: await getBranding(createDb(context.pool)),
        defaultPortalUrl: defaultPortalUrl(context.config),
      }),
    );

    app.put(
      '/api/settings/branding',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: brandingRequest,
          response: { 200: brandingBody, ...errorResponses },
        },
      },
      async (request) => ({
        branding: await updateBrand({
          pool: context.pool,
          actor: actorOf(request),
          changes: request.body,
        }),
        defaultPortalUrl: defaultPortalUrl(context.config),
      }),
    );

    // Any staff user may read it (their Two-factor page says why TOTP cannot be turned off).
    app.get(
      '/api/settings/security',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: securityBody, ...errorResponses } },
      },
      async () => ({
        security: await getSecuritySettings(createDb(context.pool)),
      }),
    );

    app.put(
      '/api/settings/security',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: securityRequest,
          response: { 200: securityBody, ...errorResponses },
        },
      },
      async (request) => ({
        security: await updateSecuritySettings({
          pool: context.pool,
          actor: actorOf(request),
          changes: request.body,
        }),
      }),
    );

    app.get(
      '/api/settings/invoice-reminders',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: invoiceRemindersBody, ...errorResponses } },
      },
      async () => ({
        invoiceReminders: await getInvoiceReminderSettings(createDb(context.pool)),
      }),
    );

    app.put(
      '/api/settings/invoice-reminders',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: invoiceRemindersRequest,
          response: { 200: invoiceRemindersBody, ...errorResponses },
        },
      },
      async (request) => ({
        invoiceReminders: await updateInvoiceReminderSettings({
          pool: context.pool,
          actor: actorOf(request),
          changes: request.body,
        }),
      }),
    );

    // Configuration > Billing > Payments: card and ACH on or off, the provider fee, the lock.
    app.get(
      '/api/settings/payments',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: paymentSettingsAnswer, ...errorResponses } },
      },
      async () => ({ payments: await getPaymentSettings(createDb(context.pool)) }),
    );

    app.put(
      '/api/settings/payments',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: paymentSettingsBody,
          response: { 200: paymentSettingsAnswer, ...errorResponses },
        },
      },
      async (request) => ({
        payments: await updatePaymentSettings({
          pool: context.pool,
          actor: actorOf(request),
          changes: request.body,
        }),
      }),
    );

    // Configuration > Billing > AutoPay Run: its time of day and the retries of a soft decline.
    app.get(
      '/api/settings/autopay-run',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: autopayRunBody, ...errorResponses } },
      },
      async () => ({ autopayRun: await getAutopayRunSettings(createDb(context.pool)) }),
    );

    app.put(
      '/api/settings/autopay-run',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: autopayRunRequest,
          response: { 200: autopayRunBody, ...errorResponses },
        },
      },
      async (request) => ({
        autopayRun: await updateAutopayRunSettings({
          pool: context.pool,
          actor: actorOf(request),
          changes: request.body,
        }),
      }),
    );

    // Any staff user may read it: the console writes dates the way it says.
    app.get(
      '/api/settings/business-dates',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: businessDatesBody, ...errorResponses } },
      },
      async () => ({
        businessDates: await getDateSettings(createDb(context.pool), currentTime(context)),
      }),
    );

    app.put(
      '/api/settings/business-dates',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: businessDatesRequest,
          response: { 200: businessDatesBody, ...errorResponses },
        },
      },
      async (request) => ({
        businessDates: await updateDateSettings({
          pool: context.pool,
          jobs: context.jobs,
          logger: context.logger,
          actor: actorOf(request),
          changes: request.body,
          now: currentTime(context),
        }),
      }),
    );

    // Configuration > Service Tickets: who is told of new tickets, and the attachment limits.
    app.get(
      '/api/settings/tickets',
      {
        onRequest: requireStaff('read'),
        schema: { response: { 200: ticketSettingsBody, ...errorResponses } },
      },
      async () => ({ tickets: await getTicketSettings(createDb(context.pool)) }),
    );

    app.put(
      '/api/settings/tickets',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: ticketSettingsRequest,
          response: { 200: ticketSettingsBody, ...errorResponses },
        },
      },
      async (request) => ({
        tickets: await updateTicketSettings({
          pool: context.pool,
          actor: actorOf(request),
          changes: request.body,
        }),
      }),
    );
  };
}
