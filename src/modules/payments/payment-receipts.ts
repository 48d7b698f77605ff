import type { AppContext } from '../../platform/context.js';
import { withTransaction, type Transaction } from '../../platform/database.js';
import type { SQL } from 'drizzle-orm';
import { enqueueInTransaction, jobInsert, type JobDefinition } from '../../platform/jobs.js';
import type { Actor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import { defaultNotificationRecipients } from '../email/email.service.js';
import type { EmailRecipient } from '../email/email.schema.js';
import { renderEmail } from '../email/templates/index.js';
import type { PaymentEmailData } from '../email/templates/payment-details.js';
import { getBrand } from '../settings/settings.service.js';
import { locksMethodAtOnce } from './payment-methods.js';
import { billingRecipients } from '../staff/billing-recipients.js';

/**
 * The emails a payment's outcome sends. The transaction that records the outcome enqueues the
 * `payments.receipts` job (so the emails exist only if the outcome committed); the job renders
 * and queues them, off the pay request's path (rendering React to HTML and text is the costliest
 * step of a payment, and held the payment's locks while it ran). A row in
 * payment_receipts_sent, written on the transaction that queues them, makes a rerun of the job
 * send nothing again. Clients: the contact who paid and the organization's Default Notification Emails.
 * Staff: "Payment Made" to every active Master Admin and Billing user (those who handle money;
 * Read Only staff are not sent it), at the console's address.
 */

type Deps = Pick<AppContext, 'jobs' | 'config'>;

/** The job that renders and queues a payment's outcome emails. */
export const paymentEmailsJobName = 'payments.receipts';

/** Which outcome: the client email it sends (and, for a receipt, the staff one too). */
export type PaymentEmailKind = 'receipt' | 'failed' | 'processing' | 'returned';

/**
 * One run of the job: a payment's outcome emails, or the Refund Issued email of one of its
 * refunds (a payment can have several refunds, each emailed once).
 */
export type PaymentEmailJob =
  | { paymentId: string; kind: PaymentEmailKind; actor: Actor }
  | { paymentId: string; kind: 'refund'; refundId: string; actor: Actor };

/** What payment_receipts_sent records for a job: the kind, and which refund for a refund. */
function sentKind(job: PaymentEmailJob): string {
  return job.kind === 'refund' ? `refund:${job.refundId}` : job.kind;
}

const clientTemplates = {
  receipt: 'payment_receipt',
  failed: 'payment_failed',
  processing: 'payment_processing',
  returned: 'payment_returned',
} as const;

export interface PaymentFacts {
  id: string;
  number: string;
  organizationId: string;
  organizationName: string;
  amountCents: number;
  currency: string;
  methodLabel: string;
  failureMessage: string | null;
  createdAt: Date;
  /** The day a payment staff recorded was received (YYYY-MM-DD); null for a portal payment. */
  receivedOn: string | null;
  contactId: string | null;
  contactName: string | null;
  contactEmail: string | null;
  /** The staff user who recorded a payment received outside the portal. */
  recordedBy: string | null;
  /** What no invoice took: the amount less what each invoice was meant to get. */
  unappliedCents: number;
  /** Who started it: 'portal', 'staff', 'autopay', 'scheduled' (payments.source). */
  source: string;
  failureCode: string | null;
}

async function paymentFacts(tx: Transaction, paymentId: string) {
  const payment = (
    await tx.client.query<PaymentFacts>(
      `SELECT p.id, p.number, p.organization_id AS "organizationId", o.name AS "organizationName",
              p.amount_cents AS "amountCents", p.currency, p.method_label AS "methodLabel",
              p.failure_message AS "failureMessage", p.created_at AS "createdAt",
              p.received_on AS "receivedOn",
              c.id AS "contactId", c.name AS "contactName", c.email AS "contactEmail",
              s.name AS "recordedBy", p.source, p.failure_code AS "failureCode",
              (p.amount_cents - coalesce((SELECT sum(a.applied_cents) FROM payment_allocations a
                                           WHERE a.payment_id = p.id), 0))::bigint
                AS "unappliedCents"
         FROM payments p
         JOIN organizations o ON o.id = p.organization_id
         LEFT JOIN contacts c ON c.id = p.created_by_contact_id
         LEFT JOIN staff_users s ON s.id = p.created_by_staff_id
        WHERE p.id = $1`,
      [paymentId],
    )
  ).rows[0];
  if (!payment) throw new Error(`payment ${paymentId} not found`);
  // What each invoice was meant to get (applied_cents: a failed or returned payment's current
  // amount is 0) and what it owes now.
  const invoices = (
    await tx.client.query<{ number: string; amountCents: number; balanceCents: number }>(
      `SELECT i.number, a.applied_cents AS "amountCents", i.balance_cents AS "balanceCents"
         FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.payment_id = $1 ORDER BY i.number`,
      [paymentId],
    )
  ).rows;
  return { payment, invoices };
}

/** The paying contact first, then the Default Notification Emails, each address once. */
export function clientRecipients(
  payment: Pick<PaymentFacts, 'contactId' | 'contactName' | 'contactEmail'>,
  defaults: EmailRecipient[],
): EmailRecipient[] {
  const all: EmailRecipient[] = [];
  if (payment.contactId && payment.contactEmail) {
    all.push({
      email: payment.contactEmail,
      name: payment.contactName ?? '',
      contactId: payment.contactId,
    });
  }
  all.push(...defaults);
  const seen = new Set<string>();
  return all.filter((r) => {
    const key = r.email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Queues the emails of a payment's outcome (`kind`) on `tx`: the client's Payment Receipt,
 * Payment Failed, Payment Processing or Payment Returned, and for a receipt the staff's
 * Payment Made. Sends nothing to a side that has no address.
 */
export async function queuePaymentEmails(
  tx: Transaction,
  deps: Deps,
  options: { paymentId: string; kind: PaymentEmailKind; actor: Actor },
): Promise<void> {
  const { payment, invoices } = await paymentFacts(tx, options.paymentId);
  const brand = await getBrand(tx.db, deps.config);
  const data: Omit<PaymentEmailData, 'contactName'> = {
    organizationId: payment.organizationId,
    organizationName: payment.organizationName,
    paymentNumber: payment.number,
    paidAt: new Date(payment.createdAt).toISOString(),
    receivedOn: payment.receivedOn,
    amountCents: payment.amountCents,
    currency: payment.currency,
    methodLabel: payment.methodLabel,
    invoices,
    failureMessage: payment.failureMessage,
    unappliedCents: payment.unappliedCents,
  };
  const reason = `Payment ${payment.number}`;

  const recipients = clientRecipients(
    payment,
    await defaultNotificationRecipients(tx, payment.organizationId),
  );
  // AutoPay met a refusal for good (a hard decline, or a debit returned because the account is
  // closed or unknown): the method is locked, and the client is told once, by Payment Method
  // Failure (the method, the invoice, the amount, what to do), not also by Payment Failed or
  // Payment Returned. For a decline the run sends it as it records the try (autopay-run.ts);
  // a return comes later, through the processor, so it is sent here.
  const autopayMethodFailure =
    payment.source === 'autopay' &&
    (options.kind === 'failed' || options.kind === 'returned') &&
    locksMethodAtOnce(payment.failureCode);
  if (autopayMethodFailure && options.kind === 'failed') return;
  if (autopayMethodFailure && recipients.length > 0) {
    await queueEmail(tx, deps, {
      organizationId: payment.organizationId,
      template: 'payment_method_failure',
      recipients,
      rendered: await renderEmail(
        'payment_method_failure',
        {
          contactName:
            recipients.length === 1 ? recipients[0]!.name : `${payment.organizationName} team`,
          organizationId: payment.organizationId,
          organizationName: payment.organizationName,
          methodLabel: payment.methodLabel,
          reason: payment.failureMessage ?? 'The bank returned the payment.',
          invoiceNumber: invoices.map((invoice) => invoice.number).join(', '),
          amountCents: payment.amountCents,
          currency: payment.currency,
        },
        brand,
      ),
      linkBase: linkBaseOf('payment_method_failure', { brand, address: deps.config }),
      triggeredBy: options.actor,
      reason,
      dedupeKey: `payment_method_failure:${payment.id}`,
    });
  } else if (recipients.length > 0) {
    const template = clientTemplates[options.kind];
    const contactName =
      recipients.length === 1 ? recipients[0]!.name : `${payment.organizationName} team`;
    await queueEmail(tx, deps, {
      organizationId: payment.organizationId,
      template,
      recipients,
      rendered: await renderEmail(template, { ...data, contactName }, brand),
      linkBase: linkBaseOf(template, { brand, address: deps.config }),
      triggeredBy: options.actor,
      reason,
      dedupeKey: `${template}:${payment.id}`,
    });
  }

  if (options.kind !== 'receipt') return;
  const staff = await billingRecipients(tx.client);
  if (staff.length === 0) return;
  await queueEmail(tx, deps, {
    organizationId: payment.organizationId,
    template: 'payment_made',
    recipients: staff.map((s) => ({ email: s.email, name: s.name, contactId: null })),
    rendered: await renderEmail(
      'payment_made',
      {
        ...data,
        contactName: 'Billing team',
        paidBy: payment.contactName,
        recordedBy: payment.recordedBy,
        consoleUrl: deps.config.PUBLIC_URL,
      },
      brand,
    ),
    linkBase: linkBaseOf('payment_made', { brand, address: deps.config }),
    triggeredBy: options.actor,
    reason,
    dedupeKey: `payment_made:${payment.id}`,
  });
}

/**
 * Enqueues, on the outcome's transaction `tx`, the job that sends the emails of a payment's
 * outcome `kind`, or of one refund (sendPaymentEmails). One job per payment and kind (per
 * refund for a refund; pg-boss singletonKey).
 */
export async function enqueuePaymentEmails(
  tx: Transaction,
  deps: Pick<AppContext, 'jobs'>,
  options: PaymentEmailJob,
): Promise<void> {
  await enqueueInTransaction(
    deps.jobs,
    tx.client,
    paymentEmailsJobName,
    options,
    paymentEmailsJobOptions(options),
  );
}

/**
 * The same job as enqueuePaymentEmails, as an INSERT for the outcome's own statement to run
 * (setStatus in charge-results.ts): one round trip less on every payment, same transaction.
 */
export function paymentEmailsJob(
  deps: Pick<AppContext, 'jobs'>,
  options: PaymentEmailJob,
): Promise<SQL> {
  return jobInsert(deps.jobs, paymentEmailsJobName, options, paymentEmailsJobOptions(options));
}

/**
 * enqueuePaymentEmails for many outcomes at once, in one statement on the outcome's transaction
 * `tx` (pg-boss's batch insert): the AutoPay run's chunk. The same jobs, one per payment and kind.
 */
export async function enqueuePaymentEmailsMany(
  tx: Transaction,
  deps: Pick<AppContext, 'jobs'>,
  jobs: PaymentEmailJob[],
): Promise<void> {
  if (jobs.length === 0) return;
  await deps.jobs.insert(
    jobs.map((job) => ({ name: paymentEmailsJobName, data: job, ...paymentEmailsJobOptions(job) })),
    { db: { executeSql: (text, values) => tx.client.query(text, values) } },
  );
}

/** One job per payment and kind (per refund for a refund; pg-boss singletonKey), retried. */
function paymentEmailsJobOptions(options: PaymentEmailJob) {
  return {
    singletonKey: `${options.paymentId}:${sentKind(options)}`,
    retryLimit: 5,
    retryDelay: 30,
  };
}

/**
 * The job's work: renders and queues the emails of one payment's outcome, once. The guard row
 * (payment_receipts_sent) and the emails are written in one transaction, so a job run again
 * after a crash or by a second worker finds the row and sends nothing.
 */
export async function sendPaymentEmails(
  deps: Pick<AppContext, 'pool' | 'jobs' | 'config'>,
  options: PaymentEmailJob,
): Promise<void> {
  await withTransaction(deps.pool, async (tx) => {
    const first = await tx.client.query(
      `INSERT INTO payment_receipts_sent (payment_id, kind) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [options.paymentId, sentKind(options)],
    );
    if (first.rows.length === 0) return;
    if (options.kind === 'refund') {
      await queueRefundEmail(tx, deps, options);
    } else {
      await queuePaymentEmails(tx, deps, options);
    }
  });
}

/**
 * Queues, on `tx`, Refund Issued to the contact who paid and the Default Notification Emails:
 * the refund, what the payment has had refunded in all, and each invoice it reopened (kept on
 * the refund) with what that invoice owes now. Sends nothing when no one has an address.
 */
async function queueRefundEmail(
  tx: Transaction,
  deps: Deps,
  options: { refundId: string; actor: Actor },
): Promise<void> {
  const facts = (
    await tx.client.query<
      Omit<PaymentFacts, 'recordedBy' | 'unappliedCents' | 'source' | 'failureCode'> & {
        refundCents: number;
        refundedCents: number;
        reason: string;
        reopened: { invoiceId: string; amountCents: number }[] | null;
      }
    >(
      `SELECT p.id, p.number, p.organization_id AS "organizationId", o.name AS "organizationName",
              p.amount_cents AS "amountCents", p.currency, p.method_label AS "methodLabel",
              p.failure_message AS "failureMessage", p.created_at AS "createdAt",
              p.received_on AS "receivedOn", c.id AS "contactId", c.name AS "contactName",
              c.email AS "contactEmail", r.amount_cents AS "refundCents",
              p.refunded_cents AS "refundedCents", r.reason, r.reopened
         FROM refunds r
         JOIN payments p ON p.id = r.payment_id
         JOIN organizations o ON o.id = p.organization_id
         LEFT JOIN contacts c ON c.id = p.created_by_contact_id
        WHERE r.id = $1`,
      [options.refundId],
    )
  ).rows[0];
  if (!facts) throw new Error(`refund ${options.refundId} not found`);
  const recipients = clientRecipients(
    facts,
    await defaultNotificationRecipients(tx, facts.organizationId),
  );
  if (recipients.length === 0) return;
  const reopened = facts.reopened ?? [];
  const invoices = (
    await tx.client.query<{ id: string; number: string; balanceCents: number }>(
      `SELECT id, number, balance_cents AS "balanceCents" FROM invoices
        WHERE id = ANY($1::uuid[]) ORDER BY number`,
      [reopened.map((r) => r.invoiceId)],
    )
  ).rows;
  const brand = await getBrand(tx.db, deps.config);
  await queueEmail(tx, deps, {
    organizationId: facts.organizationId,
    template: 'refund_issued',
    recipients,
    rendered: await renderEmail(
      'refund_issued',
      {
        contactName:
          recipients.length === 1 ? recipients[0]!.name : `${facts.organizationName} team`,
        organizationId: facts.organizationId,
        organizationName: facts.organizationName,
        paymentNumber: facts.number,
        paidAt: new Date(facts.createdAt).toISOString(),
        receivedOn: facts.receivedOn,
        amountCents: facts.amountCents,
        currency: facts.currency,
        methodLabel: facts.methodLabel,
        invoices: invoices.map((invoice) => ({
          number: invoice.number,
          amountCents: reopened.find((r) => r.invoiceId === invoice.id)!.amountCents,
          balanceCents: invoice.balanceCents,
        })),
        failureMessage: null,
        refundCents: facts.refundCents,
        totalRefundedCents: facts.refundedCents,
        reason: facts.reason,
      },
      brand,
    ),
    linkBase: linkBaseOf('refund_issued', { brand, address: deps.config }),
    triggeredBy: options.actor,
    reason: `Refund on payment ${facts.number}`,
    dedupeKey: `refund_issued:${options.refundId}`,
  });
}

/** The payments.receipts job, worked as soon as it is enqueued. */
export function paymentEmailJobs(
  deps: Pick<AppContext, 'pool' | 'jobs' | 'config'>,
): JobDefinition[] {
  return [
    {
      name: paymentEmailsJobName,
      concurrency: 4,
      pollingIntervalSeconds: 0.5,
      handle: (data) => sendPaymentEmails(deps, data as PaymentEmailJob),
    },
  ];
}
