import { eq, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import type { AppContext } from '../../platform/context.js';
import {
  isUniqueViolation,
  withTransaction,
  type Db,
  type Pool,
  type Transaction,
} from '../../platform/database.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import {
  lockOrganization,
  setOrganizationBilling,
} from '../organizations/organizations.service.js';
import { businessToday } from '../settings/business-date.js';
import { queueNewInvoiceEmail } from './invoice-emails.js';
import {
  daysOverdue,
  dueDateFor,
  formatQuantity,
  invoiceTotals,
  maxInvoiceTotalCents,
  statusSql,
  type InvoiceStatus,
  type InvoiceTerms,
} from './invoice-math.js';
import { invoiceLines, invoices, serviceCategories, taxRates } from './invoices.schema.js';
import { isOfferedCurrency } from '../../shared/currencies.js';

export interface InvoiceLineInput {
  description: string;
  quantityTenThousandths: number;
  unitPriceCents: number;
  taxable: boolean;
}

/** What staff write on an invoice: the body of create and edit. */
export interface InvoiceInput {
  organizationId: string;
  number?: string;
  issueDate: string;
  dueDate?: string;
  terms: InvoiceTerms;
  serviceCategoryId: string;
  taxRateId: string | null;
  memo?: string;
  externalReference?: string;
  lines: InvoiceLineInput[];
}

/**
 * 409 for a number in use. Numbers are unique ignoring letter case (invoices_number_lower_idx),
 * so the invoice holding it may write it differently: `takenBy` names it when known.
 */
function numberTaken(number: string, takenBy?: string): AppError {
  const by = takenBy && takenBy !== number ? ` by ${takenBy}` : '';
  return new AppError('conflict', `Invoice number ${number} is already taken${by}`, [
    { field: 'number', message: `is already taken${by}` },
  ]);
}

/** The unique index on lower(number): a race the check before the write could not see. */
const numberIndex = 'invoices_number_lower_idx';

async function lockInvoice(db: Db, invoiceId: string) {
  const [row] = await db.select().from(invoices).where(eq(invoices.id, invoiceId)).for('update');
  if (!row) throw AppError.notFound('Invoice');
  return row;
}

/** Throws 409 when another invoice has this number in any letter case (the index's rule). */
async function assertNumberFree(db: Db, number: string, exceptId?: string) {
  const [clash] = await db
    .select({ id: invoices.id, number: invoices.number })
    .from(invoices)
    .where(sql`lower(${invoices.number}) = lower(${number})`);
  if (clash && clash.id !== exceptId) throw numberTaken(number, clash.number);
}

/**
 * Checks an invoice against the database and works out its numbers; throws the first
 * problem. `current` is the draft being edited: its archived category or tax rate may stay.
 */
async function prepareInvoice(
  db: Db,
  input: InvoiceInput,
  current?: { serviceCategoryId: string; taxRateId: string | null },
) {
  const organization = await lockOrganization(db, input.organizationId);
  if (organization.archivedAt) {
    throw new AppError('conflict', `${organization.name} is archived; restore it to invoice it`, [
      { field: 'organizationId', message: 'is archived' },
    ]);
  }
  const [category] = await db
    .select()
    .from(serviceCategories)
    .where(eq(serviceCategories.id, input.serviceCategoryId));
  if (!category) throw AppError.validation('serviceCategoryId', 'is not a service category');
  if (category.archivedAt && current?.serviceCategoryId !== category.id) {
    throw AppError.validation('serviceCategoryId', 'is archived');
  }
  let ratePpm = 0;
  if (input.taxRateId !== null) {
    const [rate] = await db.select().from(taxRates).where(eq(taxRates.id, input.taxRateId));
    if (!rate) throw AppError.validation('taxRateId', 'is not a tax rate');
    if (rate.archivedAt && current?.taxRateId !== rate.id) {
      throw AppError.validation('taxRateId', 'is archived');
    }
    ratePpm = rate.ratePpm;
  }
  const dueDate = dueDateFor(input.issueDate, input.terms, input.dueDate);
  if (dueDate < input.issueDate) {
    throw AppError.validation('dueDate', 'must be on or after the issue date');
  }
  const totals = invoiceTotals(input.lines, ratePpm);
  if (totals.totalCents > maxInvoiceTotalCents) {
    throw AppError.validation('lines', 'add up to more than an invoice can hold');
  }
  return { organization, dueDate, ratePpm, totals };
}

