import cliProgress from 'cli-progress';
import type { Pool } from '../../platform/database.js';
import { businessToday } from '../settings/business-date.js';

/** Invoices per INSERT statement. */
const batchSize = 10_000;

/**
 * Adds many invoices spread over the existing organizations, for benchmarks: two years of
 * monthly-looking bills across the service categories, mostly paid when old, some open, partly
 * paid or overdue when recent, a few drafts and voids. One line each. Set-based, in batches;
 * safe to run again (numbers carry a run prefix).
 */
export async function seedScaleInvoices(options: {
  pool: Pool;
  invoices: number;
  progress: boolean;
}): Promise<void> {
  if (!Number.isInteger(options.invoices) || options.invoices < 1) return;
  const client = await options.pool.connect();
  const bar = options.progress
    ? new cliProgress.SingleBar(
        {
          format: '  {bar} {percentage}% | {value}/{total} invoices',
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 5_000,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  try {
    const organizations = (await client.query('SELECT count(*)::int AS n FROM organizations'))
      .rows[0].n as number;
    if (organizations === 0) throw new Error('seedScaleInvoices: seed organizations first');
    const run = (await client.query(`SELECT nextval('invoice_number_seq') AS n`)).rows[0].n;
    // Ages count back from today in the MSP's time zone, as the aging reads them.
    const today = await businessToday(client);
    bar?.start(options.invoices, 0);
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(
      `CREATE TEMP TABLE scale_targets ON COMMIT DROP AS
         SELECT (SELECT array_agg(id ORDER BY id) FROM organizations) AS organizations,
                (SELECT array_agg(id ORDER BY position) FROM service_categories) AS categories`,
    );
    for (let from = 1; from <= options.invoices; from += batchSize) {
      const to = Math.min(options.invoices, from + batchSize - 1);
      await client.query(
        `WITH made AS (
           INSERT INTO invoices (organization_id, number, state, issue_date, due_date, terms, currency,
                                 service_category_id, subtotal_cents, tax_cents, total_cents,
                                 amount_paid_cents, issued_at, paid_at, voided_at, void_reason, created_at)
           SELECT t.organizations[1 + g % array_length(t.organizations, 1)],
                  'S' || $1 || '-' || g,
                  v.state, v.issue_date, v.issue_date + 30, 'Net 30', 'USD',
                  t.categories[1 + (g / 7) % array_length(t.categories, 1)],
                  v.amount, 0, v.amount,
                  CASE WHEN v.state <> 'issued' THEN 0
                       WHEN v.age > 90 AND g % 20 <> 0 THEN v.amount
                       WHEN g % 5 = 0 THEN v.amount
                       WHEN g % 5 = 1 THEN v.amount / 2
                       ELSE 0 END,
                  CASE WHEN v.state = 'draft' THEN NULL ELSE v.issue_date::timestamptz END,
                  CASE WHEN v.state = 'issued' AND (v.age > 90 AND g % 20 <> 0 OR g % 5 = 0)
                       THEN v.issue_date::timestamptz + interval '20 days' END,
                  CASE WHEN v.state = 'void' THEN v.issue_date::timestamptz + interval '2 days' END,
                  CASE WHEN v.state = 'void' THEN 'Billed in error' END,
                  v.issue_date::timestamptz
             FROM generate_series($2::int, $3::int) AS g, scale_targets t,
                  LATERAL (SELECT g % 730 AS age,
                                  $4::date - (g % 730) AS issue_date,
                                  (2500 + (g::bigint * 7919) % 450000) AS amount,
                                  CASE WHEN g % 61 = 0 THEN 'draft'
                                       WHEN g % 89 = 0 THEN 'void'
                                       ELSE 'issued' END AS state) v
           RETURNING id, total_cents)
         INSERT INTO invoice_lines (invoice_id, position, description, quantity_ten_thousandths,
                                    unit_price_cents, taxable, amount_cents)
         SELECT id, 1, 'Managed services, monthly', 10000, total_cents, false, total_cents FROM made`,
        [run, from, to, today],
      );
      bar?.update(to);
    }
    await client.query('COMMIT');
    bar?.stop();
    await client.query('ANALYZE invoices');
    await client.query('ANALYZE invoice_lines');
  } catch (error) {
    bar?.stop();
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
