import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/context.js';
import { currentTime } from '../../platform/context.js';
import {
  withTransaction,
  type Pool,
  type PoolClient,
  type Transaction,
} from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import { defaultNotificationRecipients } from '../email/email.service.js';
import { renderEmail } from '../email/templates/index.js';
import { lockOpenInvoicesForPayment } from '../invoices/invoice-payments.js';
import { checkAllocations } from '../payments/pay-invoices.js';
import { clientRecipients } from '../payments/payment-receipts.js';
import { chargeableMethod, methodLabel } from '../payments/payment-methods.js';
import { businessToday } from '../settings/business-date.js';
import { getBrand } from '../settings/settings.service.js';
import { formatDate, type DateFormat } from '../../shared/dates.js';
import type {
  ScheduledPayment,
  ScheduledPaymentStatus,
} from '../../shared/contract/scheduled-payments.js';

/**
 * Scheduled Payments (docs/decisions/0036-scheduled-payments.md): a contact pays invoices on a
 * future business date. Scheduling, changing and cancelling are use cases here; the daily job
 * that charges them is scheduled-payments.job.ts. Every change is audited and emailed (Payment
 * Scheduled, Payment Rescheduled, Payment Cancelled) in the transaction that makes it. Money is
 * integer minor units of the invoices' currency; dates are YYYY-MM-DD in the MSP's time zone.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

/** How far ahead a payment may be scheduled: a year, in days. */
export const maxDaysAhead = 366;

const viewColumns = `s.id, s.organization_id AS "organizationId", o.name AS "organizationName",
  s.run_on AS "runOn", s.status, s.currency,
  s.payment_method_id AS "paymentMethodId", m.friendly_name AS "methodName", m.type AS "methodType",
  m.brand AS "methodBrand", m.last4 AS "methodLast4",
  c.name AS "scheduledBy", s.payment_id AS "paymentId", p.number AS "paymentNumber",
  s.outcome_message AS "outcomeMessage", s.created_at AS "createdAt",
  coalesce((SELECT json_agg(json_build_object(
             'invoiceId', a.invoice_id, 'invoiceNumber', i.number,
             -- Once it ran, what its payment took on the invoice: the run caps each amount at
             -- what was still owed, and leaves out an invoice paid meanwhile (0 here).
             'amountCents', CASE WHEN s.payment_id IS NULL THEN a.amount_cents
                                 ELSE coalesce((SELECT pa.applied_cents FROM payment_allocations pa
                                                 WHERE pa.payment_id = s.payment_id
                                                   AND pa.invoice_id = a.invoice_id), 0) END,
             'balanceCents', i.balance_cents) ORDER BY i.number)
              FROM scheduled_payment_allocations a JOIN invoices i ON i.id = a.invoice_id
             WHERE a.scheduled_payment_id = s.id), '[]'::json) AS allocations`;

const viewFrom = `FROM scheduled_payments s
  JOIN organizations o ON o.id = s.organization_id
  JOIN payment_methods m ON m.id = s.payment_method_id
  LEFT JOIN contacts c ON c.id = s.created_by_contact_id
  LEFT JOIN payments p ON p.id = s.payment_id`;

interface ViewRow extends Omit<ScheduledPayment, 'methodLabel' | 'totalCents'> {
  methodName: string;
  methodType: 'card' | 'ach';
  methodBrand: string | null;
  methodLast4: string;
}

function toView(row: ViewRow): ScheduledPayment {
  const { methodName, methodType, methodBrand, methodLast4, ...rest } = row;
  const label = methodLabel({ type: methodType, brand: methodBrand, last4: methodLast4 });
  return {
    ...rest,
    methodLabel: `${methodName} (${label})`,
    totalCents: row.allocations.reduce((sum, a) => sum + Number(a.amountCents), 0),
    allocations: row.allocations.map((a) => ({
      ...a,
      amountCents: Number(a.amountCents),
      balanceCents: Number(a.balanceCents),
    })),
  };
}

/** Scheduled payments by a filter written in SQL over `s` (scheduled_payments). */
async function views(
  db: Pool | PoolClient,
  where: string,
  params: unknown[],
): Promise<ScheduledPayment[]> {
  const result = await db.query<ViewRow>(
    `SELECT ${viewColumns} ${viewFrom} WHERE ${where} ORDER BY s.run_on, s.created_at, s.id`,
    params,
  );
  return result.rows.map(toView);
}

