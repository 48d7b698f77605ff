import type { Pool, PoolClient } from '../../platform/database.js';
import type { AutopaySkipReason, AutopayTiming } from '../../shared/contract/autopay.js';
import { addDays } from '../invoices/invoice-math.js';
import { isExpired, methodLabel } from '../payments/payment-methods.js';
import { invoicesInScheduledPayments } from '../scheduled-payments/scheduled-payment-reads.js';
import { declineTryNumber, nextTry, type LatestTry } from './autopay-retry.js';

/**
 * The AutoPay plan: which open invoices the rules would charge, on which business date, with
 * which method and for how much (docs/decisions/0037-autopay-rules-and-plan.md). The preview
 * and the daily run both call `planAutopayCharges`, so what a client is shown is what is charged.
 */

/** What the plan needs of a rule. */
export interface PlanRule {
  id: string;
  position: number;
  enabled: boolean;
  /** Empty: every category. */
  serviceCategoryIds: string[];
  /** Null: the organization's default method at run time. */
  paymentMethodId: string | null;
  timing: AutopayTiming;
  days: number | null;
  dayOfMonth: number | null;
  /** Null: no cap. */
  maxAmountCents: number | null;
  /** Locked by the MSP: matched before every unlocked rule (absent: not locked). */
  locked?: boolean;
}

/** What the plan needs of an invoice: business dates (YYYY-MM-DD) and minor units. */
export interface PlanInvoice {
  serviceCategoryId: string;
  balanceCents: number;
  issueDate: string;
  dueDate: string;
}

/**
 * The rule that pays an invoice: the first enabled rule whose categories include the invoice's
 * service category (empty = all) and whose cap, if any, is at least the invoice's balance. Null
 * when none does (the invoice is left to people). First match, so the client reads the list
 * top-down as the run does: an earlier rule wins. The MSP's locked rules come first, in
 * `position` order, then the others: a rule the client may change can never catch an invoice a
 * locked rule is meant to pay (docs/decisions/0037-autopay-rules-and-plan.md). The list is kept
 * in that order (a save puts locked rules first), so top-down still reads true.
 */
export function matchRule<R extends PlanRule>(rules: readonly R[], invoice: PlanInvoice): R | null {
  const ordered = [...rules].sort(
    (a, b) => Number(b.locked ?? false) - Number(a.locked ?? false) || a.position - b.position,
  );
  for (const rule of ordered) {
    if (!rule.enabled) continue;
    if (
      rule.serviceCategoryIds.length > 0 &&
      !rule.serviceCategoryIds.includes(invoice.serviceCategoryId)
    ) {
      continue;
    }
    if (rule.maxAmountCents !== null && invoice.balanceCents > rule.maxAmountCents) continue;
    return rule;
  }
  return null;
}

