import { z } from 'zod';
import { dateFormats } from '../dates.js';
import { calendarDate } from './common.js';

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
