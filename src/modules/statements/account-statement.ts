import { AppError } from '../../platform/errors.js';
import type { Pool, PoolClient } from '../../platform/database.js';
import { formatAddress } from '../invoices/invoice-document.js';
import { daysPastDue, openAsOfCondition } from '../invoices/invoice-math.js';
import { mspTimeZone } from '../settings/business-date.js';
import { ageBalances } from './aging.js';
import type { z } from 'zod';
import type { accountStatement, statementInvoice } from '../../shared/contract/statements.js';

/** An open invoice on a statement (the API contract's shape). */
export type StatementInvoice = z.output<typeof statementInvoice>;

/** What an Account Summary shows: the organization's balance, aging and open items. */
export type AccountStatement = z.output<typeof accountStatement>;

/**
 * Builds an organization's statement as of a date (a business date, see businessToday): its
 * invoices open as of that date (openAsOfCondition) aged by days past due as of that date.
 */
export async function buildAccountStatement(options: {
  pool: Pool | PoolClient;
  organizationId: string;
  asOf: string;
}): Promise<AccountStatement> {
  const result = await options.pool.query(
    `SELECT name, address_line1, address_line2, city, region, postal_code, currency
       FROM organizations WHERE id = $1`,
    [options.organizationId],
  );
  const organization = result.rows[0];
  if (!organization) throw AppError.notFound('Organization');
  // The predicate matches invoices_open_by_organization_idx (organization, due date, id).
  const open = await options.pool.query<{
    number: string;
    issueDate: string;
    dueDate: string;
    totalCents: number;
    balanceCents: number;
  }>(
    `SELECT number, issue_date::text AS "issueDate", due_date::text AS "dueDate",
            total_cents AS "totalCents", balance_cents AS "balanceCents"
       FROM invoices i
      WHERE i.organization_id = $1 AND ${openAsOfCondition('$2')}
      ORDER BY i.due_date, i.id`,
    [options.organizationId, options.asOf],
  );
  const openInvoices: StatementInvoice[] = open.rows.map((invoice) => ({
    ...invoice,
    daysPastDue: Math.max(0, daysPastDue(invoice.dueDate, options.asOf)),
  }));
  const aging = ageBalances(openInvoices, options.asOf);
  const recentPayments = await paymentsReceived(options);
  const totalDueCents = openInvoices.reduce((sum, invoice) => sum + invoice.balanceCents, 0);
  return {
    organizationId: options.organizationId,
    organizationName: organization.name,
    address: formatAddress(organization),
    asOf: options.asOf,
    currency: organization.currency ?? 'USD',
    totalDueCents,
    pastDueCents: totalDueCents - aging.current,
    aging,
    oldestOpenInvoice: openInvoices[0] ?? null,
    openInvoices,
    recentPayments,
  };
}

/** How far back a statement lists payments, and at most how many. */
const recentPaymentDays = 30;
const recentPaymentLimit = 10;

/**
 * The money the organization paid in the 30 days up to `asOf` (newest first, at most 10):
 * payments that succeeded or are settling (ACH processing), less what was refunded, dated on
 * the MSP's calendar. Declined, returned and unconfirmed payments moved no money and are not
 * listed. Read from the payments module's table (a read; payments write it).
 */
async function paymentsReceived(options: {
  pool: Pool | PoolClient;
  organizationId: string;
  asOf: string;
}) {
  const timeZone = await mspTimeZone(options.pool);
  const result = await options.pool.query<{
    date: string;
    amountCents: number;
    reference: string;
  }>(
    `SELECT (p.created_at AT TIME ZONE $3)::date::text AS date,
            p.amount_cents - p.refunded_cents AS "amountCents",
            p.number || ' · ' || p.method_label AS reference
       FROM payments p
      WHERE p.organization_id = $1 AND p.status IN ('succeeded', 'processing')
        AND p.amount_cents > p.refunded_cents
        AND (p.created_at AT TIME ZONE $3)::date BETWEEN $2::date - $4::int AND $2::date
      ORDER BY p.created_at DESC, p.id
      LIMIT $5`,
    [options.organizationId, options.asOf, timeZone, recentPaymentDays, recentPaymentLimit],
  );
  return result.rows;
}
