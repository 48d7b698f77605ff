import type { Pool } from '../../platform/database.js';
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  likePattern,
} from '../../platform/keyset-cursor.js';
import { businessToday } from '../settings/business-date.js';
import {
  daysOverdue,
  openAsOfCondition,
  statusCondition,
  statusSql,
  type InvoiceStatus,
} from './invoice-math.js';
import { isOutstanding } from './invoice-reads.js';

export interface InvoiceListOptions {
  organizationId?: string;
  status?: InvoiceStatus;
  serviceCategoryId?: string;
  dueFrom?: string;
  dueTo?: string;
  overdue?: boolean;
  search?: string;
  cursor?: string;
  limit: number;
  /** Today's business date, for overdue; by default today in the MSP's time zone. */
  today?: string;
}

interface InvoiceListRow {
  id: string;
  number: string;
  organizationId: string;
  organizationName: string;
  status: InvoiceStatus;
  issueDate: string;
  dueDate: string;
  terms: string;
  currency: string;
  serviceCategoryName: string;
  totalCents: number;
  amountPaidCents: number;
  balanceCents: number;
}

const scope = 'invoices';

/**
 * The staff invoice list, newest first. The order is (issue_date DESC, id ASC), exactly the
 * order of invoices_issue_date_idx and, for one organization, invoices_organization_idx, so
 * every page is a walk along an index that stops after `limit` matches, at any table size.
 * Each filter is a plain predicate on columns (status included), checked on the walk. The
 * overdue list is the exception: most overdue first, along invoices_open_due_idx. The number
 * search is the other: a rare term would walk the whole list, so invoices_number_trgm_idx
 * (trigrams of lower(number)) lets the planner read its few matches and sort them instead;
 * a common term still walks the list and stops after a page.
 */
export async function listInvoices(options: InvoiceListOptions & { pool: Pool }) {
  const { pool } = options;
  const today = options.today ?? (await businessToday(pool));
  const params: unknown[] = [];
  const conditions: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (options.organizationId)
    conditions.push(`i.organization_id = ${param(options.organizationId)}`);
  if (options.status) conditions.push(statusCondition(options.status, 'i'));
  if (options.serviceCategoryId) {
    conditions.push(`i.service_category_id = ${param(options.serviceCategoryId)}`);
  }
  if (options.dueFrom) conditions.push(`i.due_date >= ${param(options.dueFrom)}::date`);
  if (options.dueTo) conditions.push(`i.due_date <= ${param(options.dueTo)}::date`);
  if (options.overdue) {
    // Open as of today (the statement's rule) and past its due date.
    const asOf = param(today);
    conditions.push(`${openAsOfCondition(asOf)} AND i.due_date < ${asOf}::date`);
  }
  if (options.search) {
    conditions.push(`lower(i.number) LIKE ${param(likePattern(options.search))}`);
  }
  // The overdue list reads most overdue first, along invoices_open_due_idx: walking the
  // newest-first index instead would skip every recent, not-yet-due invoice on each page.
  const byDueDate = Boolean(options.overdue);
  const cursorScope = byDueDate ? `${scope}:overdue` : scope;
  if (options.cursor) {
    const [sortDate, id] = decodeCursor(cursorScope, options.cursor, 'date');
    const d = param(sortDate);
    const after = param(id);
    conditions.push(
      byDueDate
        ? `(i.due_date, i.id) > (${d}::date, ${after}::uuid)`
        : `i.issue_date <= ${d}::date AND (i.issue_date < ${d}::date OR i.id > ${after}::uuid)`,
    );
  }
  const limit = param(options.limit + 1);
  const rows = await pool
    .query<InvoiceListRow>(
      `SELECT i.id, i.number, i.organization_id AS "organizationId", o.name AS "organizationName",
              ${statusSql('i')} AS status, i.issue_date::text AS "issueDate",
              i.due_date::text AS "dueDate", i.terms, i.currency,
              sc.name AS "serviceCategoryName", i.total_cents AS "totalCents",
              i.amount_paid_cents AS "amountPaidCents",
              i.balance_cents AS "balanceCents"
         FROM invoices i
         JOIN organizations o ON o.id = i.organization_id
         JOIN service_categories sc ON sc.id = i.service_category_id
        ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${byDueDate ? 'i.due_date, i.id' : 'i.issue_date DESC NULLS LAST, i.id'}
        LIMIT ${limit}`,
      params,
    )
    .catch((error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      // A cursor that decodes but whose date does not cast: edited by hand.
      if (options.cursor && typeof code === 'string' && code.startsWith('22')) {
        throw invalidCursor();
      }
      throw error;
    });
  const page = rows.rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    invoices: page.map((row) => ({
      ...row,
      daysOverdue: isOutstanding(row.status) ? daysOverdue(row.dueDate, today) : 0,
    })),
    nextCursor:
      rows.rows.length > options.limit && last
        ? encodeCursor(cursorScope, byDueDate ? last.dueDate : last.issueDate, last.id)
        : null,
  };
}
