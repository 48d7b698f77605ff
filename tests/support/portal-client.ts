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

/**
 * The contact, signed in to the portal through the staff path a real client takes: a
 * temporary password set by `admin`, then changed at the first sign-in (every portal route
 * refuses a session until then). Answers the signed-in client; its password is then
 * `permanentPassword`.
 */
export async function signedInWithTemporaryPassword(
  testApp: TestApp,
  admin: ApiClient,
  email: string,
  permanentPassword = 'Waffles at JJs Diner 1972',
): Promise<ApiClient> {
  const temporary = 'Temporary 12345 x';
  const id: string = (
    await testApp.database.pool.query(`SELECT id FROM contacts WHERE email = $1`, [email])
  ).rows[0].id;
  const set = await admin.post(`/api/contacts/${id}/temporary-password`, { password: temporary });
  if (set.statusCode !== 204) throw new Error(`temporary password refused: ${set.body}`);
  const portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', { email, password: temporary });
  if (signIn.statusCode !== 200) throw new Error(`portal sign-in failed: ${signIn.body}`);
  const changed = await portal.post('/api/portal/change-password', {
    currentPassword: temporary,
    newPassword: permanentPassword,
    newPasswordConfirmation: permanentPassword,
  });
  if (changed.statusCode !== 200) throw new Error(`password change refused: ${changed.body}`);
  return portal;
}
