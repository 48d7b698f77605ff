import type { AppContext } from '../../platform/context.js';
import { createDb, withTransaction, type Transaction } from '../../platform/database.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { systemActor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import type { EmailRecipient } from '../email/email.schema.js';
import { renderEmail } from '../email/templates/index.js';
import { businessTodayFor } from '../settings/business-date.js';
import { getBrand, getInvoiceReminderSettings } from '../settings/settings.service.js';
import type { InvoiceReminderSettings } from '../settings/settings.service.js';
import { greetingFor, portalInvoiceUrl } from './invoice-emails.js';
import { daysPastDue, openAsOfCondition } from './invoice-math.js';

export const invoiceDueNoticesJobName = 'invoices.due-notices';

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

/** How many candidate invoices one transaction takes: notices and emails commit together. */
const defaultBatchSize = 200;

/**
 * Which Invoice Due notice an open invoice is owed on a day, or null. Before the due date:
 * "before-D" once the day D days before due has come (if the invoice existed then), until
 * due. Past due: "after-N", "after-2N", … the latest multiple of N days reached. The job's
 * queries select exactly these; this is their readable statement (and what tests check).
 */
export function dueNoticeStep(
  invoice: { issueDate: string; dueDate: string },
  asOf: string,
  settings: InvoiceReminderSettings,
): string | null {
  const past = daysPastDue(invoice.dueDate, asOf);
  const before = settings.dueReminderDaysBefore;
  if (past < 0) {
    if (before <= 0 || -past > before) return null;
    // An invoice issued after its reminder day was due has just had its New Invoice email.
    if (daysPastDue(invoice.issueDate, invoice.dueDate) < before) return null;
    return `before-${before}`;
  }
  const every = settings.pastDueReminderEveryDays;
  if (every <= 0 || past < every) return null;
  return `after-${Math.floor(past / every) * every}`;
}

interface Candidate {
  id: string;
  organizationId: string;
  dueDate: string;
  step: string;
}

type Cursor = Pick<Candidate, 'organizationId' | 'dueDate' | 'id'>;

/** Only invoices with someone to tell: an organization with Default Notification Emails. */
const hasRecipients = `EXISTS (
  SELECT 1 FROM contact_organizations co JOIN contacts c ON c.id = co.contact_id
   WHERE co.organization_id = i.organization_id AND co.is_default_notification AND c.email <> '')`;

/**
 * One page of invoices owed a notice of one kind, set-based: open as of the day, in
 * the kind's due-date range, without that step's notice yet. The predicate and the order are
 * those of invoices_open_by_organization_idx (organization, due date, id; open invoices
 * only), so a page reads the open invoices alone, never the paid history.
 */
async function findCandidates(
  deps: Deps,
  kind: 'before' | 'after',
  options: {
    asOf: string;
    settings: InvoiceReminderSettings;
    after: Cursor | null;
    limit: number;
  },
): Promise<Candidate[]> {
  const { asOf, settings, after, limit } = options;
  const cursor = after
    ? `AND (i.organization_id, i.due_date, i.id) > ($6::uuid, $3::date, $4::uuid)`
    : `AND $6::uuid IS NULL AND $3::date IS NULL AND $4::uuid IS NULL`;
  const params = [
    asOf,
    0,
    after?.dueDate ?? null,
    after?.id ?? null,
    limit,
    after?.organizationId ?? null,
  ];
  let stepSql: string;
  let range: string;
  if (kind === 'before') {
    params[1] = settings.dueReminderDaysBefore;
    stepSql = `'before-' || $2::int`;
    range = `i.due_date > $1::date AND i.due_date <= $1::date + $2::int
             AND i.issue_date <= i.due_date - $2::int`;
  } else {
    params[1] = settings.pastDueReminderEveryDays;
    stepSql = `'after-' || ((($1::date - i.due_date) / $2::int) * $2::int)`;
    range = `i.due_date <= $1::date - $2::int`;
  }
  const result = await deps.pool.query<Candidate>(
    `SELECT i.id, i.organization_id AS "organizationId", i.due_date::text AS "dueDate",
            ${stepSql} AS step
       FROM invoices i
      WHERE ${range}
        AND ${openAsOfCondition('$1')}
        ${cursor}
        AND NOT EXISTS (SELECT 1 FROM invoice_notices n
                         WHERE n.invoice_id = i.id AND n.step = ${stepSql})
        AND ${hasRecipients}
      ORDER BY i.organization_id, i.due_date, i.id
      LIMIT $5`,
    params,
  );
  return result.rows;
}

/**
 * Records and queues the notices of one page in one transaction. The notice row is inserted
 * first (ON CONFLICT DO NOTHING) and the email queued only for rows this run inserted, so a
 * second run, even one racing this one, never sends the same step twice.
 */
