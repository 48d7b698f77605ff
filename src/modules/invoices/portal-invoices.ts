import type { Pool } from '../../platform/database.js';
import { decodeCursor, encodeCursor, invalidCursor } from '../../platform/keyset-cursor.js';
import { businessToday } from '../settings/business-date.js';
import { daysOverdue, openAsOfCondition, statusSql, type InvoiceStatus } from './invoice-math.js';
import { getInvoice } from './invoice-reads.js';

/**
 * The portal's invoices. Every query takes the organization the contact acts for (its
 * `organizationId`, from portalScope) and never returns a draft.
 */
interface PortalScope {
  pool: Pool;
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
  i.total_cents AS "totalCents", i.balance_cents AS "balanceCents",
  i.currency, ${statusSql('i')} AS status`;

/** A page of a portal list: the cursor the previous page gave (none for the first) and its size. */
interface PortalPage {
  cursor?: string;
  limit: number;
}

const openScope = 'portal-invoices:open';
const paidScope = 'portal-invoices:paid';

/** PostgreSQL's class 22, "data exception": a cursor's date that does not cast. */
function rethrowBadCursor(cursor: string | undefined) {
  return (error: unknown): never => {
    const code = (error as { code?: unknown } | null)?.code;
    if (cursor && typeof code === 'string' && code.startsWith('22')) throw invalidCursor();
    throw error;
  };
}

/**
 * Invoices open as of today (openAsOfCondition: the statement's rule, so an invoice dated
 * tomorrow shows in neither the list nor the tiles until tomorrow), oldest due first, a page
 * at a time: `invoices` (at most `page.limit`) and `nextCursor` (null on the last page; a
 * cursor this list did not give out is a 400 naming `cursor`). Every page also carries what
 * the tiles show, over ALL open invoices, not the page: `total` (how many), `totals` (owed and
 * past due, in cents) and `oldestOpen`. `today` is the business date (businessToday); the
 * predicate walks invoices_open_by_organization_idx, so a page reads only its own rows of
 * the organization's open invoices, already in order, and the totals read that index once.
 */
export async function portalOpenInvoices(options: PortalScope & PortalPage & { today?: string }) {
  const { pool, organizationId } = options;
  const asOf = options.today ?? (await businessToday(pool));
  const params: unknown[] = [organizationId, asOf];
  let keyset = '';
  if (options.cursor) {
    const [dueDate, id] = decodeCursor(openScope, options.cursor, 'date');
    params.push(dueDate, id);
    keyset = 'AND (i.due_date, i.id) > ($3::date, $4::uuid)';
  }
  params.push(options.limit + 1);
  const [rows, summary] = await Promise.all([
    pool
      .query<PortalInvoiceRow>(
        `SELECT ${portalColumns}
           FROM invoices i
           JOIN service_categories sc ON sc.id = i.service_category_id
          WHERE i.organization_id = $1 AND ${openAsOfCondition('$2')} ${keyset}
          ORDER BY i.due_date, i.id
          LIMIT $${params.length}`,
        params,
      )
      .catch(rethrowBadCursor(options.cursor)),
    pool.query<{
      total: number;
      balanceCents: number;
      pastDueCents: number;
      currency: string | null;
      oldestNumber: string | null;
      oldestDueDate: string | null;
    }>(
      `SELECT t.total, t."balanceCents", t."pastDueCents",
              (SELECT currency FROM organizations WHERE id = $1) AS currency,
              oldest.number AS "oldestNumber", oldest.due_date::text AS "oldestDueDate"
         FROM (SELECT count(*)::int AS total,
                      coalesce(sum(i.balance_cents), 0)::int8 AS "balanceCents",
                      coalesce(sum(i.balance_cents) FILTER (WHERE i.due_date < $2::date), 0)::int8
                        AS "pastDueCents"
                 FROM invoices i
                WHERE i.organization_id = $1 AND ${openAsOfCondition('$2')}) t
         LEFT JOIN LATERAL (
               SELECT i.number, i.due_date FROM invoices i
                WHERE i.organization_id = $1 AND ${openAsOfCondition('$2')}
                ORDER BY i.due_date, i.id LIMIT 1) oldest ON true`,
      [organizationId, asOf],
    ),
  ]);
  const shown = rows.rows.slice(0, options.limit);
  const last = shown[shown.length - 1];
  // Past due is a due date before today: what daysOverdue counts as one day or more.
  const totals = summary.rows[0]!;
  return {
    invoices: shown.map((row) => ({ ...row, daysOverdue: daysOverdue(row.dueDate, asOf) })),
    total: totals.total,
    totals: {
      balanceCents: totals.balanceCents,
      pastDueCents: totals.pastDueCents,
      currency: totals.currency ?? 'USD',
    },
    oldestOpen:
      totals.oldestNumber && totals.oldestDueDate
        ? { number: totals.oldestNumber, dueDate: totals.oldestDueDate }
        : null,
    nextCursor:
      rows.rows.length > options.limit && last
        ? encodeCursor(openScope, last.dueDate, last.id)
        : null,
  };
}

/**
 * Invoice History: invoices paid in full, newest first (issue date descending, then id), a
 * page at a time: `invoices`, `total` (how many, on every page) and `nextCursor` (null on the
 * last page; a cursor this list did not give out is a 400 naming `cursor`). The order is
 * that of invoices_organization_idx, so a page is a walk along it.
 */
export async function portalPaidInvoices(options: PortalScope & PortalPage) {
  const { pool, organizationId } = options;
  const paid = `i.organization_id = $1 AND i.state = 'issued' AND i.total_cents <= i.amount_paid_cents`;
  const params: unknown[] = [organizationId];
  let keyset = '';
  if (options.cursor) {
    const [issueDate, id] = decodeCursor(paidScope, options.cursor, 'date');
    params.push(issueDate, id);
    keyset = 'AND i.issue_date <= $2::date AND (i.issue_date < $2::date OR i.id > $3::uuid)';
  }
  params.push(options.limit + 1);
  const [rows, count] = await Promise.all([
    pool
      .query<PortalInvoiceRow>(
        `SELECT ${portalColumns}
           FROM invoices i
           JOIN service_categories sc ON sc.id = i.service_category_id
          WHERE ${paid} ${keyset}
          ORDER BY i.issue_date DESC, i.id
          LIMIT $${params.length}`,
        params,
      )
      .catch(rethrowBadCursor(options.cursor)),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM invoices i WHERE ${paid}`, [
      organizationId,
    ]),
  ]);
  const shown = rows.rows.slice(0, options.limit);
  const last = shown[shown.length - 1];
  return {
    invoices: shown.map((row) => ({ ...row, daysOverdue: 0 })),
    total: count.rows[0]?.total ?? 0,
    nextCursor:
      rows.rows.length > options.limit && last
        ? encodeCursor(paidScope, last.issueDate, last.id)
        : null,
  };
}

/**
 * One issued or void invoice of the organization; a draft or another's is "not found".
 * `today` (the business date) counts its days overdue.
 */
export async function portalInvoice(options: PortalScope & { invoiceId: string; today?: string }) {
  // Staff-only fields stay behind.
  const {
    memo: _memo,
    externalReference: _externalReference,
    createdAt: _createdAt,
    ...invoice
  } = await getInvoice(options);
  return invoice;
}
