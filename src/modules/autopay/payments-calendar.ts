import type { Pool } from '../../platform/database.js';
import { decodeCursor, encodeCursor } from '../../platform/keyset-cursor.js';
import type {
  calendarAutopayOutcomes,
  PaymentsCalendarDayAnswer,
  PaymentsCalendarDaySummary,
} from '../../shared/contract/autopay-report.js';
import type { AutopaySkipReason } from '../../shared/contract/autopay.js';
import { methodLabel } from '../payments/payment-methods.js';
import { businessToday } from '../settings/business-date.js';
import { scheduledPaymentsDatedBetween } from '../scheduled-payments/scheduled-payments.service.js';
import { nextRunDate, planAutopayCharges, type PlannedCharge } from './autopay-plan.js';
import { attemptReasonText } from './autopay-run.js';

/**
 * Staff's Payments Calendar: automatic payments day by day, across every organization
 * (docs/decisions/0038 and 0046). From the MSP's today on, what is planned: AutoPay charges from
 * `planAutopayCharges`, the plan the daily run follows (skips included with their reason).
 * Today and before, what happened: the tries the AutoPay runs made (`autopay_attempts`: charged,
 * declined, skipped, with the reason). Scheduled payments on their date, still to run or what
 * became of them (scheduled-payments module). Days are business dates in the MSP's time zone.
 */

type ScheduledRow = Awaited<ReturnType<typeof scheduledPaymentsDatedBetween>>[number];

/** An AutoPay row of a day: planned, or a try a run made. Money in minor units of `currency`. */
interface CalendarCharge {
  organizationId: string;
  invoiceId: string;
  number: string;
  amountCents: number;
  currency: string;
  methodLabel: string | null;
  skipReason: AutopaySkipReason | null;
  outcome: (typeof calendarAutopayOutcomes)[number];
  reason: string | null;
}

interface CalendarItems {
  autopay: CalendarCharge[];
  scheduled: ScheduledRow[];
}

/**
 * The day a planned charge is tried on: its try's date (a retry of a declined cycle is tried
 * after the cycle's date), the day the plan lists it on.
 */
const plannedDay = (charge: PlannedCharge) => charge.tryOn;

function plannedRow(charge: PlannedCharge): CalendarCharge {
  return {
    organizationId: charge.organizationId,
    invoiceId: charge.invoiceId,
    number: charge.number,
    amountCents: charge.amountCents,
    currency: charge.currency,
    methodLabel: charge.methodLabel,
    skipReason: charge.skipReason,
    outcome: 'planned',
    reason: null,
  };
}

/**
 * The tries the AutoPay runs made on the business dates from `from` through `through`, as
 * calendar rows by run date: the amount tried (the invoice's balance when none was recorded),
 * the method of the payment it made, the outcome and the reason in the run's words.
 */
async function triesMade(
  pool: Pool,
  range: { from: string; through: string },
): Promise<{ runDate: string; row: CalendarCharge }[]> {
  const result = await pool.query<{
    runDate: string;
    organizationId: string;
    invoiceId: string;
    number: string;
    amountCents: number;
    currency: string;
    outcome: CalendarCharge['outcome'];
    reason: string | null;
    methodType: 'card' | 'ach' | null;
    methodBrand: string | null;
    methodLast4: string | null;
  }>(
    `SELECT t.run_date::text AS "runDate", t.organization_id AS "organizationId",
            t.invoice_id AS "invoiceId", i.number,
            coalesce(p.amount_cents, t.amount_cents, i.balance_cents) AS "amountCents",
            i.currency, t.outcome, t.reason,
            m.type AS "methodType", m.brand AS "methodBrand", m.last4 AS "methodLast4"
       FROM autopay_attempts t
       JOIN invoices i ON i.id = t.invoice_id
       LEFT JOIN payments p ON p.id = t.payment_id
       LEFT JOIN payment_methods m ON m.id = p.payment_method_id
      WHERE t.run_date BETWEEN $1::date AND $2::date
        -- A try that never reached the processor charged nothing and was made again at once:
        -- not a decline of the day (decision 48).
        AND NOT t.not_reached`,
    [range.from, range.through],
  );
  return result.rows.map((row) => ({
    runDate: row.runDate,
    row: {
      organizationId: row.organizationId,
      invoiceId: row.invoiceId,
      number: row.number,
      amountCents: row.amountCents,
      currency: row.currency,
      methodLabel:
        row.methodType && row.methodLast4
          ? methodLabel({ type: row.methodType, brand: row.methodBrand, last4: row.methodLast4 })
          : null,
      skipReason: null,
      outcome: row.outcome,
      reason: row.outcome === 'charged' ? null : attemptReasonText(row.reason),
    },
  }));
}

