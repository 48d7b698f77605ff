import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  addPaymentMethodBody,
  editPaymentMethodBody,
} from '../../shared/contract/payment-methods.js';
import { AppError } from '../../platform/errors.js';
import {
  createDb,
  withTransaction,
  type Db,
  type Pool,
  type Transaction,
} from '../../platform/database.js';
import type { Logger } from '../../platform/logger.js';
import { changedFields, lastActorsOf, recordAudit, type Actor } from '../audit/audit.js';
import { businessToday } from '../settings/business-date.js';
import {
  getBranding,
  getPaymentSettings,
  type PaymentSettings,
} from '../settings/settings.service.js';
import { GatewayError, type PaymentGateway } from './gateway.js';
import { paymentMethods, payments, providerFees } from './payments.schema.js';

/**
 * The rules a saved payment method obeys when it is charged (docs/decisions/0028-payment-core.md):
 * which methods may be charged, and how failed and successful charges lock and unlock them. The
 * pay flow, AutoPay and scheduled payments all call these, so a method is refused the same way
 * whatever charges it.
 */

/** A saved payment method row as the payments module holds it (gateway refs included). */
export type PaymentMethodRow = typeof paymentMethods.$inferSelect;

/**
 * Decline codes that lock a method at once: the bank says it is not the holder's any more, or
 * it can never be charged again (an expired card, a closed or unknown bank account). Trying it
 * again would only decline again; AutoPay, whatever charges it, stops at the lock.
 */
const lockAtOnce: Record<string, string> = {
  lost_card: 'the bank reported this card lost',
  stolen_card: 'the bank reported this card stolen',
  expired_card: 'the bank says this card has expired',
  account_closed: 'the bank says this account is closed',
  no_account: 'the bank could not find this account',
};

/**
 * Whether a decline or return code locks the method at once (lockAtOnce): the bank says it can
 * never be charged again. AutoPay tells the client with Payment Method Failure.
 */
export function locksMethodAtOnce(failureCode: string | null): boolean {
  return failureCode !== null && failureCode in lockAtOnce;
}

/** What people read for a method: "Visa •••• 4242", "Bank account •••• 6789". */
export function methodLabel(method: Pick<PaymentMethodRow, 'type' | 'brand' | 'last4'>): string {
  if (method.type === 'ach') return `Bank account •••• ${method.last4}`;
  return `${brandName(method.brand)} •••• ${method.last4}`;
}

const brandNames: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
};

/** A processor's brand code as people write it ("amex" → "American Express"). */
export function brandName(brand: string | null): string {
  if (!brand) return 'Card';
  return brandNames[brand] ?? brand.charAt(0).toUpperCase() + brand.slice(1);
}

/** "03/2026": how a card's expiry is written everywhere (forms, lists, refusals, emails). */
export function expiryLabel(method: Pick<PaymentMethodRow, 'expMonth' | 'expYear'>): string {
  return `${String(method.expMonth ?? 0).padStart(2, '0')}/${method.expYear ?? 0}`;
}

/**
 * True when a card's expiry month is before the business month of `today` (YYYY-MM-DD in the
 * MSP's time zone): a card is good through the last day of the month printed on it. Bank
 * accounts never expire.
 */
export function isExpired(
  method: Pick<PaymentMethodRow, 'type' | 'expMonth' | 'expYear'>,
  today: string,
): boolean {
  if (method.type !== 'card' || method.expMonth === null || method.expYear === null) return false;
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return method.expYear * 12 + method.expMonth < year * 12 + month;
}

/** The words for a method type turned off in Configuration > Billing. */
export function typeTurnedOff(type: PaymentMethodRow['type']): string {
  return type === 'card'
    ? 'Card payments are turned off'
    : 'Bank account (ACH) payments are turned off';
}

/** Whether the installation accepts this method type now (Configuration > Billing > Payments). */
export function typeEnabled(type: PaymentMethodRow['type'], settings: PaymentSettings): boolean {
  return type === 'card' ? settings.cardPaymentsEnabled : settings.achPaymentsEnabled;
}

/**
 * The organization's method, if it may be charged now; otherwise the refusal, with the reason in
 * words: 404 when the id is unknown or another organization's; 409 when it was removed, is
 * locked (with the lock's reason), is a card that expired ("The card expired in 03/2026"), its
 * type is turned off for the installation, or it was saved with another processor than the one
 * running (`gateway`). The 409s name `field` (default `paymentMethodId`).
 *
 * Reads without a row lock on purpose: the pay transaction locks the invoices, and a lock on
 * the method there would order against the answer's update of the method (deadlock). A removal
 * racing a payment is caught by the processor, which refuses a detached method.
 */
