/**
 * The service tickets `npm run bench -- tickets` works on, seeded in bulk SQL (as `seed:scale`
 * does): tickets spread over the organizations already there, each with one to three timeline
 * entries and the search vector the tickets service keeps (summary weight A, description
 * weight B, the entries' bodies unweighted; the 'simple' configuration).
 */
import cliProgress from 'cli-progress';
import type { Pool } from '../src/platform/database.js';

/** Tickets per INSERT statement. */
const batchSize = 25_000;

/**
 * The rare word the search case looks for: planted in two tickets in 100,000 (20 at
 * 1,000,000), one open and one closed, a third each in the summary, the description and a
 * public reply, so the search finds it wherever the vector holds it.
 */
export const rareWord = 'quokka';
const rareEvery = 100_000;

/** What a summary is made of: a thing and what is wrong with it. */
const things = [
  'Printer',
  'Laptop',
  'VPN',
  'Email',
  'Outlook',
  'Wi-Fi',
  'File server',
  'Backup job',
  'Firewall',
  'Phone system',
  'Teams',
  'SharePoint site',
  'Second monitor',
  'Docking station',
  'Password',
  'MFA prompt',
  'Scanner',
  'Shared drive',
  'Website',
  'QuickBooks',
  'Label printer',
  'Conference room display',
  'Remote desktop',
  'Antivirus',
  'Payroll app',
];
const problems = [
  'not working',
  'is very slow',
  'keeps disconnecting',
  'shows an error',
  'needed for a new hire',
  'access request',
  'locked out',
  'will not start',
  'licence expired',
  'will not sync',
  'asks for a password every hour',
  'stopped after the update',
];
const places = [
  'at the front desk',
  'in the Denver office',
  'for the accounting team',
  'on the second floor',
  'for the warehouse',
  'at home',
  'in the conference room',
  'for our new location',
];
/** Sentences a description is made of (two or three per ticket). */
const sentences = [
  'It started this morning after the computer restarted for updates.',
  'Several people in the office have the same problem.',
  'We already tried turning it off and on again.',
  'The screen shows a message that the connection was refused.',
  'This is blocking us from sending invoices to our customers.',
  'It works for a few minutes and then stops again.',
  'Please call me when someone can look at it remotely.',
  'We need this working before the end of the week.',
  'The new employee starts on Monday and needs an account and a laptop.',
  'Nothing has changed on our side as far as we know.',
  'The error code is shown in the screenshot attached.',
  'Our manager asked us to open a ticket for this.',
  'It only happens when we are connected to the guest network.',
  'The backup report said that two files could not be copied.',
  'Printing a test page from the printer itself works fine.',
  'We can reach other websites but not the one we need.',
];
const replies = [
  'Thanks for letting us know, a technician will connect remotely within the hour.',
  'We reset the connection and it should work now. Can you please try again?',
  'We ordered the replacement part; it should arrive on Thursday.',
  'The account has been created and the temporary password was sent by text message.',
  'We updated the driver and printed a test page successfully.',
];
const notes = [
  'Checked the firewall logs, nothing blocked from their address.',
  'Client is on the old plan, do not bill for this visit.',
  'Same issue as last month, consider replacing the device.',
  'Escalated to the network team, waiting for the vendor.',
];
const additions = [
  'It happened again just now, around ten o clock.',
  'Here is the error message we see: the operation timed out.',
  'Two more people in the office have the same problem now.',
];

/**
 * Adds `tickets` tickets over the organizations already there: one in ten goes to one of the
 * fifty organizations with the most contacts (about 2,000 each at 1,000,000), the rest are
 * scattered (about 90 each). 85 % are closed (with resolution notes, closed over the last three
 * years); the open ones were opened in the last 90 days, new, in progress, waiting on the client
 * or resolved. Priorities: a quarter low, half medium, a fifth high, one in twenty critical.
 * About half the open ones have an assignee. One transaction, in batches; ends with VACUUM
 * ANALYZE (the bulk insert leaves the GIN index's pending list full otherwise).
 */
