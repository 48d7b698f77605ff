import { eq, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import {
  isUniqueViolation,
  withTransaction,
  type Db,
  type Pool,
  type Transaction,
} from '../../platform/database.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import { lockOrganization } from '../organizations/organizations.service.js';
import {
  dueDateFor,
  invoiceTotals,
  maxInvoiceTotalCents,
  type InvoiceTerms,
} from './invoice-math.js';
import { getInvoice, lockInvoice, onlyDraft } from './invoice-reads.js';
import { invoiceLines, invoices, serviceCategories, taxRates } from './invoices.schema.js';

/**
 * Draft invoices: create (and the insert the CSV import shares), save, delete. Issuing and
 * voiding are invoice-lifecycle.ts.
 */

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
