import { z } from 'zod';
import { instant } from './common.js';
import { emailAddress, minimumPasswordLength, requiredText } from './fields.js';
import { businessDatesBody } from './settings.js';

/**
 * What the staff sign-in, TOTP and staff user routes answer, and the bodies the console sends
 * them (allow-lists: platform/http/responses.ts). No schema here names a password hash, a
 * session token or a TOTP secret, except the enrolment answer, which exists to hand the new
 * secret to the user's authenticator app.
 */

/** The staff roles (staff_users.role). */
export const staffRoles = ['master_admin', 'billing', 'read_only'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** What a staff user may do; each role grants a fixed set (modules/staff/staff-roles.ts). */
export const staffCapabilities = [
  'read',
  'manage_clients',
  'manage_settings',
  'manage_staff',
  /** The Local Mailbox stands in for the clients' inboxes: it holds their working links. */
  'read_local_mailbox',
  /** Service tickets: reply, note, change, close, reopen (Read Only staff only read them). */
  'manage_tickets',
] as const;
export type StaffCapability = (typeof staffCapabilities)[number];

/** What staff read for each role (the console's role picker and badges). */
export const staffRoleLabels: Record<StaffRole, string> = {
  master_admin: 'Master Admin',
  billing: 'Billing',
  read_only: 'Read Only',
};

const staffRole = z.enum(staffRoles, 'must be master_admin, billing or read_only');

/** The signed-in staff user, with what their role lets them do. */
export const sessionUser = z.object({
  id: z.guid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(staffRoles),
  capabilities: z.array(z.enum(staffCapabilities)),
});

/** A fresh CSRF token for the staff console's state-changing requests. */
export const csrfBody = z.object({ csrfToken: z.string() });

/**
 * The staff session: the user (null when signed out or while a second step is due), how the
 * console writes dates and the business date it is (never the browser's), which second step is
 * due after a right password (only then present), and the CSRF token.
 */
export const staffSessionBody = z.object({
  user: sessionUser.nullable(),
  dates: businessDatesBody.shape.businessDates,
  totpRequired: z.literal(true).optional(),
  totpEnrollmentRequired: z.literal(true).optional(),
  csrfToken: z.string(),
});

/** The password step: the email and password a staff user signs in with. */
export const signInRequest = z.object({
  email: emailAddress,
  password: z.string().min(1, 'is required'),
});

/**
 * What the password step answers: the user, or which second step is due (no user data before
 * the second factor).
 */
export const signInBody = z.union([
  z.object({ user: sessionUser }),
  z.object({ totpRequired: z.literal(true) }),
  z.object({ totpEnrollmentRequired: z.literal(true) }),
]);

/** A second step done (a TOTP code at sign-in, or a confirmed enrolment): the user. */
export const signedInBody = z.object({ user: sessionUser });

export const signedOutBody = z.object({ signedOut: z.literal(true) });

/** A staff user as staff users are listed (never the password hash or the TOTP secret). */
export const staffUserRecord = z.object({
  id: z.guid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(staffRoles),
  disabledAt: instant.nullable(),
  createdAt: instant,
  /** Two-factor sign-in (TOTP) is on; the secret itself never leaves the server. */
  totpEnabled: z.boolean(),
});

export const staffUserListBody = z.object({ staffUsers: z.array(staffUserRecord) });
export const staffUserBody = z.object({ staffUser: staffUserRecord });

/** A staff user just created: who they are. */
export const createdStaffUserBody = z.object({
  staffUser: staffUserRecord.pick({ id: true, email: true, name: true, role: true }),
});

/** A new staff user (POST /api/staff-users). */
export const newStaffUserRequest = z.object({
  email: emailAddress,
  name: requiredText(200),
  role: staffRole,
  password: z
    .string()
    .min(minimumPasswordLength, `must be at least ${minimumPasswordLength} characters`)
    .max(200, 'must be at most 200 characters'),
});

/** Changes to a staff user (PATCH /api/staff-users/{id}): only the fields given change. */
export const staffUserChangesRequest = z.object({
  name: requiredText(200).optional(),
  role: staffRole.optional(),
  disabled: z.boolean().optional(),
});

/** A page of a staff user's sign-in attempts, newest first (keyset: platform/keyset-cursor.ts). */
export const staffLoginHistoryPage = z.object({
  attempts: z.array(
    z.object({
      id: z.number().int(),
      email: z.string(),
      staffUserId: z.guid().nullable(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      succeeded: z.boolean(),
      reason: z.string(),
      attemptedAt: instant,
    }),
  ),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});

/** Whether TOTP is on for oneself, and whether the settings require it of all staff. */
export const totpStatusBody = z.object({
  totp: z.object({
    enabled: z.boolean(),
    enabledAt: instant.nullable(),
    /** The Security settings require TOTP of all staff: it cannot be turned off. */
    required: z.boolean(),
  }),
});

/**
 * A new TOTP secret, not in force until a code from it is confirmed: the one answer that
 * carries a secret, as it exists to put it into the user's authenticator app.
 */
export const totpEnrollmentBody = z.object({
  secret: z.string(),
  otpauthUrl: z.string(),
  qrDataUrl: z.string(),
});

export const totpDisabledBody = z.object({ totpEnabled: z.literal(false) });

/** A TOTP code as typed, without the spaces some apps show it with ("123 456"). */
export const normalizeTotpCode = (value: string) => value.replace(/\s+/g, '');

/** What a TOTP code is once normalized: the six digits an authenticator app shows. */
export const totpCodePattern = /^\d{6}$/;

/** Six digits; spaces (as some apps show "123 456") are ignored. */
export const totpCode = z
  .string('is required')
  .transform(normalizeTotpCode)
  .pipe(z.string().regex(totpCodePattern, 'must be the 6 digits your authenticator app shows'));

/** POST /api/auth/sign-in/totp and POST /api/auth/totp/confirm: a code from the app. */
export const totpCodeRequest = z.object({ code: totpCode });

/**
 * DELETE /api/auth/totp: turning one's own TOTP off takes a code from the app or one's
 * password, exactly one of the two.
 */
export const disableTotpRequest = z
  .object({
    code: totpCode.optional(),
    password: z.string().min(1, 'is required').max(200).optional(),
  })
  .superRefine((body, issues) => {
    if (body.code === undefined && body.password === undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['code'],
        message: 'is required: a code from your app, or your password',
      });
    } else if (body.code !== undefined && body.password !== undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'give either a code or your password, not both',
      });
    }
  });
