import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  paymentsCalendarAnswer,
  paymentsCalendarDayAnswer,
} from '../../src/shared/contract/autopay-report.js';
import { planAutopayCharges } from '../../src/modules/autopay/autopay-plan.js';
import { addDays } from '../../src/modules/invoices/invoice-math.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Staff's Payments Calendar looks back as well as ahead: a past day shows what the AutoPay runs
 * did (charged, declined, skipped, with the reason) and the scheduled payments that ran,
 * failed or were skipped; the month before today answers. And a later day, planned for the
 * organizations that may have a charge on it alone, lists what the whole plan lists for it,
 * whatever the rules' timing.
 */

type Calendar = Answer<typeof paymentsCalendarAnswer>;
type CalendarDay = Answer<typeof paymentsCalendarDayAnswer>;

let testApp: TestApp;
let staff: ApiClient;
let acme = '';
let card = '';
const invoices: Record<string, string> = {};

// The MSP's today in these tests (New York: 16:00 UTC is the same day).
const now = new Date('2026-03-10T16:00:00Z');
const today = '2026-03-10';

async function insertOrganization(name: string): Promise<string> {
  const result = await testApp.database.pool.query<{ id: string }>(
    `INSERT INTO organizations (name) VALUES ($1) RETURNING id`,
    [name],
  );
  return result.rows[0]!.id;
}

async function autopay(
  organizationId: string,
  rule: { timing: string; days?: number; dayOfMonth?: number },
) {
  const pool = testApp.database.pool;
  await pool.query(
    `INSERT INTO autopay_organizations (organization_id, enabled) VALUES ($1, true)`,
    [organizationId],
  );
  await pool.query(
    `INSERT INTO autopay_rules (organization_id, position, enabled, service_category_ids, timing,
                                days, day_of_month)
     VALUES ($1, 1, true, '{}', $2, $3, $4)`,
    [organizationId, rule.timing, rule.days ?? null, rule.dayOfMonth ?? null],
  );
}

async function scheduledPayment(runOn: string, status: string, invoiceId: string, cents: number) {
  const pool = testApp.database.pool;
  const made = await pool.query<{ id: string }>(
    `INSERT INTO scheduled_payments (organization_id, payment_method_id, run_on, currency, status,
                                     outcome_message)
     VALUES ($1, $2, $3, 'USD', $4, CASE WHEN $4 = 'skipped' THEN 'Nothing left to pay' END)
     RETURNING id`,
    [acme, card, runOn, status],
  );
  await pool.query(
    `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
     VALUES ($1, $2, $3)`,
    [made.rows[0]!.id, invoiceId, cents],
  );
  return made.rows[0]!.id;
}

beforeAll(async () => {
  testApp = await startTestApp();
  testApp.context.clock = () => now;
  staff = await signedInAs(testApp.app, 'read_only');
  const pool = testApp.database.pool;
  acme = await insertOrganization('Ærøskøbing Hosting ApS');
  card = await savedMethod(testApp, acme, testCard('4242424242424242'), { isDefault: true });
  await autopay(acme, { timing: 'due_date' });
  for (const [key, cents] of [
    ['charged', 12_345],
    ['declined', 5_000],
    ['skipped', 7_000],
    ['early', 2_500],
  ] as const) {
    invoices[key] = await insertInvoice(pool, {
      organizationId: acme,
      number: `INV-PAST-${key}`,
      issueDate: '2026-02-01',
      dueDate: '2026-03-31',
      lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: cents }],
    });
  }
  // What the runs did: on 20 February a declined try (to be retried), on 9 March a charge
  // and a skip, and today a charge made already.
  await pool.query(
    `INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                   run_date, amount_cents, outcome, reason, next_try_on)
     VALUES ($1, $3, '2026-02-20', 1, '2026-02-20', 5000, 'retry_scheduled',
             'Your card has insufficient funds.', '2026-02-23'),
            ($1, $2, '2026-03-09', 1, '2026-03-09', 12345, 'charged', NULL, NULL),
            ($1, $4, '2026-03-09', 1, '2026-03-09', 7000, 'skipped', 'in_flight', NULL),
            ($1, $5, '2026-03-10', 1, '2026-03-10', 2500, 'charged', NULL, NULL)`,
    [acme, invoices.charged, invoices.declined, invoices.skipped, invoices.early],
  );
  // The two charges paid their invoices.
  await pool.query(`UPDATE invoices SET amount_paid_cents = total_cents WHERE id = ANY($1)`, [
    [invoices.charged, invoices.early],
  ]);
  // Scheduled payments that ran on 5 March (paid), failed on 6 March, were skipped on 7 March
  // and one cancelled on 8 March (not on the calendar).
  await scheduledPayment('2026-03-05', 'paid', invoices.charged!, 1_000);
  await scheduledPayment('2026-03-06', 'failed', invoices.declined!, 2_000);
  await scheduledPayment('2026-03-07', 'skipped', invoices.skipped!, 3_000);
  await scheduledPayment('2026-03-08', 'cancelled', invoices.early!, 4_000);
}, 120_000);
afterAll(async () => testApp?.close());

