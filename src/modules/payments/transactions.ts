import { Readable } from 'node:stream';
import type { Pool, PoolClient } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isSortKey,
} from '../../platform/keyset-cursor.js';
import { minorToDecimal } from '../../shared/money.js';
import type { PaymentStatus } from '../../shared/contract/payments.js';
import { paymentStatusLabel } from '../../shared/contract/payments.js';
import {
  paymentSourceLabels,
  transactionCountCap,
  transactionMethodTypeLabels,
  type TransactionFilters,
  type TransactionMethodType,
} from '../../shared/contract/staff-payments.js';
import { mspTimeZone } from '../settings/business-date.js';

/**
 * Staff's reads of payments: the installation-wide Transactions list (keyset pages and a CSV
 * export of the same filters) and an organization's Payments tab (its payments, refunds and
 * unapplied credit). Money is integer minor units of each row's currency.
 */

export interface StaffPaymentView {
  id: string;
  number: string;
  organizationId: string;
  organizationName: string;
  source: string;
  status: PaymentStatus;
  amountCents: number;
  refundedCents: number;
  unappliedCents: number;
  currency: string;
  methodType: string;
  methodLabel: string;
  reference: string;
  paidOn: string;
  failureMessage: string | null;
  createdBy: string | null;
  createdAt: Date;
  allocations: {
    invoiceId: string;
    invoiceNumber: string;
    amountCents: number;
    appliedCents: number;
  }[];
  dispute: { status: string; reason: string; openedAt: Date } | null;
}

/**
 * The columns of a StaffPaymentView, over `payments p` joined to `organizations o`; `$1` is the
 * MSP's time zone (a gateway payment's business date is the day it was made on the MSP's clock).
 * Unapplied credit exists only on a succeeded payment: a pending one's money is not taken yet.
 */
export const paidOnSql = paidOnAt('$1');

/** paidOnSql with the MSP's time zone in the parameter `timeZoneParam` (`$1`, `$2`, …). */
export function paidOnAt(timeZoneParam: string): string {
  return `coalesce(p.received_on, to_char(p.created_at AT TIME ZONE ${timeZoneParam}, 'YYYY-MM-DD'))`;
}

/**
 * Lists of payments (Transactions, an organization's Payments tab, the portal's Payment
 * History, credits) sort by the payment's date, newest first (a check's received date, else its
 * day on the MSP's clock), then by when it was entered and by id: a check dated last week and
 * typed in today sits among last week's payments, not at the top. The ORDER BY, with the time
 * zone in `timeZoneParam`.
 */
export function byPaidOnSql(timeZoneParam: string): string {
  return `${paidOnAt(timeZoneParam)} DESC, p.created_at DESC, p.id`;
}

/** The keyset sort key of a row in that order: "<paid on> <created_at as PostgreSQL prints it>". */
export function paidOnSortKeySql(timeZoneParam: string): string {
  return `${paidOnAt(timeZoneParam)} || ' ' || p.created_at::text`;
}

/**
 * The keyset condition "after this cursor" in the paid-on order, its values pushed on
 * `params`. A cursor the list did not give out (another list's, or the entry-time order's that
 * came before) is a 400 naming `cursor`.
 */
export function afterPaidOnCursor(
  scope: string,
  cursor: string,
  params: unknown[],
  timeZoneParam: string,
): string {
  const [sortKey, id] = decodeCursor(scope, cursor, 'text');
  const paidOn = sortKey.slice(0, 10);
  const createdAt = sortKey.slice(11);
  if (sortKey[10] !== ' ' || !isSortKey(paidOn, 'date') || !isSortKey(createdAt, 'timestamptz')) {
    throw invalidCursor();
  }
  params.push(paidOn, createdAt, id);
  const day = `$${params.length - 2}`;
  const at = `$${params.length - 1}::timestamptz`;
  const after = `$${params.length}::uuid`;
  const paid = paidOnAt(timeZoneParam);
  return `(${paid} < ${day} OR (${paid} = ${day} AND (p.created_at < ${at}
           OR (p.created_at = ${at} AND p.id > ${after}))))`;
}
const allocatedSql = `coalesce((SELECT sum(a.amount_cents) FROM payment_allocations a
                                 WHERE a.payment_id = p.id), 0)`;
