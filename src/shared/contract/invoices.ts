import { z } from 'zod';
import { calendarDate, instant } from './common.js';
import { optionalText, requiredText } from './fields.js';
import { isValidDate } from '../dates.js';
import { maxLineDescriptionLength, maxUnitPriceCents } from '../invoice-limits.js';
import { invoiceStatuses } from '../invoice-status.js';
import { parseQuantity } from '../money.js';

/**
 * What the staff invoice routes answer (allow-lists: platform/http/responses.ts). Money in
 * integer minor units of `currency`, quantities as written ("1.5"), rates in parts per million.
 */

/** The payment terms an invoice may have. */
export const invoiceTerms = ['Due on receipt', 'Net 15', 'Net 30', 'Net 45', 'Net 60'] as const;
export type InvoiceTerms = (typeof invoiceTerms)[number];

/** Days from the issue date to the due date, for each terms choice. */
export const termDays: Record<InvoiceTerms, number> = {
  'Due on receipt': 0,
  'Net 15': 15,
  'Net 30': 30,
  'Net 45': 45,
  'Net 60': 60,
};

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

// Request bodies: the server validates with these, and the console's forms take their types
// from them (`z.input<typeof invoiceBody>`), so a form cannot send what the route refuses.

/** A calendar date written YYYY-MM-DD. */
const dateText = z
  .string('must be a date (YYYY-MM-DD)')
  .refine(isValidDate, 'must be a date (YYYY-MM-DD)');

/** A quantity as typed ("1.5"), read into ten-thousandths by the rule of src/shared/money.ts. */
const quantityText = z
  .string('must be a number written as text, such as "1.5"')
  .transform((text, ctx) => {
    // The same reading as the console's quantity input and the CSV import.
    const parsed = parseQuantity(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    return parsed.value;
  });

/** A line as staff write it: the quantity as text, the unit price in minor units. */
export const invoiceLineBody = z.object({
  description: requiredText(maxLineDescriptionLength),
  quantity: quantityText,
  unitPriceCents: z
    .number('must be a whole number of cents')
    .int('must be a whole number of cents')
    .min(0, 'must not be negative')
    .max(maxUnitPriceCents, `must be at most ${maxUnitPriceCents} cents`),
  taxable: z.boolean('must be true or false'),
});

/**
 * POST /api/invoices and PUT /api/invoices/{id}: a draft. Without a number the next INV-n is
 * given; without a due date, the issue date plus the terms' days.
 */
export const invoiceBody = z.object({
  organizationId: z.uuid('must be a valid id'),
  number: requiredText(50).optional(),
  issueDate: dateText,
  dueDate: dateText.optional(),
  terms: z.enum(invoiceTerms, `must be one of: ${invoiceTerms.join(', ')}`),
  serviceCategoryId: z.uuid('must be a valid id'),
  taxRateId: z.uuid('must be a tax rate id or null').nullable(),
  memo: optionalText(2000).optional(),
  externalReference: optionalText(200).optional(),
  lines: z
    .array(invoiceLineBody, 'must be a list of lines')
    .min(1, 'must have at least one line')
    .max(500, 'must have at most 500 lines'),
});

/** GET /api/invoices: the list's filters and page. */
export const invoiceListQuery = z.object({
  organizationId: z.uuid('must be a valid id').optional(),
  status: z.enum(invoiceStatuses, `must be one of: ${invoiceStatuses.join(', ')}`).optional(),
  serviceCategoryId: z.uuid('must be a valid id').optional(),
  dueFrom: dateText.optional(),
  dueTo: dateText.optional(),
  overdue: z.enum(['true', 'false'], 'must be true or false').optional(),
  q: optionalText(50).optional(),
  cursor: z.string().max(500).optional(),
});

/** POST /api/invoices/{id}/void: why, in words kept on the invoice. */
export const voidInvoiceBody = z.object({ reason: requiredText(500) });

/** POST /api/invoices/import: the CSV file as text. */
export const invoiceImportBody = z.object({
  csv: z.string('must be the CSV file as text').min(1, 'is required').max(900_000),
});

/** Why a currency code is refused (field `currency`). */
export const currencyNotOffered = 'must be one of the currencies Portico offers, such as USD';

/** PUT /api/organizations/{id}/billing. */
export const organizationBillingBody = z.object({
  // Which codes are offered (and the one kept for an organization that holds a code no longer
  // offered) is the use case's rule; here only the shape.
  currency: z
    .string(currencyNotOffered)
    .trim()
    .toUpperCase()
    .refine((code) => /^[A-Z]{3}$/.test(code), currencyNotOffered),
  newInvoiceEmails: z.boolean('must be true or false'),
});
