import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  likePattern,
  type SortKeyType,
} from '../../platform/keyset-cursor.js';
import type { Pool } from '../../platform/database.js';
import type {
  organizationSorts,
  organizationStatuses,
} from '../../shared/contract/organizations.js';

export type OrganizationSort = (typeof organizationSorts)[number];
type OrganizationStatus = (typeof organizationStatuses)[number];

// Each sort key matches an index of (expression, id), so every page is an index range scan.
const sortExpressions: Record<OrganizationSort, { expression: string; cast: SortKeyType }> = {
  name: { expression: 'lower(o.name)', cast: 'text' },
  createdAt: { expression: 'o.created_at', cast: 'timestamptz' },
  lastLogin: {
    expression: "coalesce(o.last_login_at, '-infinity'::timestamptz)",
    cast: 'timestamptz',
  },
};

export interface OrganizationListOptions {
  search?: string;
  sort: OrganizationSort;
  direction: 'asc' | 'desc';
  status: OrganizationStatus;
  cursor?: string;
  limit: number;
}

export interface OrganizationListRow {
  id: string;
  name: string;
  city: string;
  region: string;
  contactCount: number;
  lastLoginAt: Date | null;
  archivedAt: Date | null;
  createdAt: Date;
}

/** PostgreSQL's class 22, "data exception": a value that does not cast to its type. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

function whereClause(options: OrganizationListOptions, params: unknown[]): string[] {
  const conditions: string[] = [];
  if (options.search) {
    params.push(likePattern(options.search));
    conditions.push(`lower(o.name) LIKE $${params.length}`);
  }
  if (options.status === 'active') conditions.push('o.archived_at IS NULL');
  if (options.status === 'archived') conditions.push('o.archived_at IS NOT NULL');
  return conditions;
}

/**
 * Below this many matches a name search reads its matches through the trigram index and sorts
 * them; above it, walking the sort index and filtering finds a page sooner.
 */
const narrowSearchLimit = 2000;

export async function listOrganizations(options: OrganizationListOptions & { pool: Pool }) {
  const { pool } = options;
  const sort = sortExpressions[options.sort];
  const scope = `organizations:${options.sort}:${options.direction}`;
  const filterParams: unknown[] = [];
  const filters = whereClause(options, filterParams);
  const filterSql = filters.length ? `WHERE ${filters.join(' AND ')}` : '';
  const total =
    (
      await pool.query<{ total: number }>(
        `SELECT count(*)::int AS total FROM organizations o ${filterSql}`,
        filterParams,
      )
    ).rows[0]?.total ?? 0;

  const params = [...filterParams];
  let keyset = '';
  if (options.cursor) {
    const [sortKey, id] = decodeCursor(scope, options.cursor, sort.cast);
    params.push(sortKey, id);
    const comparison = options.direction === 'asc' ? '>' : '<';
    keyset = `(${sort.expression}, o.id) ${comparison} ($${params.length - 1}::${sort.cast}, $${params.length}::uuid)`;
  }
  params.push(options.limit + 1);
  const direction = options.direction === 'asc' ? 'ASC' : 'DESC';
  const narrow = Boolean(
    options.search && options.search.length >= 3 && total <= narrowSearchLimit,
  );
  // The planner cannot tell how rare a search term is; a materialized CTE makes it use the
  // trigram index for a narrow search instead of walking the whole sort index.
  const conditions = narrow ? [keyset] : [...filters, keyset];
  const where = conditions.filter(Boolean).join(' AND ');
  const source = narrow
    ? `(WITH matches AS MATERIALIZED (SELECT * FROM organizations o ${filterSql})
        SELECT * FROM matches) o`
    : 'organizations o';
  const rows = await pool
    .query<OrganizationListRow & { sortKey: string }>(
      `SELECT o.id, o.name, o.city, o.region,
            o.last_login_at AS "lastLoginAt", o.archived_at AS "archivedAt",
            o.created_at AS "createdAt", ${sort.expression}::text AS "sortKey",
            (SELECT count(*)::int FROM contact_organizations co
              WHERE co.organization_id = o.id) AS "contactCount"
       FROM ${source} ${where ? `WHERE ${where}` : ''}
      ORDER BY ${sort.expression} ${direction}, o.id ${direction}
      LIMIT $${params.length}`,
      params,
    )
    .catch((error: unknown) => {
      // A cursor that decodes but whose key or id does not cast: edited by hand.
      if (options.cursor && isDataException(error)) throw invalidCursor();
      throw error;
    });
  const page = rows.rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    organizations: page.map(({ sortKey: _sortKey, ...row }) => row),
    total,
    nextCursor:
      rows.rows.length > options.limit && last ? encodeCursor(scope, last.sortKey, last.id) : null,
  };
}