/**
 * The organization's scheduled payments, soonest first: those still to run, then (for a
 * while) those that ran or were cancelled in the last 90 days, so the contact sees what
 * became of them.
 */
export async function listScheduledPayments(options: {
  pool: Pool;
  organizationId: string;
}): Promise<ScheduledPayment[]> {
  return views(
    options.pool,
    `s.organization_id = $1
       AND (s.status IN ('scheduled', 'processing') OR s.updated_at > now() - interval '90 days')`,
    [options.organizationId],
  );
}

/**
 * Every organization's scheduled payments still to run (scheduled or processing) whose date is
 * from `from` through `through` (business dates, inclusive): the Payments Calendar's.
 */
export async function scheduledPaymentsBetween(
  db: Pool | PoolClient,
  range: { from: string; through: string },
): Promise<ScheduledPayment[]> {
  if (range.from > range.through) {
    throw AppError.validation('through', 'must be on or after from');
  }
  return views(db, `s.status IN ('scheduled', 'processing') AND s.run_on BETWEEN $1 AND $2`, [
    range.from,
    range.through,
  ]);
}

/**
 * Every organization's scheduled payments dated from `from` through `through` (business dates,
 * inclusive) but those cancelled: the ones still to run (scheduled, processing) and the ones
 * that ran (paid, failed, skipped). The Payments Calendar's: a past day shows what became of
 * its payments, a later day what will run. The caller bounds the range.
 */
export async function scheduledPaymentsDatedBetween(
  db: Pool | PoolClient,
  range: { from: string; through: string },
): Promise<ScheduledPayment[]> {
  return views(db, `s.status <> 'cancelled' AND s.run_on BETWEEN $1 AND $2`, [
    range.from,
    range.through,
  ]);
}

/** One scheduled payment of the organization, or 404. */
async function scheduledPaymentView(
  db: Pool | PoolClient,
  scope: { organizationId: string; id: string },
): Promise<ScheduledPayment> {
  const [found] = await views(db, 's.id = $1 AND s.organization_id = $2', [
    scope.id,
    scope.organizationId,
  ]);
  if (!found) throw AppError.notFound('Scheduled payment');
  return found;
}

/** Adds `days` to a business date (YYYY-MM-DD). */
function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/**
 * Refuses a date that is not after today (MSP's time zone) or more than `maxDaysAhead` away:
 * 400 naming `runOn`, the dates written in the MSP's date format (the contact reads them under
 * the date field). Today is Pay Selected's job, not a schedule's.
 */
function checkRunOn(runOn: string, today: string, dateFormat: DateFormat) {
  if (runOn <= today) {
    throw AppError.validation(
      'runOn',
      `must be after today (${formatDate(today, dateFormat)}); to pay today, use Pay Selected without a date`,
    );
  }
  const latest = addDays(today, maxDaysAhead);
  if (runOn > latest) {
    throw AppError.validation('runOn', `must be on or before ${formatDate(latest, dateFormat)}`);
  }
}

/** Refuses (409) invoices another scheduled payment not yet run already pays. */
async function refuseScheduledTwice(
  tx: Transaction,
  options: { invoiceIds: string[]; except?: string; dateFormat: DateFormat },
) {
  const found = await tx.client.query<{ index: number; number: string; runOn: string }>(
    `SELECT array_position($1::uuid[], a.invoice_id) - 1 AS index, i.number, s.run_on AS "runOn"
       FROM scheduled_payment_allocations a
       JOIN scheduled_payments s ON s.id = a.scheduled_payment_id
       JOIN invoices i ON i.id = a.invoice_id
      WHERE a.invoice_id = ANY($1::uuid[]) AND s.status IN ('scheduled', 'processing')
        AND s.id IS DISTINCT FROM $2::uuid
      ORDER BY 1 LIMIT 1`,
    [options.invoiceIds, options.except ?? null],
  );
  const first = found.rows[0];
  if (!first) return;
  const message = `Invoice ${first.number} is already in a payment scheduled for ${formatDate(first.runOn, options.dateFormat)}; change or cancel that one`;
  throw new AppError('conflict', message, [
    { field: `allocations.${first.index}.invoiceId`, message },
  ]);
}