/**
 * The organizations that may have an AutoPay try planned between `from` and `through`
 * (business dates; `from` null: any date up to `through`, the dates the next run catches up
 * on): an open invoice of theirs whose date under one of their enabled rules can fall in the
 * range, or a declined try to be retried in it. A window per timing, wider than `chargeDate`
 * (autopay-plan.ts), not the rules: the due date within `days` of the range (on, before or
 * after the due date), the invoice date within `days` before it (after the invoice date), or
 * within the month before it (a day of the month: the first such day on or after the invoice
 * date); a timing this does not know keeps every organization with it. The plan then decides
 * for these organizations alone, with its own code: a day reads their invoices, not every
 * organization's. Kept honest by tests/api/payments-calendar-past.test.ts, which compares a
 * day with the whole plan's.
 */
async function organizationsPlannedBetween(
  pool: Pool,
  from: string | null,
  through: string,
): Promise<string[]> {
  const result = await pool.query<{ organizationId: string }>(
    `SELECT DISTINCT r.organization_id AS "organizationId"
       FROM autopay_rules r
       JOIN autopay_organizations o ON o.organization_id = r.organization_id AND o.enabled
      WHERE r.enabled
        AND (r.timing NOT IN ('due_date', 'before_due_date', 'after_due_date',
                              'after_invoice_date', 'day_of_month')
             OR EXISTS (
               SELECT 1 FROM invoices i
                WHERE i.organization_id = r.organization_id
                  AND i.state = 'issued' AND i.total_cents > i.amount_paid_cents
                  AND CASE WHEN r.timing IN ('due_date', 'before_due_date', 'after_due_date')
                           THEN ($1::date IS NULL OR i.due_date >= $1::date - coalesce(r.days, 0))
                                AND i.due_date <= $2::date + coalesce(r.days, 0)
                           WHEN r.timing = 'after_invoice_date'
                           THEN ($1::date IS NULL OR i.issue_date >= $1::date - coalesce(r.days, 0))
                                AND i.issue_date <= $2::date
                           ELSE ($1::date IS NULL OR i.issue_date >= $1::date - 31)
                                AND i.issue_date <= $2::date END))
     UNION
     SELECT organization_id FROM autopay_attempts
      WHERE outcome = 'retry_scheduled' AND next_try_on <= $2::date
        AND ($1::date IS NULL OR next_try_on >= $1::date)`,
    [from, through],
  );
  return result.rows.map((row) => row.organizationId);
}

/**
 * What the calendar holds between two business dates, by date: from today on, the AutoPay plan
 * (for a single day, only the organizations that may have a charge on it); today and before,
 * the tries made; and the scheduled payments dated in the range. Today holds both: the tries the
 * run made already, and the plan's rows for the invoices it has not tried yet.
 */
