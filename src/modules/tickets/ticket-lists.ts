import type { z } from 'zod';
import type { Pool, PoolClient } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isSortKey,
} from '../../platform/keyset-cursor.js';
import {
  ticketNumberLabel,
  type portalTicketListQuery,
  type PortalTicketSummary,
  type StaffTicketSummary,
  type ticketListQuery,
} from '../../shared/contract/tickets.js';

/**
 * The ticket lists, each a keyset page read along one index (tickets.schema.ts):
 * - the staff queue's open tickets by what needs attention first: `attention` (priority, then
 *   status), then the oldest update, then id (tickets_queue_idx, docs/decisions/0054);
 * - closed tickets by when they closed, newest first (tickets_closed_idx);
 * - an organization's open tickets by last update, newest first, and its closed ones by when
 *   they closed (the portal's Open Service Tickets and Service History, the organization page).
 * No list counts its rows: at a million tickets that would walk them all.
 */

type Queryable = Pool | PoolClient;

/** What a list row reads; the summary columns every list shares. */
export const summaryColumns = `t.id, t.number, t.summary, t.status, t.priority,
  ty.name AS "typeName", t.created_at AS "createdAt", t.updated_at AS "updatedAt",
  t.closed_at AS "closedAt",
  coalesce(oc.name, os.name, '') AS "openedByName"`;

const staffColumns = `${summaryColumns}, t.organization_id AS "organizationId",
  o.name AS "organizationName", t.assignee_id AS "assigneeId", a.name AS "assigneeName"`;

export const summaryJoins = `JOIN ticket_types ty ON ty.id = t.type_id
  LEFT JOIN contacts oc ON oc.id = t.opened_by_contact_id
  LEFT JOIN staff_users os ON os.id = t.opened_by_staff_id`;

const staffJoins = `${summaryJoins}
  JOIN organizations o ON o.id = t.organization_id
  LEFT JOIN staff_users a ON a.id = t.assignee_id`;

interface SummaryRow extends Omit<PortalTicketSummary, 'number'> {
  number: number;
}

/** A row as the API answers it: the number as people read it ("T-1042"). */
export function summaryOf<Row extends SummaryRow>(
  row: Row,
): Omit<Row, 'number'> & { number: string } {
  return { ...row, number: ticketNumberLabel(row.number) };
}