export async function chargeableMethod(
  tx: Transaction,
  options: {
    organizationId: string;
    methodId: string;
    /** The running gateway's name; a method saved with the other one cannot be charged. */
    gateway?: PaymentMethodRow['gateway'];
    /** Today in the MSP's time zone; read from the settings when absent. */
    today?: string;
    /**
     * A later business date the method is to be charged on (a scheduled payment's): checked
     * for expiry instead of today, and named in the refusal ("expires in 01/2027, before …").
     */
    chargeOn?: string;
    /** The payment settings, when the caller has read them already; else read here. */
    settings?: PaymentSettings;
    field?: string;
    /**
     * The method's row when the caller has read it already (by this id and organization, in
     * this transaction), null when it found none; else read here.
     */
    row?: PaymentMethodRow | null;
  },
): Promise<PaymentMethodRow> {
  const field = options.field ?? 'paymentMethodId';
  const [method] =
    options.row !== undefined
      ? [options.row]
      : await tx.db
          .select()
          .from(paymentMethods)
          .where(
            and(
              eq(paymentMethods.id, options.methodId),
              eq(paymentMethods.organizationId, options.organizationId),
            ),
          );
  if (!method) throw AppError.notFound('Payment method');
  const refuse = (message: string) => new AppError('conflict', message, [{ field, message }]);
  const name = `“${method.friendlyName}” (${methodLabel(method)})`;
  if (method.removedAt) {
    throw refuse(`The payment method ${name} was removed; choose another one`);
  }
  if (method.lockedAt) {
    throw refuse(
      `The payment method ${name} is locked: ${method.lockedReason ?? 'too many failed charges'}. ` +
        'Edit the method to unlock it, or ask us to unlock it',
    );
  }
  const today = options.today ?? (await businessToday(tx.client));
  if (isExpired(method, today)) {
    throw refuse(`The card expired in ${expiryLabel(method)}; edit its expiry or add another card`);
  }
  if (options.chargeOn && isExpired(method, options.chargeOn)) {
    throw refuse(
      `The card expires in ${expiryLabel(method)}, before ${options.chargeOn}; choose a date before then, edit its expiry or choose another card`,
    );
  }
  const settings = options.settings ?? (await getPaymentSettings(tx.db));
  if (!typeEnabled(method.type, settings)) {
    throw refuse(`${typeTurnedOff(method.type)}; choose another payment method`);
  }
  if (options.gateway && method.gateway !== options.gateway) {
    throw refuse(
      `The payment method ${name} was saved with another payment processor; add it again`,
    );
  }
  return method;
}

/**
 * A charge on the method failed (a decline, or an ACH return): one more failure in a row. The
 * method is locked when the count reaches Configuration > Billing's "lock after" (default 15),
 * or at once for a lost or stolen card, with a reason people read ("Locked after 15 failed
 * charges in a row", "Locked at once: the bank reported this card stolen"). Answers the lock
 * reason when this failure locked the method, else null. Call it in the transaction that records
 * the failure.
 */
export async function recordChargeFailure(
  tx: Transaction,
  methodId: string,
  failureCode: string | null,
): Promise<string | null> {
  const settings = await getPaymentSettings(tx.db);
  const immediate = failureCode ? lockAtOnce[failureCode] : undefined;
  const threshold = settings.methodLockAfterFailures;
  const thresholdReason = `Locked after ${threshold} failed charges in a row`;
  const reason = immediate ? `Locked at once: ${immediate}` : thresholdReason;
  const [row] = await tx.db
    .update(paymentMethods)
    .set({
      failedChargeCount: sql`${paymentMethods.failedChargeCount} + 1`,
      // An already locked method keeps the reason it was locked for.
      lockedAt: sql`CASE WHEN ${paymentMethods.lockedAt} IS NOT NULL THEN ${paymentMethods.lockedAt}
        WHEN ${immediate ? sql`TRUE` : sql`${paymentMethods.failedChargeCount} + 1 >= ${threshold}`}
        THEN now() END`,
      lockedReason: sql`CASE WHEN ${paymentMethods.lockedAt} IS NOT NULL THEN ${paymentMethods.lockedReason}
        WHEN ${immediate ? sql`TRUE` : sql`${paymentMethods.failedChargeCount} + 1 >= ${threshold}`}
        THEN ${reason}::text END`,
      updatedAt: sql`now()`,
    })
    .where(eq(paymentMethods.id, methodId))
    .returning({
      lockedReason: paymentMethods.lockedReason,
      newlyLocked: sql<boolean>`${paymentMethods.lockedAt} = now()`,
    });
  return row?.newlyLocked ? row.lockedReason : null;
}

/**
 * recordChargeFailure for many failed charges at once (the AutoPay run's chunk), in one
 * statement: each method's count of failures in a row grows by its failures here, and it is
 * locked as recordChargeFailure would lock it after them (at once for a code that says the
 * method can never be charged again, else at the lock threshold of Configuration > Billing).
 * Answers, per method newly locked by this call, the reason it was locked for.
 */
export async function recordChargeFailures(
  tx: Transaction,
  failures: { methodId: string; failureCode: string | null }[],
): Promise<Map<string, string>> {
  const byMethod = new Map<string, { count: number; immediate: string | null }>();
  for (const failure of failures) {
    const entry = byMethod.get(failure.methodId) ?? { count: 0, immediate: null };
    entry.count += 1;
    const immediate = failure.failureCode ? lockAtOnce[failure.failureCode] : undefined;
    entry.immediate ??= immediate ? `Locked at once: ${immediate}` : null;
    byMethod.set(failure.methodId, entry);
  }
  const locked = new Map<string, string>();
  if (byMethod.size === 0) return locked;
  const settings = await getPaymentSettings(tx.db);
  const threshold = settings.methodLockAfterFailures;
  const entries = [...byMethod.entries()].sort(([a], [b]) => a.localeCompare(b));
  const result = await tx.client.query<{ id: string; lockedReason: string }>(
    `UPDATE payment_methods m
        SET failed_charge_count = m.failed_charge_count + f.count,
            -- An already locked method keeps the reason it was locked for.
            locked_at = CASE WHEN m.locked_at IS NOT NULL THEN m.locked_at
                             WHEN f.immediate IS NOT NULL
                               OR m.failed_charge_count + f.count >= $4 THEN now() END,
            locked_reason = CASE WHEN m.locked_at IS NOT NULL THEN m.locked_reason
                                 WHEN f.immediate IS NOT NULL THEN f.immediate
                                 WHEN m.failed_charge_count + f.count >= $4 THEN $5 END,
            updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::text[]) AS f(id, count, immediate)
      WHERE m.id = f.id
      RETURNING m.id, m.locked_reason AS "lockedReason", m.locked_at = now() AS "newlyLocked"`,
    [
      entries.map(([id]) => id),
      entries.map(([, entry]) => entry.count),
      entries.map(([, entry]) => entry.immediate),
      threshold,
      `Locked after ${threshold} failed charges in a row`,
    ],
  );
  for (const row of result.rows as { id: string; lockedReason: string; newlyLocked: boolean }[]) {
    if (row.newlyLocked) locked.set(row.id, row.lockedReason);
  }
  return locked;
}

