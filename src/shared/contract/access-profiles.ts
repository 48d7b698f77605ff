import { z } from 'zod';
import { instant } from './common.js';
import { requiredText } from './fields.js';

/** What a client access profile may allow (Configuration > Client Users). */
export const portalPermissions = [
  'view_invoices',
  'pay_invoices',
  'view_payment_history',
  'manage_payment_methods',
  'manage_autopay',
  'schedule_payments',
  'view_credits',
  'service_tickets',
] as const;
export type PortalPermission = (typeof portalPermissions)[number];

/** What the access profile routes answer (allow-lists: platform/http/responses.ts). */

const permissions = z.array(z.enum(portalPermissions));

/** A profile as saved: its name and the portal permissions it grants. */
export const accessProfileBody = z.object({
  id: z.guid(),
  name: z.string(),
  permissions,
  createdAt: instant,
  updatedAt: instant,
});

/**
 * Configuration > Client Users: the profiles with how many contact relations use each, every
 * permission there is, and how many relations are "Revoke Access".
 */
export const accessProfileList = z.object({
  accessProfiles: z.array(
    z.object({ id: z.guid(), name: z.string(), permissions, contactCount: z.number().int() }),
  ),
  permissions,
  revokedCount: z.number().int(),
});

const permissionList = z.array(
  z.enum(portalPermissions, `must be one of: ${portalPermissions.join(', ')}`),
);

/** A new access profile (POST /api/access-profiles): its name and the permissions it grants. */
export const newAccessProfileRequest = z.object({
  name: requiredText(100),
  permissions: permissionList,
});

/** Changes to an access profile (PATCH /api/access-profiles/{id}): only the fields given change. */
export const accessProfileChangesRequest = newAccessProfileRequest.partial();