/** Which scheduled payment email, and the words beside it. */
type ScheduledEmail =
  'payment_scheduled' | 'payment_rescheduled' | 'payment_cancelled' | 'scheduled_payment_adjusted';

/**
 * Queues one of the scheduled payment emails on `tx`, to the contact who scheduled it and the
 * organization's Default Notification Emails (each address once).
 */
export async function queueScheduledPaymentEmail(
  tx: Transaction,
  deps: Pick<AppContext, 'jobs' | 'config'>,
  options: {
    template: ScheduledEmail;
    view: ScheduledPayment;
    actor: Actor;
    /** The payment before a change (Payment Rescheduled): the email says what changed. */
    previous?: ScheduledPayment;
    notes?: string[];
  },
): Promise<void> {
  const { view } = options;
  const contact = (
    await tx.client.query<{ id: string; name: string; email: string }>(
      `SELECT c.id, c.name, c.email FROM scheduled_payments s
         JOIN contacts c ON c.id = s.created_by_contact_id
        WHERE s.id = $1 AND c.email <> ''`,
      [view.id],
    )
  ).rows[0];
  const recipients = clientRecipients(
    {
      contactId: contact?.id ?? null,
      contactName: contact?.name ?? null,
      contactEmail: contact?.email ?? null,
    },
    await defaultNotificationRecipients(tx, view.organizationId),
  );
  if (recipients.length === 0) return;
  const brand = await getBrand(tx.db, deps.config);
  const contactName =
    recipients.length === 1 ? recipients[0]!.name : `${view.organizationName} team`;
  const rendered = await renderEmail(
    options.template,
    {
      contactName,
      organizationId: view.organizationId,
      organizationName: view.organizationName,
      runOn: view.runOn,
      previousRunOn: options.previous?.runOn ?? null,
      previousTotalCents: options.previous?.totalCents ?? null,
      totalCents: view.totalCents,
      currency: view.currency,
      methodLabel: view.methodLabel,
      invoices: view.allocations.map((a) => ({
        number: a.invoiceNumber,
        amountCents: a.amountCents,
        previousAmountCents:
          options.previous?.allocations.find((b) => b.invoiceId === a.invoiceId)?.amountCents ??
          null,
      })),
      changedBy: await changedByInWords(tx, options.actor),
      notes: options.notes ?? [],
    },
    brand,
  );
  await queueEmail(tx, deps, {
    organizationId: view.organizationId,
    template: options.template,
    recipients,
    rendered,
    linkBase: linkBaseOf(options.template, { brand, address: deps.config }),
    triggeredBy: options.actor,
    reason: `Scheduled payment for ${view.runOn}`,
  });
}

/**
 * Who changed or cancelled a scheduled payment, as the emails say it to the contact who
 * scheduled it and the organization's notification contacts (who did not all do it): a contact
 * by name, staff as "Our billing team"; null when the daily run ended it.
 */
async function changedByInWords(tx: Transaction, actor: Actor): Promise<string | null> {
  if (actor.kind === 'staff') return 'Our billing team';
  if (actor.kind !== 'contact' || !actor.id) return null;
  const contact = (
    await tx.client.query<{ name: string }>(`SELECT name FROM contacts WHERE id = $1`, [actor.id])
  ).rows[0];
  return contact?.name ?? null;
}

const auditShape = (view: ScheduledPayment) => ({
  runOn: view.runOn,
  status: view.status,
  method: view.methodLabel,
  totalCents: view.totalCents,
  currency: view.currency,
  allocations: view.allocations.map((a) => ({
    invoice: a.invoiceNumber,
    amountCents: a.amountCents,
  })),
});

/**
 * Schedules a payment (Pay Selected with a future date): the invoices, amounts (minor units),
 * method and date, checked as Pay Selected checks them (checkAllocations: 404 for another
 * organization's invoice or a draft, 400 naming `allocations.<n>.amountCents` for 0, negative,
 * too many decimals or more than the balance; chargeableMethod: 404 for another organization's
 * method, 409 when it cannot be charged on `runOn`), plus 400 naming `runOn` for today or a past
 * date, and 409 for an invoice another scheduled payment already pays. Nothing is charged.
 * Audited and emailed (Payment Scheduled) in the same transaction. Answers the payment.
 */