async function sendPage(
  deps: Deps,
  candidates: Candidate[],
  asOf: string,
): Promise<{ sent: number }> {
  return withTransaction(deps.pool, async (tx) => {
    const inserted = await tx.client.query<{ invoiceId: string; step: string }>(
      `INSERT INTO invoice_notices (invoice_id, step)
       SELECT c.id, c.step
         FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS c(id, step, n)
         JOIN invoices i ON i.id = c.id
        WHERE i.state = 'issued' AND i.total_cents > i.amount_paid_cents
        ORDER BY c.n
       ON CONFLICT DO NOTHING
       RETURNING invoice_id AS "invoiceId", step`,
      [candidates.map((c) => c.id), candidates.map((c) => c.step)],
    );
    if (inserted.rows.length === 0) return { sent: 0 };
    const details = await invoiceDetails(
      tx,
      inserted.rows.map((row) => row.invoiceId),
    );
    const recipients = await recipientsByOrganization(tx, [
      ...new Set([...details.values()].map((d) => d.organizationId)),
    ]);
    const brand = await getBrand(tx.db, deps.config);
    let sent = 0;
    for (const notice of inserted.rows) {
      const invoice = details.get(notice.invoiceId)!;
      const to = recipients.get(invoice.organizationId) ?? [];
      // Contacts unstarred since the candidates were read: the step is recorded, unsent.
      if (to.length === 0) continue;
      const rendered = await renderEmail(
        'invoice_due',
        {
          contactName: greetingFor(to, invoice.organizationName),
          organizationName: invoice.organizationName,
          invoiceNumber: invoice.number,
          dueDate: invoice.dueDate,
          daysUntilDue: -daysPastDue(invoice.dueDate, asOf),
          balanceCents: invoice.balanceCents,
          currency: invoice.currency,
          invoiceUrl: portalInvoiceUrl(brand, {
            id: notice.invoiceId,
            organizationId: invoice.organizationId,
          }),
        },
        brand,
      );
      const queued = await queueEmail(tx, deps, {
        organizationId: invoice.organizationId,
        template: 'invoice_due',
        recipients: to,
        rendered,
        linkBase: linkBaseOf('invoice_due', { brand, address: deps.config }),
        triggeredBy: systemActor,
        reason: `Invoice Due notice (${notice.step}) for ${invoice.number}`,
        dedupeKey: `invoice_due:${notice.invoiceId}:${notice.step}`,
      });
      await tx.client.query(
        `UPDATE invoice_notices SET email_message_id = $3 WHERE invoice_id = $1 AND step = $2`,
        [notice.invoiceId, notice.step, queued.messageId],
      );
      sent += 1;
    }
    return { sent };
  });
}

interface NoticeInvoice {
  id: string;
  organizationId: string;
  organizationName: string;
  number: string;
  dueDate: string;
  balanceCents: number;
  currency: string;
}

async function invoiceDetails(tx: Transaction, ids: string[]) {
  const result = await tx.client.query<NoticeInvoice>(
    `SELECT i.id, i.organization_id AS "organizationId", o.name AS "organizationName", i.number,
            i.due_date::text AS "dueDate", i.balance_cents AS "balanceCents", i.currency
       FROM invoices i JOIN organizations o ON o.id = i.organization_id
      WHERE i.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(result.rows.map((row) => [row.id, row]));
}

async function recipientsByOrganization(tx: Transaction, organizationIds: string[]) {
  const result = await tx.client.query<EmailRecipient & { organizationId: string }>(
    `SELECT co.organization_id AS "organizationId", c.email, c.name, c.id AS "contactId"
       FROM contact_organizations co JOIN contacts c ON c.id = co.contact_id
      WHERE co.organization_id = ANY($1::uuid[]) AND co.is_default_notification AND c.email <> ''
      ORDER BY lower(c.name)`,
    [organizationIds],
  );
  const byOrganization = new Map<string, EmailRecipient[]>();
  for (const { organizationId, ...recipient } of result.rows) {
    const list = byOrganization.get(organizationId) ?? [];
    list.push(recipient);
    byOrganization.set(organizationId, list);
  }
  return byOrganization;
}

/**
 * The daily Invoice Due run: for each kind of step the settings ask for, pages through the
 * invoices owed one (one indexed query per page) and sends each page in its own transaction.
 * The day is a business date: `asOf`, else today in the MSP's time zone by the given clock,
 * so a run at 02:00 UTC in Los Angeles still counts the Los Angeles day.
 */
export async function sendInvoiceDueNotices(
  options: Deps & { asOf?: string; batchSize?: number },
): Promise<{ before: number; after: number }> {
  const asOf = options.asOf ?? (await businessTodayFor(options));
  const limit = options.batchSize ?? defaultBatchSize;
  const settings = await getInvoiceReminderSettings(createDb(options.pool));
  const counts = { before: 0, after: 0 };
  const kinds: ('before' | 'after')[] = [];
  if (settings.dueReminderDaysBefore > 0) kinds.push('before');
  if (settings.pastDueReminderEveryDays > 0) kinds.push('after');
  for (const kind of kinds) {
    let after: Cursor | null = null;
    for (;;) {
      const candidates = await findCandidates(options, kind, { asOf, settings, after, limit });
      if (candidates.length === 0) break;
      counts[kind] += (await sendPage(options, candidates, asOf)).sent;
      const last = candidates[candidates.length - 1]!;
      after = { organizationId: last.organizationId, dueDate: last.dueDate, id: last.id };
      if (candidates.length < limit) break;
    }
  }
  return counts;
}

export function invoiceJobs(deps: AppContext): JobDefinition[] {
  return [
    {
      name: invoiceDueNoticesJobName,
      cron: '0 8 * * *',
      handle: async () => {
        const counts = await sendInvoiceDueNotices(deps);
        deps.logger.info(counts, 'invoice due notices sent');
      },
    },
  ];
}
