import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/platform/passwords.js';
import { ApiClient, type TestApp } from './test-app.js';

/**
 * A new contact of the organization, with a profile that may view invoices and on its
 * Default Notification Emails, with a password and signed in to the portal. Answers the
 * contact's email and API client.
 */
export async function signedInToPortal(
  testApp: TestApp,
  organizationId: string,
): Promise<{ email: string; portal: ApiClient }> {
  const pool = testApp.database.pool;
  const email = `client-${randomUUID().slice(0, 8)}@example.com`;
  const contactId: string = (
    await pool.query(`INSERT INTO contacts (name, email) VALUES ('Ann Client', $1) RETURNING id`, [
      email,
    ])
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles
      WHERE 'view_invoices' = ANY(permissions) ORDER BY name LIMIT 1`,
    [contactId, organizationId],
  );
  const password = 'Waffles at JJs Diner 1972';
  // The password is set as the welcome link would set it; how the link travels is not what
  // the tests using this helper are about.
  await pool.query(`UPDATE contacts SET password_hash = $2 WHERE id = $1`, [
    contactId,
    await hashPassword(password),
  ]);
  const portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', { email, password });
  if (signIn.statusCode !== 200) throw new Error(`portal sign-in failed: ${signIn.body}`);
  return { email, portal };
}
