/**
 * The status of an invoice as people read it, one rule for the server (lists, documents,
 * emails) and the web app (docs/decisions/0008). The SQL form of the same rule, for filters,
 * are `statusCondition` and `statusSql` in src/modules/invoices/invoice-math.ts.
 */

export const invoiceStatuses = ['draft', 'open', 'partially_paid', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

/** Each status as people read it: the console, the portal, documents and emails. */
export const invoiceStatusLabels: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  open: 'Open',
  partially_paid: 'Partially paid',
  paid: 'Paid',
  void: 'Void',
};

/** The status people read, from the lifecycle state and the numbers. */
export function invoiceStatus(invoice: {
  state: 'draft' | 'issued' | 'void';
  totalCents: number;
  amountPaidCents: number;
}): InvoiceStatus {
  if (invoice.state === 'draft') return 'draft';
  if (invoice.state === 'void') return 'void';
  if (invoice.totalCents - invoice.amountPaidCents <= 0) return 'paid';
  if (invoice.amountPaidCents > 0) return 'partially_paid';
  return 'open';
}