export const unappliedSql = `CASE WHEN p.status = 'succeeded'
  THEN p.amount_cents - p.refunded_cents - ${allocatedSql} ELSE 0 END`;
const staffPaymentColumns = `p.id, p.number, p.organization_id AS "organizationId",
  o.name AS "organizationName", p.source, p.status, p.amount_cents AS "amountCents",
  p.refunded_cents AS "refundedCents", (${unappliedSql})::bigint AS "unappliedCents",
  p.currency, p.method_type AS "methodType", p.method_label AS "methodLabel", p.reference,
  ${paidOnSql} AS "paidOn", p.failure_message AS "failureMessage",
  coalesce((SELECT c.name FROM contacts c WHERE c.id = p.created_by_contact_id),
           (SELECT s.name FROM staff_users s WHERE s.id = p.created_by_staff_id)) AS "createdBy",
  p.created_at AS "createdAt",
  coalesce((SELECT json_agg(json_build_object(
             'invoiceId', a.invoice_id, 'invoiceNumber', i.number,
             'amountCents', a.amount_cents, 'appliedCents', a.applied_cents) ORDER BY i.number)
              FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
             WHERE a.payment_id = p.id), '[]'::json) AS allocations,
  p.dispute_status AS "disputeStatus", p.dispute_reason AS "disputeReason",
  p.disputed_at AS "disputedAt"`;

/** A row of staffPaymentColumns. */
type StaffPaymentRow = Omit<StaffPaymentView, 'dispute'> & {
  disputeStatus: string | null;
  disputeReason: string | null;
  disputedAt: Date | null;
};

/** A row as staff read it: the dispute columns as one dispute, or null when never disputed. */
function staffPaymentOf(row: StaffPaymentRow): StaffPaymentView {
  const { disputeStatus, disputeReason, disputedAt, ...payment } = row;
  return {
    ...payment,
    dispute:
      disputeStatus && disputedAt
        ? { status: disputeStatus, reason: disputeReason ?? '', openedAt: disputedAt }
        : null,
  };
}

/** Payments by id as staff read them; through `client`, so a transaction sees its own rows. */
export async function staffPaymentViews(
  client: Pool | PoolClient,
  paymentIds: string[],
): Promise<StaffPaymentView[]> {
  const timeZone = await mspTimeZone(client);
  const result = await client.query<StaffPaymentRow>(
    `SELECT ${staffPaymentColumns}
       FROM payments p JOIN organizations o ON o.id = p.organization_id
      WHERE p.id = ANY($2::uuid[]) ORDER BY ${byPaidOnSql('$1')}`,
    [timeZone, paymentIds],
  );
  return result.rows.map(staffPaymentOf);
}

