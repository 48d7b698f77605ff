/**
 * The data the AutoPay chaos run and benchmark work on, seeded in bulk SQL (as `seed:scale`
 * does): organizations, each with a default notification contact (seedScaleData), a saved
 * sandbox card (the sandbox's own token and method rows, and Portico's payment method, default,
 * with its stored authorization), AutoPay turned on with one rule "all services, on the due
 * date, the default method", and open invoices due on `dueDate` spread over them.
 */
import type { Pool, PoolClient } from '../src/platform/database.js';
import { seedScaleData } from '../src/modules/demo/scale-data.js';

/** Invoices per INSERT statement. */
const batchSize = 10_000;

export interface AutopaySeed {
  organizations: number;
  invoices: number;
  /** Organizations whose card declines softly (insufficient funds) or hard (lost card). */
  softDeclines: number;
  hardDeclines: number;
}

/**
 * Seeds `organizations` organizations and `invoices` invoices due on `dueDate` (a business
 * date), round robin. One organization in `declineEvery` gets a card that declines (every other
 * one softly, with insufficient funds, the rest hard, as a lost card): the run must fail those
 * with a reason, not miss them. 0 turns declines off. Each invoice's amount is distinct, so a
 * payment applied twice shows in the sums. Answers what it made.
 */
export async function seedAutopayData(options: {
  pool: Pool;
  organizations: number;
  invoices: number;
  dueDate: string;
  declineEvery: number;
}): Promise<AutopaySeed> {
  const { pool, organizations, invoices, dueDate, declineEvery } = options;
  // One contact per organization: seedScaleData makes contact n organization n's default
  // notification contact, where AutoPay's receipts go.
  await seedScaleData({ pool, organizations, contacts: organizations, progress: false });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit = off');
    // Every organization is a payer: none archived.
    await client.query(`UPDATE organizations SET archived_at = NULL WHERE archived_at IS NOT NULL`);
    await client.query(
      `CREATE TEMP TABLE autopay_payers ON COMMIT DROP AS
         SELECT o.id AS organization_id, row_number() OVER (ORDER BY o.id) - 1 AS n,
                'pm_sbx_' || md5(o.id::text) AS method_ref, gen_random_uuid() AS method_id,
                CASE WHEN $1::int > 0 AND (row_number() OVER (ORDER BY o.id)) % $1::int = 0
                     THEN CASE WHEN (row_number() OVER (ORDER BY o.id)) / $1::int % 2 = 0
                               THEN 'insufficient_funds' ELSE 'lost_card' END
                     ELSE 'succeeds' END AS outcome
           FROM organizations o`,
      [declineEvery],
    );
    // The sandbox's side: the token the browser got, consumed by the saved method.
    await client.query(
      `INSERT INTO sandbox_tokens (id, type, brand, last4, exp_month, exp_year, holder_name,
                                   outcome, used_at)
       SELECT 'tok_sbx_' || md5(organization_id::text), 'card', 'visa',
              CASE outcome WHEN 'succeeds' THEN '4242' WHEN 'lost_card' THEN '9987' ELSE '9995' END,
              12, 2034, 'AutoPay payer ' || n, outcome, now()
         FROM autopay_payers`,
    );
    await client.query(
      `INSERT INTO sandbox_methods (id, token_id, customer_label, billing_name, type, brand, last4,
                                    exp_month, exp_year, outcome)
       SELECT method_ref, 'tok_sbx_' || md5(organization_id::text), organization_id::text,
              'AutoPay payer ' || n, 'card', 'visa',
              CASE outcome WHEN 'succeeds' THEN '4242' WHEN 'lost_card' THEN '9987' ELSE '9995' END,
              12, 2034, outcome
         FROM autopay_payers`,
    );
    // Portico's side: the organization's default method, with the authorization its contact
    // agreed to.
    await client.query(
      `INSERT INTO payment_methods (id, organization_id, gateway, gateway_ref, type, friendly_name,
                                   brand, last4, exp_month, exp_year, billing_name,
                                   authorization_text, authorized_at, authorized_ip,
                                   authorized_by_contact_id, is_default)
       SELECT p.method_id, p.organization_id, 'sandbox', p.method_ref, 'card', 'Company card',
              'visa',
              CASE p.outcome WHEN 'succeeds' THEN '4242' WHEN 'lost_card' THEN '9987' ELSE '9995' END,
              12, 2034, 'AutoPay payer ' || p.n,
              'I authorize the charges of my invoices to this card.', now(), '127.0.0.1',
              (SELECT contact_id FROM contact_organizations c
                WHERE c.organization_id = p.organization_id AND c.is_default_notification
                LIMIT 1),
              true
         FROM autopay_payers p`,
    );
    await client.query(
      `INSERT INTO autopay_organizations (organization_id, enabled)
       SELECT organization_id, true FROM autopay_payers`,
    );
    await client.query(
      `INSERT INTO autopay_rules (organization_id, position, enabled, service_category_ids,
                                  payment_method_id, timing)
       SELECT organization_id, 0, true, '{}'::uuid[], NULL, 'due_date' FROM autopay_payers`,
    );
    await insertInvoices(client, { invoices, dueDate, prefix: 'A' });
    const declines = (
      await client.query<{ soft: number; hard: number }>(
        `SELECT count(*) FILTER (WHERE outcome = 'insufficient_funds')::int AS soft,
                count(*) FILTER (WHERE outcome = 'lost_card')::int AS hard
           FROM autopay_payers`,
      )
    ).rows[0]!;
    await client.query('COMMIT');
    await client.query(
      'VACUUM (ANALYZE) invoices, invoice_lines, payment_methods, autopay_rules, sandbox_methods',
    );
    return {
      organizations,
      invoices,
      softDeclines: declines.soft,
      hardDeclines: declines.hard,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Adds `invoices` open invoices due on `dueDate`, round robin over every organization (by id),
 * numbered `<prefix><run>-<n>`: the amounts are distinct (10,000 cents plus n). In batches of
 * 10,000, on the caller's transaction.
 */
async function insertInvoices(
  client: PoolClient,
  options: { invoices: number; dueDate: string; prefix: string },
): Promise<void> {
  const run = (await client.query<{ n: string }>(`SELECT nextval('invoice_number_seq') AS n`))
    .rows[0]!.n;
  for (let from = 0; from < options.invoices; from += batchSize) {
    const to = Math.min(options.invoices, from + batchSize) - 1;
    await client.query(
      `WITH payers AS (SELECT array_agg(id ORDER BY id) AS ids FROM organizations),
       made AS (
         INSERT INTO invoices (organization_id, number, state, issue_date, due_date, terms,
                               currency, service_category_id, subtotal_cents, tax_cents,
                               total_cents, amount_paid_cents, issued_at, created_at)
         SELECT p.ids[1 + g % cardinality(p.ids)], $1 || $2 || '-' || g, 'issued',
                $5::date - 30, $5::date, 'Net 30', 'USD',
                (SELECT id FROM service_categories ORDER BY position LIMIT 1),
                10000 + g, 0, 10000 + g, 0, now(), now()
           FROM generate_series($3::int, $4::int) AS g, payers p
         RETURNING id, total_cents)
       INSERT INTO invoice_lines (invoice_id, position, description, quantity_ten_thousandths,
                                  unit_price_cents, taxable, amount_cents)
       SELECT id, 1, 'Managed services, monthly', 10000, total_cents, false, total_cents
         FROM made`,
      [options.prefix, run, from, to, options.dueDate],
    );
  }
}

/**
 * More invoices due on `dueDate` for the organizations seedAutopayData made (another run of the
 * benchmark on the same data), numbered with `prefix`.
 */
export async function seedMoreAutopayInvoices(options: {
  pool: Pool;
  invoices: number;
  dueDate: string;
  prefix: string;
}): Promise<void> {
  const client = await options.pool.connect();
  try {
    await client.query('BEGIN');
    await insertInvoices(client, options);
    await client.query('COMMIT');
    await client.query('VACUUM (ANALYZE) invoices, invoice_lines');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
