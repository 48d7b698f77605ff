import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/audit.js';
import { dateFormats } from '../../shared/dates.js';
import { currentTime, type AppContext } from '../../platform/context.js';
import { createDb } from '../../platform/database.js';
import { optionalText, requiredText } from '../../platform/http/validation.js';
import { errorResponses } from '../../platform/http/responses.js';
import {
  brandingBody,
  businessDatesBody,
  invoiceRemindersBody,
  securityBody,
} from '../../shared/contract/settings.js';
import {
  paymentSettingsAnswer,
  paymentSettingsBody,
} from '../../shared/contract/payment-methods.js';
import {
  defaultPortalUrl,
  getBranding,
  getDateSettings,
  getInvoiceReminderSettings,
  getPaymentSettings,
  getSecuritySettings,
  updateBrand,
  updateDateSettings,
  updateInvoiceReminderSettings,
  updatePaymentSettings,
  updateSecuritySettings,
} from './settings.service.js';

const httpUrl = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .refine((value) => /^https?:\/\/[^\s]+$/.test(value), 'must be an http:// or https:// address');

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
          body: z.object({
            mspName: requiredText(200),
            logoUrl: z.union([z.literal(''), httpUrl]),
            brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1c7ed6'),
            supportEmail: z.union([z.literal(''), z.email('must be an email address')]),
            supportPhone: optionalText(50),
            // Empty: PUBLIC_URL/portal, wherever this start runs.
            portalUrl: z.union([z.literal(''), httpUrl]),
          }),
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
          body: z.object({ requireStaffTotp: z.boolean('must be true or false') }),
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

    const reminderDays = z
      .number('must be a whole number of days')
      .int('must be a whole number of days')
      .min(0, 'must be 0 (none) or more')
      .max(365, 'must be at most 365 days');

    app.put(
      '/api/settings/invoice-reminders',
      {
        onRequest: requireStaff('manage_settings'),
        schema: {
          body: z.object({
            dueReminderDaysBefore: reminderDays,
            pastDueReminderEveryDays: reminderDays,
          }),
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
          body: z.object({
            timeZone: requiredText(100),
            dateFormat: z.enum(dateFormats, `must be one of: ${dateFormats.join(', ')}`),
          }),
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
  };
}
