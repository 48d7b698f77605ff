import { asc, eq, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import {
  createDb,
  isUniqueViolation,
  withTransaction,
  type Pool,
} from '../../platform/database.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { formatRatePercent } from '../../shared/money.js';
import { serviceCategories, taxRates } from './invoices.schema.js';

const categoryColumns = {
  id: serviceCategories.id,
  name: serviceCategories.name,
  position: serviceCategories.position,
  archivedAt: serviceCategories.archivedAt,
};

function nameTaken(what: string, name: string): AppError {
  return new AppError('conflict', `A ${what} named ${name} already exists`, [
    { field: 'name', message: 'is already taken' },
  ]);
}

export async function listServiceCategories(pool: Pool) {
  return createDb(pool)
    .select(categoryColumns)
    .from(serviceCategories)
    .orderBy(asc(serviceCategories.position), asc(sql`lower(${serviceCategories.name})`));
}

export async function createServiceCategory(options: { pool: Pool; actor: Actor; name: string }) {
  return withTransaction(options.pool, async ({ db }) => {
    const [last] = await db
      .select({ position: sql<number>`coalesce(max(${serviceCategories.position}), 0)::int` })
      .from(serviceCategories);
    const [created] = await db
      .insert(serviceCategories)
      .values({ name: options.name, position: (last?.position ?? 0) + 1 })
      .returning(categoryColumns)
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'service_categories_name_idx')) {
          throw nameTaken('service category', options.name);
        }
        throw error;
      });
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'service_category',
      entityId: created!.id,
      entityLabel: created!.name,
      action: 'service_category.created',
      after: { name: created!.name, position: created!.position },
    });
    return created!;
  });
}

export async function updateServiceCategory(options: {
  pool: Pool;
  actor: Actor;
  id: string;
  changes: { name?: string; position?: number; archived?: boolean };
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(categoryColumns)
      .from(serviceCategories)
      .where(eq(serviceCategories.id, options.id))
      .for('update');
    if (!before) throw AppError.notFound('Service category');
    const { name, position, archived } = options.changes;
    const set: Partial<typeof serviceCategories.$inferInsert> = {};
    if (name !== undefined && name !== before.name) set.name = name;
    if (position !== undefined && position !== before.position) set.position = position;
    if (archived !== undefined && archived !== (before.archivedAt !== null)) {
      set.archivedAt = archived ? new Date() : null;
    }
    if (Object.keys(set).length === 0) return before;
    const [after] = await db
      .update(serviceCategories)
      .set(set)
      .where(eq(serviceCategories.id, options.id))
      .returning(categoryColumns)
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'service_categories_name_idx')) {
          throw nameTaken('service category', name ?? '');
        }
        throw error;
      });
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'service_category',
      entityId: options.id,
      entityLabel: after!.name,
      action: 'service_category.updated',
      before: Object.fromEntries(
        Object.keys(set).map((k) => [k, before[k as keyof typeof before]]),
      ),
      after: set,
    });
    return after!;
  });
}

const taxRateColumns = {
  id: taxRates.id,
  name: taxRates.name,
  ratePpm: taxRates.ratePpm,
  archivedAt: taxRates.archivedAt,
};

type TaxRateRow = { id: string; name: string; ratePpm: number; archivedAt: Date | null };

const presentTaxRate = (row: TaxRateRow) => ({
  ...row,
  ratePercent: formatRatePercent(row.ratePpm),
});

export async function listTaxRates(pool: Pool) {
  const rows = await createDb(pool)
    .select(taxRateColumns)
    .from(taxRates)
    .orderBy(asc(sql`lower(${taxRates.name})`));
  return rows.map(presentTaxRate);
}

export async function createTaxRate(options: {
  pool: Pool;
  actor: Actor;
  name: string;
  ratePpm: number;
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const [created] = await db
      .insert(taxRates)
      .values({ name: options.name, ratePpm: options.ratePpm })
      .returning(taxRateColumns)
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'tax_rates_name_idx'))
          throw nameTaken('tax rate', options.name);
        throw error;
      });
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'tax_rate',
      entityId: created!.id,
      entityLabel: created!.name,
      action: 'tax_rate.created',
      after: { name: created!.name, ratePpm: created!.ratePpm },
    });
    return presentTaxRate(created!);
  });
}

export async function updateTaxRate(options: {
  pool: Pool;
  actor: Actor;
  id: string;
  changes: { name?: string; ratePpm?: number; archived?: boolean };
}) {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(taxRateColumns)
      .from(taxRates)
      .where(eq(taxRates.id, options.id))
      .for('update');
    if (!before) throw AppError.notFound('Tax rate');
    const { name, ratePpm, archived } = options.changes;
    const set: Partial<typeof taxRates.$inferInsert> = {};
    if (name !== undefined && name !== before.name) set.name = name;
    if (ratePpm !== undefined && ratePpm !== before.ratePpm) set.ratePpm = ratePpm;
    if (archived !== undefined && archived !== (before.archivedAt !== null)) {
      set.archivedAt = archived ? new Date() : null;
    }
    if (Object.keys(set).length === 0) return presentTaxRate(before);
    const [after] = await db
      .update(taxRates)
      .set(set)
      .where(eq(taxRates.id, options.id))
      .returning(taxRateColumns)
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'tax_rates_name_idx')) throw nameTaken('tax rate', name ?? '');
        throw error;
      });
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'tax_rate',
      entityId: options.id,
      entityLabel: after!.name,
      action: 'tax_rate.updated',
      before: Object.fromEntries(
        Object.keys(set).map((k) => [k, before[k as keyof typeof before]]),
      ),
      after: set,
    });
    return presentTaxRate(after!);
  });
}
