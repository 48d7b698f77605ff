import { eq, sql } from 'drizzle-orm';
import { withTransaction, type Db, type Pool } from '../../platform/database.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import type { Brand } from '../email/templates/brand.js';
import { settings } from './settings.schema.js';

const brandColumns = {
  mspName: settings.mspName,
  logoUrl: settings.logoUrl,
  brandColor: settings.brandColor,
  supportEmail: settings.supportEmail,
  supportPhone: settings.supportPhone,
  portalUrl: settings.portalUrl,
};

/** The installation's branding (the single settings row the migrations create). */
export async function getBrand(db: Db): Promise<Brand> {
  const [row] = await db.select(brandColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return row;
}

export async function updateBrand(options: {
  pool: Pool;
  actor: Actor;
  changes: Partial<Brand>;
}): Promise<Brand> {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(brandColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    const diff = changedFields<Brand>(before!, options.changes);
    if (!diff) return before!;
    const [after] = await db
      .update(settings)
      .set({ ...diff.after, updatedAt: sql`now()` })
      .where(eq(settings.id, 1))
      .returning(brandColumns);
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'settings',
      entityId: '1',
      action: 'settings.branding_updated',
      ...diff,
    });
    return after!;
  });
}

/** How staff sign in: whether every staff user must use a TOTP code. */
export interface SecuritySettings {
  requireStaffTotp: boolean;
}

const securityColumns = { requireStaffTotp: settings.requireStaffTotp };

export async function getSecuritySettings(db: Db): Promise<SecuritySettings> {
  const [row] = await db.select(securityColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return row;
}

export async function updateSecuritySettings(options: {
  pool: Pool;
  actor: Actor;
  changes: SecuritySettings;
}): Promise<SecuritySettings> {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(securityColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    if (!before) throw new Error('The settings row is missing: run the migrations');
    const diff = changedFields<SecuritySettings>(before, options.changes);
    if (!diff) return before;
    const [after] = await db
      .update(settings)
      .set({ ...diff.after, updatedAt: sql`now()` })
      .where(eq(settings.id, 1))
      .returning(securityColumns);
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'settings',
      entityId: '1',
      action: 'settings.security_updated',
      ...diff,
    });
    return after!;
  });
}

/** When Invoice Due notices go out: days before the due date (0 = none), every N days past. */
export interface InvoiceReminderSettings {
  dueReminderDaysBefore: number;
  pastDueReminderEveryDays: number;
}

const reminderColumns = {
  dueReminderDaysBefore: settings.dueReminderDaysBefore,
  pastDueReminderEveryDays: settings.pastDueReminderEveryDays,
};

export async function getInvoiceReminderSettings(db: Db): Promise<InvoiceReminderSettings> {
  const [row] = await db.select(reminderColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return row;
}

export async function updateInvoiceReminderSettings(options: {
  pool: Pool;
  actor: Actor;
  changes: InvoiceReminderSettings;
}): Promise<InvoiceReminderSettings> {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(reminderColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    if (!before) throw new Error('The settings row is missing: run the migrations');
    const diff = changedFields<InvoiceReminderSettings>(before, options.changes);
    if (!diff) return before;
    const [after] = await db
      .update(settings)
      .set({ ...diff.after, updatedAt: sql`now()` })
      .where(eq(settings.id, 1))
      .returning(reminderColumns);
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'settings',
      entityId: '1',
      action: 'settings.invoice_reminders_updated',
      ...diff,
    });
    return after!;
  });
}
