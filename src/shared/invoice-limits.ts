/**
 * Limits on invoices that the API, the CSV import and the console form apply alike.
 *
 * A line description holds what an MSP bills for, sometimes a whole scope of work (devices,
 * tickets, hours, dates): 4,000 characters, about a page of the invoice PDF, which flows a
 * longer description across pages.
 */
export const maxLineDescriptionLength = 4_000;

/** The largest unit price a line takes: $10,000,000.00 (in cents; minor units of any currency). */
export const maxUnitPriceCents = 1_000_000_000;

/**
 * The largest invoice total, $100,000,000,000.00 (in minor units of any currency), and so the
 * largest amount a payment, a refund or an AutoPay cap may name: sums of such amounts stay exact.
 */
export const maxInvoiceTotalCents = 10_000_000_000_000;
