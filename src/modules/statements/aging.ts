import { daysPastDue } from '../invoices/invoice-math.js';

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

export type Aging = Record<AgingBucket, number>;

export function bucketFor(days: number): AgingBucket {
  if (days <= 0) return 'current';
  if (days <= 30) return 'days1to30';
  if (days <= 60) return 'days31to60';
  if (days <= 90) return 'days61to90';
  return 'over90';
}

/** Sums open balances (cents) into buckets; the buckets add up to the total due. */
export function ageBalances(
  openItems: { dueDate: string; balanceCents: number }[],
  asOf: string,
): Aging {
  const aging: Aging = { current: 0, days1to30: 0, days31to60: 0, days61to90: 0, over90: 0 };
  for (const item of openItems)
    aging[bucketFor(daysPastDue(item.dueDate, asOf))] += item.balanceCents;
  return aging;
}