function lineRows(invoiceId: string, input: InvoiceInput, amounts: number[]) {
  return input.lines.map((line, index) => ({
    invoiceId,
    position: index + 1,
    description: line.description,
    quantityTenThousandths: line.quantityTenThousandths,
    unitPriceCents: line.unitPriceCents,
    taxable: line.taxable,
    amountCents: amounts[index]!,
  }));
}

/** What the audit log keeps of an invoice's content. */
function auditView(row: {
  number: string;
  organizationId: string;
  issueDate: string;
  dueDate: string;
  terms: string;
  serviceCategoryId: string;
  taxRateId: string | null;
  taxRatePpm: number;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  memo: string;
  externalReference: string | null;
}) {
  return {
    number: row.number,
    organizationId: row.organizationId,
    issueDate: row.issueDate,
    dueDate: row.dueDate,
    terms: row.terms,
    serviceCategoryId: row.serviceCategoryId,
    taxRateId: row.taxRateId,
    taxRatePpm: row.taxRatePpm,
    subtotalCents: row.subtotalCents,
    taxCents: row.taxCents,
    totalCents: row.totalCents,
    memo: row.memo,
    externalReference: row.externalReference,
  };
}

/**
 * Writes a new draft (or, for an import, an issued invoice) inside the caller's transaction.
 * Answers the new invoice's id and number.
 */
export async function insertInvoice(
  tx: Transaction,
  actor: Actor,
  input: InvoiceInput,
  options: { state?: 'draft' | 'issued'; action?: string } = {},
): Promise<{ id: string; number: string }> {
  const { db } = tx;
  const prepared = await prepareInvoice(db, input);
  let number = input.number;
  if (number) {
    await assertNumberFree(db, number);
  } else {
    const next = await tx.client.query<{ n: string }>(
      "SELECT nextval('invoice_number_seq')::text AS n",
    );
    number = `INV-${next.rows[0]!.n}`;
  }
  const state = options.state ?? 'draft';
  const values = {
    organizationId: input.organizationId,
    number,
    state,
    issueDate: input.issueDate,
    dueDate: prepared.dueDate,
    terms: input.terms,
    currency: prepared.organization.currency,
    serviceCategoryId: input.serviceCategoryId,
    taxRateId: input.taxRateId,
    taxRatePpm: prepared.ratePpm,
    subtotalCents: prepared.totals.subtotalCents,
    taxCents: prepared.totals.taxCents,
    totalCents: prepared.totals.totalCents,
    externalReference: input.externalReference || null,
    memo: input.memo ?? '',
    ...(state === 'issued'
      ? {
          issuedAt: sql`now()`,
          paidAt: prepared.totals.totalCents === 0 ? sql`now()` : null,
        }
      : {}),
  };
  const [created] = await db
    .insert(invoices)
    .values(values)
    .returning({ id: invoices.id })
    .catch((error: unknown) => {
      if (isUniqueViolation(error, numberIndex)) throw numberTaken(number);
      throw error;
    });
  const id = created!.id;
  await db.insert(invoiceLines).values(lineRows(id, input, prepared.totals.lineAmounts));
  await recordAudit(db, actor, {
    organizationId: input.organizationId,
    entityType: 'invoice',
    entityId: id,
    entityLabel: number,
    action: options.action ?? 'invoice.created',
    after: { ...auditView({ ...values, number }), state, lineCount: input.lines.length },
  });
  return { id, number };
}

export async function createInvoice(options: { pool: Pool; actor: Actor; input: InvoiceInput }) {
  const { id } = await withTransaction(options.pool, (tx) =>
    insertInvoice(tx, options.actor, options.input),
  );
  return getInvoice({ pool: options.pool, invoiceId: id });
}

function onlyDraft(state: string, what: string): void {
  if (state !== 'draft') throw new AppError('conflict', `only a draft can be ${what}`);
}

