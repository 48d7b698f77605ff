import cliProgress from 'cli-progress';
import type { Pool, PoolClient } from '../../platform/database.js';
import { companyAddress, companyName, firstNames, lastNames, phoneFor } from './fake-names.js';

/** Rows per INSERT statement: large enough to be fast, small enough for the bar to move. */
const batchSize = 2_000;
/** A share of the contacts crowd into a few big organizations, as real client lists do. */
const bigOrganizations = 50;

export interface ScaleDataOptions {
  pool: Pool;
  organizations: number;
  contacts: number;
  progress: boolean;
}

/**
 * Adds many realistic organizations and contacts, for benchmarks and for trying the console
 * at size. Set-based: each batch is one INSERT ... SELECT, all in one transaction (a failed
 * run leaves nothing behind). Safe to run again on the same database: organization names
 * continue where the last run stopped and contact emails carry a number above any before.
 *
 * Each contact relates to one of the new organizations. The first contact of each is its
 * Default Notification Email; about one contact in ten has "Revoke Access" (no profile).
 */
export async function seedScaleData(options: ScaleDataOptions): Promise<void> {
  const { organizations, contacts } = options;
  if (!Number.isInteger(organizations) || !Number.isInteger(contacts) || contacts < 0) {
    throw new Error('seedScaleData: organizations and contacts must be whole numbers');
  }
  if (organizations < 1) {
    if (contacts > 0) throw new Error('seedScaleData: contacts need at least one organization');
    return;
  }
  const bar = options.progress
    ? new cliProgress.SingleBar(
        {
          format: '  {bar} {percentage}% | {value}/{total} rows | {stage}',
          hideCursor: true,
          // Without a terminal (CI, a log file), print a line now and then instead.
          noTTYOutput: true,
          notTTYSchedule: 5_000,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(organizations + contacts, 0, { stage: 'organizations' });

  const client = await options.pool.connect();
  try {
    await client.query('BEGIN');
    // Seed data can be recreated: do not wait for the disk on every commit.
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(
      `CREATE TEMP TABLE scale_organizations (
         n int PRIMARY KEY, id uuid NOT NULL, domain text NOT NULL, created_at timestamptz NOT NULL
       ) ON COMMIT DROP`,
    );

    const nameOffset = await scalar(client, 'SELECT count(*)::int FROM organizations');
    for (let from = 0; from < organizations; from += batchSize) {
      const to = Math.min(from + batchSize, organizations);
      await insertOrganizations(client, from, to, nameOffset);
      bar?.increment(to - from);
    }

    const profileIds = (
      await client.query<{ id: string }>('SELECT id FROM access_profiles ORDER BY name')
    ).rows.map((row) => row.id);
    // Emails look like ann.perkins.<n>@harbordentalgroup.example.com; n continues past any
    // earlier run, so the unique index on lower(email) holds however often this runs.
    const emailOffset = await scalar(
      client,
      String.raw`SELECT coalesce(max(substring(email from '\.(\d+)@[a-z0-9]+\.example\.com$')::bigint) + 1, 0)::bigint
         FROM contacts`,
    );
    bar?.update({ stage: 'contacts' });
    for (let from = 0; from < contacts; from += batchSize) {
      const to = Math.min(from + batchSize, contacts);
      await insertContacts(client, { from, to, organizations, emailOffset, profileIds });
      bar?.increment(to - from);
    }
    await client.query('COMMIT');
    bar?.update({ stage: 'vacuum analyze' });
    // VACUUM as well as ANALYZE: it empties the trigram index's pending list (filled by the bulk
    // insert, it makes the planner shun that index) and sets the visibility map, which is where
    // autovacuum would leave these tables a minute later.
    await client.query('VACUUM (ANALYZE) organizations, contacts, contact_organizations');
    bar?.update({ stage: 'done' });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
    bar?.stop();
  }
}

/** The first column of the first row of a query, as a number. */
async function scalar(client: PoolClient, sql: string): Promise<number> {
  const result = await client.query<unknown[]>({ text: sql, rowMode: 'array' });
  return Number(result.rows[0]?.[0] ?? 0);
}

/**
 * Organizations [from, to): names and addresses from fake-names.ts, creation dates spread over
 * ten years, a quarter never signed in to the portal, a few archived.
 */
async function insertOrganizations(client: PoolClient, from: number, to: number, offset: number) {
  const names: string[] = [];
  const lines: string[] = [];
  const cities: string[] = [];
  const regions: string[] = [];
  const postalCodes: string[] = [];
  for (let i = from; i < to; i++) {
    const address = companyAddress(offset + i);
    names.push(companyName(offset + i));
    lines.push(address.addressLine1);
    cities.push(address.city);
    regions.push(address.region);
    postalCodes.push(address.postalCode);
  }
  await client.query(
    `WITH src AS MATERIALIZED (
       SELECT $6::int + (t.k - 1)::int AS n, gen_random_uuid() AS id, t.name, t.line1, t.city,
              t.region, t.postal,
              now() - make_interval(days => (($6::int::bigint + t.k) * 7919 % 3650)::int,
                                    secs => ($6::int::bigint + t.k) * 104729 % 86400) AS created_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
              WITH ORDINALITY AS t(name, line1, city, region, postal, k)
     ),
     ins AS (
       INSERT INTO organizations (id, name, address_line1, city, region, postal_code,
                                  last_login_at, archived_at, created_at, updated_at)
       SELECT id, name, line1, city, region, postal,
              CASE WHEN n::bigint * 37 % 100 < 25 THEN NULL
                   ELSE created_at + (now() - created_at) * (n::bigint * 7907 % 1000 / 1000.0) END,
              CASE WHEN n % 50 = 49 THEN now() - make_interval(days => n % 300) END,
              created_at, created_at
         FROM src
     )
     INSERT INTO scale_organizations (n, id, domain, created_at)
     SELECT n, id, lower(regexp_replace(name, '[^A-Za-z0-9]+', '', 'g')), created_at FROM src`,
    [names, lines, cities, regions, postalCodes, from],
  );
}

/**
 * Contacts [from, to), each related to one new organization: contact n < organizations goes to
 * organization n (and is its default notification contact); of the rest, one in twenty goes to
 * one of the first fifty organizations (about a hundred contacts each), the others are scattered
 * (a multiplicative hash) so organizations have between a few and about twenty contacts.
 */
async function insertContacts(
  client: PoolClient,
  batch: {
    from: number;
    to: number;
    organizations: number;
    emailOffset: number;
    profileIds: string[];
  },
) {
  const big = Math.min(bigOrganizations, batch.organizations);
  await client.query(
    `WITH src AS MATERIALIZED (
       SELECT g, gen_random_uuid() AS id, o.id AS organization_id, o.domain,
              ($3::text[])[(g % cardinality($3::text[]))::int + 1] AS first_name,
              ($4::text[])[((g / cardinality($3::text[]) + g * 3) % cardinality($4::text[]))::int + 1]
                AS last_name,
              o.created_at + (now() - o.created_at) * (g * 7919 % 1000 / 1000.0) AS created_at,
              (g * 13 % 20)::int AS profile_pick
         FROM generate_series($1::bigint, $2::bigint - 1) AS g
         JOIN scale_organizations o ON o.n = CASE
                WHEN g < $5 THEN g
                WHEN g % 20 = 0 THEN (g / 20) % $6
                ELSE g * 2654435761 % 4294967296 % $5 END
     ),
     ins AS (
       INSERT INTO contacts (id, name, email, phone, last_login_at, created_at, updated_at)
       SELECT id, first_name || ' ' || last_name,
              lower(first_name) || '.' || regexp_replace(lower(last_name), '[^a-z]', '', 'g')
                || '.' || ($7::bigint + g) || '@' || domain || '.example.com',
              ($8::text[])[(g % cardinality($8::text[]))::int + 1],
              CASE WHEN g * 31 % 100 < 35 THEN NULL
                   ELSE created_at + (now() - created_at) * (g * 7907 % 1000 / 1000.0) END,
              created_at, created_at
         FROM src
     )
     INSERT INTO contact_organizations
       (contact_id, organization_id, access_profile_id, is_default_notification, created_at)
     SELECT id, organization_id,
            CASE WHEN profile_pick < 2 THEN NULL
                 ELSE ($9::uuid[])[profile_pick % greatest(cardinality($9::uuid[]), 1) + 1] END,
            g < $5, created_at
       FROM src`,
    [
      batch.from,
      batch.to,
      firstNames,
      lastNames,
      batch.organizations,
      big,
      batch.emailOffset,
      phoneNumbers,
      batch.profileIds,
    ],
  );
}

/** A pool of phone numbers in fake-names.ts's format, indexed by contact number. */
const phoneNumbers = Array.from({ length: 997 }, (_, i) => phoneFor(i));