async function itemsByDay(
  pool: Pool,
  range: { from: string; through: string },
  now: Date | undefined,
): Promise<{ today: string; days: Map<string, CalendarItems> }> {
  const today = await businessToday(pool, now);
  const nextRun = await nextRunDate(pool, today);
  // The next run charges every try dated up to its own date (a day no run charged, today's
  // once today's run has finished): a range that starts by the next run plans every earlier
  // date too, and shows those tries on the next run's date.
  const planFrom = range.from > nextRun ? range.from : null;
  const triesThrough = range.through < today ? range.through : today;
  const oneDay = range.from === range.through;
  const plan = async (): Promise<PlannedCharge[]> => {
    if (nextRun > range.through) return [];
    const organizationIds = oneDay
      ? await organizationsPlannedBetween(pool, planFrom, range.from)
      : undefined;
    if (organizationIds?.length === 0) return [];
    return planAutopayCharges(pool, {
      ...(planFrom ? { from: planFrom } : {}),
      through: range.through,
      today,
      ...(organizationIds ? { organizationIds } : {}),
    });
  };
  const [charges, tries, scheduled] = await Promise.all([
    plan(),
    range.from <= triesThrough
      ? triesMade(pool, { from: range.from, through: triesThrough })
      : Promise.resolve([]),
    scheduledPaymentsDatedBetween(pool, range),
  ]);
  const days = new Map<string, CalendarItems>();
  const day = (date: string) => {
    let items = days.get(date);
    if (!items) {
      items = { autopay: [], scheduled: [] };
      days.set(date, items);
    }
    return items;
  };
  for (const { runDate, row } of tries) day(runDate).autopay.push(row);
  // Today's run tried these already: their rows say what it did.
  const triedToday = new Set(tries.filter((t) => t.runDate === today).map((t) => t.row.invoiceId));
  for (const charge of charges) {
    if (plannedDay(charge) === today && triedToday.has(charge.invoiceId)) continue;
    // Once today's run has finished, what the plan dates today is charged by tomorrow's run.
    const date = plannedDay(charge) < nextRun ? nextRun : plannedDay(charge);
    if (date < range.from || date > range.through) continue;
    day(date).autopay.push(plannedRow(charge));
  }
  for (const payment of scheduled) day(payment.runOn).scheduled.push(payment);
  return { today, days };
}

/** A try made that was declined (to be retried, or not). */
const declined = (charge: CalendarCharge) =>
  charge.outcome === 'failed' ||
  charge.outcome === 'retry_scheduled' ||
  charge.outcome === 'gave_up';
/** A row that takes money: planned and not skipped, or charged. */
const takes = (charge: CalendarCharge) =>
  (charge.outcome === 'planned' && !charge.skipReason) || charge.outcome === 'charged';
/** A row the run leaves alone: planned with a skip reason, or a try skipped. */
const skipped = (charge: CalendarCharge) =>
  (charge.outcome === 'planned' && charge.skipReason !== null) || charge.outcome === 'skipped';
/** A scheduled payment that takes money: still to run, or paid. */
const scheduledTakes = (payment: ScheduledRow) =>
  payment.status === 'scheduled' || payment.status === 'processing' || payment.status === 'paid';

/**
 * What a day takes, per currency (currency order): the AutoPay charges planned and not skipped
 * or made, and the scheduled payments still to run or paid.
 */
function dayTotals(items: CalendarItems): { currency: string; amountCents: number }[] {
  const totals = new Map<string, number>();
  const add = (currency: string, cents: number) =>
    totals.set(currency, (totals.get(currency) ?? 0) + cents);
  for (const charge of items.autopay) {
    if (takes(charge)) add(charge.currency, charge.amountCents);
  }
  for (const payment of items.scheduled) {
    if (scheduledTakes(payment)) add(payment.currency, payment.totalCents);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountCents]) => ({ currency, amountCents }));
}

/**
 * The calendar's days from `from` to `through` (inclusive business dates; the route bounds the
 * range, and it may lie in the past): each day that holds an AutoPay row or a scheduled payment,
 * with how many AutoPay charges (planned or made), how many skipped, how many declined, how many
 * scheduled payments, and its totals per currency. `today` is the MSP's.
 */
