import { z } from 'zod';
import { calendarDate, instant } from './common.js';
import { invoiceStatuses } from '../invoice-status.js';

/**
 * What the staff invoice routes answer (allow-lists: platform/http/responses.ts). Money in
 * integer minor units of `currency`, quantities as written ("1.5"), rates in parts per million.
 */

/** The lifecycle state an invoice is stored in; `status` is what people read (invoice-status.ts). */
export const invoiceStates = ['draft', 'issued', 'void'] as const;
export type InvoiceState = (typeof invoiceStates)[number];

/** A row of the staff invoice list (GET /api/invoices). */
export const invoiceListRow = z.object({
  id: z.guid(),
  number: z.string(),
  organizationId: z.guid(),
  organizationName: z.string(),
  status: z.enum(invoiceStatuses),
  issueDate: calendarDate,
  dueDate: calendarDate,
  terms: z.string(),
  currency: z.string(),
  serviceCategoryName: z.string(),
  totalCents: z.number().int(),
  amountPaidCents: z.number().int(),
  balanceCents: z.number().int(),
  /** Days past the due date today (business date) while a balance is open; 0 otherwise. */
  daysOverdue: z.number().int(),
});

/**
 * GET /api/invoices: a page of the keyset-paginated list (platform/keyset-cursor.ts); the
 * cursor of the next page is null on the last one. No total: counting every match would
 * walk the whole table.
 */
export const invoiceListPage = z.object({
  invoices: z.array(invoiceListRow),
  nextCursor: z.string().nullable(),
});

/** A line of an invoice as staff see it. */
export const invoiceLine = z.object({
  id: z.guid(),
  position: z.number().int(),
  description: z.string(),
  /** The quantity as written (formatQuantity): up to four decimals. */
  quantity: z.string(),
  unitPriceCents: z.number().int(),
  taxable: z.boolean(),
  amountCents: z.number().int(),
});

/** One invoice with its lines, as staff see it (the memo and external reference included). */
export const invoiceDetail = z.object({
  id: z.guid(),
  number: z.string(),
  organizationId: z.guid(),
  organizationName: z.string(),
  state: z.enum(invoiceStates),
  status: z.enum(invoiceStatuses),
  issueDate: calendarDate,
  dueDate: calendarDate,
  terms: z.string(),
  currency: z.string(),
  serviceCategoryId: z.guid(),
  serviceCategoryName: z.string(),
  taxRateId: z.guid().nullable(),
  taxRateName: z.string().nullable(),
  taxRatePpm: z.number().int(),
  subtotalCents: z.number().int(),
  taxCents: z.number().int(),
  totalCents: z.number().int(),
  amountPaidCents: z.number().int(),
  balanceCents: z.number().int(),
  externalReference: z.string().nullable(),
  memo: z.string(),
  voidReason: z.string().nullable(),
  issuedAt: instant.nullable(),
  voidedAt: instant.nullable(),
  createdAt: instant,
  daysOverdue: z.number().int(),
  lines: z.array(invoiceLine),
});

/** The answer of every route that returns one invoice (get, create, save, issue, void). */
export const invoiceAnswer = z.object({ invoice: invoiceDetail });

/** POST /api/invoices/import: how many invoices the CSV made, and which. */
export const invoiceImportResult = z.object({
  imported: z.number().int(),
  invoices: z.array(z.object({ id: z.guid(), number: z.string() })),
});

/** PUT /api/organizations/{id}/billing: the billing settings as saved. */
export const organizationBillingAnswer = z.object({
  billing: z.object({ currency: z.string(), newInvoiceEmails: z.boolean() }),
});