export async function seedTickets(options: {
  pool: Pool;
  tickets: number;
  progress: boolean;
}): Promise<void> {
  const { pool, tickets } = options;
  const bar = options.progress
    ? new cliProgress.SingleBar(
        {
          format: '  {bar} {percentage}% | {value}/{total} tickets',
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const client = await pool.connect();
  try {
    bar?.start(tickets, 0);
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit = off');
    // The organizations, the busiest first, each with one of its contacts (the one who opens
    // its tickets; none for an organization without contacts: staff opened those).
    // The organizations numbered from 1, the busiest first, each with one of its contacts (the
    // one who opens its tickets; none for an organization without contacts: staff opened
    // those). A table joined by number, not an array: an array of 10,000 ids would be read
    // whole for every ticket.
    await client.query(
      `CREATE TEMP TABLE ticket_organizations ON COMMIT DROP AS
         SELECT row_number() OVER (ORDER BY counts.contacts DESC, o.id)::int AS k,
                o.id AS organization_id,
                (SELECT co.contact_id FROM contact_organizations co
                  WHERE co.organization_id = o.id ORDER BY co.contact_id LIMIT 1) AS contact_id
           FROM organizations o
          CROSS JOIN LATERAL (SELECT count(*) AS contacts FROM contact_organizations co
                               WHERE co.organization_id = o.id) counts`,
    );
    await client.query('ALTER TABLE ticket_organizations ADD PRIMARY KEY (k)');
    await client.query('ANALYZE ticket_organizations');
    await client.query(
      `CREATE TEMP TABLE ticket_targets ON COMMIT DROP AS
         SELECT (SELECT count(*)::int FROM ticket_organizations) AS organizations,
                (SELECT array_agg(id ORDER BY id) FROM staff_users) AS staff,
                (SELECT array_agg(id ORDER BY position, id) FROM ticket_types) AS types`,
    );
    const done = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets'))
      .rows[0]!.n;
    // Building the secondary indexes once at the end is several times faster than keeping
    // them (the GIN index above all) up to date row by row: drop them here, make them again
    // as the migrations defined them (pg_indexes keeps their definitions) before COMMIT.
    const indexes = (
      await client.query<{ name: string; definition: string }>(
        `SELECT i.indexname AS name, i.indexdef AS definition
           FROM pg_indexes i
          WHERE i.schemaname = current_schema() AND i.tablename IN ('tickets', 'ticket_entries')
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      )
    ).rows;
    for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
    for (let from = done + 1; from <= done + tickets; from += batchSize) {
      const to = Math.min(done + tickets, from + batchSize - 1);
      await client.query(insertBatchSql, [
        from,
        to,
        things,
        problems,
        places,
        sentences,
        replies,
        notes,
        additions,
        rareWord,
        rareEvery,
      ]);
      bar?.update(to - done);
    }
    bar?.stop();
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const index of indexes) await client.query(index.definition);
    await client.query('COMMIT');
    await client.query('VACUUM (ANALYZE) tickets, ticket_entries');
  } catch (error) {
    bar?.stop();
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * One batch, tickets g = $1..$2. `src` decides everything about ticket g (a multiplicative hash
 * `h` scatters it); the tickets and their entries are written from it in one statement.
 */
const insertBatchSql = `
WITH src AS MATERIALIZED (
  SELECT g, gen_random_uuid() AS id, o.organization_id, o.contact_id,
         s.summary, s.description, s.priority, s.status, s.created_at,
         s.created_at + s.active AS updated_at,
         CASE WHEN s.status = 'closed' THEN s.created_at + s.active END AS closed_at,
         t.staff[1 + (h / 7) % cardinality(t.staff)] AS staff_id,
         t.types[1 + (h / 11) % cardinality(t.types)] AS type_id,
         -- One to three entries: the creation, then a public reply (2 in 3 tickets), then an
         -- internal note or the client's additional information (1 in 3).
         1 + (CASE WHEN g % 3 <> 0 THEN 1 ELSE 0 END) + (CASE WHEN g % 3 = 2 THEN 1 ELSE 0 END)
           AS entry_count,
         ($7::text[])[1 + h % cardinality($7::text[])]
           || CASE WHEN pick.rare_at = 3 THEN ' The ' || $10 || ' reader works again.' ELSE '' END
           AS reply,
         CASE WHEN g % 2 = 0 THEN ($8::text[])[1 + h % cardinality($8::text[])]
              ELSE ($9::text[])[1 + h % cardinality($9::text[])] END AS third,
         g % 2 = 0 AS third_internal
    FROM generate_series($1::bigint, $2::bigint) AS g
    CROSS JOIN ticket_targets t
    CROSS JOIN LATERAL (SELECT (g * 2654435761) % 4294967296 AS h) hash
    CROSS JOIN LATERAL (
      SELECT 1 + CASE WHEN (h / 1000) % 10 = 0 THEN (h / 10000) % 50
                      ELSE h % t.organizations END AS k,
             -- Where the rare word goes: 0 nowhere, 1 the summary, 2 the description, 3 the
             -- public reply (the description when the ticket has none). Ticket 1 of each
             -- $11 is closed, ticket 17 open (the status follows g % 20).
             CASE WHEN g % $11::int NOT IN (1, 17) THEN 0
                  ELSE 1 + (g / $11::int + g % $11::int) % 3 END AS rare_at) pick
    JOIN ticket_organizations o ON o.k = pick.k
    CROSS JOIN LATERAL (
      SELECT ($3::text[])[1 + h % cardinality($3::text[])] || ' '
               || ($4::text[])[1 + (h / 29) % cardinality($4::text[])] || ' '
               || ($5::text[])[1 + (h / 31) % cardinality($5::text[])]
               || CASE WHEN pick.rare_at = 1 THEN ' (' || $10 || ' scanner)' ELSE '' END AS summary,
             ($6::text[])[1 + (h / 37) % cardinality($6::text[])] || ' '
               || ($6::text[])[1 + (h / 41) % cardinality($6::text[])] || ' '
               || CASE WHEN g % 4 = 0 THEN ($6::text[])[1 + (h / 43) % cardinality($6::text[])] || ' '
                       ELSE '' END
               || 'Asset tag PC-' || (h % 40000) || '.'
               || CASE WHEN pick.rare_at = 2 OR pick.rare_at = 3 AND g % 3 = 0
                       THEN ' The ' || $10 || ' tablet is affected too.'
                       ELSE '' END AS description,
             CASE WHEN h % 100 < 25 THEN 'low' WHEN h % 100 < 75 THEN 'medium'
                  WHEN h % 100 < 95 THEN 'high' ELSE 'critical' END AS priority,
             CASE WHEN g % 20 < 17 THEN 'closed'
                  ELSE (ARRAY['new', 'in_progress', 'waiting_on_client', 'resolved'])[1 + (h / 13) % 4]
             END AS status,
             CASE WHEN g % 20 < 17
                  THEN now() - make_interval(mins => (90 * 1440 + h % (1005 * 1440))::int)
                  ELSE now() - make_interval(mins => (h % (90 * 1440))::int) END AS created_at,
             make_interval(mins => (h % (60 * 24 * 5))::int) AS active) s
),
made AS (
  INSERT INTO tickets (id, number, organization_id, summary, description, priority, type_id,
                       contact_phone, status, assignee_id, opened_by_contact_id,
                       opened_by_staff_id, resolution_notes, created_at, updated_at, closed_at,
                       search)
  SELECT id, nextval('ticket_number_seq'), organization_id, summary, description, priority,
         type_id, CASE WHEN g % 3 = 0 THEN '+1 555 01' || lpad((g % 100)::text, 2, '0') END,
         status,
         CASE WHEN status = 'new' AND g % 2 = 0 THEN NULL ELSE staff_id END,
         contact_id, CASE WHEN contact_id IS NULL THEN staff_id END,
         CASE WHEN status = 'closed' THEN 'Replaced the cable and confirmed with the client.' END,
         created_at,
         -- updated_at is the last activity; a ticket closed in the past is quiet since.
         CASE WHEN closed_at IS NOT NULL THEN closed_at
              ELSE least(updated_at, now()) END,
         closed_at,
         setweight(to_tsvector('simple', summary), 'A')
           || setweight(to_tsvector('simple', description), 'B')
           || to_tsvector('simple',
                CASE WHEN entry_count >= 2 THEN reply ELSE '' END || ' '
                || CASE WHEN entry_count >= 3 THEN third ELSE '' END)
    FROM src
)
INSERT INTO ticket_entries (ticket_id, kind, body, author_contact_id, author_staff_id, created_at)
SELECT src.id, e.kind, e.body,
       CASE WHEN e.by_contact THEN src.contact_id END,
       CASE WHEN NOT e.by_contact OR src.contact_id IS NULL THEN src.staff_id END,
       src.created_at + e.after
  FROM src
  CROSS JOIN LATERAL (VALUES
    (1, 'created', src.description, true, interval '0'),
    (2, 'public_reply', src.reply, false, interval '2 hours'),
    (3, CASE WHEN src.third_internal THEN 'internal_note' ELSE 'additional_information' END,
        src.third, NOT src.third_internal, interval '3 hours')
  ) AS e(position, kind, body, by_contact, after)
 WHERE e.position <= src.entry_count`;
