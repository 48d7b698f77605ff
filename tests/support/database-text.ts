import type { Pool } from '../../src/platform/database.js';

/**
 * Everything the database holds, as text, one entry per table: every row of every table of
 * every schema (Portico's, the job queue's), each value written out (JSON as JSON, bytes as
 * Latin-1 so digits in them stay digits). For searching the whole database for what must never
 * be stored, more reliably here than a pg_dump whose version must match the server's.
 */
export async function everyStoredText(pool: Pool): Promise<{ table: string; text: string }[]> {
  const tables = await pool.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name
       FROM information_schema.tables
      WHERE table_type = 'BASE TABLE'
        AND table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1, 2`,
  );
  const result: { table: string; text: string }[] = [];
  for (const { schema, name } of tables.rows) {
    const quoted = `"${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}"`;
    const rows = await pool.query<Record<string, unknown>>(`SELECT * FROM ${quoted}`);
    const text = rows.rows.map((row) => Object.values(row).map(asText).join('\t')).join('\n');
    result.push({ table: `${schema}.${name}`, text });
  }
  return result;
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
