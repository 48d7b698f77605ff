import { AppError } from '../../platform/errors.js';
import type { Pool } from '../../platform/database.js';
import { ageBalances, type Aging } from './aging.js';

export interface StatementInvoice {
  number: string;
  issueDate: string;
  dueDate: string;
  totalCents: number;
  balanceCents: number;
  daysPastDue: number;
}

export interface StatementPayment {
  date: string;
  amountCents: number;
  reference: string;
}

/** What an Account Summary shows: the organization's balance, aging and open items. */
export interface AccountStatement {
  organizationId: string;
  organizationName: string;
  address: string[];
  asOf: string;
  currency: string;
  totalDueCents: number;
  pastDueCents: number;
  aging: Aging;
  openInvoices: StatementInvoice[];
  recentPayments: StatementPayment[];
}

/**
 * Builds an organization's statement as of a date. Invoices and payments plug in here as
 * their modules arrive; until then an organization owes nothing.
 */
export async function buildAccountStatement(options: {
  pool: Pool;
  organizationId: string;
  asOf: string;
}): Promise<AccountStatement> {
  const result = await options.pool.query(
    `SELECT name, address_line1, address_line2, city, region, postal_code
       FROM organizations WHERE id = $1`,
    [options.organizationId],
  );
  const organization = result.rows[0];
  if (!organization) throw AppError.notFound('Organization');
  const openInvoices: StatementInvoice[] = [];
  const aging = ageBalances(openInvoices, options.asOf);
  const totalDueCents = openInvoices.reduce((sum, invoice) => sum + invoice.balanceCents, 0);
  return {
    organizationId: options.organizationId,
    organizationName: organization.name,
    address: [
      organization.address_line1,
      organization.address_line2,
      [organization.city, [organization.region, organization.postal_code].filter(Boolean).join(' ')]
        .filter(Boolean)
        .join(', '),
    ].filter(Boolean),
    asOf: options.asOf,
    currency: 'USD',
    totalDueCents,
    pastDueCents: totalDueCents - aging.current,
    aging,
    openInvoices,
    recentPayments: [],
  };
}
