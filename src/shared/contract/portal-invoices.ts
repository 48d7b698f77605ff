import { z } from 'zod';
import { calendarDate, instant, keysetPage } from './common.js';
import { invoiceStatuses } from '../invoice-status.js';

/**
 * What the portal's invoice answers may carry: allow-lists, so a staff-only column (the memo,
 * the external reference, a future one) never reaches a client even if a query selects it.
 * Money in integer cents of `currency`.
 */

/** A row of the portal's open invoices and Invoice History. */
export const portalInvoiceRow = z.object({
  id: z.guid(),
  number: z.string(),
  serviceCategoryName: z.string(),
  issueDate: calendarDate,
  dueDate: calendarDate,
  totalCents: z.number().int(),
  balanceCents: z.number().int(),
  currency: z.string(),
  status: z.enum(invoiceStatuses),
  daysOverdue: z.number().int(),
});

/** GET /api/portal/invoices: a page of open invoices, and the tiles over all of them. */
export const portalOpenInvoicesPage = keysetPage('invoices', portalInvoiceRow).extend({
  totals: z.object({
    balanceCents: z.number().int(),
    pastDueCents: z.number().int(),
    currency: z.string(),
  }),
  oldestOpen: z.object({ number: z.string(), dueDate: calendarDate }).nullable(),
});

/** GET /api/portal/invoice-history: a page of invoices paid in full. */
export const portalPaidInvoicesPage = keysetPage('invoices', portalInvoiceRow);

/** One issued or void invoice as a client sees it: no memo, no external reference. */
export const portalInvoiceDetail = z.object({
  id: z.guid(),
  number: z.string(),
  organizationId: z.guid(),
  organizationName: z.string(),
  state: z.enum(['draft', 'issued', 'void']),
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
  voidReason: z.string().nullable(),
  issuedAt: instant.nullable(),
  voidedAt: instant.nullable(),
  daysOverdue: z.number().int(),
  lines: z.array(
    z.object({
      id: z.guid(),
      position: z.number().int(),
      description: z.string(),
      /** The quantity as written (formatQuantity): up to four decimals. */
      quantity: z.string(),
      unitPriceCents: z.number().int(),
      taxable: z.boolean(),
      amountCents: z.number().int(),
    }),
  ),
});