/**
 * The authorization a contact agrees to before a method is saved, per type, in the MSP's name.
 * The form shows these words and sends them back; they are kept with the method word for word
 * (NACHA asks for a record of an ACH debit authorization; card networks for stored-credential
 * consent).
 */
export function authorizationTextFor(type: PaymentMethodRow['type'], mspName: string): string {
  if (type === 'ach') {
    return (
      `I authorize ${mspName} to debit this bank account by ACH for the invoices I choose to pay, ` +
      `and for payments I set up later (AutoPay, scheduled payments), until I remove this account ` +
      `from the client portal or tell ${mspName} to stop. A returned debit may be charged again.`
    );
  }
  return (
    `I authorize ${mspName} to keep this card on file and charge it for the invoices I choose to ` +
    `pay, and for payments I set up later (AutoPay, scheduled payments), until I remove it from ` +
    `the client portal.`
  );
}

/** Both authorization texts as they read now (the MSP's name from Configuration > Branding). */
export async function authorizationTexts(
  db: Db,
): Promise<Record<PaymentMethodRow['type'], string>> {
  const { mspName } = await getBranding(db);
  return { card: authorizationTextFor('card', mspName), ach: authorizationTextFor('ach', mspName) };
}

/** A method with what every list shows beside it: its label, expired, and why it cannot be charged. */
export type PaymentMethodView = PaymentMethodRow & {
  label: string;
  expired: boolean;
  locked: boolean;
  unavailableReason: string | null;
};

/** The row seen on `today` (business date) under the payment settings. */
export function viewOf(
  method: PaymentMethodRow,
  today: string,
  settings: PaymentSettings,
): PaymentMethodView {
  const expired = isExpired(method, today);
  let unavailableReason: string | null = null;
  if (method.lockedAt) unavailableReason = method.lockedReason ?? 'Locked';
  else if (expired) unavailableReason = `The card expired in ${expiryLabel(method)}`;
  else if (!typeEnabled(method.type, settings)) unavailableReason = typeTurnedOff(method.type);
  return {
    ...method,
    label: methodLabel(method),
    expired,
    locked: method.lockedAt !== null,
    unavailableReason,
  };
}

/**
 * An organization's saved methods, not removed: the default first, then the newest. `today` is
 * the business date (MSP time zone) that decides which cards have expired.
 */
export async function listPaymentMethods(
  db: Db,
  options: { organizationId: string; today: string },
): Promise<{ paymentMethods: PaymentMethodView[] } & PaymentSettings> {
  const settings = await getPaymentSettings(db);
  const rows = await db
    .select()
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.organizationId, options.organizationId),
        isNull(paymentMethods.removedAt),
      ),
    )
    .orderBy(desc(paymentMethods.isDefault), desc(paymentMethods.createdAt), paymentMethods.id);
  return { ...settings, paymentMethods: rows.map((row) => viewOf(row, options.today, settings)) };
}

/** A method as staff see it: the view plus who authorized it (contact or staff name). */
export type StaffPaymentMethodView = PaymentMethodView & {
  authorization: {
    text: string;
    at: Date;
    ip: string;
    contactName: string | null;
    staffName: string | null;
  };
  /** When it was removed and by whom; null while it is on file. */
  removed: { at: Date; by: string | null } | null;
};

/**
 * The staff view of an organization's methods: each with its failure count, lock and the
 * authorization record (text, time, IP, the contact who agreed and the staff user who entered
 * it, if staff did); with `includeRemoved`, the removed ones too, after those on file, with
 * when and by whom (the audit log's actor). 404 for an unknown organization.
 */
export async function staffListPaymentMethods(
  db: Db,
  options: { organizationId: string; today: string; includeRemoved?: boolean },
): Promise<{ paymentMethods: StaffPaymentMethodView[] } & PaymentSettings> {
  await requireOrganization(db, options.organizationId);
  const list = await listPaymentMethods(db, options);
  // Removed ones after those on file, the last removed first, each with who removed it.
  const removedRows = options.includeRemoved
    ? await db
        .select()
        .from(paymentMethods)
        .where(
          and(
            eq(paymentMethods.organizationId, options.organizationId),
            isNotNull(paymentMethods.removedAt),
          ),
        )
        .orderBy(desc(paymentMethods.removedAt), paymentMethods.id)
    : [];
  const removers = await lastActorsOf(db, {
    entityType: 'payment_method',
    action: 'payment_method.removed',
    entityIds: removedRows.map((row) => row.id),
  });
  const removed = removedRows.map((row) => ({
    view: viewOf(row, options.today, list),
    removed: { at: row.removedAt!, by: removers.get(row.id)?.label ?? null },
  }));
  const all = [...list.paymentMethods.map((view) => ({ view, removed: null })), ...removed];
  const names = await authorizerNames(
    db,
    all.map((m) => m.view.id),
  );
  return {
    ...list,
    paymentMethods: all.map((m) => withAuthorization(m.view, names, m.removed)),
  };
}