export async function paymentsCalendar(
  pool: Pool,
  range: { from: string; through: string },
  now?: Date,
): Promise<{ from: string; through: string; today: string; days: PaymentsCalendarDaySummary[] }> {
  const { today, days } = await itemsByDay(pool, range, now);
  return {
    ...range,
    today,
    days: [...days.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, items]) => ({
        date,
        autopayCount: items.autopay.filter(takes).length,
        skippedCount: items.autopay.filter(skipped).length,
        failedCount: items.autopay.filter(declined).length,
        scheduledCount: items.scheduled.length,
        totals: dayTotals(items),
      })),
  };
}

// One collator each, not localeCompare per comparison: a busy day sorts 100,000 rows.
const organizationNames = new Intl.Collator();
const numbers = new Intl.Collator(undefined, { numeric: true });

const dayScope = (date: string) => `payments-calendar:${date}`;

/**
 * One day of the calendar: its AutoPay rows (planned, or tries made) by organization name, then
 * invoice number, a page of `limit` after `cursor` (a cursor this day did not give out is a 400
 * naming `cursor`), and all its scheduled payments, with the organizations' names and the
 * day's totals. A later day plans only the organizations that may have a charge on it; a page
 * costs what the day costs, and the answer stays small.
 */
export async function paymentsCalendarDay(
  pool: Pool,
  query: { date: string; cursor?: string | undefined; limit: number },
  now?: Date,
): Promise<PaymentsCalendarDayAnswer> {
  const { date } = query;
  const after = query.cursor ? decodeCursor(dayScope(date), query.cursor, 'text') : null;
  const { days } = await itemsByDay(pool, { from: date, through: date }, now);
  const items = days.get(date) ?? { autopay: [], scheduled: [] };
  const organizationIds = [
    ...new Set([
      ...items.autopay.map((c) => c.organizationId),
      ...items.scheduled.map((s) => s.organizationId),
    ]),
  ];
  const names = new Map(
    (
      await pool.query<{ id: string; name: string }>(
        `SELECT id, name FROM organizations WHERE id = ANY($1::uuid[])`,
        [organizationIds],
      )
    ).rows.map((row) => [row.id, row.name]),
  );
  const nameOf = (id: string) => names.get(id) ?? '';
  // The sort key a cursor holds: the name and the number, apart by a character neither has.
  const keyOf = (charge: CalendarCharge) =>
    `${nameOf(charge.organizationId)}\u0001${charge.number}`;
  const compare = (a: { key: string; id: string }, b: { key: string; id: string }) => {
    const [aName = '', aNumber = ''] = a.key.split('\u0001');
    const [bName = '', bNumber = ''] = b.key.split('\u0001');
    return (
      organizationNames.compare(aName, bName) ||
      numbers.compare(aNumber, bNumber) ||
      a.id.localeCompare(b.id)
    );
  };
  const sorted = items.autopay
    .map((charge) => ({ charge, key: keyOf(charge), id: charge.invoiceId }))
    .sort(compare);
  const rest = after
    ? sorted.filter((row) => compare(row, { key: after[0], id: after[1] }) > 0)
    : sorted;
  const page = rest.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    date,
    autopay: page.map(({ charge }) => ({
      organizationId: charge.organizationId,
      organizationName: nameOf(charge.organizationId),
      invoiceId: charge.invoiceId,
      invoiceNumber: charge.number,
      amountCents: charge.amountCents,
      currency: charge.currency,
      methodLabel: charge.methodLabel,
      skipReason: charge.skipReason,
      outcome: charge.outcome,
      reason: charge.reason,
    })),
    autopayTotal: sorted.length,
    nextCursor:
      rest.length > query.limit && last ? encodeCursor(dayScope(date), last.key, last.id) : null,
    scheduled: [...items.scheduled]
      .sort((a, b) => organizationNames.compare(nameOf(a.organizationId), nameOf(b.organizationId)))
      .map((payment) => ({
        id: payment.id,
        organizationId: payment.organizationId,
        organizationName: nameOf(payment.organizationId),
        status: payment.status,
        amountCents: payment.totalCents,
        currency: payment.currency,
        methodLabel: payment.methodLabel,
        invoiceNumbers: payment.allocations.map((allocation) => allocation.invoiceNumber),
      })),
    totals: dayTotals(items),
  };
}
