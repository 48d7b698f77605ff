import { eq, sql } from 'drizzle-orm';
import {
  canonicalTimeZone,
  defaultDateFormat,
  isDateFormat,
  type DateDisplay,
  type DateFormat,
} from '../../shared/dates.js';
import { AppError } from '../../platform/errors.js';
import type { Config } from '../../platform/config.js';
import { withTransaction, type Db, type Pool } from '../../platform/database.js';
import { moveSchedulesToTimeZone, type JobQueue } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { changedFields, recordAudit, type Actor } from '../audit/audit.js';
import type { Brand, Branding } from './brand.js';
import { businessToday, serverTimeZone } from './business-date.js';
import { settings } from './settings.schema.js';

const brandColumns = {
  mspName: settings.mspName,
  logoUrl: settings.logoUrl,
  brandColor: settings.brandColor,
  supportEmail: settings.supportEmail,
  supportPhone: settings.supportPhone,
  portalUrl: settings.portalUrl,
};

/**
 * What every email and document wears (the single settings row the migrations create): the
 * branding, and the MSP's date format and time zone. `portalUrl` is the one links use: the
 * Branding setting when a staff user entered one, else PUBLIC_URL/portal from `address` (the
 * configuration), required so that no caller can build a link to nowhere.
 */
export async function getBrand(db: Db, address: PublicAddress): Promise<Brand> {
  const [row] = await db
    .select({ ...brandColumns, ...dateColumns })
    .from(settings)
    .where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return {
    ...row,
    ...effectiveDates(row),
    portalUrl: row.portalUrl || defaultPortalUrl(address),
  };
}

/** Where a start's links point: PUBLIC_URL (config), worked out at each start. */
export type PublicAddress = Pick<Config, 'PUBLIC_URL'>;

/** The client portal's address when Configuration > Branding leaves it empty. */
export function defaultPortalUrl(address: PublicAddress): string {
  return `${address.PUBLIC_URL}/portal`;
}

/**
 * Configuration > Branding as saved: `portalUrl` is empty unless a staff user entered one
 * (emails then use `defaultPortalUrl`; `getBrand` answers the address in force).
 */
