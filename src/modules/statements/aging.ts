import type { z } from 'zod';
import { daysPastDue } from '../invoices/invoice-math.js';
import type { aging, AgingBucket } from '../../shared/contract/statements.js';

// The buckets are part of the API contract (the console's preview reads them too).
export {
  agingBucketLabels,
  agingBuckets,
  type AgingBucket,
} from '../../shared/contract/statements.js';

export type Aging = z.output<typeof aging>;

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