function withAuthorization(
  method: PaymentMethodView,
  names: Map<string, { contactName: string | null; staffName: string | null }>,
  removed: StaffPaymentMethodView['removed'] = null,
): StaffPaymentMethodView {
  const who = names.get(method.id) ?? { contactName: null, staffName: null };
  return {
    ...method,
    authorization: {
      text: method.authorizationText,
      at: method.authorizedAt,
      ip: method.authorizedIp,
      ...who,
    },
    removed,
  };
}

/** Reads the names of whoever authorized each method (contacts and staff own those rows). */
async function authorizerNames(db: Db, methodIds: string[]) {
  if (methodIds.length === 0) return new Map();
  const result = await db.execute<{
    id: string;
    contactName: string | null;
    staffName: string | null;
  }>(
    sql`SELECT m.id, c.name AS "contactName", s.name AS "staffName"
          FROM payment_methods m
          LEFT JOIN contacts c ON c.id = m.authorized_by_contact_id
          LEFT JOIN staff_users s ON s.id = m.authorized_by_staff_id
         WHERE m.id IN (${sql.join(
           methodIds.map((id) => sql`${id}::uuid`),
           sql`, `,
         )})`,
  );
  return new Map(
    result.rows.map((row) => [row.id, { contactName: row.contactName, staffName: row.staffName }]),
  );
}

/** One method in the staff view (after a change staff made). */
export async function staffPaymentMethod(
  db: Db,
  method: PaymentMethodRow,
  today: string,
): Promise<StaffPaymentMethodView> {
  const settings = await getPaymentSettings(db);
  return withAuthorization(viewOf(method, today, settings), await authorizerNames(db, [method.id]));
}

async function requireOrganization(db: Db, organizationId: string): Promise<void> {
  const result = await db.execute(sql`SELECT 1 FROM organizations WHERE id = ${organizationId}`);
  if (result.rows.length === 0) throw AppError.notFound('Organization');
}

/**
 * Serializes changes to one organization's methods (which one is the default): two first
 * methods added at once would otherwise both become the default.
 */
async function lockOrganizationMethods(tx: Transaction, organizationId: string): Promise<void> {
  await tx.db.execute(
    sql`SELECT pg_advisory_xact_lock(hashtext('payment_methods'), hashtext(${organizationId}))`,
  );
}

/** The method of the organization, locked for the change; 404 when unknown or removed. */
async function methodForChange(
  tx: Transaction,
  organizationId: string,
  methodId: string,
): Promise<PaymentMethodRow> {
  const [method] = await tx.db
    .select()
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.id, methodId),
        eq(paymentMethods.organizationId, organizationId),
        isNull(paymentMethods.removedAt),
      ),
    )
    .for('update');
  if (!method) throw AppError.notFound('Payment method');
  return method;
}

const auditLabel = (method: PaymentMethodRow) => `${method.friendlyName} (${methodLabel(method)})`;

export type AddPaymentMethodInput = z.output<typeof addPaymentMethodBody>;

/**
 * Saves a payment method from the token the processor's own endpoint gave the browser, for an
 * organization. Charges nothing. Refusals, before the processor is asked: `agreed` not ticked
 * (400 `agreed`), words other than the authorization shown now (400 `authorizationText`: the
 * form is stale), the type turned off for the installation (409), an unknown organization
 * (404), a staff entry naming a contact who is not the organization's (400
 * `authorizedByContactId`). A token the processor refuses is a 400 on `token`; one that is not
 * of the declared type a 400 on `type`.
 *
 * Then one transaction: the method (the default when it is the organization's first or
 * `makeDefault`), the provider fee row (Configuration > Billing's fee, when above 0) and the
 * audit row. If that transaction fails the method is detached at the processor again.
 * `authorizedBy`: who agreed (the contact), from where, and the staff user who entered it.
 */
