import { z } from 'zod';
import { dateFormats } from '../dates.js';
import { calendarDate } from './common.js';
import { optionalText, requiredText } from './fields.js';

/** What the settings routes answer (allow-lists: platform/http/responses.ts). */

/**
 * Configuration > Branding as saved (an empty `portalUrl`: links use `defaultPortalUrl`, which
 * is PUBLIC_URL/portal).
 */
export const brandingBody = z.object({
  branding: z.object({
    mspName: z.string(),
    logoUrl: z.string(),
    brandColor: z.string(),
    supportEmail: z.string(),
    supportPhone: z.string(),
    portalUrl: z.string(),
  }),
  defaultPortalUrl: z.string(),
});

/** Whether every staff user must sign in with a TOTP code. */
export const securityBody = z.object({ security: z.object({ requireStaffTotp: z.boolean() }) });

/** When Invoice Due notices go out, in days (0: none). */
export const invoiceRemindersBody = z.object({
  invoiceReminders: z.object({
    dueReminderDaysBefore: z.number().int(),
    pastDueReminderEveryDays: z.number().int(),
  }),
});

/** The MSP's time zone and date format, and the business date it is now. */
export const businessDatesBody = z.object({
  businessDates: z.object({
    timeZone: z.string(),
    dateFormat: z.enum(dateFormats),
    today: calendarDate,
  }),
});

/**
 * The daily AutoPay run (Configuration > Billing): its time of day on the MSP's clock ("HH:MM",
 * 24-hour), how many more tries a soft decline gets (0: none) and how many days apart.
 */
export const autopayRunBody = z.object({
  autopayRun: z.object({
    runTime: z.string(),
    retries: z.number().int(),
    daysBetween: z.number().int(),
  }),
});

/** What the settings routes take: the request bodies of their PUTs, validated by the server. */

const httpUrl = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .refine((value) => /^https?:\/\/[^\s]+$/.test(value), 'must be an http:// or https:// address');

/** Configuration > Branding (PUT /api/settings/branding). */
export const brandingRequest = z.object({
  mspName: requiredText(200),
  logoUrl: z.union([z.literal(''), httpUrl]),
  brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1c7ed6'),
  supportEmail: z.union([z.literal(''), z.email('must be an email address')]),
  supportPhone: optionalText(50),
  // Empty: PUBLIC_URL/portal, wherever this start runs.
  portalUrl: z.union([z.literal(''), httpUrl]),
});

/** Configuration > Security (PUT /api/settings/security). */
export const securityRequest = z.object({
  requireStaffTotp: z.boolean('must be true or false'),
});

const reminderDays = z
  .number('must be a whole number of days')
  .int('must be a whole number of days')
  .min(0, 'must be 0 (none) or more')
  .max(365, 'must be at most 365 days');

/** Configuration > Billing > Invoice Due Notices (PUT /api/settings/invoice-reminders). */
export const invoiceRemindersRequest = z.object({
  dueReminderDaysBefore: reminderDays,
  pastDueReminderEveryDays: reminderDays,
});

/** Configuration > Billing > Dates (PUT /api/settings/business-dates). */
export const businessDatesRequest = z.object({
  timeZone: requiredText(100),
  dateFormat: z.enum(dateFormats, `must be one of: ${dateFormats.join(', ')}`),
});

/** Configuration > Billing > AutoPay Run (PUT /api/settings/autopay-run). */
export const autopayRunRequest = z.object({
  runTime: z
    .string('must be a time such as 06:00')
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time from 00:00 to 23:59, such as 06:00'),
  retries: z
    .number('must be a whole number of tries')
    .int('must be a whole number of tries')
    .min(0, 'must be 0 (none) or more')
    .max(10, 'must be at most 10 tries'),
  daysBetween: z
    .number('must be a whole number of days')
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(30, 'must be at most 30 days'),
});
