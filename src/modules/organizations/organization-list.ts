import { AppError } from '../../platform/errors.js';
import type { Pool } from '../../platform/database.js';

export const organizationSorts = ['name', 'createdAt', 'lastLogin'] as const;
export type OrganizationSort = (typeof organizationSorts)[number];

// Each sort key matches an index of (expression, id), so every page is an index range scan.
const sortExpressions: Record<OrganizationSort, { expression: string; cast: string }> = {
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
  status: 'active' | 'archived' | 'all';
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

/** A keyset cursor: the sort key (as PostgreSQL prints it, full precision) and the id. */
export function encodeCursor(sortKey: string, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(value[1])
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the validation error
  }
  throw invalidCursor();
}

function invalidCursor(): AppError {
  return AppError.validation('cursor', 'is not a cursor this list gave out');
}

/** PostgreSQL's class 22, "data exception": a value that does not cast to its type. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%", not everything. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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

export async function listOrganizations(pool: Pool, options: OrganizationListOptions) {
  const sort = sortExpressions[options.sort];
  const params: unknown[] = [];
  const conditions = whereClause(options, params);
  const countParams = [...params];
  const countConditions = [...conditions];
  const comparison = options.direction === 'asc' ? '>' : '<';
  if (options.cursor) {
    const [sortKey, id] = decodeCursor(options.cursor);
    params.push(sortKey, id);
    conditions.push(
      `(${sort.expression}, o.id) ${comparison} ($${params.length - 1}::${sort.cast}, $${params.length}::uuid)`,
    );
  }
  params.push(options.limit + 1);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const direction = options.direction === 'asc' ? 'ASC' : 'DESC';
  const rows = await pool
    .query<OrganizationListRow & { sortKey: string }>(
      `SELECT o.id, o.name, o.city, o.region,
            o.last_login_at AS "lastLoginAt", o.archived_at AS "archivedAt",
            o.created_at AS "createdAt", ${sort.expression}::text AS "sortKey",
            (SELECT count(*)::int FROM contact_organizations co
              WHERE co.organization_id = o.id) AS "contactCount"
       FROM organizations o
       ${where}
      ORDER BY ${sort.expression} ${direction}, o.id ${direction}
      LIMIT $${params.length}`,
      params,
    )
    .catch((error: unknown) => {
      // A cursor that decodes but whose key or id does not cast: edited, or from another sort.
      if (options.cursor && isDataException(error)) throw invalidCursor();
      throw error;
    });
  const total = await pool.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM organizations o
      ${countConditions.length ? `WHERE ${countConditions.join(' AND ')}` : ''}`,
    countParams,
  );
  const page = rows.rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    organizations: page.map(({ sortKey: _sortKey, ...row }) => row),
    total: total.rows[0]?.total ?? 0,
    nextCursor:
      rows.rows.length > options.limit && last ? encodeCursor(last.sortKey, last.id) : null,
  };
}