export async function schedulePayment(options: {
  context: Deps;
  actor: Actor;
  organizationId: string;
  contactId: string;
  paymentMethodId: string;
  runOn: string;
  allocations: { invoiceId: string; amountCents: number; balanceCents?: number }[];
}): Promise<ScheduledPayment> {
  const { context } = options;
  return withTransaction(context.pool, async (tx) => {
    const today = await businessToday(tx.client, currentTime(context));
    const { dateFormat } = await getBrand(tx.db, context.config);
    checkRunOn(options.runOn, today, dateFormat);
    const invoices = await lockOpenInvoicesForPayment(tx, {
      organizationId: options.organizationId,
      invoiceIds: options.allocations.map((a) => a.invoiceId),
    });
    const { currency } = checkAllocations(options.allocations, invoices);
    // Chargeable on the day it runs: a card that will have expired by then is refused now.
    const method = await chargeableMethod(tx, {
      organizationId: options.organizationId,
      methodId: options.paymentMethodId,
      chargeOn: options.runOn,
    });
    await refuseScheduledTwice(tx, {
      invoiceIds: options.allocations.map((a) => a.invoiceId),
      dateFormat,
    });
    const id = randomUUID();
    await tx.client.query(
      `INSERT INTO scheduled_payments (id, organization_id, contact_id, payment_method_id, run_on,
                                       currency, created_by_contact_id)
       VALUES ($1, $2, $3, $4, $5, $6, $3)`,
      [id, options.organizationId, options.contactId, method.id, options.runOn, currency],
    );
    await tx.client.query(
      `INSERT INTO scheduled_payment_allocations (scheduled_payment_id, invoice_id, amount_cents)
       SELECT $1, x.invoice_id, x.amount_cents
         FROM unnest($2::uuid[], $3::bigint[]) AS x(invoice_id, amount_cents)`,
      [
        id,
        options.allocations.map((a) => a.invoiceId),
        options.allocations.map((a) => a.amountCents),
      ],
    );
    const view = await scheduledPaymentView(tx.client, {
      id,
      organizationId: options.organizationId,
    });
    await recordAudit(tx.db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'scheduled_payment',
      entityId: id,
      entityLabel: `Scheduled payment for ${view.runOn}`,
      action: 'scheduled_payment.created',
      after: auditShape(view),
    });
    await queueScheduledPaymentEmail(tx, context, {
      template: 'payment_scheduled',
      view,
      actor: options.actor,
    });
    return view;
  });
}

/** Locks the organization's scheduled payment; 404 when it is not one of its own. */
async function lockScheduled(
  tx: Transaction,
  scope: { organizationId: string; id: string },
): Promise<{ status: ScheduledPaymentStatus; paymentMethodId: string }> {
  const found = await tx.client.query<{ status: ScheduledPaymentStatus; paymentMethodId: string }>(
    `SELECT status, payment_method_id AS "paymentMethodId" FROM scheduled_payments
      WHERE id = $1 AND organization_id = $2 FOR UPDATE`,
    [scope.id, scope.organizationId],
  );
  if (!found.rows[0]) throw AppError.notFound('Scheduled payment');
  return found.rows[0];
}

/** 409 with the reason, for a payment the job has claimed, or that ran or was cancelled. */
function refuseUnlessScheduled(status: ScheduledPaymentStatus, doing: 'changed' | 'cancelled') {
  if (status === 'scheduled') return;
  const why: Record<Exclude<ScheduledPaymentStatus, 'scheduled'>, string> = {
    processing: 'it is being processed now',
    paid: 'it has been paid',
    failed: 'it has already run (and failed)',
    skipped: 'it has already run (there was nothing left to pay)',
    cancelled: 'it was cancelled',
  };
  throw new AppError(
    'conflict',
    `This scheduled payment can no longer be ${doing}: ${why[status]}`,
  );
}

/**
 * Changes a scheduled payment's date, amounts, or both, until it starts processing (409 with the
 * reason after; 404 for another organization's). `allocations` lists invoices it already pays
 * with their new amounts (400 naming `allocations.<n>.invoiceId` for another invoice); the
 * amounts are checked as when scheduling, against today's balances. Audited (before and after)
 * and emailed (Payment Rescheduled) in the same transaction. A change that leaves the date and
 * every amount as they are (the same request sent twice, Save pressed again) is still checked,
 * but writes, audits and emails nothing: `changed` is false.
 */
