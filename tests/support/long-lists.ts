import type { Pool } from '../../src/platform/database.js';
import { insertInvoice } from './invoice-fixtures.js';

/**
 * Lists longer than any page, in one statement each: contacts of one organization, and open
 * and paid invoices of another.
 */

/**
 * `count` contacts of the organization, named "<prefix> 0000" upwards (each name twice when
 * `count` is even: n × 7 mod count/2), emails "<n × 13 mod count>.<tag>@long-list.example",
 * a last login on four in five (many the same) and, when profile ids are given, a profile
 * cycling through them and Revoke Access.
 */
export async function insertManyContacts(
  pool: Pool,
  options: {
    organizationId: string;
    prefix: string;
    tag: string;
    count: number;
    profileIds?: string[];
  },
): Promise<void> {
  const profileIds = options.profileIds ?? [];
  await pool.query(
    `WITH made AS (
       INSERT INTO contacts (name, email, last_login_at)
       SELECT $3 || ' ' || lpad(((n * 7) % ($2 / 2))::text, 4, '0'),
              lpad(((n * 13) % $2)::text, 4, '0') || '.' || $4 || '@long-list.example',
              CASE WHEN n % 5 = 0 THEN NULL
                   ELSE timestamptz '2025-03-01 10:00:00.123456+00' + ((n % 40) * interval '1 hour') END
         FROM generate_series(1, $2) AS n
       RETURNING id, email)
     INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     SELECT id, $1,
            CASE WHEN cardinality($5::uuid[]) = 0 THEN NULL
                 ELSE ($5::uuid[] || NULL::uuid)[1 + (split_part(email, '.', 1)::int % (cardinality($5::uuid[]) + 1))] END
       FROM made`,
    [options.organizationId, options.count, options.prefix, options.tag, profileIds],
  );
}

/**
 * `count` open invoices of the organization, numbered "<prefix>-O-0000" upwards, issued
 * 2023-12-01: three in four long past due (2024, many on the same day), the rest due in 2099;
 * one in three part paid. With `paid`, as many paid in full, "<prefix>-P-0001" upwards, issued
 * through 2023 (many on the same day).
 */
export async function insertManyInvoices(
  pool: Pool,
  options: { organizationId: string; prefix: string; count: number; paid?: boolean },
): Promise<void> {
  // One through the fixture, which makes the service category the rest use.
  await insertInvoice(pool, {
    organizationId: options.organizationId,
    number: `${options.prefix}-O-0000`,
    issueDate: '2023-12-01',
    dueDate: '2024-01-01',
  });
  const columns = `organization_id, number, state, issue_date, due_date, terms,
                   service_category_id, subtotal_cents, total_cents, amount_paid_cents, issued_at`;
  await pool.query(
    `INSERT INTO invoices (${columns})
     SELECT $1, $3 || '-O-' || lpad(n::text, 4, '0'), 'issued', date '2023-12-01',
            CASE WHEN n % 4 = 0 THEN date '2099-01-01' + (n % 7) ELSE date '2024-01-01' + (n % 90) END,
            'Net 30', (SELECT id FROM service_categories WHERE lower(name) = 'managed services'), 1000 + n,
            1000 + n, CASE WHEN n % 3 = 0 THEN 500 ELSE 0 END, now()
       FROM generate_series(1, $2 - 1) AS n`,
    [options.organizationId, options.count, options.prefix],
  );
  if (!options.paid) return;
  await pool.query(
    `INSERT INTO invoices (${columns})
     SELECT $1, $3 || '-P-' || lpad(n::text, 4, '0'), 'issued', date '2023-01-01' + (n % 200),
            date '2023-01-31' + (n % 200), 'Net 30',
            (SELECT id FROM service_categories WHERE lower(name) = 'managed services'), 2000, 2000, 2000, now()
       FROM generate_series(1, $2) AS n`,
    [options.organizationId, options.count, options.prefix],
  );
}
