import { z } from 'zod';
import { dateFormats } from '../dates.js';
import { calendarDate, instant, keysetPage } from './common.js';
import { emailAddress } from './fields.js';
import { portalPermissions } from './access-profiles.js';

/**
 * What the portal's session routes answer: allow-lists (platform/http/responses.ts), so the
 * branding never carries the portal URL setting and a contact never carries a password hash.
 */

const permissions = z.array(z.enum(portalPermissions));

/**
 * Sign-in, the company switch and the session: the MSP's branding, how dates are written and
 * today's business date, and, when signed in, the contact, the organizations it may act for,
 * the one it acts for with its permissions, and the staff user viewing as it (if any).
 */
export const portalSessionBody = z.object({
  branding: z.object({
    mspName: z.string(),
    logoUrl: z.string(),
    brandColor: z.string(),
    supportEmail: z.string(),
    supportPhone: z.string(),
  }),
  dates: z.object({
    dateFormat: z.enum(dateFormats),
    timeZone: z.string(),
    today: calendarDate,
  }),
  contact: z
    .object({
      id: z.guid(),
      name: z.string(),
      email: z.string(),
      mustChangePassword: z.boolean(),
    })
    .nullable(),
  organizations: z.array(
    z.object({ id: z.guid(), name: z.string(), profileName: z.string(), permissions }),
  ),
  current: z
    .object({
      organizationId: z.guid(),
      organizationName: z.string(),
      profileName: z.string(),
      permissions,
    })
    .nullable(),
  viewer: z.object({ staffName: z.string() }).nullable(),
});

/** GET /api/portal/session: the session body and a CSRF token for it. */
export const portalSessionWithToken = portalSessionBody.extend({ csrfToken: z.string() });

/** A password as the portal's forms send it (its rules are checked by the use case). */
const password = z.string().max(200, 'must be at most 200 characters');

/** POST /api/portal/sign-in. */
export const portalSignInBody = z.object({
  email: emailAddress,
  password: z.string().min(1, 'is required'),
});

/** A body naming one organization: the company switch, and staff's "view portal as". */
export const organizationIdBody = z.object({ organizationId: z.uuid('must be a valid id') });

/** POST /api/portal/set-password and /reset-password: the emailed link's token and the password. */
export const newPasswordBody = z.object({
  token: z.string().min(10, 'is not a valid link').max(200),
  password,
  passwordConfirmation: password,
});

/** POST /api/portal/request-password-reset ("Forgot your password?"). */
export const passwordResetRequestBody = z.object({ email: emailAddress });

/** POST /api/portal/change-password (My Account). */
export const changePasswordBody = z.object({
  currentPassword: z.string().min(1, 'is required').max(200),
  newPassword: password,
  newPasswordConfirmation: password,
});

/** A password set from an emailed link: the account's address, to sign in with. */
export const passwordSetBody = z.object({ email: z.string() });

/** A contact's portal sign-in attempts, newest first (staff's Login History). */
export const contactLoginHistoryPage = keysetPage(
  'attempts',
  z.object({
    id: z.string(),
    attemptedAt: instant,
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    succeeded: z.boolean(),
    reason: z.string(),
    organizationName: z.string().nullable(),
  }),
);