export async function addPaymentMethod(options: {
  pool: Pool;
  gateway: PaymentGateway;
  logger: Pick<Logger, 'warn'>;
  actor: Actor;
  organizationId: string;
  input: AddPaymentMethodInput;
  authorizedBy: { contactId: string | null; staffId: string | null; ip: string };
}): Promise<PaymentMethodRow> {
  const { input, gateway, organizationId } = options;
  const db = createDb(options.pool);
  if (!input.agreed) {
    throw AppError.validation(
      'agreed',
      'must be ticked: a method is saved only with your authorization',
    );
  }
  await requireOrganization(db, organizationId);
  const settings = await getPaymentSettings(db);
  if (!typeEnabled(input.type, settings)) {
    throw new AppError('conflict', `${typeTurnedOff(input.type)}: no new one can be added`, [
      { field: 'type', message: typeTurnedOff(input.type) },
    ]);
  }
  const expected = (await authorizationTexts(db))[input.type];
  if (input.authorizationText.trim() !== expected) {
    throw AppError.validation(
      'authorizationText',
      'is not the authorization this form shows now; reload the page and read it again',
    );
  }
  const contactId = options.authorizedBy.contactId;
  if (contactId) {
    const related = await db.execute(
      sql`SELECT 1 FROM contact_organizations
           WHERE contact_id = ${contactId} AND organization_id = ${organizationId}`,
    );
    if (related.rows.length === 0) {
      throw AppError.validation('authorizedByContactId', 'must be a contact of this organization');
    }
  }
  const [customer] = await db
    .select({ customerRef: paymentMethods.customerRef })
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.organizationId, organizationId),
        eq(paymentMethods.gateway, gateway.name),
        sql`${paymentMethods.customerRef} IS NOT NULL`,
      ),
    )
    .limit(1);
  let saved;
  try {
    saved = await gateway.saveMethod({
      token: input.token,
      organizationId,
      customerRef: customer?.customerRef ?? null,
      billingName: input.billingName,
    });
  } catch (error) {
    throw gatewayRefusal(error);
  }
  const detach = () =>
    gateway
      .detachMethod({ gatewayRef: saved.gatewayRef, customerRef: saved.customerRef })
      .catch((error: unknown) =>
        options.logger.warn(
          { err: error },
          'could not detach a payment method Portico did not keep',
        ),
      );
  if (saved.type !== input.type) {
    await detach();
    throw AppError.validation(
      'type',
      input.type === 'card'
        ? 'the details given are not a card'
        : 'the details given are not a bank account',
    );
  }
  try {
    return await withTransaction(options.pool, async (tx) => {
      await lockOrganizationMethods(tx, organizationId);
      const [current] = await tx.db
        .select({ id: paymentMethods.id })
        .from(paymentMethods)
        .where(
          and(
            eq(paymentMethods.organizationId, organizationId),
            eq(paymentMethods.isDefault, true),
            isNull(paymentMethods.removedAt),
          ),
        );
      const isDefault = !current || input.makeDefault === true;
      if (current && isDefault) {
        await tx.db
          .update(paymentMethods)
          .set({ isDefault: false, updatedAt: sql`now()` })
          .where(eq(paymentMethods.id, current.id));
      }
      const fees = await getPaymentSettings(tx.db);
      const [method] = await tx.db
        .insert(paymentMethods)
        .values({
          organizationId,
          gateway: gateway.name,
          gatewayRef: saved.gatewayRef,
          customerRef: saved.customerRef,
          type: saved.type,
          friendlyName: input.friendlyName,
          brand: saved.brand,
          last4: saved.last4,
          expMonth: saved.expMonth,
          expYear: saved.expYear,
          bankName: saved.bankName,
          billingName: input.billingName,
          billingAddressLine1: input.billingAddressLine1,
          billingAddressLine2: input.billingAddressLine2,
          billingCity: input.billingCity,
          billingRegion: input.billingRegion,
          billingPostalCode: input.billingPostalCode,
          billingCountry: input.billingCountry,
          authorizationText: expected,
          authorizedAt: sql`now()`,
          authorizedIp: options.authorizedBy.ip,
          authorizedByContactId: options.authorizedBy.contactId,
          authorizedByStaffId: options.authorizedBy.staffId,
          isDefault,
        })
        .returning();
      if (fees.providerFeeCents > 0) {
        await tx.db.insert(providerFees).values({
          organizationId,
          paymentMethodId: method!.id,
          amountCents: fees.providerFeeCents,
        });
      }
      await recordAudit(tx.db, options.actor, {
        organizationId,
        entityType: 'payment_method',
        entityId: method!.id,
        entityLabel: auditLabel(method!),
        action: 'payment_method.added',
        after: {
          friendlyName: method!.friendlyName,
          type: method!.type,
          label: methodLabel(method!),
          expiry: method!.type === 'card' ? expiryLabel(method!) : null,
          isDefault,
          authorizedIp: options.authorizedBy.ip,
        },
      });
      return method!;
    });
  } catch (error) {
    await detach();
    throw error;
  }
}

/** A gateway failure on a user's request, as the refusal people read. */
function gatewayRefusal(error: unknown): unknown {
  if (!(error instanceof GatewayError)) return error;
  if (error.kind === 'invalid_request') return AppError.validation('token', error.message);
  return new AppError(
    'conflict',
    'The payment processor did not answer; nothing was saved. Please try again in a minute',
  );
}

export type EditPaymentMethodInput = z.output<typeof editPaymentMethodBody>;

const editableColumns = [
  'friendlyName',
  'billingName',
  'billingAddressLine1',
  'billingAddressLine2',
  'billingCity',
  'billingRegion',
  'billingPostalCode',
  'billingCountry',
  'expMonth',
  'expYear',
] as const;

/**
 * How many years ahead a card's expiry may be: the card networks issue cards for a few years,
 * so a year further off is a typing mistake (the processor's tokenization refuses it too).
 */
const maxYearsToExpiry = 50;

/**
 * The card expiry an edit asks for, checked against the method (pure but for `today`): null
 * when the edit names no expiry; 400 `expMonth` for a bank account, 400 `expYear` for an expiry
 * before this business month or more than maxYearsToExpiry years after this year.
 */
