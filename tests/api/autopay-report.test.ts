import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/shared/contract/common.js';
import type {
  autopayLastRunAnswer,
  autopayReportPage,
  paymentsCalendarAnswer,
  paymentsCalendarDayAnswer,
} from '../../src/shared/contract/autopay-report.js';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import { signedInToPortal } from '../support/portal-client.js';
import { ApiClient, signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Staff's AutoPay Configurations report (keyset pages, CSV) and the Payments Calendar (days
 * with totals, one day's charges and scheduled payments), and an organization's last AutoPay
 * run, through the API: what they show, who may read them, and bad input in words.
 */

type ReportPage = Answer<typeof autopayReportPage>;
type Calendar = Answer<typeof paymentsCalendarAnswer>;
type CalendarDay = Answer<typeof paymentsCalendarDayAnswer>;
type LastRun = Answer<typeof autopayLastRunAnswer>;

let testApp: TestApp;
let readOnly: ApiClient;
let portal: ApiClient;
const orgs: Record<'greek' | 'japanese' | 'formula' | 'off', string> = {
  greek: '',
  japanese: '',
  formula: '',
  off: '',
};
let hosting = '';
let hardware = '';
let card = '';
let hostingInvoice = '';
let hardwareInvoice = '';
let scheduledId = '';

// The MSP's today in these tests (the demo's time zone is New York: noon UTC is the same day).
const now = new Date('2026-03-10T16:00:00Z');

async function insertOrganization(name: string): Promise<string> {
  const result = await testApp.database.pool.query<{ id: string }>(
    `INSERT INTO organizations (name) VALUES ($1) RETURNING id`,
    [name],
  );
  return result.rows[0]!.id;
}

async function category(name: string): Promise<string> {
  const result = await testApp.database.pool.query<{ id: string }>(
    `WITH ins AS (INSERT INTO service_categories (name) VALUES ($1)
                  ON CONFLICT DO NOTHING RETURNING id)
     SELECT id FROM ins UNION ALL
     SELECT id FROM service_categories WHERE lower(name) = lower($1) LIMIT 1`,
    [name],
  );
  return result.rows[0]!.id;
}

async function rule(
  organizationId: string,
  values: {
    position: number;
    categories?: string[];
    methodId?: string | null;
    timing?: string;
    days?: number | null;
    dayOfMonth?: number | null;
    capCents?: number | null;
    locked?: boolean;
    enabled?: boolean;
  },
): Promise<string> {
  const result = await testApp.database.pool.query<{ id: string }>(
    `INSERT INTO autopay_rules (organization_id, position, enabled, service_category_ids,
                                payment_method_id, timing, days, day_of_month, max_amount_cents,
                                locked_at)
     VALUES ($1, $2, $3, $4::uuid[], $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END)
     RETURNING id`,
    [
      organizationId,
      values.position,
      values.enabled ?? true,
      values.categories ?? [],
      values.methodId ?? null,
      values.timing ?? 'due_date',
      values.days ?? null,
      values.dayOfMonth ?? null,
      values.capCents ?? null,
      values.locked ?? false,
    ],
  );
  return result.rows[0]!.id;
}

async function autopayOn(organizationId: string, enabled = true, required = false) {
  await testApp.database.pool.query(
    `INSERT INTO autopay_organizations (organization_id, enabled, required) VALUES ($1, $2, $3)`,
    [organizationId, enabled, required],
  );
}

async function setCategory(invoiceId: string, categoryId: string) {
  await testApp.database.pool.query(`UPDATE invoices SET service_category_id = $2 WHERE id = $1`, [
    invoiceId,
    categoryId,
  ]);
}

beforeAll(async () => {
  testApp = await startTestApp();
  testApp.context.clock = () => now;
  readOnly = await signedInAs(testApp.app, 'read_only');
  hosting = await category('Hosting');
  hardware = await category('Hardware');

  // Names in other scripts, and one that starts like a spreadsheet formula.
  orgs.greek = await insertOrganization('Αθηναϊκή Φιλοξενία Α.Ε.');
  orgs.japanese = await insertOrganization('株式会社さくらネットワーク');
  orgs.formula = await insertOrganization('=HYPERLINK("http://evil.example")');
  orgs.off = await insertOrganization('Zebra Offline Ltd');
  ({ portal } = await signedInToPortal(testApp, orgs.greek));

  card = await savedMethod(testApp, orgs.greek, testCard('4242424242424242'), {
    isDefault: true,
  });
  await autopayOn(orgs.greek, true, true);
  await rule(orgs.greek, { position: 1, categories: [hosting], locked: true });
  await rule(orgs.greek, {
    position: 2,
    categories: [hardware],
    methodId: card,
    timing: 'before_due_date',
    days: 3,
    capCents: 50_000,
    enabled: false,
  });
  await autopayOn(orgs.japanese);
  await rule(orgs.japanese, { position: 1, timing: 'day_of_month', dayOfMonth: 31 });
  await autopayOn(orgs.formula);
  await autopayOn(orgs.off, false);

  // The Greek organization: a Hosting invoice due on the 20th (AutoPay will charge it), a
  // Hardware one (no enabled rule covers it), and a scheduled payment on the 15th.
  hostingInvoice = await insertInvoice(testApp.database.pool, {
    organizationId: orgs.greek,
    number: 'INV-AP-1',
    issueDate: '2026-03-01',
    dueDate: '2026-03-20',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 12_345 }],
  });
  await setCategory(hostingInvoice, hosting);
  hardwareInvoice = await insertInvoice(testApp.database.pool, {
    organizationId: orgs.greek,
    number: 'INV-AP-2',
    issueDate: '2026-03-01',
    dueDate: '2026-03-20',
    lines: [{ description: 'Switch', quantity: 10_000, unitPriceCents: 40_000 }],
  });
  await setCategory(hardwareInvoice, hardware);
  const scheduled = await testApp.database.pool.query<{ id: string }>(
    `INSERT INTO scheduled_payments (organization_id, payment_method_id, run_on, currency)
     VALUES ($1, $2, '2026-03-15', 'USD') RETURNING id`,
    [orgs.greek, card],
  );
  scheduledId = scheduled.rows[0]!.id;
  await testApp.database.pool.query(
    `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
     VALUES ($1, $2, 15000)`,
    [scheduledId, hardwareInvoice],
  );

  // The Japanese organization (all services, the month's last day, no payment method): two
  // invoices AutoPay covers on 31 March, and skips for want of a method.
  for (const number of ['INV-SK-10', 'INV-SK-9']) {
    await insertInvoice(testApp.database.pool, {
      organizationId: orgs.japanese,
      number,
      issueDate: '2026-03-05',
      dueDate: '2026-04-04',
    });
  }

  // The last run at the Greek organization: one charged, one skipped; an older run before it.
  await testApp.database.pool.query(
    `INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                   run_date, amount_cents, outcome, reason)
     VALUES ($1, $2, '2026-02-20', 1, '2026-02-20', 999, 'failed', 'Card declined'),
            ($1, $2, '2026-03-09', 1, '2026-03-09', 12345, 'charged', NULL),
            ($1, $3, '2026-03-09', 1, '2026-03-09', 40000, 'skipped', 'in_flight')`,
    [orgs.greek, hostingInvoice, hardwareInvoice],
  );
}, 120_000);
afterAll(async () => testApp?.close());

