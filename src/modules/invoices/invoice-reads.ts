import { eq } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import type { Db, Pool } from '../../platform/database.js';
import { businessToday } from '../settings/business-date.js';
import { daysOverdue, statusSql, type InvoiceStatus } from './invoice-math.js';
import { quantityToText } from '../../shared/money.js';
import { invoices } from './invoices.schema.js';

/**
 * Reading one invoice: its detail with lines (staff and portal), and the locked row a change
 * starts from.
 */

/**
 * The invoice's row, locked for the rest of the transaction (SELECT ... FOR UPDATE), so a
 * change decides on what it will overwrite. Throws 404 when there is none.
 */
export async function lockInvoice(db: Db, invoiceId: string) {
  const [row] = await db.select().from(invoices).where(eq(invoices.id, invoiceId)).for('update');
  if (!row) throw AppError.notFound('Invoice');
  return row;
}

/** Throws 409 unless the invoice is a draft: `what` completes "only a draft can be ...". */
export function onlyDraft(state: string, what: string): void {
  if (state !== 'draft') throw new AppError('conflict', `only a draft can be ${what}`);
}

interface InvoiceDetailRow {
  id: string;
  number: string;
  organizationId: string;
  organizationName: string;
  state: 'draft' | 'issued' | 'void';
  status: InvoiceStatus;
  issueDate: string;
  dueDate: string;
  terms: string;
  currency: string;
  serviceCategoryId: string;
  serviceCategoryName: string;
  taxRateId: string | null;
  taxRateName: string | null;
  taxRatePpm: number;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  amountPaidCents: number;
  balanceCents: number;
  externalReference: string | null;
  memo: string;
  voidReason: string | null;
  issuedAt: Date | null;
  voidedAt: Date | null;
  createdAt: Date;
}

export function isOutstanding(status: InvoiceStatus): boolean {
  return status === 'open' || status === 'partially_paid';
}

/**
 * One invoice with its lines. With `organizationId` (the portal), only that organization's
 * issued or void invoices are found; anything else is "not found".
 */
export async function getInvoice(options: {
  pool: Pool;
  invoiceId: string;
  organizationId?: string;
  /** The business date its days overdue count to; by default today in the MSP's time zone. */
  today?: string;
}) {
  const params: unknown[] = [options.invoiceId];
  let scope = '';
  if (options.organizationId !== undefined) {
    params.push(options.organizationId);
    scope = `AND i.organization_id = $2 AND i.state <> 'draft'`;
  }
  const result = await options.pool.query<InvoiceDetailRow>(
    `SELECT i.id, i.number, i.organization_id AS "organizationId", o.name AS "organizationName",
            i.state, ${statusSql('i')} AS status,
            i.issue_date::text AS "issueDate", i.due_date::text AS "dueDate", i.terms, i.currency,
            i.service_category_id AS "serviceCategoryId", sc.name AS "serviceCategoryName",
            i.tax_rate_id AS "taxRateId", tr.name AS "taxRateName", i.tax_rate_ppm AS "taxRatePpm",
            i.subtotal_cents AS "subtotalCents", i.tax_cents AS "taxCents",
            i.total_cents AS "totalCents",
            i.amount_paid_cents AS "amountPaidCents",
            i.balance_cents AS "balanceCents",
            i.external_reference AS "externalReference", i.memo, i.void_reason AS "voidReason",
            i.issued_at AS "issuedAt", i.voided_at AS "voidedAt", i.created_at AS "createdAt"
       FROM invoices i
       JOIN organizations o ON o.id = i.organization_id
       JOIN service_categories sc ON sc.id = i.service_category_id
       LEFT JOIN tax_rates tr ON tr.id = i.tax_rate_id
      WHERE i.id = $1 ${scope}`,
    params,
  );
  const invoice = result.rows[0];
  if (!invoice) throw AppError.notFound('Invoice');
  const lines = await options.pool.query<{
    id: string;
    position: number;
    description: string;
    quantityTenThousandths: number;
    unitPriceCents: number;
    taxable: boolean;
    amountCents: number;
  }>(
    `SELECT id, position, description,
            quantity_ten_thousandths AS "quantityTenThousandths",
            unit_price_cents AS "unitPriceCents", taxable,
            amount_cents AS "amountCents"
       FROM invoice_lines WHERE invoice_id = $1 ORDER BY position`,
    [options.invoiceId],
  );
  return {
    ...invoice,
    daysOverdue: isOutstanding(invoice.status)
      ? daysOverdue(invoice.dueDate, options.today ?? (await businessToday(options.pool)))
      : 0,
    lines: lines.rows.map(({ quantityTenThousandths, ...line }) => ({
      ...line,
      quantity: quantityToText(quantityTenThousandths),
    })),
  };
}
