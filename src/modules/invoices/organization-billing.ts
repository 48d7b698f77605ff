import { eq } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import {
  lockOrganization,
  setOrganizationBilling,
} from '../organizations/organizations.service.js';
import { invoices } from './invoices.schema.js';
import { isOfferedCurrency } from '../../shared/currencies.js';
import { currencyNotOffered } from '../../shared/contract/invoices.js';

/**
 * An organization's billing settings; the currency is fixed once it has an invoice. The
 * currency must be one Portico offers (src/shared/currencies.ts, ISO 4217 with its minor
 * units), else 400 naming `currency`; an organization that holds a code from before that list
 * may keep it (sent back unchanged) but none can choose it anew (docs/decisions/0022).
 */
export async function updateOrganizationBilling(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  billing: { currency: string; newInvoiceEmails: boolean };
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const before = await lockOrganization(db, options.organizationId);
    if (before.currency !== options.billing.currency) {
      if (!isOfferedCurrency(options.billing.currency)) {
        throw new AppError('validation', `Currency ${currencyNotOffered}`, [
          { field: 'currency', message: currencyNotOffered },
        ]);
      }
      const [any] = await db
        .select({ id: invoices.id })
        .from(invoices)
        .where(eq(invoices.organizationId, options.organizationId))
        .limit(1);
      if (any) {
        throw new AppError(
          'conflict',
          'The currency cannot change once the organization has invoices',
          [{ field: 'currency', message: 'cannot change once the organization has invoices' }],
        );
      }
    }
    const diff = changedFields(
      { currency: before.currency, newInvoiceEmails: before.newInvoiceEmails },
      options.billing,
    );
    if (diff) {
      await setOrganizationBilling(db, { organizationId: options.organizationId, ...diff.after });
      await recordAudit(db, options.actor, {
        organizationId: options.organizationId,
        entityType: 'organization',
        entityId: options.organizationId,
        entityLabel: before.name,
        action: 'organization.billing_updated',
        ...diff,
      });
    }
    return { ...options.billing };
  });
}