export async function changeScheduledPayment(options: {
  context: Deps;
  actor: Actor;
  organizationId: string;
  scheduledPaymentId: string;
  changes: { runOn?: string; allocations?: { invoiceId: string; amountCents: number }[] };
}): Promise<{ scheduledPayment: ScheduledPayment; changed: boolean }> {
  const { context, changes } = options;
  const scope = { organizationId: options.organizationId, id: options.scheduledPaymentId };
  return withTransaction(context.pool, async (tx) => {
    const locked = await lockScheduled(tx, scope);
    refuseUnlessScheduled(locked.status, 'changed');
    const before = await scheduledPaymentView(tx.client, scope);
    const today = await businessToday(tx.client, currentTime(context));
    const runOn = changes.runOn ?? before.runOn;
    if (changes.runOn !== undefined) {
      checkRunOn(runOn, today, (await getBrand(tx.db, context.config)).dateFormat);
    }

    const amounts = new Map(before.allocations.map((a) => [a.invoiceId, a.amountCents]));
    const changedAmounts = changes.allocations ?? [];
    changedAmounts.forEach((allocation, index) => {
      if (!amounts.has(allocation.invoiceId)) {
        throw AppError.validation(
          `allocations.${index}.invoiceId`,
          'is not an invoice this scheduled payment pays',
        );
      }
    });
    if (changedAmounts.length > 0) {
      const invoices = await lockOpenInvoicesForPayment(tx, {
        organizationId: options.organizationId,
        invoiceIds: changedAmounts.map((a) => a.invoiceId),
      });
      // The same checks as scheduling, each refusal naming the field the request sent.
      checkAllocations(changedAmounts, invoices);
      for (const allocation of changedAmounts) {
        amounts.set(allocation.invoiceId, allocation.amountCents);
      }
    }
    if (changes.runOn !== undefined) {
      // The card must still be chargeable on the new date.
      await chargeableMethod(tx, {
        organizationId: options.organizationId,
        methodId: locked.paymentMethodId,
        chargeOn: runOn,
      });
    }
    const unchanged =
      runOn === before.runOn &&
      before.allocations.every((a) => amounts.get(a.invoiceId) === a.amountCents);
    if (unchanged) return { scheduledPayment: before, changed: false };
    const changedBy =
      options.actor.kind === 'staff'
        ? { contact: null, staff: options.actor.id }
        : { contact: options.actor.id, staff: null };
    await tx.client.query(
      `UPDATE scheduled_payments
          SET run_on = $2, changed_by_contact_id = $3, changed_by_staff_id = $4, updated_at = now()
        WHERE id = $1`,
      [scope.id, runOn, changedBy.contact, changedBy.staff],
    );
    await tx.client.query(
      `UPDATE scheduled_payment_allocations a SET amount_cents = x.amount_cents
         FROM unnest($2::uuid[], $3::bigint[]) AS x(invoice_id, amount_cents)
        WHERE a.scheduled_payment_id = $1 AND a.invoice_id = x.invoice_id`,
      [scope.id, [...amounts.keys()], [...amounts.values()]],
    );
    const after = await scheduledPaymentView(tx.client, scope);
    await recordAudit(tx.db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'scheduled_payment',
      entityId: scope.id,
      entityLabel: `Scheduled payment for ${after.runOn}`,
      action: 'scheduled_payment.changed',
      before: auditShape(before),
      after: auditShape(after),
    });
    await queueScheduledPaymentEmail(tx, context, {
      template: 'payment_rescheduled',
      view: after,
      actor: options.actor,
      previous: before,
    });
    return { scheduledPayment: after, changed: true };
  });
}

/**
 * Cancels a scheduled payment, by its contact or by staff, until it starts processing (409 with
 * the reason after; 404 for another organization's). Audited and emailed (Payment Cancelled) in
 * the same transaction. Answers the payment, cancelled.
 */