describe('AutoPay Configurations report', () => {
  it('lists every organization with AutoPay set up, by name, with its rules and last run', async () => {
    const response = await readOnly.get('/api/autopay/report?limit=200');
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json<ReportPage>();
    const mine = page.organizations.filter((o) => Object.values(orgs).includes(o.organizationId));
    // Sorted by name, whatever the script: '=' before Latin, Greek, then Japanese.
    expect(mine.map((o) => o.organizationName)).toEqual([
      '=HYPERLINK("http://evil.example")',
      'Zebra Offline Ltd',
      'Αθηναϊκή Φιλοξενία Α.Ε.',
      '株式会社さくらネットワーク',
    ]);
    const greek = mine.find((o) => o.organizationId === orgs.greek)!;
    expect(greek).toMatchObject({
      enabled: true,
      required: true,
      currency: 'USD',
      defaultMethodLabel: 'Visa •••• 4242',
      lastRun: {
        runDate: '2026-03-09',
        charged: 1,
        failed: 0,
        skipped: 1,
        retryScheduled: 0,
        gaveUp: 0,
        chargedCents: 12345,
      },
    });
    expect(greek.rules).toEqual([
      expect.objectContaining({
        position: 1,
        enabled: true,
        locked: true,
        categories: ['Hosting'],
        timing: 'due_date',
        methodLabel: null,
        maxAmountCents: null,
      }),
      expect.objectContaining({
        position: 2,
        enabled: false,
        locked: false,
        categories: ['Hardware'],
        timing: 'before_due_date',
        days: 3,
        methodLabel: 'Visa •••• 4242',
        maxAmountCents: 50_000,
      }),
    ]);
    const off = mine.find((o) => o.organizationId === orgs.off)!;
    expect(off).toMatchObject({ enabled: false, rules: [], lastRun: null });
  });

  it('pages with a cursor, filters by name and by AutoPay Enabled', async () => {
    const first = (await readOnly.get('/api/autopay/report?limit=1')).json<ReportPage>();
    expect(first.organizations).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const seen = [...first.organizations];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await readOnly.get(
        `/api/autopay/report?limit=1&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(next.statusCode, next.body).toBe(200);
      const page = next.json<ReportPage>();
      seen.push(...page.organizations);
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(first.total);
    expect(new Set(seen.map((o) => o.organizationId)).size).toBe(first.total);

    const search = await readOnly.get(`/api/autopay/report?search=${encodeURIComponent('さくら')}`);
    expect(search.json<ReportPage>().organizations.map((o) => o.organizationId)).toEqual([
      orgs.japanese,
    ]);
    const off = (await readOnly.get('/api/autopay/report?enabled=false')).json<ReportPage>();
    expect(off.organizations.map((o) => o.organizationId)).toContain(orgs.off);
    expect(off.organizations.map((o) => o.organizationId)).not.toContain(orgs.greek);
  });

  it('refuses a cursor it did not give out, a bad page size or filter, naming the field', async () => {
    expectFieldErrors(await readOnly.get('/api/autopay/report?cursor=not-a-cursor'), ['cursor']);
    expectFieldErrors(await readOnly.get('/api/autopay/report?limit=0'), ['limit']);
    expectFieldErrors(await readOnly.get('/api/autopay/report?enabled=maybe'), ['enabled']);
  });

  it('exports CSV: one line per rule, in words, formulas defused', async () => {
    const response = await readOnly.get('/api/autopay/report/export');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    expect(response.headers['content-disposition']).toContain('autopay-configurations.csv');
    // A UTF-8 byte order mark first: Excel then reads names in any script as written.
    expect(response.body.startsWith('\uFEFF')).toBe(true);
    const lines = response.body.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe(
      'Organization,AutoPay Enabled,Required,Authorization recorded,Rule,Rule on,Locked,' +
        'Services,When,Payment method,Only invoices up to,Currency,Last run,Charged,Failed,' +
        'Skipped,Retrying,Gave up,Charged amount',
    );
    const greek = lines.filter((line) => line.startsWith('Αθηναϊκή'));
    expect(greek).toEqual([
      'Αθηναϊκή Φιλοξενία Α.Ε.,Yes,Yes,,1,Yes,Yes,Hosting,On the due date,' +
        'Default method (Visa •••• 4242),,USD,2026-03-09,1,0,1,0,0,123.45',
      'Αθηναϊκή Φιλοξενία Α.Ε.,Yes,Yes,,2,No,No,Hardware,3 days before the due date,' +
        'Visa •••• 4242,500.00,USD,2026-03-09,1,0,1,0,0,123.45',
    ]);
    expect(lines).toContain(
      '株式会社さくらネットワーク,Yes,No,,1,Yes,No,All services,' +
        'On the last day of the month,Default method,,USD,,,,,,,',
    );
    // A name that starts like a formula is quoted and prefixed, never run by a spreadsheet.
    expect(lines).toContain(`"'=HYPERLINK(""http://evil.example"")",Yes,No,,,,,,,,,USD,,,,,,,`);
  });
});

describe("an organization's last AutoPay run", () => {
  it('lists each invoice tried on the latest run date, the reason in words', async () => {
    const response = await readOnly.get(`/api/organizations/${orgs.greek}/autopay/last-run`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<LastRun>()).toEqual({
      runDate: '2026-03-09',
      attempts: [
        expect.objectContaining({
          invoiceNumber: 'INV-AP-1',
          outcome: 'charged',
          reason: null,
          amountCents: 12345,
        }),
        expect.objectContaining({
          invoiceNumber: 'INV-AP-2',
          outcome: 'skipped',
          reason: 'A payment of this invoice is in progress',
        }),
      ],
    });
    const never = await readOnly.get(`/api/organizations/${orgs.japanese}/autopay/last-run`);
    expect(never.json<LastRun>()).toEqual({ runDate: null, attempts: [] });
    const unknown = await readOnly.get(
      '/api/organizations/00000000-0000-4000-8000-000000000000/autopay/last-run',
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('numbers tries as the retry schedule counts them: a try never sent has no number', async () => {
    // A worker stopped before sending the first try's payment (reconciliation failed it as
    // "not reached"), so the run sent the invoice again at once, and the bank declined that.
    const organizationId = await insertOrganization('Δίκτυα Κρήτης');
    await autopayOn(organizationId);
    const invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId,
      number: 'INV-NR-1',
      issueDate: '2026-01-01',
      dueDate: '2026-01-12',
    });
    await testApp.database.pool.query(
      `INSERT INTO autopay_attempts (organization_id, invoice_id, cycle_due_date, try_number,
                                     run_date, amount_cents, outcome, reason, next_try_on,
                                     not_reached)
       VALUES ($1, $2, '2026-01-12', 1, '2026-01-12', 5000, 'retry_scheduled',
               'The payment did not reach the processor.', '2026-01-12', true),
              ($1, $2, '2026-01-12', 2, '2026-01-12', 5000, 'retry_scheduled',
               'Insufficient funds.', '2026-01-15', false)`,
      [organizationId, invoiceId],
    );
    const lastRun = (
      await readOnly.get(`/api/organizations/${organizationId}/autopay/last-run`)
    ).json<LastRun>();
    expect(
      lastRun.attempts.map(({ tryNumber, notReached, nextTryOn }) => ({
        tryNumber,
        notReached,
        nextTryOn,
      })),
    ).toEqual([
      { tryNumber: null, notReached: true, nextTryOn: null },
      { tryNumber: 1, notReached: false, nextTryOn: '2026-01-15' },
    ]);
    // The report counts one decline to try again, not two.
    const report = (await readOnly.get('/api/autopay/report?limit=200')).json<ReportPage>();
    const row = report.organizations.find((o) => o.organizationId === organizationId);
    expect(row?.lastRun).toMatchObject({ runDate: '2026-01-12', retryScheduled: 1 });
  });
});

describe('Payments Calendar', () => {
  it('shows the days with AutoPay charges and scheduled payments, with totals per day', async () => {
    const response = await readOnly.get(
      '/api/payments-calendar?from=2026-03-01&through=2026-04-11',
    );
    expect(response.statusCode, response.body).toBe(200);
    const calendar = response.json<Calendar>();
    expect(calendar.today).toBe('2026-03-10');
    const day = (date: string) => calendar.days.find((d) => d.date === date);
    expect(day('2026-03-15')).toEqual({
      date: '2026-03-15',
      autopayCount: 0,
      skippedCount: 0,
      failedCount: 0,
      scheduledCount: 1,
      totals: [{ currency: 'USD', amountCents: 15_000 }],
    });
    // The Hosting invoice, due on the 20th, is charged that day under rule 1.
    expect(day('2026-03-20')).toMatchObject({
      autopayCount: 1,
      scheduledCount: 0,
      totals: [{ currency: 'USD', amountCents: 12_345 }],
    });
    // No day holds the Hardware invoice for AutoPay (its rule is off); every day is in range.
    for (const d of calendar.days)
      expect(d.date >= '2026-03-01' && d.date <= '2026-04-11').toBe(true);
  });

  it("lists a day's charges and scheduled payments with the organization and method", async () => {
    const response = await readOnly.get('/api/payments-calendar/day?date=2026-03-20');
    expect(response.statusCode, response.body).toBe(200);
    const day = response.json<CalendarDay>();
    expect(day.autopay).toEqual([
      {
        organizationId: orgs.greek,
        organizationName: 'Αθηναϊκή Φιλοξενία Α.Ε.',
        invoiceId: hostingInvoice,
        invoiceNumber: 'INV-AP-1',
        amountCents: 12_345,
        currency: 'USD',
        methodLabel: 'Visa •••• 4242',
        skipReason: null,
        outcome: 'planned',
        reason: null,
      },
    ]);
    expect(day.totals).toEqual([{ currency: 'USD', amountCents: 12_345 }]);
    const scheduled = (
      await readOnly.get('/api/payments-calendar/day?date=2026-03-15')
    ).json<CalendarDay>();
    expect(scheduled.scheduled).toEqual([
      {
        id: scheduledId,
        organizationId: orgs.greek,
        organizationName: 'Αθηναϊκή Φιλοξενία Α.Ε.',
        status: 'scheduled',
        amountCents: 15_000,
        currency: 'USD',
        methodLabel: 'Company card (Visa •••• 4242)',
        invoiceNumbers: ['INV-AP-2'],
      },
    ]);
    const empty = (
      await readOnly.get('/api/payments-calendar/day?date=2026-03-21')
    ).json<CalendarDay>();
    expect(empty).toEqual({
      date: '2026-03-21',
      autopay: [],
      autopayTotal: 0,
      nextCursor: null,
      scheduled: [],
      totals: [],
    });
  });

  it("pages a busy day's AutoPay charges, skips shown with their reason and left out of the total", async () => {
    const first = await readOnly.get('/api/payments-calendar/day?date=2026-03-31&limit=1');
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json<CalendarDay>();
    expect(page1.autopayTotal).toBe(2);
    // Invoice numbers in their natural order: 9 before 10.
    expect(page1.autopay.map((c) => [c.invoiceNumber, c.skipReason, c.methodLabel])).toEqual([
      ['INV-SK-9', 'no_method', null],
    ]);
    expect(page1.totals).toEqual([]);
    const second = await readOnly.get(
      `/api/payments-calendar/day?date=2026-03-31&limit=1&cursor=${encodeURIComponent(page1.nextCursor!)}`,
    );
    const page2 = second.json<CalendarDay>();
    expect(page2.autopay.map((c) => c.invoiceNumber)).toEqual(['INV-SK-10']);
    expect(page2.nextCursor).toBeNull();
    // Another day's cursor is not this day's.
    expectFieldErrors(
      await readOnly.get(
        `/api/payments-calendar/day?date=2026-03-30&cursor=${encodeURIComponent(page1.nextCursor!)}`,
      ),
      ['cursor'],
    );
    const month = (
      await readOnly.get('/api/payments-calendar?from=2026-03-01&through=2026-04-11')
    ).json<Calendar>();
    expect(month.days.find((d) => d.date === '2026-03-31')).toEqual({
      date: '2026-03-31',
      autopayCount: 0,
      skippedCount: 2,
      failedCount: 0,
      scheduledCount: 0,
      totals: [],
    });
  });

  it('refuses a range backwards, too long, or dates that are not dates, naming the field', async () => {
    expectFieldErrors(
      await readOnly.get('/api/payments-calendar?from=2026-03-10&through=2026-03-01'),
      ['through'],
    );
    expectFieldErrors(
      await readOnly.get('/api/payments-calendar?from=2026-01-01&through=2026-06-30'),
      ['through'],
    );
    expectFieldErrors(
      await readOnly.get('/api/payments-calendar?from=2026-02-30&through=2026-03-01'),
      ['from'],
    );
    expectFieldErrors(await readOnly.get('/api/payments-calendar'), ['from', 'through']);
    expectFieldErrors(await readOnly.get('/api/payments-calendar/day?date=tomorrow'), ['date']);
  });
});

describe('who may read them', () => {
  it('staff of every role; a contact or no session gets 401', async () => {
    const urls = [
      '/api/autopay/report',
      '/api/autopay/report/export',
      `/api/organizations/${orgs.greek}/autopay/last-run`,
      '/api/payments-calendar?from=2026-03-01&through=2026-03-31',
      '/api/payments-calendar/day?date=2026-03-20',
    ];
    const anonymous = new ApiClient(testApp.app);
    for (const url of urls) {
      expect((await readOnly.get(url)).statusCode, url).toBe(200);
      const contact = await portal.get(url);
      expect(contact.statusCode, url).toBe(401);
      expect(errorOf(contact).code).toBe('unauthenticated');
      expect((await anonymous.get(url)).statusCode, url).toBe(401);
    }
  });
});