export async function getBranding(db: Db): Promise<Branding> {
  const [row] = await db.select(brandColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return row;
}

export async function updateBrand(options: {
  pool: Pool;
  actor: Actor;
  changes: Partial<Branding>;
}): Promise<Branding> {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(brandColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    const diff = changedFields<Branding>(before!, options.changes);
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

/**
 * Business dates (Configuration > Billing): the MSP's time zone, which decides what "today"
 * is, and the one date format every surface uses. `today` is that date as of the request.
 */
export interface DateSettings extends DateDisplay {
  today: string;
}

const dateColumns = { timeZone: settings.timeZone, dateFormat: settings.dateFormat };

/** The stored row made usable: no time zone yet means the server's; an unknown format, ISO. */
function effectiveDates(row: { timeZone: string | null; dateFormat: string }): DateDisplay {
  return {
    timeZone: row.timeZone ?? serverTimeZone(),
    dateFormat: isDateFormat(row.dateFormat) ? row.dateFormat : defaultDateFormat,
  };
}

/** The MSP's date format and time zone, with today's business date as of `now`. */
export async function getDateSettings(db: Db, now = new Date()): Promise<DateSettings> {
  const [row] = await db.select(dateColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  const dates = effectiveDates(row);
  return { ...dates, today: businessToday(dates, now) };
}

/**
 * Sets the time zone (an IANA name Intl knows, stored in its canonical spelling) and the date
 * format. An unknown zone or format is a 400 on that field. The daily jobs' schedules then move
 * to the saved zone: pg-boss cannot write them on this transaction, so that follows the commit
 * (a failure there is logged; the next start schedules from the setting again).
 */
export async function updateDateSettings(options: {
  pool: Pool;
  jobs: JobQueue;
  logger: Logger;
  actor: Actor;
  changes: { timeZone: string; dateFormat: DateFormat };
  now?: Date;
}): Promise<DateSettings> {
  const timeZone = canonicalTimeZone(options.changes.timeZone);
  if (!timeZone) {
    throw AppError.validation(
      'timeZone',
      'must be a time zone name such as America/Chicago or Europe/London',
    );
  }
  if (!isDateFormat(options.changes.dateFormat)) {
    throw AppError.validation('dateFormat', 'must be one of the offered date formats');
  }
  const changes = { timeZone, dateFormat: options.changes.dateFormat };
  const saved = await withTransaction(options.pool, async ({ db }) => {
    const [stored] = await db
      .select(dateColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    if (!stored) throw new Error('The settings row is missing: run the migrations');
    const before = effectiveDates(stored);
    // A zone never chosen is saved even when it equals the server's: it must not move with it.
    const diff =
      stored.timeZone === null
        ? { before, after: changes }
        : changedFields<DateDisplay>(before, changes);
    if (diff) {
      await db
        .update(settings)
        .set({ ...diff.after, updatedAt: sql`now()` })
        .where(eq(settings.id, 1));
      await recordAudit(db, options.actor, {
        organizationId: null,
        entityType: 'settings',
        entityId: '1',
        action: 'settings.business_dates_updated',
        ...diff,
      });
    }
    return { ...changes, today: businessToday(changes, options.now) };
  });
  // Also when the zone did not change: a save heals schedules a failed move left behind.
  await moveSchedulesToTimeZone(options.jobs, saved.timeZone).catch((error: unknown) =>
    options.logger.error(
      { err: error, timeZone: saved.timeZone },
      'could not move the daily job schedules to the new time zone; they move at the next start',
    ),
  );
  return saved;
}

/**
 * Payments (Configuration > Billing): which method types clients may add and pay with, the
 * processor's one-time fee per new payment method (cents, staff-only ledger) and after how many
 * failed charges in a row a method is locked (docs/decisions/0028-payment-core.md).
 */
export interface PaymentSettings {
  cardPaymentsEnabled: boolean;
  achPaymentsEnabled: boolean;
  providerFeeCents: number;
  methodLockAfterFailures: number;
}

const paymentColumns = {
  cardPaymentsEnabled: settings.cardPaymentsEnabled,
  achPaymentsEnabled: settings.achPaymentsEnabled,
  providerFeeCents: settings.providerFeeCents,
  methodLockAfterFailures: settings.methodLockAfterFailures,
};

/** The payment settings as saved; pass a transaction's `db` to read them in that transaction. */
export async function getPaymentSettings(db: Db): Promise<PaymentSettings> {
  const [row] = await db.select(paymentColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return row;
}

/**
 * The payment settings and today's business date ("YYYY-MM-DD" in the MSP's time zone at
 * `now`) in one read: what a charge checks, read once per payment.
 */
export async function getPaymentSettingsToday(
  db: Db,
  now: Date,
): Promise<PaymentSettings & { today: string }> {
  const [row] = await db
    .select(paymentSettingsTodayColumns)
    .from(settings)
    .where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return paymentSettingsOfRow(row, now);
}

/**
 * The settings row's columns getPaymentSettingsToday reads, for a caller that reads them in a
 * query of its own together with other rows (Pay Selected: one round trip less per payment);
 * paymentSettingsOfRow turns the row into the same answer.
 */
export const paymentSettingsTodayColumns = { ...paymentColumns, timeZone: settings.timeZone };

/** The payment settings and today's business date at `now`, from paymentSettingsTodayColumns. */
export function paymentSettingsOfRow(
  row: PaymentSettings & { timeZone: string | null },
  now: Date,
): PaymentSettings & { today: string } {
  const { timeZone, ...payment } = row;
  return { ...payment, today: businessToday({ timeZone: timeZone ?? serverTimeZone() }, now) };
}

/**
 * Saves the payment settings (audited as `settings.payments_updated`). The route's schema keeps
 * the numbers in range (fee 0–100000 cents, lock after 1–1000 failures); turning a type off
 * refuses new methods and charges of that type from then on, saved methods stay.
 */
export async function updatePaymentSettings(options: {
  pool: Pool;
  actor: Actor;
  changes: Partial<PaymentSettings>;
}): Promise<PaymentSettings> {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(paymentColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    if (!before) throw new Error('The settings row is missing: run the migrations');
    const diff = changedFields<PaymentSettings>(before, options.changes);
    if (!diff) return before;
    const [after] = await db
      .update(settings)
      .set({ ...diff.after, updatedAt: sql`now()` })
      .where(eq(settings.id, 1))
      .returning(paymentColumns);
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'settings',
      entityId: '1',
      action: 'settings.payments_updated',
      ...diff,
    });
    return after!;
  });
}

/**
 * The daily AutoPay run (Configuration > Billing; docs/decisions/0039-autopay-run.md): its time
 * of day ("HH:MM" on the MSP's clock), and the retry policy of a soft decline: `retries` more
 * tries (0: none), `daysBetween` days apart.
 */
export interface AutopayRunSettings {
  runTime: string;
  retries: number;
  daysBetween: number;
}

const autopayRunColumns = {
  runTime: settings.autopayRunTime,
  retries: settings.autopayRetryCount,
  daysBetween: settings.autopayRetryDays,
};

/** The AutoPay run settings as saved. */
export async function getAutopayRunSettings(db: Db): Promise<AutopayRunSettings> {
  const [row] = await db.select(autopayRunColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return row;
}

/**
 * Saves the AutoPay run settings (audited as `settings.autopay_run_updated`). The route's schema
 * keeps them in range (a time 00:00–23:59, 0–10 retries, 1–30 days apart). A new run time
 * applies from the next minute: the run's job looks at it every minute.
 */
export async function updateAutopayRunSettings(options: {
  pool: Pool;
  actor: Actor;
  changes: AutopayRunSettings;
}): Promise<AutopayRunSettings> {
  return withTransaction(options.pool, async ({ db }) => {
    const [before] = await db
      .select(autopayRunColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    if (!before) throw new Error('The settings row is missing: run the migrations');
    const diff = changedFields<AutopayRunSettings>(before, options.changes);
    if (!diff) return before;
    const [after] = await db
      .update(settings)
      .set({
        ...(diff.after.runTime !== undefined ? { autopayRunTime: diff.after.runTime } : {}),
        ...(diff.after.retries !== undefined ? { autopayRetryCount: diff.after.retries } : {}),
        ...(diff.after.daysBetween !== undefined
          ? { autopayRetryDays: diff.after.daysBetween }
          : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(settings.id, 1))
      .returning(autopayRunColumns);
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'settings',
      entityId: '1',
      action: 'settings.autopay_run_updated',
      ...diff,
    });
    return after!;
  });
}

/**
 * Service tickets (Configuration > Service Tickets): where staff are told of new tickets and
 * of clients' additional information besides the assignee (`notifyEmail`, '' for nowhere),
 * and the attachment limits: the largest file in bytes, files a post, and the extensions
 * accepted (comma-separated, lower case, no dots).
 */
export interface TicketSettings {
  notifyEmail: string;
  maxFileBytes: number;
  maxFiles: number;
  allowedTypes: string;
}

const ticketColumns = {
  notifyEmail: settings.ticketNotifyEmail,
  maxFileBytes: settings.ticketMaxFileBytes,
  maxFiles: settings.ticketMaxFiles,
  allowedTypes: settings.ticketAllowedTypes,
};

const ticketSettingsOf = (row: {
  notifyEmail: string | null;
  maxFileBytes: number;
  maxFiles: number;
  allowedTypes: string;
}): TicketSettings => ({ ...row, notifyEmail: row.notifyEmail ?? '' });

/** The service ticket settings as saved. */
export async function getTicketSettings(db: Db): Promise<TicketSettings> {
  const [row] = await db.select(ticketColumns).from(settings).where(eq(settings.id, 1));
  if (!row) throw new Error('The settings row is missing: run the migrations');
  return ticketSettingsOf(row);
}

/**
 * Saves the service ticket settings (audited as `settings.tickets_updated`). The route's schema
 * keeps them in range (1 KB to 25 MB a file, 1 to 20 files, known extensions); the extensions
 * are stored lower case, without dots or spaces, each once.
 */
export async function updateTicketSettings(options: {
  pool: Pool;
  actor: Actor;
  changes: TicketSettings;
}): Promise<TicketSettings> {
  const allowedTypes = [
    ...new Set(
      options.changes.allowedTypes
        .toLowerCase()
        .split(',')
        .map((type) => type.trim().replace(/^\./, ''))
        .filter(Boolean),
    ),
  ].join(',');
  const changes = { ...options.changes, allowedTypes };
  return withTransaction(options.pool, async ({ db }) => {
    const [row] = await db
      .select(ticketColumns)
      .from(settings)
      .where(eq(settings.id, 1))
      .for('update');
    if (!row) throw new Error('The settings row is missing: run the migrations');
    const before = ticketSettingsOf(row);
    const diff = changedFields<TicketSettings>(before, changes);
    if (!diff) return before;
    const [after] = await db
      .update(settings)
      .set({
        ticketNotifyEmail: changes.notifyEmail || null,
        ticketMaxFileBytes: changes.maxFileBytes,
        ticketMaxFiles: changes.maxFiles,
        ticketAllowedTypes: changes.allowedTypes,
        updatedAt: sql`now()`,
      })
      .where(eq(settings.id, 1))
      .returning(ticketColumns);
    await recordAudit(db, options.actor, {
      organizationId: null,
      entityType: 'settings',
      entityId: '1',
      action: 'settings.tickets_updated',
      ...diff,
    });
    return ticketSettingsOf(after!);
  });
}