function requestedExpiry(
  before: PaymentMethodRow,
  changes: EditPaymentMethodInput,
  today: string,
): { expMonth: number; expYear: number } | null {
  if (changes.expMonth === undefined && changes.expYear === undefined) return null;
  if (before.type !== 'card') {
    throw AppError.validation('expMonth', 'only a card has an expiry date');
  }
  const expiry = {
    type: before.type,
    expMonth: changes.expMonth ?? before.expMonth,
    expYear: changes.expYear ?? before.expYear,
  };
  if (isExpired(expiry, today)) {
    throw AppError.validation(
      'expYear',
      `${expiryLabel(expiry)} has passed: enter the expiry printed on the card`,
    );
  }
  if (expiry.expYear !== null && expiry.expYear > Number(today.slice(0, 4)) + maxYearsToExpiry) {
    throw AppError.validation('expYear', 'is too far in the future: enter the year on the card');
  }
  if (expiry.expMonth === null || expiry.expYear === null) return null;
  return { expMonth: expiry.expMonth, expYear: expiry.expYear };
}

/**
 * Edits a method's friendly name, billing details and (a card's) expiry. A new expiry is sent
 * to the processor first, outside any transaction (charges use the processor's copy; 400
 * `expMonth` when it refuses, 409 when it does not answer, and nothing is saved either way),
 * then kept in Portico. Saving unlocks a locked method and starts its failure count again
 * (PRODUCT.md: "editing the method unlocks it"): a contact who fixed the card's details may try
 * it again. 404 for an unknown, removed or another organization's method; 400 `expMonth` for a
 * bank account's expiry, 400 `expYear` for an expiry before this business month. Audited with
 * the fields that changed.
 */
export async function updatePaymentMethod(options: {
  pool: Pool;
  gateway: PaymentGateway;
  actor: Actor;
  organizationId: string;
  methodId: string;
  changes: EditPaymentMethodInput;
  today: string;
}): Promise<PaymentMethodRow> {
  const { changes } = options;
  const target = await withTransaction(options.pool, async (tx) => {
    const before = await methodForChange(tx, options.organizationId, options.methodId);
    const expiry = requestedExpiry(before, changes, options.today);
    const changed =
      expiry && (expiry.expMonth !== before.expMonth || expiry.expYear !== before.expYear);
    return changed ? { method: before, expiry } : null;
  });
  if (target) {
    try {
      await options.gateway.updateMethodExpiry(target.method, target.expiry);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      if (error.kind === 'invalid_request') throw AppError.validation('expMonth', error.message);
      throw new AppError(
        'conflict',
        'The payment processor did not answer; nothing was saved. Please try again in a minute',
      );
    }
  }
  return withTransaction(options.pool, async (tx) => {
    const before = await methodForChange(tx, options.organizationId, options.methodId);
    requestedExpiry(before, changes, options.today);
    const current = Object.fromEntries(editableColumns.map((key) => [key, before[key]]));
    const diff = changedFields<Record<string, unknown>>(current, changes);
    const wasLocked = before.lockedAt !== null;
    const [after] = await tx.db
      .update(paymentMethods)
      .set({
        ...(diff?.after ?? {}),
        lockedAt: null,
        lockedReason: null,
        failedChargeCount: 0,
        updatedAt: sql`now()`,
      })
      .where(eq(paymentMethods.id, before.id))
      .returning();
    if (diff || wasLocked) {
      await recordAudit(tx.db, options.actor, {
        organizationId: options.organizationId,
        entityType: 'payment_method',
        entityId: before.id,
        entityLabel: auditLabel(after!),
        action: 'payment_method.updated',
        before: {
          ...(diff?.before ?? {}),
          ...(wasLocked ? { lockedReason: before.lockedReason } : {}),
        },
        after: { ...(diff?.after ?? {}), ...(wasLocked ? { lockedReason: null } : {}) },
      });
    }
    return after!;
  });
}

/**
 * Makes a method the organization's default (the one Pay Selected offers first, and AutoPay
 * uses). 404 for an unknown, removed or another organization's method. Audited.
 */
export async function setDefaultPaymentMethod(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  methodId: string;
}): Promise<PaymentMethodRow> {
  return withTransaction(options.pool, async (tx) => {
    await lockOrganizationMethods(tx, options.organizationId);
    const method = await methodForChange(tx, options.organizationId, options.methodId);
    if (method.isDefault) return method;
    await tx.db
      .update(paymentMethods)
      .set({ isDefault: false, updatedAt: sql`now()` })
      .where(
        and(
          eq(paymentMethods.organizationId, options.organizationId),
          eq(paymentMethods.isDefault, true),
        ),
      );
    const [after] = await tx.db
      .update(paymentMethods)
      .set({ isDefault: true, updatedAt: sql`now()` })
      .where(eq(paymentMethods.id, method.id))
      .returning();
    await recordAudit(tx.db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'payment_method',
      entityId: method.id,
      entityLabel: auditLabel(method),
      action: 'payment_method.default_set',
      before: { isDefault: false },
      after: { isDefault: true },
    });
    return after!;
  });
}

export interface RemovedPaymentMethod {
  removed: { id: string; friendlyName: string; label: string };
  wasDefault: boolean;
  newDefault: { id: string; friendlyName: string; label: string } | null;
  paymentsInFlight: { number: string; status: string }[];
  /** Scheduled payments still to run on it, cancelled; money in minor units of `currency`. */
  scheduledPaymentsCancelled: { id: string; runOn: string; totalCents: number; currency: string }[];
  /** AutoPay rules that named it (their place in the list), charging the default method now. */
  autopayRulesChanged: { id: string; position: number; locked: boolean }[];
  message: string;
}

