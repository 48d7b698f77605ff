import { z } from 'zod';
import { calendarDate } from './common.js';

/**
 * What the Account Summary routes answer (src/modules/statements): the statement an
 * organization's Account Summary shows, its preview, and what sending one queues. The aging
 * buckets live here because the statement, its email (modules/email/templates) and the
 * console's preview all read them.
 */

/** Receivables aging buckets, as accountants read them: days past due as of the statement date. */
export const agingBuckets = ['current', 'days1to30', 'days31to60', 'days61to90', 'over90'] as const;
export type AgingBucket = (typeof agingBuckets)[number];

export const agingBucketLabels: Record<AgingBucket, string> = {
  current: 'Current',
  days1to30: '1–30',
  days31to60: '31–60',
  days61to90: '61–90',
  over90: 'Over 90',
};

/** Open balances in cents per aging bucket; the buckets add up to the total due. */
export const aging = z.object({
  current: z.number(),
  days1to30: z.number(),
  days31to60: z.number(),
  days61to90: z.number(),
  over90: z.number(),
} satisfies Record<AgingBucket, z.ZodNumber>);

/** An open invoice on a statement; money in integer cents. */
export const statementInvoice = z.object({
  number: z.string(),
  issueDate: calendarDate,
  dueDate: calendarDate,
  totalCents: z.number(),
  balanceCents: z.number(),
  daysPastDue: z.number().int(),
});

export const statementPayment = z.object({
  date: calendarDate,
  amountCents: z.number(),
  reference: z.string(),
});

/** What an Account Summary shows: the organization's balance, aging and open items. */
export const accountStatement = z.object({
  organizationId: z.guid(),
  organizationName: z.string(),
  /** The billing address, one line per entry. */
  address: z.array(z.string()),
  /** The business date the statement is as of. */
  asOf: calendarDate,
  currency: z.string(),
  totalDueCents: z.number(),
  pastDueCents: z.number(),
  aging,
  /** The open invoice due first (the longest outstanding), or null when nothing is owed. */
  oldestOpenInvoice: statementInvoice.nullable(),
  openInvoices: z.array(statementInvoice),
  recentPayments: z.array(statementPayment),
});

/** GET /api/organizations/{id}/account-summary/preview: the email as it would go out. */
export const accountSummaryPreview = z.object({
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  statement: accountStatement,
});

/** POST /api/organizations/{id}/send-account-summary (202): the queued message. */
export const queuedAccountSummary = z.object({
  messageId: z.guid(),
  /** True when the same request a moment before already queued this message. */
  duplicate: z.boolean(),
});

/** POST /api/account-summaries: the organizations to send an Account Summary to. */
export const accountSummariesBody = z.object({
  organizationIds: z.array(z.uuid('must be a valid id')).min(1).max(100_000),
});

/** POST /api/account-summaries (202): how many organizations' summaries were queued. */
export const queuedAccountSummaries = z.object({ queued: z.number().int() });
