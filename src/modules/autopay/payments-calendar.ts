import type { Pool } from '../../platform/database.js';
import { decodeCursor, encodeCursor } from '../../platform/keyset-cursor.js';
import type {
  PaymentsCalendarDayAnswer,
  PaymentsCalendarDaySummary,
} from '../../shared/contract/autopay-report.js';
import { businessToday } from '../settings/business-date.js';
import { scheduledPaymentsBetween } from '../scheduled-payments/scheduled-payments.service.js';
import { planAutopayCharges, type PlannedCharge } from './autopay-plan.js';

/**
 * Staff's Payments Calendar: what automatic payments will take, day by day, across every
 * organization. AutoPay charges come from `planAutopayCharges`, the plan the daily run follows
 * (so the calendar shows what will be charged, skips included with their reason); scheduled
 * payments still to run (scheduled or processing) from the scheduled-payments module. Days are business dates in the MSP's time zone.
 * AutoPay is planned from today on.
 */

type ScheduledRow = Awaited<ReturnType<typeof scheduledPaymentsBetween>>[number];

interface CalendarItems {
  autopay: PlannedCharge[];
  scheduled: ScheduledRow[];
}

/** The plan and the scheduled payments between two business dates, by date. */
async function itemsByDay(
  pool: Pool,
  range: { from: string; through: string },
  now: Date | undefined,
): Promise<{ today: string; days: Map<string, CalendarItems> }> {
  const today = await businessToday(pool, now);
  const planFrom = range.from > today ? range.from : today;
  const [charges, scheduled] = await Promise.all([
    planFrom <= range.through
      ? planAutopayCharges(pool, { from: planFrom, through: range.through })
      : Promise.resolve([]),
    scheduledPaymentsBetween(pool, range),
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
  for (const charge of charges) day(charge.tryOn).autopay.push(charge);
  for (const payment of scheduled) day(payment.runOn).scheduled.push(payment);
  return { today, days };
}

/**
 * What a day will take, per currency (currency order): the AutoPay charges not skipped and the
 * scheduled payments still to run.
 */
function dayTotals(items: CalendarItems): { currency: string; amountCents: number }[] {
  const totals = new Map<string, number>();
  const add = (currency: string, cents: number) =>
    totals.set(currency, (totals.get(currency) ?? 0) + cents);
  for (const charge of items.autopay) {
    if (!charge.skipReason) add(charge.currency, charge.amountCents);
  }
  for (const payment of items.scheduled) add(payment.currency, payment.totalCents);
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountCents]) => ({ currency, amountCents }));
}

/**
 * The calendar's days from `from` through `to` (inclusive business dates; the route bounds the
 * range): each day that holds an AutoPay charge or a scheduled payment, with how many, how many
 * AutoPay will skip, and its totals per currency. `today` is the MSP's.
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
        autopayCount: items.autopay.filter((charge) => !charge.skipReason).length,
        skippedCount: items.autopay.filter((charge) => charge.skipReason).length,
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
 * One day of the calendar: its AutoPay charges by organization name, then invoice number, a
 * page of `limit` after `cursor` (a cursor this day did not give out is a 400 naming
 * `cursor`), and all its scheduled payments, with the organizations' names and the day's
 * totals. The plan is computed whole each time (it is the run's), so a page costs what the day
 * costs; the answer stays small.
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
  const keyOf = (charge: PlannedCharge) => `${nameOf(charge.organizationId)}\u0001${charge.number}`;
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