/**
 * What else uses a saved method, owned by other modules: each changes its own rows on the
 * removal's transaction, audited and emailed there, and answers what it changed. The
 * composition root (src/app.ts) passes them in (decision 25: payments cannot import the modules
 * that import it).
 */
export interface PaymentMethodUsers {
  /** Cancels the scheduled payments still to run on the method (scheduled-payments). */
  cancelScheduledPayments(
    tx: Transaction,
    input: { organizationId: string; paymentMethodId: string; actor: Actor },
  ): Promise<Array<{ id: string; runOn: string; totalCents: number; currency: string }>>;
  /** Makes the AutoPay rules that name the method charge the default method (autopay). */
  defaultInAutopayRules(
    tx: Transaction,
    input: { organizationId: string; paymentMethodId: string; methodLabel: string; actor: Actor },
  ): Promise<Array<{ id: string; position: number; locked: boolean }>>;
  /** What cancelScheduledPayments would cancel now (a read, for the confirmation). */
  scheduledPaymentsOn(
    db: Pool,
    input: { organizationId: string; paymentMethodId: string },
  ): Promise<Array<{ id: string; runOn: string; totalCents: number; currency: string }>>;
  /** What defaultInAutopayRules would change now (a read, for the confirmation). */
  autopayRulesNaming(
    db: Pool,
    input: { organizationId: string; paymentMethodId: string },
  ): Promise<Array<{ id: string; position: number; locked: boolean }>>;
}

/**
 * What removing a method would do, for the confirmation people read before they remove it
 * (GET …/payment-methods/{methodId}/removal): the scheduled payments it would cancel and the
 * AutoPay rules that would charge the default method, read by the modules that own them, and
 * the same sentence the removal answers. 404 for an unknown, removed or another organization's
 * method.
 */
export async function paymentMethodRemoval(options: {
  pool: Pool;
  organizationId: string;
  methodId: string;
  users: PaymentMethodUsers;
}): Promise<PaymentMethodRemoval> {
  const db = createDb(options.pool);
  const [method] = await db
    .select()
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.id, options.methodId),
        eq(paymentMethods.organizationId, options.organizationId),
        isNull(paymentMethods.removedAt),
      ),
    );
  if (!method) throw AppError.notFound('Payment method');
  const input = { organizationId: options.organizationId, paymentMethodId: method.id };
  const scheduledPaymentsCancelled = await options.users.scheduledPaymentsOn(options.pool, input);
  const autopayRulesChanged = await options.users.autopayRulesNaming(options.pool, input);
  const sentences = usedSentences(
    { cancelled: scheduledPaymentsCancelled, rules: autopayRulesChanged },
    'will',
  );
  return {
    scheduledPaymentsCancelled: scheduledPaymentsCancelled.map((payment) => ({
      id: payment.id,
      runOn: payment.runOn,
      totalCents: payment.totalCents,
      currency: payment.currency,
    })),
    autopayRulesChanged,
    message: sentences.join(' '),
  };
}

/** What removing a method would change beside it (paymentMethodRemoval's answer). */
export type PaymentMethodRemoval = Pick<
  RemovedPaymentMethod,
  'scheduledPaymentsCancelled' | 'autopayRulesChanged' | 'message'
>;

/** The sentences of a removal about what used the method, as the answer and the preview say. */
function usedSentences(
  used: { cancelled: ReadonlyArray<unknown>; rules: ReadonlyArray<{ position: number }> },
  /** 'done': the removal's answer; 'will': the confirmation before it. */
  tense: 'done' | 'will',
): string[] {
  const sentences: string[] = [];
  const many = used.cancelled.length !== 1;
  const cancelled = tense === 'will' ? 'will be' : many ? 'were' : 'was';
  if (used.cancelled.length > 0) {
    sentences.push(
      `${used.cancelled.length} scheduled ${many ? 'payments' : 'payment'} with it ${cancelled} cancelled; the invoices stay open.`,
    );
  }
  if (used.rules.length > 0) {
    const one = used.rules.length === 1;
    const places = used.rules.map((rule) => rule.position).join(', ');
    const charge = tense === 'will' ? 'will charge' : one ? 'now charges' : 'now charge';
    sentences.push(
      `AutoPay ${one ? 'rule' : 'rules'} ${places} ${charge} the default payment method.`,
    );
  }
  return sentences;
}

/**
 * Removes a method (soft: `removed_at`, so the payments that name it keep it): it is listed no
 * more and any later charge of it is refused with the reason (`chargeableMethod`), whatever
 * asks (Pay Selected, AutoPay, a scheduled payment). If it was the default, the newest
 * remaining method becomes the default, or none. What used it changes on the same transaction
 * (`users`, docs/decisions/0047-removing-a-payment-method.md): its scheduled payments still to
 * run are cancelled (Payment Cancelled), AutoPay rules naming it charge the default method
 * (AutoPay Changed; locked rules too). Payments still in flight on it (ACH processing) finish at
 * the processor. The answer names all of these. Audited; then the processor is told to detach
 * it (after the commit; a failure there is logged, Portico charges it no more either way). 404
 * for an unknown, removed or another organization's method.
 */