/** A page: the rows asked for, and the cursor of the next one when one more row was there. */
function pageOf<Row extends { id: string }>(
  rows: Row[],
  limit: number,
  cursorOf: (row: Row) => string,
): { rows: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

/** The timestamps as PostgreSQL prints them, so a cursor keeps their microseconds. */
const timeText = (column: string, as: string) => `${column}::text AS "${as}"`;

/**
 * The portal's lists and the organization page's: one organization's open tickets (last update
 * first) or closed ones (last closed first). The organization comes from the caller's scope.
 */
export async function listPortalTickets(options: {
  pool: Queryable;
  organizationId: string;
  query: z.output<typeof portalTicketListQuery>;
}): Promise<{ tickets: PortalTicketSummary[]; nextCursor: string | null }> {
  const page = await organizationPage(options, 'portal-tickets', summaryColumns, summaryJoins);
  return { tickets: page.rows.map(summaryOf), nextCursor: page.nextCursor };
}

/** The organization page's tab: the same lists, as staff read them (assignee included). */
export async function listOrganizationTickets(options: {
  pool: Queryable;
  organizationId: string;
  query: z.output<typeof portalTicketListQuery>;
}): Promise<{ tickets: StaffTicketSummary[]; nextCursor: string | null }> {
  const page = await organizationPage<StaffRow>(
    options,
    'organization-tickets',
    staffColumns,
    staffJoins,
  );
  return { tickets: page.rows.map(summaryOf), nextCursor: page.nextCursor };
}

async function organizationPage<Row extends SummaryRow>(
  options: {
    pool: Queryable;
    organizationId: string;
    query: z.output<typeof portalTicketListQuery>;
  },
  /** Which list a cursor belongs to: the portal's cursors are not the organization page's. */
  list: 'portal-tickets' | 'organization-tickets',
  columns: string,
  joins: string,
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const { query } = options;
  const closed = query.state === 'closed';
  const sortColumn = closed ? 't.closed_at' : 't.updated_at';
  const scope = `${list}:${query.state}`;
  const params: unknown[] = [options.organizationId, query.limit + 1];
  let after = '';
  if (query.cursor) {
    const [sortKey, id] = decodeCursor(scope, query.cursor, 'timestamptz');
    params.push(sortKey, id);
    after = `AND (${sortColumn}, t.id) < ($3::timestamptz, $4::uuid)`;
  }
  const result = await options.pool.query<Row & { sortKey: string }>(
    `SELECT ${columns}, ${timeText(sortColumn, 'sortKey')}
       FROM tickets t ${joins}
      WHERE t.organization_id = $1 AND t.closed_at IS ${closed ? 'NOT NULL' : 'NULL'} ${after}
      ORDER BY ${sortColumn} DESC, t.id DESC
      LIMIT $2`,
    params,
  );
  const page = pageOf(result.rows, query.limit, (row) => encodeCursor(scope, row.sortKey, row.id));
  return {
    rows: page.rows.map(({ sortKey: _sortKey, ...row }) => row as unknown as Row),
    nextCursor: page.nextCursor,
  };
}

/** "T-1042", "t-1042" or "1042": a ticket number, or null for other words. */
export function ticketNumberIn(q: string): number | null {
  const match = /^\s*(?:t-?)?(\d{1,15})\s*$/i.exec(q);
  return match ? Number(match[1]) : null;
}

/**
 * The staff queue (GET /api/tickets): every organization's tickets, filtered (status, priority,
 * type, organization, assignee or unassigned, not updated for some days, words or a number) and
 * sorted by what needs attention first; closed ones by when they closed. Words are PostgreSQL
 * full-text search over summary, description and every entry's text, internal notes included
 * (`websearch_to_tsquery('simple', q)`: quotes, OR and -word work as on a search engine); a
 * number matches that ticket exactly.
 */
export async function listStaffTickets(options: {
  pool: Queryable;
  query: z.output<typeof ticketListQuery>;
}): Promise<{ tickets: StaffTicketSummary[]; nextCursor: string | null }> {
  const { query } = options;
  const closed = query.status === 'closed';
  const where: string[] = [closed ? 't.closed_at IS NOT NULL' : 't.closed_at IS NULL'];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.status !== 'open' && query.status !== 'closed') {
    where.push(`t.status = ${param(query.status)}`);
  }
  if (query.priority) where.push(`t.priority = ${param(query.priority)}`);
  // The organization filter has indexes of its own, one organization holds a few hundred or
  // thousand tickets, and the open ones' index is not in the queue's order: a search reads its
  // matches within the organization first (searchPage), instead of every match of a common word
  // and then the whole queue in order looking for that organization's (decision 49).
  const indexed: string[] = [];
  if (!closed && (query.status !== 'open' || query.priority)) {
    // The same filters as ranks of `attention`, tickets_queue_idx's first column: on the
    // columns alone PostgreSQL walks the queue in order filtering each ticket (3-4 s for low
    // and resolved at 1,000,000); `= ANY` keeps the index order (decision 49).
    where.push(`t.attention = ANY(${param(attentionRanks(query))}::smallint[])`);
  }
  if (query.typeId) where.push(`t.type_id = ${param(query.typeId)}::uuid`);
  if (query.organizationId) {
    const organization = `t.organization_id = ${param(query.organizationId)}::uuid`;
    where.push(organization);
    indexed.push(organization);
  }
  if (query.assigneeId) where.push(`t.assignee_id = ${param(query.assigneeId)}::uuid`);
  if (query.unassigned === 'true') where.push('t.assignee_id IS NULL');
  if (query.olderThanDays !== undefined) {
    where.push(`t.updated_at < now() - make_interval(days => ${param(query.olderThanDays)})`);
  }
  const q = query.q?.trim();
  let match: string | null = null;
  if (q) {
    const number = ticketNumberIn(q);
    const words = `t.search @@ websearch_to_tsquery('simple', ${param(q)})`;
    match = number === null ? words : `(t.number = ${param(number)} OR ${words})`;
  }
  const scope = `tickets:${closed ? 'closed' : 'open'}`;
  let order: string;
  let sortKey: string;
  if (closed) {
    order = 't.closed_at DESC, t.id DESC';
    sortKey = timeText('t.closed_at', 'sortKey');
    if (query.cursor) {
      const [at, id] = decodeCursor(scope, query.cursor, 'timestamptz');
      where.push(`(t.closed_at, t.id) < (${param(at)}::timestamptz, ${param(id)}::uuid)`);
    }
  } else {
    order = 't.attention, t.updated_at, t.id';
    sortKey = `json_build_array(t.attention::text, t.updated_at::text)::text AS "sortKey"`;
    if (query.cursor) {
      const [key, id] = decodeCursor(scope, query.cursor, 'text');
      const [attention, at] = queueKeyOf(key);
      where.push(
        `(t.attention, t.updated_at, t.id) > (${param(attention)}::smallint, ${param(at)}::timestamptz, ${param(id)}::uuid)`,
      );
    }
  }
  // The page is chosen first, then joined: PostgreSQL guesses any rare word matches 0.5 % of the
  // tickets (5,000 at 1,000,000), and joined before the LIMIT it hashed every contact and
  // organization for those (0.1-0.5 s at size; decision 49). A page is at most limit + 1 rows.
  const limit = param(query.limit + 1);
  const { withClause, pageSql } = match
    ? searchPage({ where, indexed, match, order, limit, bound: param(searchBound) })
    : {
        withClause: '',
        pageSql: `SELECT * FROM tickets t WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${limit}`,
      };
  const result = await options.pool.query<StaffRow & { sortKey: string }>(
    `${withClause}
     SELECT ${staffColumns}, ${sortKey}
       FROM (${pageSql}) t
            ${staffJoins}
      ORDER BY ${order}`,
    params,
  );
  const page = pageOf(result.rows, query.limit, (row) => encodeCursor(scope, row.sortKey, row.id));
  return {
    tickets: page.rows.map(({ sortKey: _sortKey, ...row }) => summaryOf(row)),
    nextCursor: page.nextCursor,
  };
}

