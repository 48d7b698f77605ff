import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A module writes only its own tables (ARCHITECTURE.md, Boundaries); others call its
 * functions. dependency-cruiser sees imports, not SQL, so this test reads the source: the
 * tables each module declares in its `*.schema.ts`, then every insert, update and delete in
 * each module's files, through drizzle (`.insert(table)`) or in SQL text (`INSERT INTO table`).
 * The demo seeder writes every module's rows by design and is left out.
 */

const modulesDir = join(import.meta.dirname, '../../src/modules');
const exempt = new Set(['demo']);

const modules = readdirSync(modulesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Who owns each table, by its SQL name and by the name of its drizzle table object. */
function tableOwners() {
  const bySqlName = new Map<string, string>();
  const byIdentifier = new Map<string, string>();
  for (const module of modules) {
    for (const file of sourceFiles(join(modulesDir, module))) {
      if (!file.endsWith('.schema.ts')) continue;
      const declared = readFileSync(file, 'utf8').matchAll(
        /export const (\w+) = pgTable\(\s*'(\w+)'/g,
      );
      for (const [, identifier, table] of declared) {
        bySqlName.set(table!, module);
        byIdentifier.set(identifier!, module);
      }
    }
  }
  return { bySqlName, byIdentifier };
}

/** Every write in a module's files to a table another module owns, as "file: table (owner)". */
function foreignWrites(): string[] {
  const { bySqlName, byIdentifier } = tableOwners();
  const found: string[] = [];
  for (const module of modules) {
    if (exempt.has(module)) continue;
    for (const file of sourceFiles(join(modulesDir, module))) {
      const source = readFileSync(file, 'utf8');
      const where = relative(modulesDir, file);
      for (const [, identifier] of source.matchAll(/\.(?:insert|update|delete)\(\s*(\w+)\s*\)/g)) {
        const owner = byIdentifier.get(identifier!);
        if (owner && owner !== module) found.push(`${where}: ${identifier} (${owner})`);
      }
      for (const [, table] of source.matchAll(
        /\b(?:insert\s+into|update|delete\s+from)\s+(\w+)/gi,
      )) {
        const owner = bySqlName.get(table!.toLowerCase());
        if (owner && owner !== module) found.push(`${where}: ${table} (${owner})`);
      }
    }
  }
  return found;
}

describe('module table ownership', () => {
  it('finds the tables each module declares', () => {
    const { bySqlName } = tableOwners();
    expect(bySqlName.get('contact_tokens')).toBe('contacts');
    expect(bySqlName.get('organizations')).toBe('organizations');
    expect(bySqlName.get('portal_sessions')).toBe('portal');
  });

  it('lets no module insert, update or delete rows of a table another module owns', () => {
    expect(foreignWrites()).toEqual([]);
  });
});