export async function removePaymentMethod(options: {
  pool: Pool;
  gateway: PaymentGateway;
  logger: Pick<Logger, 'warn'>;
  actor: Actor;
  organizationId: string;
  methodId: string;
  users: PaymentMethodUsers;
}): Promise<RemovedPaymentMethod> {
  const { organizationId } = options;
  const { method, answer } = await withTransaction(options.pool, async (tx) => {
    await lockOrganizationMethods(tx, organizationId);
    const method = await methodForChange(tx, organizationId, options.methodId);
    await tx.db
      .update(paymentMethods)
      .set({ removedAt: sql`now()`, isDefault: false, updatedAt: sql`now()` })
      .where(eq(paymentMethods.id, method.id));
    let newDefault: PaymentMethodRow | undefined;
    if (method.isDefault) {
      const [next] = await tx.db
        .select()
        .from(paymentMethods)
        .where(
          and(eq(paymentMethods.organizationId, organizationId), isNull(paymentMethods.removedAt)),
        )
        .orderBy(desc(paymentMethods.createdAt), paymentMethods.id)
        .limit(1);
      if (next) {
        [newDefault] = await tx.db
          .update(paymentMethods)
          .set({ isDefault: true, updatedAt: sql`now()` })
          .where(eq(paymentMethods.id, next.id))
          .returning();
      }
    }
    const inFlight = await tx.db
      .select({ number: payments.number, status: payments.status })
      .from(payments)
      .where(
        and(
          eq(payments.paymentMethodId, method.id),
          sql`${payments.status} IN ('pending', 'processing')`,
        ),
      )
      .orderBy(payments.number);
    const used = { organizationId, paymentMethodId: method.id, actor: options.actor };
    const cancelled = await options.users.cancelScheduledPayments(tx, used);
    const rules = await options.users.defaultInAutopayRules(tx, {
      ...used,
      methodLabel: methodLabel(method),
    });
    const answer = removalAnswer(method, newDefault ?? null, inFlight, { cancelled, rules });
    await recordAudit(tx.db, options.actor, {
      organizationId,
      entityType: 'payment_method',
      entityId: method.id,
      entityLabel: auditLabel(method),
      action: 'payment_method.removed',
      before: { isDefault: method.isDefault },
      after: {
        removed: true,
        newDefault: answer.newDefault?.friendlyName ?? null,
        paymentsInFlight: answer.paymentsInFlight.map((p) => p.number),
        scheduledPaymentsCancelled: cancelled.map((p) => p.id),
        autopayRulesToDefault: rules.map((r) => r.position),
      },
    });
    return { method, answer };
  });
  await options.gateway
    .detachMethod({ gatewayRef: method.gatewayRef, customerRef: method.customerRef })
    .catch((error: unknown) =>
      options.logger.warn(
        { err: error, paymentMethodId: method.id },
        'could not detach a removed payment method at the processor; Portico no longer charges it',
      ),
    );
  return answer;
}

function removalAnswer(
  method: PaymentMethodRow,
  newDefault: PaymentMethodRow | null,
  inFlight: { number: string; status: string }[],
  used: {
    cancelled: Awaited<ReturnType<PaymentMethodUsers['cancelScheduledPayments']>>;
    rules: Awaited<ReturnType<PaymentMethodUsers['defaultInAutopayRules']>>;
  },
): RemovedPaymentMethod {
  const brief = (m: PaymentMethodRow) => ({
    id: m.id,
    friendlyName: m.friendlyName,
    label: methodLabel(m),
  });
  const sentences = [
    `“${method.friendlyName}” (${methodLabel(method)}) was removed and will not be charged again.`,
  ];
  if (method.isDefault) {
    sentences.push(
      newDefault
        ? `“${newDefault.friendlyName}” (${methodLabel(newDefault)}) is the default payment method now.`
        : 'No payment method is the default now.',
    );
  }
  if (inFlight.length > 0) {
    sentences.push(
      `${inFlight.map((p) => p.number).join(', ')} already made with it will still complete.`,
    );
  }
  sentences.push(...usedSentences(used, 'done'));
  return {
    removed: brief(method),
    wasDefault: method.isDefault,
    newDefault: newDefault ? brief(newDefault) : null,
    paymentsInFlight: inFlight,
    scheduledPaymentsCancelled: used.cancelled.map((payment) => ({
      id: payment.id,
      runOn: payment.runOn,
      totalCents: payment.totalCents,
      currency: payment.currency,
    })),
    autopayRulesChanged: used.rules,
    message: sentences.join(' '),
  };
}

/**
 * Staff unlock a locked method (its failure count starts again); the reason they give is kept
 * in the audit row. An unlocked method is answered as it is. 404 for an unknown, removed or
 * another organization's method.
 */
export async function unlockPaymentMethod(options: {
  pool: Pool;
  actor: Actor;
  organizationId: string;
  methodId: string;
  reason: string;
}): Promise<PaymentMethodRow> {
  return withTransaction(options.pool, async (tx) => {
    const method = await methodForChange(tx, options.organizationId, options.methodId);
    if (!method.lockedAt) return method;
    const [after] = await tx.db
      .update(paymentMethods)
      .set({ lockedAt: null, lockedReason: null, failedChargeCount: 0, updatedAt: sql`now()` })
      .where(eq(paymentMethods.id, method.id))
      .returning();
    await recordAudit(tx.db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'payment_method',
      entityId: method.id,
      entityLabel: auditLabel(method),
      action: 'payment_method.unlocked',
      before: { lockedReason: method.lockedReason, failedChargeCount: method.failedChargeCount },
      after: { lockedReason: null, failedChargeCount: 0, reason: options.reason },
    });
    return after!;
  });
}