/** Saves a draft as one change: its fields and its lines, replaced wholesale. */
export async function updateInvoice(options: {
  pool: Pool;
  actor: Actor;
  invoiceId: string;
  input: InvoiceInput;
}) {
  await withTransaction(options.pool, async ({ db }) => {
    const before = await lockInvoice(db, options.invoiceId);
    onlyDraft(before.state, 'edited');
    const input = options.input;
    const prepared = await prepareInvoice(db, input, before);
    const number = input.number ?? before.number;
    if (number !== before.number) await assertNumberFree(db, number, before.id);
    const values = {
      organizationId: input.organizationId,
      number,
      issueDate: input.issueDate,
      dueDate: prepared.dueDate,
      terms: input.terms,
      currency: prepared.organization.currency,
      serviceCategoryId: input.serviceCategoryId,
      taxRateId: input.taxRateId,
      taxRatePpm: prepared.ratePpm,
      subtotalCents: prepared.totals.subtotalCents,
      taxCents: prepared.totals.taxCents,
      totalCents: prepared.totals.totalCents,
      externalReference: input.externalReference || null,
      memo: input.memo ?? '',
    };
    await db
      .update(invoices)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(invoices.id, before.id))
      .catch((error: unknown) => {
        if (isUniqueViolation(error, numberIndex)) throw numberTaken(number);
        throw error;
      });
    await db.delete(invoiceLines).where(eq(invoiceLines.invoiceId, before.id));
    await db.insert(invoiceLines).values(lineRows(before.id, input, prepared.totals.lineAmounts));
    const diff = changedFields(auditView(before), auditView(values));
    await recordAudit(db, options.actor, {
      organizationId: input.organizationId,
      entityType: 'invoice',
      entityId: before.id,
      entityLabel: number,
      action: 'invoice.updated',
      before: { ...diff?.before },
      after: { ...diff?.after, lineCount: input.lines.length },
    });
  });
  return getInvoice({ pool: options.pool, invoiceId: options.invoiceId });
}

/** Issues a draft: it becomes an open invoice, and the New Invoice email is queued with it. */
export async function issueInvoice(options: {
  context: Pick<AppContext, 'pool' | 'jobs' | 'config'>;
  actor: Actor;
  invoiceId: string;
}) {
  const { context } = options;
  await withTransaction(context.pool, async (tx) => {
    const before = await lockInvoice(tx.db, options.invoiceId);
    onlyDraft(before.state, 'issued');
    const [after] = await tx.db
      .update(invoices)
      .set({
        state: 'issued',
        issuedAt: sql`now()`,
        paidAt: sql`CASE WHEN ${invoices.totalCents} <= ${invoices.amountPaidCents} THEN now() END`,
        updatedAt: sql`now()`,
      })
      .where(eq(invoices.id, before.id))
      .returning({ issuedAt: invoices.issuedAt });
    await recordAudit(tx.db, options.actor, {
      organizationId: before.organizationId,
      entityType: 'invoice',
      entityId: before.id,
      entityLabel: before.number,
      action: 'invoice.issued',
      before: { state: before.state },
      after: { state: 'issued', issuedAt: after!.issuedAt, totalCents: before.totalCents },
    });
    await queueNewInvoiceEmail(tx, context, { invoiceId: before.id, actor: options.actor });
  });
  return getInvoice({ pool: context.pool, invoiceId: options.invoiceId });
}

export async function voidInvoice(options: {
  pool: Pool;
  actor: Actor;
  invoiceId: string;
  reason: string;
}) {
  await withTransaction(options.pool, async ({ db }) => {
    const before = await lockInvoice(db, options.invoiceId);
    if (before.state === 'void') throw new AppError('conflict', 'This invoice is already void');
    if (before.amountPaidCents > 0) {
      throw new AppError('conflict', 'a paid or partially paid invoice cannot be voided');
    }
    await db
      .update(invoices)
      .set({
        state: 'void',
        voidReason: options.reason,
        voidedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(invoices.id, before.id));
    await recordAudit(db, options.actor, {
      organizationId: before.organizationId,
      entityType: 'invoice',
      entityId: before.id,
      entityLabel: before.number,
      action: 'invoice.voided',
      before: { state: before.state },
      after: { state: 'void', voidReason: options.reason },
    });
  });
  return getInvoice({ pool: options.pool, invoiceId: options.invoiceId });
}

export async function deleteDraftInvoice(options: { pool: Pool; actor: Actor; invoiceId: string }) {
  await withTransaction(options.pool, async ({ db }) => {
    const before = await lockInvoice(db, options.invoiceId);
    onlyDraft(before.state, 'deleted');
    await db.delete(invoices).where(eq(invoices.id, before.id));
    await recordAudit(db, options.actor, {
      organizationId: before.organizationId,
      entityType: 'invoice',
      entityId: before.id,
      entityLabel: before.number,
      action: 'invoice.deleted',
      before: { ...auditView(before), state: before.state },
    });
  });
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
      quantity: formatQuantity(quantityTenThousandths),
    })),
  };
}

/** Why a currency code is refused (field `currency`). */
export const currencyNotOffered = 'must be one of the currencies Portico offers, such as USD';

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
      await setOrganizationBilling(db, options.organizationId, diff.after);
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