/** The last day of a month (month 1..12): 28, 29, 30 or 31. */
export function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day `day` of a month, or the month's last day when the month is shorter ("2027-02-31" → 28th). */
function dayInMonth(year: number, month: number, day: number): string {
  const clamped = Math.min(day, lastDayOfMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(clamped).padStart(2, '0')}`;
}

/**
 * The business date (YYYY-MM-DD, the MSP's time zone) a rule charges an invoice on:
 * the due date; N days before or after it; N days after the invoice date; or the first day
 * `dayOfMonth` on or after the invoice date (31, or any day a month lacks, is that month's last
 * day: 31 in February is the 28th, or the 29th in a leap year). Never before the invoice date:
 * "90 days before the due date" of an invoice due in 30 days charges on its invoice date, as a
 * client cannot see (or expect to pay) an invoice dated later than today. Calendar arithmetic
 * on dates, never on instants, so a daylight-saving change in the MSP's zone moves nothing: the
 * business date itself comes from `businessToday` (settings/business-date.ts).
 */
export function chargeDate(
  rule: Pick<PlanRule, 'timing' | 'days' | 'dayOfMonth'>,
  invoice: Pick<PlanInvoice, 'issueDate' | 'dueDate'>,
): string {
  const date = ruleDate(rule, invoice);
  return date < invoice.issueDate ? invoice.issueDate : date;
}

/** The date a rule names for an invoice, before chargeDate keeps it on or after the invoice's. */
function ruleDate(
  rule: Pick<PlanRule, 'timing' | 'days' | 'dayOfMonth'>,
  invoice: Pick<PlanInvoice, 'issueDate' | 'dueDate'>,
): string {
  const days = rule.days ?? 0;
  switch (rule.timing) {
    case 'due_date':
      return invoice.dueDate;
    case 'before_due_date':
      return addDays(invoice.dueDate, -days);
    case 'after_due_date':
      return addDays(invoice.dueDate, days);
    case 'after_invoice_date':
      return addDays(invoice.issueDate, days);
    case 'day_of_month': {
      const day = rule.dayOfMonth ?? 1;
      const year = Number(invoice.issueDate.slice(0, 4));
      const month = Number(invoice.issueDate.slice(5, 7));
      const thisMonth = dayInMonth(year, month, day);
      if (thisMonth >= invoice.issueDate) return thisMonth;
      return month === 12 ? dayInMonth(year + 1, 1, day) : dayInMonth(year, month + 1, day);
    }
  }
}

/** One open invoice a rule covers, and what the run will do with it. */
export interface PlannedCharge {
  organizationId: string;
  invoiceId: string;
  number: string;
  ruleId: string;
  rulePosition: number;
  /** The business date the rule says to charge (the cycle's date). */
  chargeOn: string;
  /**
   * The try the run makes next in this cycle, as the retry schedule counts tries: 1 for the
   * first charge, 2 and on for the retries of a soft decline (or of a returned debit); a try
   * that never reached the processor is not counted (declineTryNumber).
   */
  tryNumber: number;
  /**
   * The business date of that try: `chargeOn` for the first (and for a try skipped for a reason
   * that may pass), the retry's date for a retry. A date already passed is tried at the next run.
   */
  tryOn: string;
  dueDate: string;
  /** The rule's method, or the organization's default now; null when there is none. */
  methodId: string | null;
  /** "Visa •••• 4242"; null when there is no method. */
  methodLabel: string | null;
  /** The invoice's balance, in minor units of `currency`. */
  amountCents: number;
  currency: string;
  skipReason: AutopaySkipReason | null;
}

interface RuleRow extends PlanRule {
  organizationId: string;
}

interface MethodRow {
  id: string;
  organizationId: string;
  type: 'card' | 'ach';
  brand: string | null;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
  locked: boolean;
  removed: boolean;
  isDefault: boolean;
}

interface InvoiceRow extends PlanInvoice {
  id: string;
  organizationId: string;
  number: string;
  currency: string;
  amountPaidCents: number;
  inFlight: boolean;
}

/**
 * Organizations whose open invoices are read per query: each batch is an index read of the
 * open invoices of those organizations (invoices_open_by_organization_idx), one statement per
 * batch however many invoices there are.
 */
const organizationBatch = 1000;

/**
 * The business date (YYYY-MM-DD, the MSP's zone) of the next AutoPay run that can still charge:
 * `today` while today's run has not finished, else the day after. The run charges a date once
 * (docs/decisions/0039): an invoice that falls due today after today's run finished is charged
 * by tomorrow's run, so the preview and the calendar show it there, not on a day already done.
 */
export async function nextRunDate(db: Pool | PoolClient, today: string): Promise<string> {
  const finished = await db.query(
    `SELECT 1 FROM autopay_runs WHERE run_date = $1 AND finished_at IS NOT NULL`,
    [today],
  );
  return finished.rowCount ? addDays(today, 1) : today;
}

/**
 * Every open invoice an enabled AutoPay rule covers whose next try falls in the window
 * [`from`, `through`] (business dates; no `from`: every date up to `through`, so a run catches
 * up on dates it missed). The cycle's past tries count (`nextTry`): a cycle charged, declined
 * for good, given up or skipped for good has nothing left and is not listed; a soft decline's
 * retry is listed on its retry date with its try number. Per invoice: the rule, the cycle's
 * date, the try and its date, the method (the rule's, or the organization's default as it is
 * now), the balance, and why the run would skip it (a scheduled payment covers it, a payment of
 * it is in flight, no method, the method is locked or the card will have expired by the try's
 * date, someone paid part of it since it was issued).
 * `today` (optional, the business date now): a try date already passed is tried at the next
 * run, so the card's expiry is checked against the later of the two.
 * Organizations with AutoPay turned off have no plan. Set-based: the rules and methods in one
 * query each, the open invoices of 1,000 organizations per query, and per batch one query for
 * the cycles' latest tries and one for the scheduled payments (through the scheduled-payments
 * module). Sorted by the try's date, then invoice number.
 */
export async function planAutopayCharges(
  db: Pool | PoolClient,
  options: { organizationIds?: string[]; from?: string; through: string; today?: string },
): Promise<PlannedCharge[]> {
  const organizationFilter = options.organizationIds ?? null;
  const rules = await db.query<RuleRow>(
    `SELECT r.id, r.organization_id AS "organizationId", r.position, r.enabled,
            r.service_category_ids AS "serviceCategoryIds", r.payment_method_id AS "paymentMethodId",
            r.timing, r.days, r.day_of_month AS "dayOfMonth", r.max_amount_cents AS "maxAmountCents",
            r.locked_at IS NOT NULL AS locked
       FROM autopay_rules r
       JOIN autopay_organizations o ON o.organization_id = r.organization_id AND o.enabled
      WHERE r.enabled AND ($1::uuid[] IS NULL OR r.organization_id = ANY($1::uuid[]))
      ORDER BY r.organization_id, r.position`,
    [organizationFilter],
  );
  if (rules.rows.length === 0) return [];
  const rulesByOrganization = new Map<string, RuleRow[]>();
  for (const rule of rules.rows) {
    const list = rulesByOrganization.get(rule.organizationId) ?? [];
    list.push(rule);
    rulesByOrganization.set(rule.organizationId, list);
  }
  // The organizations with AutoPay on and a rule on, as a semi-join: a list of thousands of ids
  // in `= ANY($1)` would be searched once per row.
  const coveredOrganizations = `SELECT DISTINCT r.organization_id FROM autopay_rules r
      JOIN autopay_organizations o ON o.organization_id = r.organization_id AND o.enabled
     WHERE r.enabled AND ($1::uuid[] IS NULL OR r.organization_id = ANY($1::uuid[]))`;

  const methods = await db.query<MethodRow>(
    `SELECT id, organization_id AS "organizationId", type, brand, last4,
            exp_month AS "expMonth", exp_year AS "expYear", locked_at IS NOT NULL AS locked,
            removed_at IS NOT NULL AS removed, is_default AND removed_at IS NULL AS "isDefault"
       FROM payment_methods
      WHERE organization_id IN (${coveredOrganizations})`,
    [organizationFilter],
  );
  const methodsById = new Map(methods.rows.map((method) => [method.id, method]));
  const defaults = new Map(
    methods.rows.filter((method) => method.isDefault).map((m) => [m.organizationId, m]),
  );

  const planned: PlannedCharge[] = [];
  const organizationIds = [...rulesByOrganization.keys()];
  for (let start = 0; start < organizationIds.length; start += organizationBatch) {
    const batch = await db.query<InvoiceRow>(
      `SELECT i.id, i.organization_id AS "organizationId", i.number, i.currency,
              i.issue_date::text AS "issueDate", i.due_date::text AS "dueDate",
              i.service_category_id AS "serviceCategoryId", i.balance_cents AS "balanceCents",
              i.amount_paid_cents AS "amountPaidCents",
              EXISTS (SELECT 1 FROM payment_allocations a
                       WHERE a.invoice_id = i.id AND a.in_flight) AS "inFlight"
         FROM invoices i
        WHERE i.organization_id = ANY($1::uuid[])
          AND i.state = 'issued' AND i.total_cents > i.amount_paid_cents`,
      [organizationIds.slice(start, start + organizationBatch)],
    );

    const cycles: Array<{ invoice: InvoiceRow; rule: RuleRow; chargeOn: string }> = [];
    for (const invoice of batch.rows) {
      const rule = matchRule(rulesByOrganization.get(invoice.organizationId) ?? [], invoice);
      if (!rule) continue;
      const chargeOn = chargeDate(rule, invoice);
      // A retry comes after its cycle's date: a cycle dated after the window has no try in it.
      if (chargeOn > options.through) continue;
      cycles.push({ invoice, rule, chargeOn });
    }
    // What the cycles' past tries leave for the run to do: the next try and its date, or
    // nothing (charged, a hard decline, given up, skipped for good).
    const latest = await latestTries(db, cycles);
    const covered: Array<{
      invoice: InvoiceRow;
      rule: RuleRow;
      chargeOn: string;
      tryNumber: number;
      tryOn: string;
    }> = [];
    for (const cycle of cycles) {
      const next = nextTry(cycle.chargeOn, latest.get(`${cycle.invoice.id}|${cycle.chargeOn}`));
      if (!next || next.tryOn > options.through) continue;
      if (options.from !== undefined && next.tryOn < options.from) continue;
      const unreached = latest.get(`${cycle.invoice.id}|${cycle.chargeOn}`)?.unreachedTries ?? 0;
      covered.push({
        ...cycle,
        tryOn: next.tryOn,
        tryNumber: declineTryNumber(next.tryNumber, unreached),
      });
    }
    const scheduled = await invoicesInScheduledPayments(
      db,
      covered.map((entry) => entry.invoice.id),
    );

    for (const { invoice, rule, chargeOn, tryNumber, tryOn } of covered) {
      const method =
        rule.paymentMethodId === null
          ? (defaults.get(invoice.organizationId) ?? null)
          : (methodsById.get(rule.paymentMethodId) ?? null);
      const usable = method && !method.removed ? method : null;
      let skipReason: AutopaySkipReason | null = null;
      if (scheduled.has(invoice.id)) skipReason = 'covered_by_scheduled_payment';
      else if (invoice.inFlight) skipReason = 'in_flight';
      else if (invoice.amountPaidCents > 0) skipReason = 'paid_in_part';
      else if (!usable) skipReason = 'no_method';
      else if (usable.locked) skipReason = 'method_locked';
      // A try date already passed is tried at the next run: the card must be good then.
      else if (isExpired(usable, options.today && options.today > tryOn ? options.today : tryOn)) {
        skipReason = 'method_expired';
      }
      planned.push({
        organizationId: invoice.organizationId,
        invoiceId: invoice.id,
        number: invoice.number,
        ruleId: rule.id,
        rulePosition: rule.position,
        chargeOn,
        tryNumber,
        tryOn,
        dueDate: invoice.dueDate,
        methodId: usable?.id ?? null,
        methodLabel: usable ? methodLabel(usable) : null,
        amountCents: invoice.balanceCents,
        currency: invoice.currency,
        skipReason,
      });
    }
  }
  const numbers = new Intl.Collator(undefined, { numeric: true });
  return planned.sort(
    (a, b) =>
      (a.tryOn < b.tryOn ? -1 : a.tryOn > b.tryOn ? 1 : 0) || numbers.compare(a.number, b.number),
  );
}

/**
 * The latest try kept for each of `cycles` (an invoice and its cycle's date), keyed
 * `<invoice id>|<cycle date>`, with how many of the cycle's tries never reached the processor:
 * one statement, an index read of autopay_attempts_cycle_try_idx per cycle.
 */
async function latestTries(
  db: Pool | PoolClient,
  cycles: ReadonlyArray<{ invoice: { id: string }; chargeOn: string }>,
): Promise<Map<string, LatestTry & { unreachedTries: number }>> {
  if (cycles.length === 0) return new Map();
  const result = await db.query<
    LatestTry & { invoiceId: string; cycleDueDate: string; unreachedTries: number }
  >(
    `SELECT DISTINCT ON (t.invoice_id, t.cycle_due_date)
            t.invoice_id AS "invoiceId", t.cycle_due_date::text AS "cycleDueDate",
            t.try_number AS "tryNumber", t.outcome, t.reason, t.next_try_on::text AS "nextTryOn",
            (count(*) FILTER (WHERE t.not_reached)
               OVER (PARTITION BY t.invoice_id, t.cycle_due_date))::int AS "unreachedTries"
       FROM unnest($1::uuid[], $2::date[]) AS k(invoice_id, cycle_due_date)
       JOIN autopay_attempts t
         ON t.invoice_id = k.invoice_id AND t.cycle_due_date = k.cycle_due_date
      ORDER BY t.invoice_id, t.cycle_due_date, t.try_number DESC`,
    [cycles.map((cycle) => cycle.invoice.id), cycles.map((cycle) => cycle.chargeOn)],
  );
  return new Map(result.rows.map((row) => [`${row.invoiceId}|${row.cycleDueDate}`, row]));
}
