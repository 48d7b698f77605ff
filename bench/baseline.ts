import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { Pool } from '../src/platform/database.js';
import { encodeCursor } from '../src/platform/keyset-cursor.js';

/**
 * The floor the app is measured against: a bare Fastify server (no plugins, no hooks, no
 * session, no validation) whose handlers send the same SQL as the app's two routes, through
 * plain pg. What the app spends above this is framework, security and session overhead.
 *
 * The SQL below is copied from listOrganizations (organization-list.ts: a narrow search of
 * three letters or more, sort=name, direction=asc, status=active, no cursor) and from the contacts route (contacts.routes.ts's
 * listOrganizationContacts with sort=name and no search, then assertOrganizationExists only
 * when the list is empty).
 * Keep it in step with those files, or the comparison stops meaning anything.
 */
const organizationPageSql = `SELECT o.id, o.name, o.city, o.region,
            o.last_login_at AS "lastLoginAt", o.archived_at AS "archivedAt",
            o.created_at AS "createdAt", lower(o.name)::text AS "sortKey",
            (SELECT count(*)::int FROM contact_organizations co
              WHERE co.organization_id = o.id) AS "contactCount"
       FROM (WITH matches AS MATERIALIZED (SELECT * FROM organizations o WHERE lower(o.name) LIKE $1 AND o.archived_at IS NULL)
        SELECT * FROM matches) o
      ORDER BY lower(o.name) ASC, o.id ASC
      LIMIT $2`;

const organizationTotalSql = `SELECT count(*)::int AS total FROM organizations o
      WHERE lower(o.name) LIKE $1 AND o.archived_at IS NULL`;

const organizationExistsSql = 'SELECT 1 FROM organizations WHERE id = $1';

const organizationContactsSql = `SELECT c.id, c.name, c.email, c.phone, c.last_login_at AS "lastLoginAt",
            co.access_profile_id AS "accessProfileId",
            coalesce(p.name, 'Revoke Access') AS "accessProfileName",
            co.is_default_notification AS "isDefaultNotification"
       FROM contact_organizations co
       JOIN contacts c ON c.id = co.contact_id
       LEFT JOIN access_profiles p ON p.id = co.access_profile_id
      WHERE co.organization_id = $1
      ORDER BY lower(c.name), c.id
      LIMIT $2`;

const maxContactsPerList = 200;

function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface Baseline {
  url: string;
  close: () => Promise<void>;
}

export async function startBaseline(pool: Pool): Promise<Baseline> {
  const app = Fastify({ logger: false });

  app.get<{ Querystring: { q?: string; limit?: string } }>(
    '/api/organizations',
    async (request) => {
      const limit = Number(request.query.limit ?? 25);
      const pattern = likePattern(request.query.q ?? '');
      const total = await pool.query<{ total: number }>(organizationTotalSql, [pattern]);
      const rows = await pool.query<{ id: string; sortKey: string }>(organizationPageSql, [
        pattern,
        limit + 1,
      ]);
      const page = rows.rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        organizations: page.map(({ sortKey: _sortKey, ...row }) => row),
        total: total.rows[0]?.total ?? 0,
        nextCursor:
          rows.rows.length > limit && last
            ? encodeCursor('organizations:name:asc', last.sortKey, last.id)
            : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>('/api/organizations/:id/contacts', async (request, reply) => {
    const result = await pool.query(organizationContactsSql, [
      request.params.id,
      maxContactsPerList + 1,
    ]);
    if (result.rows.length === 0) {
      const found = await pool.query(organizationExistsSql, [request.params.id]);
      if (found.rowCount === 0) return reply.status(404).send({ error: 'not found' });
    }
    return {
      contacts: result.rows.slice(0, maxContactsPerList),
      truncated: result.rows.length > maxContactsPerList,
    };
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
