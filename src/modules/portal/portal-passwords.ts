import { AppError } from '../../platform/errors.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import { hashPassword, verifyPassword } from '../../platform/passwords.js';
import { hashToken } from '../../platform/tokens.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import {
  endContactLinks,
  setContactPassword,
  useContactLink,
} from '../contacts/contacts.service.js';
import { passwordProblem } from './password-policy.js';
import type { PortalSession } from './portal-sessions.js';

/**
 * A contact's portal password: set from an emailed link, changed in My Account, or set as a
 * temporary password by staff. The password and the links are the contacts module's rows
 * (setContactPassword, useContactLink, endContactLinks); the sessions ended are the portal's.
 */

function passwordFields(password: string, confirmation: string, email: string, field: string) {
  const problem = passwordProblem(password, email);
  if (problem) throw AppError.validation(field, problem);
  if (password !== confirmation) {
    throw AppError.validation(`${field}Confirmation`, 'does not match the new password');
  }
}

/**
 * Sets a password from an emailed link (welcome or reset). The token is single-use and
 * expires; using it ends every session of the contact and every other link. A link older than
 * the contact's last password change never works, whichever path changed it.
 */
export async function setPasswordWithToken(options: {
  pool: Pool;
  token: string;
  purpose: 'set_password' | 'reset_password';
  password: string;
  passwordConfirmation: string;
}): Promise<{ email: string }> {
  const tokenHash = hashToken(options.token);
  const row = (
    await options.pool.query<{ contactId: string; email: string }>(
      `SELECT t.contact_id AS "contactId", c.email FROM contact_tokens t JOIN contacts c ON c.id = t.contact_id
        WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now()
          AND (c.password_changed_at IS NULL OR t.created_at > c.password_changed_at)`,
      [tokenHash, options.purpose],
    )
  ).rows[0];
  if (!row) {
    throw AppError.validation(
      'token',
      'this link has expired or was already used: ask for a new one',
    );
  }
  passwordFields(options.password, options.passwordConfirmation, row.email, 'password');
  const passwordHash = await hashPassword(options.password);
  await withTransaction(options.pool, async ({ client }) => {
    if (!(await useContactLink(client, tokenHash))) {
      throw AppError.validation(
        'token',
        'this link has expired or was already used: ask for a new one',
      );
    }
    await endContactLinks(client, row.contactId);
    await setContactPassword(client, {
      contactId: row.contactId,
      passwordHash,
      mustChange: false,
    });
    await client.query('DELETE FROM portal_sessions WHERE contact_id = $1', [row.contactId]);
  });
  return { email: row.email };
}

/** My Account > Change Password: other sessions and every emailed link end; this one stays signed in. */
export async function changeContactPassword(options: {
  pool: Pool;
  session: PortalSession;
  currentPassword: string;
  newPassword: string;
  newPasswordConfirmation: string;
}) {
  const contact = (
    await options.pool.query<{ passwordHash: string | null }>(
      'SELECT password_hash AS "passwordHash" FROM contacts WHERE id = $1',
      [options.session.contact.id],
    )
  ).rows[0];
  if (
    !contact?.passwordHash ||
    !(await verifyPassword(contact.passwordHash, options.currentPassword))
  ) {
    throw AppError.validation('currentPassword', 'is not your current password');
  }
  passwordFields(
    options.newPassword,
    options.newPasswordConfirmation,
    options.session.contact.email,
    'newPassword',
  );
  if (options.newPassword === options.currentPassword) {
    throw AppError.validation('newPassword', 'must differ from your current password');
  }
  const passwordHash = await hashPassword(options.newPassword);
  await withTransaction(options.pool, async ({ client }) => {
    await setContactPassword(client, {
      contactId: options.session.contact.id,
      passwordHash,
      mustChange: false,
    });
    await client.query('DELETE FROM portal_sessions WHERE contact_id = $1 AND token_hash <> $2', [
      options.session.contact.id,
      options.session.tokenHash,
    ]);
    await endContactLinks(client, options.session.contact.id);
  });
}

/**
 * Staff set a temporary password, to be changed at the first sign-in. Every session and every
 * emailed link of the contact ends.
 */
export async function setTemporaryPassword(options: {
  pool: Pool;
  actor: Actor;
  contactId: string;
  password: string;
}) {
  const contact = (
    await options.pool.query<{ email: string; name: string }>(
      'SELECT email, name FROM contacts WHERE id = $1',
      [options.contactId],
    )
  ).rows[0];
  if (!contact) throw AppError.notFound('Contact');
  const problem = passwordProblem(options.password, contact.email);
  if (problem) throw AppError.validation('password', problem);
  const passwordHash = await hashPassword(options.password);
  await withTransaction(options.pool, async ({ db, client }) => {
    await setContactPassword(client, {
      contactId: options.contactId,
      passwordHash,
      mustChange: true,
    });
    await client.query('DELETE FROM portal_sessions WHERE contact_id = $1', [options.contactId]);
    await endContactLinks(client, options.contactId);
    const organizations = await client.query<{ organization_id: string }>(
      'SELECT organization_id FROM contact_organizations WHERE contact_id = $1',
      [options.contactId],
    );
    for (const row of organizations.rows) {
      await recordAudit(db, options.actor, {
        organizationId: row.organization_id,
        entityType: 'contact',
        entityId: options.contactId,
        entityLabel: contact.name,
        action: 'contact.temporary_password_set',
        after: { mustChangePassword: true },
      });
    }
  });
}