/** The WHERE conditions of the filters, with their parameters from `$2` on. */
function filterConditions(filters: TransactionFilters, params: unknown[]): string[] {
  const conditions: string[] = [];
  const add = (condition: (n: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (filters.from) add((n) => `${paidOnSql} >= ${n}`, filters.from);
  if (filters.to) add((n) => `${paidOnSql} <= ${n}`, filters.to);
  // A completed payment is filtered as the list words it: paid, partly refunded or refunded.
  if (filters.status === 'succeeded') {
    conditions.push(`p.status = 'succeeded' AND p.refunded_cents = 0`);
  } else if (filters.status === 'partly_refunded') {
    conditions.push(
      `p.status = 'succeeded' AND p.refunded_cents > 0 AND p.refunded_cents < p.amount_cents`,
    );
  } else if (filters.status === 'refunded') {
    conditions.push(`p.status = 'succeeded' AND p.refunded_cents >= p.amount_cents`);
  } else if (filters.status) {
    add((n) => `p.status = ${n}`, filters.status);
  }
  if (filters.methodType) add((n) => `p.method_type = ${n}`, filters.methodType);
  if (filters.organizationId) add((n) => `p.organization_id = ${n}::uuid`, filters.organizationId);
  return conditions;
}

const transactionsScope = 'transactions-by-date';

/** A date range that ends before it starts is a mistake, not an empty list: 400 naming `to`. */
function checkDateRange(filters: TransactionFilters): void {
  if (filters.from && filters.to && filters.to < filters.from) {
    throw AppError.validation('to', 'must be on or after from');
  }
}

/**
 * A page of the Transactions list: every organization's payments matching `filters` (dates
 * are the MSP's business dates, inclusive), newest first by the payment's date (byPaidOnSql).
 * Answers `payments` (at most `limit`), `total` (exact up to transactionCountCap),
 * `totalCapped` (more than that) and
 * `nextCursor` (null on the last page; a cursor the list did not give out is a 400 naming
 * `cursor`). `to` before `from` is a 400 naming `to`.
 */
export async function listTransactions(
  pool: Pool,
  filters: TransactionFilters,
  page: { cursor?: string | undefined; limit: number },
) {
  checkDateRange(filters);
  const params: unknown[] = [await mspTimeZone(pool)];
  const conditions = filterConditions(filters, params);
  // `$1` (the time zone) is named even without a date filter, so PostgreSQL knows its type.
  // Counted up to one past the cap: on a huge table the exact count would read every row.
  const countSql = `SELECT count(*)::int AS total FROM (
      SELECT 1 FROM payments p
       WHERE $1::text IS NOT NULL ${conditions.map((c) => `AND ${c}`).join(' ')}
       LIMIT ${transactionCountCap + 1}) counted`;
  const countParams = [...params];
  if (page.cursor) {
    conditions.push(afterPaidOnCursor(transactionsScope, page.cursor, params, '$1'));
  }
  params.push(page.limit + 1);
  const [rows, count] = await Promise.all([
    pool.query<StaffPaymentRow & { sortKey: string }>(
      `SELECT ${staffPaymentColumns}, ${paidOnSortKeySql('$1')} AS "sortKey"
         FROM payments p JOIN organizations o ON o.id = p.organization_id
        ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${byPaidOnSql('$1')}
        LIMIT $${params.length}`,
      params,
    ),
    pool.query<{ total: number }>(countSql, countParams),
  ]);
  const shown = rows.rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  const counted = count.rows[0]?.total ?? 0;
  return {
    payments: shown.map(({ sortKey: _sortKey, ...payment }) => staffPaymentOf(payment)),
    total: Math.min(counted, transactionCountCap),
    totalCapped: counted > transactionCountCap,
    nextCursor:
      rows.rows.length > page.limit && last
        ? encodeCursor(transactionsScope, last.sortKey, last.id)
        : null,
  };
}

/**
 * A CSV cell: quoted when it holds a comma, quote or line break, and prefixed with an
 * apostrophe when it starts like a spreadsheet formula (=, +, -, @, tab, carriage return), so
 * a reference a client typed never runs as a formula when staff open the file (OWASP's
 * CSV injection advice).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const csvHeader = [
  'Payment',
  'Date',
  'Organization',
  'Status',
  'Source',
  'Method type',
  'Method',
  'Reference',
  'Currency',
  'Amount',
  'Refunded',
  'Unapplied',
  'Invoices',
];

function csvRow(payment: StaffPaymentView): string {
  const money = (cents: number) => minorToDecimal(cents, payment.currency);
  return [
    payment.number,
    payment.paidOn,
    payment.organizationName,
    paymentStatusLabel(payment),
    paymentSourceLabels[payment.source] ?? payment.source,
    transactionMethodTypeLabels[payment.methodType as TransactionMethodType] ?? payment.methodType,
    payment.methodLabel,
    payment.reference,
    payment.currency,
    money(payment.amountCents),
    money(payment.refundedCents),
    money(payment.unappliedCents),
    payment.allocations.map((a) => `${a.invoiceNumber} ${money(a.amountCents)}`).join('; '),
  ]
    .map(csvCell)
    .join(',');
}

/**
 * A UTF-8 byte order mark, the first thing in every CSV export: without it Excel reads the
 * file in the computer's legacy code page, and names in Greek, Arabic or Japanese come out as
 * mojibake. Other readers (LibreOffice, Numbers, Python's utf-8-sig) skip it.
 */
export const csvByteOrderMark = '\uFEFF';

/**
 * The Transactions list under `filters` as CSV (the byte order mark, a header, then one line
 * per payment, amounts as decimals of the currency), read page by page with the list's own
 * keyset, so an export of any size streams in constant memory.
 */
export function transactionsCsv(pool: Pool, filters: TransactionFilters): Readable {
  // Refused before the first line goes out: a 400, not a cut-off file.
  checkDateRange(filters);
  async function* lines() {
    yield `${csvByteOrderMark}${csvHeader.join(',')}\r\n`;
    let cursor: string | undefined;
    do {
      const page = await listTransactions(pool, filters, { cursor, limit: 200 });
      if (page.payments.length) yield page.payments.map((p) => `${csvRow(p)}\r\n`).join('');
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return Readable.from(lines());
}

/**
 * An organization's unapplied credit per currency: what its succeeded payments took and did not
 * apply to an invoice or refund. Through `client`, so a transaction sees its own rows.
 */
export async function creditBalances(
  client: Pool | PoolClient,
  organizationId: string,
): Promise<{ currency: string; unappliedCents: number }[]> {
  const result = await client.query<{ currency: string; unappliedCents: number }>(
    `SELECT p.currency, sum(${unappliedSql})::bigint AS "unappliedCents"
       FROM payments p
      WHERE p.organization_id = $1 AND p.status = 'succeeded'
      GROUP BY p.currency
     HAVING sum(${unappliedSql}) > 0
      ORDER BY p.currency`,
    [organizationId],
  );
  return result.rows;
}

/**
 * The organization's Payments tab: every refund of its payments (newest first) and its
 * unapplied credit per currency. Its payments are the Transactions list filtered by it. An
 * unknown organization is a 404.
 */
export async function organizationPayments(pool: Pool, organizationId: string) {
  const found = await pool.query(`SELECT 1 FROM organizations WHERE id = $1`, [organizationId]);
  if (found.rowCount === 0) throw AppError.notFound('Organization');
  const [refunds, credits] = await Promise.all([
    refundViews(pool, { organizationId }),
    creditBalances(pool, organizationId),
  ]);
  return { refunds, credits };
}

export interface RefundView {
  id: string;
  paymentId: string;
  paymentNumber: string;
  amountCents: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string;
  failureMessage: string | null;
  createdBy: string | null;
  origin: 'staff' | 'processor' | 'dispute';
  createdAt: Date;
}

/** Refunds of an organization's payments (newest first), or one refund by id. */
export async function refundViews(
  client: Pool | PoolClient,
  where: { organizationId: string } | { refundId: string },
): Promise<RefundView[]> {
  const byOrganization = 'organizationId' in where;
  const result = await client.query<RefundView>(
    `SELECT r.id, r.payment_id AS "paymentId", p.number AS "paymentNumber",
            r.amount_cents AS "amountCents", p.currency, r.status, r.reason,
            r.failure_message AS "failureMessage", s.name AS "createdBy", r.origin,
            r.created_at AS "createdAt"
       FROM refunds r
       JOIN payments p ON p.id = r.payment_id
       LEFT JOIN staff_users s ON s.id = r.created_by_staff_id
      WHERE ${byOrganization ? 'p.organization_id = $1' : 'r.id = $1'}
      ORDER BY r.created_at DESC, r.id`,
    [byOrganization ? where.organizationId : where.refundId],
  );
  return result.rows;
}
