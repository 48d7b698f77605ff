import type { Pool } from '../../platform/database.js';
import { daysOverdue, statusSql, todayDate, type InvoiceStatus } from './invoice-math.js';
import { getInvoice } from './invoices.service.js';

/**
 * The portal's invoices. Every query takes the organization the contact acts for (from
 * portalScope) and never returns a draft.
 */
export interface PortalScope {
  organizationId: string;
}

interface PortalInvoiceRow {
  id: string;
  number: string;
  serviceCategoryName: string;
  issueDate: string;
  dueDate: string;
  totalCents: number;
  balanceCents: number;
  currency: string;
  status: InvoiceStatus;
}

const portalColumns = `i.id, i.number, sc.name AS "serviceCategoryName",
  i.issue_date::text AS "issueDate", i.due_date::text AS "dueDate",
  i.total_cents::float8 AS "totalCents", i.balance_cents::float8 AS "balanceCents",
  i.currency, ${statusSql('i')} AS status`;

/** More open invoices than any one organization should have; the list stops there. */
const maxPortalRows = 1000;

/**
 * Open invoices (issued, balance above zero), oldest due first, with what is owed and past
 * due. The predicate is the one of invoices_open_by_organization_idx, so this reads only the
 * organization's open invoices, already in order.
 */
export async function portalOpenInvoices(pool: Pool, scope: PortalScope, today = todayDate()) {
  const [rows, organization] = await Promise.all([
    pool.query<PortalInvoiceRow>(
      `SELECT ${portalColumns}
         FROM invoices i
         JOIN service_categories sc ON sc.id = i.service_category_id
        WHERE i.organization_id = $1 AND i.state = 'issued' AND i.total_cents > i.amount_paid_cents
        ORDER BY i.due_date, i.id
        LIMIT ${maxPortalRows}`,
      [scope.organizationId],
    ),
    pool.query<{ currency: string }>('SELECT currency FROM organizations WHERE id = $1', [
      scope.organizationId,
    ]),
  ]);
  let balanceCents = 0;
  let pastDueCents = 0;
  const invoices = rows.rows.map((row) => {
    const overdue = daysOverdue(row.dueDate, today);
    balanceCents += row.balanceCents;
    if (overdue > 0) pastDueCents += row.balanceCents;
    return { ...row, daysOverdue: overdue };
  });
  const oldest = invoices[0];
  return {
    invoices,
    totals: {
      balanceCents,
      pastDueCents,
      currency: organization.rows[0]?.currency ?? 'USD',
    },
    oldestOpen: oldest ? { number: oldest.number, dueDate: oldest.dueDate } : null,
  };
}

/** Invoice History: invoices paid in full, newest first. */
export async function portalPaidInvoices(pool: Pool, scope: PortalScope) {
  const rows = await pool.query<PortalInvoiceRow>(
    `SELECT ${portalColumns}
       FROM invoices i
       JOIN service_categories sc ON sc.id = i.service_category_id
      WHERE i.organization_id = $1 AND i.state = 'issued' AND i.total_cents <= i.amount_paid_cents
      ORDER BY i.issue_date DESC NULLS LAST, i.id
      LIMIT ${maxPortalRows}`,
    [scope.organizationId],
  );
  return { invoices: rows.rows.map((row) => ({ ...row, daysOverdue: 0 })) };
}

/** One issued or void invoice of the organization; a draft or another's is "not found". */
export async function portalInvoice(pool: Pool, scope: PortalScope, invoiceId: string) {
  // Staff-only fields stay behind.
  const {
    memo: _memo,
    externalReference: _externalReference,
    createdAt: _createdAt,
    ...invoice
  } = await getInvoice({ pool, invoiceId, organizationId: scope.organizationId });
  return invoice;
}
