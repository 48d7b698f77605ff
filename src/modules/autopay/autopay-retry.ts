/**
 * What AutoPay does after a declined charge (docs/decisions/0039-autopay-run.md), as pure
 * functions the run and its tests share. Dates are business dates (YYYY-MM-DD, the MSP's time
 * zone); the policy comes from Configuration > Billing (settings: autopayRetryCount,
 * autopayRetryDays).
 */

/** How many more tries a soft decline gets, and how many days apart. */
export interface RetryPolicy {
  /** Tries after the first (0: none). Default 3. */
  retries: number;
  /** Days between two tries. Default 3. */
  daysBetween: number;
}

/**
 * Decline codes that say the method will never work again: the bank reported the card lost or
 * stolen, the card has expired, the bank account is closed or does not exist (test-cards.md
 * names them; Stripe uses the same codes). Trying again cannot help and could look like card
 * testing to the processor, so AutoPay stops, locks the method and tells the client.
 */
export const hardDeclineCodes: ReadonlySet<string> = new Set([
  'lost_card',
  'stolen_card',
  'expired_card',
  'account_closed',
  'no_account',
]);

/** Whether a failure code is a hard decline (see hardDeclineCodes); every other is soft. */
export function isHardDecline(failureCode: string | null): boolean {
  return failureCode !== null && hardDeclineCodes.has(failureCode);
}

/** The business date `days` after `date` (YYYY-MM-DD), across month and year ends. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

export type AfterFailure =
  /** A hard decline: no retry; the method is locked and the client emailed. */
  | { outcome: 'failed'; hard: true }
  /** A soft decline with tries left: try again on `nextTryOn`. */
  | { outcome: 'retry_scheduled'; hard: false; nextTryOn: string }
  /** A soft decline on the last try: the invoice leaves AutoPay for this cycle; staff are told. */
  | { outcome: 'gave_up'; hard: false };

/**
 * What follows a failed try `tryNumber` (1 = the first charge) made on business date `today`:
 * a hard decline stops at once; a soft one is tried again `daysBetween` days later while
 * `tryNumber` ≤ `retries` (so the default policy makes 4 tries in all: days 0, 3, 6, 9), and
 * gives up after the last.
 */
export function afterFailure(options: {
  failureCode: string | null;
  tryNumber: number;
  today: string;
  policy: RetryPolicy;
}): AfterFailure {
  if (isHardDecline(options.failureCode)) return { outcome: 'failed', hard: true };
  if (options.tryNumber <= options.policy.retries) {
    return {
      outcome: 'retry_scheduled',
      hard: false,
      nextTryOn: addDays(options.today, Math.max(1, options.policy.daysBetween)),
    };
  }
  return { outcome: 'gave_up', hard: false };
}

/**
 * The request key of one try: the same invoice, cycle and try always name the same payment, so
 * a run repeated, resumed after a crash or racing another worker never charges twice
 * (the payment core answers the payment this key made).
 */
export function autopayRequestKey(invoiceId: string, cycleDueDate: string, tryNumber: number) {
  return `autopay:${invoiceId}:${cycleDueDate}:${tryNumber}`;
}

/**
 * Skip reasons that may pass (a scheduled payment runs or is cancelled, a payment in flight
 * ends, a method is added, unlocked or replaced): a cycle skipped for one is tried again, under
 * the same try, by the next run that finds the reason gone. Every other skip (paid in part,
 * paid, voided, no longer covered, a refusal of the payment core) ends the cycle.
 */
export const passingSkipReasons: ReadonlySet<string> = new Set([
  'covered_by_scheduled_payment',
  'in_flight',
  'no_method',
  'method_locked',
  'method_expired',
]);

/**
 * A try's number as the retry policy counts it (afterFailure's `tryNumber`): among the tries of
 * its cycle that reached the processor. A try whose payment never reached it (failed
 * `not_reached` by reconciliation, decision 48) charged nothing and met no bank's refusal, yet
 * took a number of its own (each try has its own request key): `unreachedBefore` such tries came
 * before this one. Without this, a few killed workers before a soft decline left it fewer
 * retries than the schedule promises.
 */
export function declineTryNumber(tryNumber: number, unreachedBefore: number): number {
  return Math.max(1, tryNumber - unreachedBefore);
}

/** The latest try kept for one invoice's cycle (autopay_attempts), as nextTry reads it. */
export interface LatestTry {
  tryNumber: number;
  outcome: string;
  reason: string | null;
  /** The retry's business date (YYYY-MM-DD) when `outcome` is 'retry_scheduled'. */
  nextTryOn: string | null;
}

/**
 * What the run does next with one invoice's cycle whose rule says to charge on `chargeOn`
 * (docs/decisions/0039-autopay-run.md), given the cycle's latest try (undefined: none yet):
 * - no try yet: try 1, on `chargeOn`;
 * - skipped for a reason that may pass: the same try again, on `chargeOn` (the next run);
 * - a soft decline (or a returned debit) with tries left: the next try, on its retry date;
 * - anything else (charged, a hard decline, given up, skipped for good): nothing, null.
 * The preview, the Payments Calendar and the run read it alike, so a client is never shown a
 * charge the run will not make.
 */
export function nextTry(
  chargeOn: string,
  latest: LatestTry | undefined,
): { tryNumber: number; tryOn: string } | null {
  if (!latest) return { tryNumber: 1, tryOn: chargeOn };
  if (latest.outcome === 'skipped' && passingSkipReasons.has(latest.reason ?? '')) {
    return { tryNumber: latest.tryNumber, tryOn: chargeOn };
  }
  if (latest.outcome === 'retry_scheduled' && latest.nextTryOn !== null) {
    return { tryNumber: latest.tryNumber + 1, tryOn: latest.nextTryOn };
  }
  return null;
}