describe('the Payments Calendar looks back', () => {
  it('a month back shows what the AutoPay runs did and the scheduled payments that ran', async () => {
    // The February grid (the weeks around it), as the page asks when staff go back a month.
    const response = await staff.get('/api/payments-calendar?from=2026-02-01&through=2026-03-14');
    expect(response.statusCode, response.body).toBe(200);
    const calendar = response.json<Calendar>();
    expect(calendar.today).toBe(today);
    const day = (date: string) => calendar.days.find((d) => d.date === date);
    expect(day('2026-02-20')).toEqual({
      date: '2026-02-20',
      autopayCount: 0,
      skippedCount: 0,
      failedCount: 1,
      scheduledCount: 0,
      totals: [],
    });
    expect(day('2026-03-09')).toEqual({
      date: '2026-03-09',
      autopayCount: 1,
      skippedCount: 1,
      failedCount: 0,
      scheduledCount: 0,
      totals: [{ currency: 'USD', amountCents: 12_345 }],
    });
    // A paid scheduled payment took its amount; a failed or skipped one took nothing.
    expect(day('2026-03-05')).toMatchObject({
      scheduledCount: 1,
      totals: [{ currency: 'USD', amountCents: 1_000 }],
    });
    expect(day('2026-03-06')).toMatchObject({ scheduledCount: 1, totals: [] });
    expect(day('2026-03-07')).toMatchObject({ scheduledCount: 1, totals: [] });
    expect(day('2026-03-08')).toBeUndefined();
    // Today: the charge the run made already (not planned again).
    expect(day(today)).toMatchObject({
      autopayCount: 1,
      totals: [{ currency: 'USD', amountCents: 2_500 }],
    });
  });

  it('a past day lists each try with its outcome and reason, and the scheduled payments with theirs', async () => {
    const response = await staff.get('/api/payments-calendar/day?date=2026-03-09');
    expect(response.statusCode, response.body).toBe(200);
    const day = response.json<CalendarDay>();
    expect(
      day.autopay.map((row) => [row.invoiceNumber, row.outcome, row.reason, row.amountCents]),
    ).toEqual([
      ['INV-PAST-charged', 'charged', null, 12_345],
      ['INV-PAST-skipped', 'skipped', 'A payment of this invoice is in progress', 7_000],
    ]);
    expect(day.autopay[0]).toMatchObject({
      organizationName: 'Ærøskøbing Hosting ApS',
      skipReason: null,
    });
    expect(day.totals).toEqual([{ currency: 'USD', amountCents: 12_345 }]);

    const declined = (
      await staff.get('/api/payments-calendar/day?date=2026-02-20')
    ).json<CalendarDay>();
    expect(declined.autopay).toEqual([
      expect.objectContaining({
        invoiceNumber: 'INV-PAST-declined',
        outcome: 'retry_scheduled',
        reason: 'Your card has insufficient funds.',
      }),
    ]);

    for (const [date, status] of [
      ['2026-03-05', 'paid'],
      ['2026-03-06', 'failed'],
      ['2026-03-07', 'skipped'],
    ]) {
      const scheduled = (
        await staff.get(`/api/payments-calendar/day?date=${date}`)
      ).json<CalendarDay>();
      expect(
        scheduled.scheduled.map((s) => s.status),
        date,
      ).toEqual([status]);
    }
    const cancelled = (
      await staff.get('/api/payments-calendar/day?date=2026-03-08')
    ).json<CalendarDay>();
    expect(cancelled.scheduled).toEqual([]);
  });

  it('later days still show what is planned, marked as planned', async () => {
    const day = (await staff.get('/api/payments-calendar/day?date=2026-03-31')).json<CalendarDay>();
    expect(day.autopay.map((row) => [row.invoiceNumber, row.outcome])).toEqual([
      ['INV-PAST-declined', 'planned'],
      ['INV-PAST-skipped', 'planned'],
    ]);
  });
});

describe('a later day plans only the organizations that may have a charge on it', () => {
  it('lists what the whole plan lists for the day, for every timing', async () => {
    const pool = testApp.database.pool;
    const timings = [
      { timing: 'due_date' },
      { timing: 'before_due_date', days: 5 },
      { timing: 'after_due_date', days: 4 },
      { timing: 'after_invoice_date', days: 10 },
      { timing: 'day_of_month', dayOfMonth: 31 },
      { timing: 'day_of_month', dayOfMonth: 3 },
    ];
    for (const [index, rule] of timings.entries()) {
      const organization = await insertOrganization(`Timing ${index + 1} ${rule.timing}`);
      await savedMethod(testApp, organization, testCard('4242424242424242'), { isDefault: true });
      await autopay(organization, rule);
      // Invoices issued and due on dates spread over the weeks around today.
      for (let n = 0; n < 6; n++) {
        const issueDate = addDays(today, -20 + n * 7);
        await insertInvoice(pool, {
          organizationId: organization,
          number: `INV-T${index + 1}-${n}`,
          issueDate,
          dueDate: addDays(issueDate, 14 + n),
        });
      }
    }
    let compared = 0;
    for (let offset = 0; offset <= 40; offset++) {
      const date = addDays(today, offset);
      // The whole plan up to the day; a try dated before today (no run has finished here) is
      // charged by today's run, so it is listed today.
      const whole = (await planAutopayCharges(pool, { through: date, today })).filter(
        (charge) => (charge.tryOn < today ? today : charge.tryOn) === date,
      );
      const listed = (
        await staff.get(`/api/payments-calendar/day?date=${date}&limit=200`)
      ).json<CalendarDay>();
      const planned = listed.autopay.filter((row) => row.outcome === 'planned');
      expect(planned.map((row) => row.invoiceId).sort(), date).toEqual(
        whole.map((charge) => charge.invoiceId).sort(),
      );
      compared += whole.length;
    }
    // The comparison saw charges of every kind of timing.
    expect(compared).toBeGreaterThan(20);
  });
});
