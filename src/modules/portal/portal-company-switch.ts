import { AppError } from '../../platform/errors.js';
import type { Pool } from '../../platform/database.js';
import { setLastPortalOrganization } from '../contacts/contacts.service.js';
import { recordOrganizationPortalUse } from '../organizations/organizations.service.js';
import { portalOrganizations, type PortalSession } from './portal-sessions.js';

/**
 * The company switch: act for another organization where the contact has access. It is also
 * where the contact's next sign-in starts.
 */
export async function switchOrganization(options: {
  pool: Pool;
  session: PortalSession;
  organizationId: string;
}) {
  const organizations = await portalOrganizations({
    pool: options.pool,
    contactId: options.session.contact.id,
  });
  // Another organization's id, or one without access, is simply not found for this contact.
  if (!organizations.some((o) => o.id === options.organizationId)) {
    throw AppError.notFound('Organization');
  }
  await options.pool.query(
    'UPDATE portal_sessions SET organization_id = $2 WHERE token_hash = $1',
    [options.session.tokenHash, options.organizationId],
  );
  // Staff viewing the portal leave no trace in what the contact last used.
  if (!options.session.viewer) {
    await recordOrganizationPortalUse(options.pool, options.organizationId);
    await setLastPortalOrganization(options.pool, {
      contactId: options.session.contact.id,
      organizationId: options.organizationId,
    });
  }
}