/**
 * How many of a search's matches the staff queue reads through the GIN index and sorts itself
 * (docs/decisions/0049). Up to this many, reading them all beats walking the list in order and
 * testing each ticket for the words (a rare word among 850,000 closed tickets: 19 s); with more,
 * the words are common enough that the ordered walk fills a page after a few thousand rows.
 */
export const searchBound = 5000;

/** The columns of `tickets` a staff list page reads (its filters, sort keys and summary). */
const pageColumns = `t.id, t.number, t.summary, t.status, t.priority, t.type_id, t.attention,
  t.organization_id, t.assignee_id, t.opened_by_contact_id, t.opened_by_staff_id,
  t.created_at, t.updated_at, t.closed_at`;

/**
 * A staff list page for a search (`match`: the words, or a number or the words), as a WITH
 * clause and the page's SELECT. The matches among the list's tickets (open or closed: `where`'s
 * first condition) and within the `indexed` filters are read first, at most `bound` + 1 of them
 * (MATERIALIZED, so the planner cannot fold it back into a walk of the list): through the GIN
 * index for a rare word, through the organization's index within one organization, or for a
 * word the statistics know to be common a scan that stops at the bound. When they are at most
 * `bound`, the page is filtered, ordered and cut from them; otherwise from the ordered walk of
 * the list, as without words. Both branches have the same filters and keyset condition, so a
 * cursor means the same in either; the branch not taken never runs (a one-time filter).
 */
function searchPage(options: {
  where: string[];
  /** Conditions of `where` the matches are read within (the organization; decision 49). */
  indexed: string[];
  match: string;
  order: string;
  /** Parameter references ($n): the page size + 1, and the bound. */
  limit: string;
  bound: string;
}): { withClause: string; pageSql: string } {
  const { where, indexed, match, order, limit, bound } = options;
  const [list, ...filters] = where;
  const matchesFilters = filters.length ? `${filters.join(' AND ')} AND` : '';
  const within = [list, ...indexed, match].join(' AND ');
  return {
    withClause: `WITH matches AS MATERIALIZED (
       SELECT ${pageColumns} FROM tickets t WHERE ${within} LIMIT ${bound}::int + 1)`,
    // The outer LIMIT tells the planner a page comes out (one branch's), so it looks the names
    // up row by row instead of hashing every organization for twice a page.
    pageSql: `SELECT * FROM ((SELECT * FROM matches t
               WHERE ${matchesFilters} (SELECT count(*) FROM matches) <= ${bound}::int
               ORDER BY ${order} LIMIT ${limit})
              UNION ALL
              (SELECT ${pageColumns} FROM tickets t
                WHERE ${where.join(' AND ')} AND ${match}
                  AND (SELECT count(*) FROM matches) > ${bound}::int
                ORDER BY ${order} LIMIT ${limit})) t
              LIMIT ${limit}`,
  };
}

type StaffRow = Omit<StaffTicketSummary, 'number'> & { number: number };

/** Ranks in `attention` (tickets.schema.ts): priority rank × 10 + status rank. */
const priorityRanks = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const statusRanks = { new: 0, in_progress: 1, waiting_on_client: 2, resolved: 3 } as const;

/** The `attention` values an open ticket of the query's status and priority can have. */
function attentionRanks(query: z.output<typeof ticketListQuery>): number[] {
  const priorities = query.priority ? [priorityRanks[query.priority]] : [0, 1, 2, 3];
  const statuses =
    query.status in statusRanks
      ? [statusRanks[query.status as keyof typeof statusRanks]]
      : [0, 1, 2, 3];
  return priorities.flatMap((priority) => statuses.map((status) => priority * 10 + status));
}

/**
 * The queue cursor's sort key, a JSON list [attention, updated_at] (as the other lists with
 * several sort keys write theirs), read back; a 400 naming `cursor` for anything else.
 */
function queueKeyOf(key: string): [attention: number, at: string] {
  let keys: unknown;
  try {
    keys = JSON.parse(key);
  } catch {
    throw invalidCursor();
  }
  if (
    !Array.isArray(keys) ||
    keys.length !== 2 ||
    typeof keys[0] !== 'string' ||
    typeof keys[1] !== 'string' ||
    !/^\d{1,2}$/.test(keys[0]) ||
    !isSortKey(keys[1], 'timestamptz')
  ) {
    throw invalidCursor();
  }
  return [Number(keys[0]), keys[1]];
}

/** Refuses (400) a filter pair that cannot both hold. */
export function checkListQuery(query: z.output<typeof ticketListQuery>): void {
  if (query.assigneeId && query.unassigned === 'true') {
    throw AppError.validation('unassigned', 'cannot be true with an assignee chosen');
  }
}
