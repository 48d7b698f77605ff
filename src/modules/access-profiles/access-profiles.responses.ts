import { z } from 'zod';
import { instant } from '../../platform/http/responses.js';
import { portalPermissions } from './access-profiles.schema.js';

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
