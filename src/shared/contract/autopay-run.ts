import { z } from 'zod';
import { calendarDate, instant } from './common.js';
import { autopayLastRunAttempt } from './autopay-report.js';

/**
 * The daily AutoPay run as staff read it (docs/decisions/0039-autopay-run.md): the last run of
 * the installation, its counts, and every try it made with its outcome and reason. Money is
 * integer minor units of each try's currency; dates are business dates (the MSP's time zone).
 */

/** One AutoPay run (one per business date). */
export const autopayRun = z.object({
  runDate: calendarDate,
  startedAt: instant,
  /** null: still running, or waiting for a payment the processor has not answered yet. */
  finishedAt: instant.nullable(),
  charged: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
});

/** One try of the run: an invoice's, with its organization. */
export const autopayRunAttempt = autopayLastRunAttempt.extend({
  organizationId: z.guid(),
  organizationName: z.string(),
});
export type AutopayRunAttempt = z.infer<typeof autopayRunAttempt>;

/** GET /api/autopay/runs/last: the latest run and its tries; `run` null before the first. */
export const autopayLastRunOfAll = z.object({
  run: autopayRun.nullable(),
  attempts: z.array(autopayRunAttempt),
});
export type AutopayLastRunOfAll = z.infer<typeof autopayLastRunOfAll>;