export async function cancelScheduledPayment(options: {
  context: Deps;
  actor: Actor;
  organizationId: string;
  scheduledPaymentId: string;
}): Promise<ScheduledPayment> {
  const { context } = options;
  const scope = { organizationId: options.organizationId, id: options.scheduledPaymentId };
  return withTransaction(context.pool, async (tx) => {
    const locked = await lockScheduled(tx, scope);
    refuseUnlessScheduled(locked.status, 'cancelled');
    const changedBy =
      options.actor.kind === 'staff'
        ? { contact: null, staff: options.actor.id }
        : { contact: options.actor.id, staff: null };
    await tx.client.query(
      `UPDATE scheduled_payments
          SET status = 'cancelled', cancelled_at = now(), changed_by_contact_id = $2,
              changed_by_staff_id = $3, updated_at = now()
        WHERE id = $1`,
      [scope.id, changedBy.contact, changedBy.staff],
    );
    const view = await scheduledPaymentView(tx.client, scope);
    await recordAudit(tx.db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'scheduled_payment',
      entityId: scope.id,
      entityLabel: `Scheduled payment for ${view.runOn}`,
      action: 'scheduled_payment.cancelled',
      before: { status: 'scheduled' },
      after: { status: 'cancelled' },
    });
    await queueScheduledPaymentEmail(tx, context, {
      template: 'payment_cancelled',
      view,
      actor: options.actor,
    });
    return view;
  });
}

export { scheduledPaymentView };

/**
 * Cancels, on `tx`, the organization's scheduled payments still to run (status scheduled) on
 * `paymentMethodId`: the method is being removed (payment-methods.ts, removePaymentMethod, on
 * the same transaction). Each is audited (`scheduled_payment.cancelled`, reason
 * `payment_method_removed`) and emailed Payment Cancelled, saying why. A payment already
 * processing goes on (its charge reached the processor). Cancelled rather than moved to another
 * method: the client chose and authorized this method for this payment (decision 47).
 * Answers the payments cancelled, by date.
 */
export async function cancelScheduledPaymentsOnMethod(
  tx: Transaction,
  deps: Pick<AppContext, 'jobs' | 'config'>,
  input: { organizationId: string; paymentMethodId: string; actor: Actor },
): Promise<ScheduledPayment[]> {
  const cancelled = await tx.client.query<{ id: string }>(
    `UPDATE scheduled_payments
        SET status = 'cancelled', cancelled_at = now(), changed_by_contact_id = $3,
            changed_by_staff_id = $4, updated_at = now()
      WHERE organization_id = $1 AND payment_method_id = $2 AND status = 'scheduled'
      RETURNING id`,
    [
      input.organizationId,
      input.paymentMethodId,
      input.actor.kind === 'contact' ? input.actor.id : null,
      input.actor.kind === 'staff' ? input.actor.id : null,
    ],
  );
  const views: ScheduledPayment[] = [];
  for (const { id } of cancelled.rows) {
    const view = await scheduledPaymentView(tx.client, {
      organizationId: input.organizationId,
      id,
    });
    await recordAudit(tx.db, input.actor, {
      organizationId: input.organizationId,
      entityType: 'scheduled_payment',
      entityId: id,
      entityLabel: `Scheduled payment for ${view.runOn}`,
      action: 'scheduled_payment.cancelled',
      before: { status: 'scheduled' },
      after: { status: 'cancelled', reason: 'payment_method_removed' },
    });
    await queueScheduledPaymentEmail(tx, deps, {
      template: 'payment_cancelled',
      view,
      actor: input.actor,
      notes: [
        `It was to be charged to the ${view.methodLabel}, which was removed from the payment methods. The invoices stay open: schedule them again with another method, or pay them now.`,
      ],
    });
    views.push(view);
  }
  return views.sort((a, b) => (a.runOn < b.runOn ? -1 : a.runOn > b.runOn ? 1 : 0));
}

/**
 * The organization's scheduled payments still to run (status scheduled) on `paymentMethodId`,
 * by date: what cancelScheduledPaymentsOnMethod would cancel (the removal's confirmation).
 */
export async function scheduledPaymentsOnMethod(
  db: Pool | PoolClient,
  input: { organizationId: string; paymentMethodId: string },
): Promise<ScheduledPayment[]> {
  const found = await views(
    db,
    `s.organization_id = $1 AND s.payment_method_id = $2 AND s.status = 'scheduled'`,
    [input.organizationId, input.paymentMethodId],
  );
  return found.sort((a, b) => (a.runOn < b.runOn ? -1 : a.runOn > b.runOn ? 1 : 0));
}
