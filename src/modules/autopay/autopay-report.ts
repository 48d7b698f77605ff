import { Readable } from 'node:stream';
import type { Pool } from '../../platform/database.js';
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  likePattern,
} from '../../platform/keyset-cursor.js';
import { minorToDecimal } from '../../shared/money.js';
import type { AutopayTiming } from '../../shared/contract/autopay.js';
import type {
  autopayLastRunAttempt,
  AutopayReportRow,
} from '../../shared/contract/autopay-report.js';
import type { z } from 'zod';
import { csvByteOrderMark, csvCell } from '../payments/transactions.js';
import { methodLabel } from '../payments/payment-methods.js';
import { attemptReasonText } from './autopay-run.js';
import { timingLabel } from './autopay.service.js';
import { declineTryNumber } from './autopay-retry.js';

/**
 * Staff's AutoPay Configurations report: every organization that has AutoPay set up (a switch
 * row or a rule), by name, with its rules (categories, when, method, cap, lock), its default
 * method and the outcome of the last AutoPay run at its invoices. Keyset pages on
 * (lower(name), id), as the organization list orders; the CSV reads the same pages.
 */

type AutopayLastRunAttempt = z.infer<typeof autopayLastRunAttempt>;

interface SavedMethod {
  type: 'card' | 'ach';
  brand: string | null;
  last4: string;
}

interface ReportRuleRow {
  id: string;
  position: number;
  enabled: boolean;
  locked: boolean;
  categories: string[];
  timing: AutopayTiming;
  days: number | null;
  dayOfMonth: number | null;
  method: SavedMethod | null;
  maxAmountCents: number | null;
}

interface ReportSqlRow {
  organizationId: string;
  organizationName: string;
  currency: string;
  enabled: boolean;
  required: boolean;
  authorizedAt: Date | null;
  defaultMethod: SavedMethod | null;
  rules: ReportRuleRow[];
  lastRun: AutopayReportRow['lastRun'];
  sortKey: string;
}

export interface AutopayReportOptions {
  search?: string | undefined;
  enabled?: boolean | undefined;
  cursor?: string | undefined;
  limit: number;
}

const reportScope = 'autopay-report';

/** Organizations with AutoPay set up: a switch row, or at least one rule. */
const withAutopaySql = `(EXISTS (SELECT 1 FROM autopay_organizations ao0 WHERE ao0.organization_id = o.id)
   OR EXISTS (SELECT 1 FROM autopay_rules r0 WHERE r0.organization_id = o.id))`;

const methodJson = (alias: string) =>
  `json_build_object('type', ${alias}.type, 'brand', ${alias}.brand, 'last4', ${alias}.last4)`;

function filterConditions(options: AutopayReportOptions, params: unknown[]): string[] {
  const conditions = [withAutopaySql];
  if (options.search) {
    params.push(likePattern(options.search));
    conditions.push(`lower(o.name) LIKE $${params.length}`);
  }
  if (options.enabled !== undefined) {
    params.push(options.enabled);
    conditions.push(`coalesce(ao.enabled, false) = $${params.length}`);
  }
  return conditions;
}

/**
 * A page of the AutoPay Configurations report. `search` narrows to organization names holding
 * it (any case), `enabled` to organizations with "AutoPay Enabled" on or off. Answers
 * `organizations` (at most `limit`), `total` and `nextCursor` (null on the last page; a cursor
 * the report did not give out is a 400 naming `cursor`). The last run is the latest business
 * date on which the AutoPay run tried one of the organization's invoices, its tries counted by
 * outcome.
 */
export async function autopayReport(pool: Pool, options: AutopayReportOptions) {
  const params: unknown[] = [];
  const conditions = filterConditions(options, params);
  const from = `organizations o LEFT JOIN autopay_organizations ao ON ao.organization_id = o.id`;
  const countParams = [...params];
  if (options.cursor) {
    const [sortKey, id] = decodeCursor(reportScope, options.cursor, 'text');
    params.push(sortKey, id);
    conditions.push(
      `(lower(o.name), o.id) > ($${params.length - 1}::text, $${params.length}::uuid)`,
    );
  }
  params.push(options.limit + 1);
  const [rows, count] = await Promise.all([
    pool
      .query<ReportSqlRow>(
        `SELECT o.id AS "organizationId", o.name AS "organizationName", o.currency,
                coalesce(ao.enabled, false) AS enabled, coalesce(ao.required, false) AS required,
                ao.authorized_at AS "authorizedAt", lower(o.name) AS "sortKey",
                (SELECT ${methodJson('m')} FROM payment_methods m
                  WHERE m.organization_id = o.id AND m.is_default AND m.removed_at IS NULL
                  LIMIT 1) AS "defaultMethod",
                coalesce((SELECT json_agg(json_build_object(
                    'id', r.id, 'position', r.position, 'enabled', r.enabled,
                    'locked', r.locked_at IS NOT NULL,
                    'categories', coalesce((SELECT json_agg(c.name ORDER BY c.position, c.name)
                                              FROM service_categories c
                                             WHERE c.id = ANY(r.service_category_ids)), '[]'::json),
                    'timing', r.timing, 'days', r.days, 'dayOfMonth', r.day_of_month,
                    'method', (SELECT ${methodJson('rm')} FROM payment_methods rm
                                WHERE rm.id = r.payment_method_id),
                    'maxAmountCents', r.max_amount_cents) ORDER BY r.position, r.created_at)
                   FROM autopay_rules r WHERE r.organization_id = o.id), '[]'::json) AS rules,
                (SELECT json_build_object(
                    'runDate', last.run_date,
                    'charged', count(*) FILTER (WHERE t.outcome = 'charged'),
                    'failed', count(*) FILTER (WHERE t.outcome = 'failed'),
                    'skipped', count(*) FILTER (WHERE t.outcome = 'skipped'),
                    -- A try that never reached the processor was sent again at once: no
                    -- decline (decision 48).
                    'retryScheduled', count(*) FILTER (WHERE t.outcome = 'retry_scheduled'
                                                         AND NOT t.not_reached),
                    'gaveUp', count(*) FILTER (WHERE t.outcome = 'gave_up'),
                    'chargedCents', coalesce(sum(t.amount_cents)
                                               FILTER (WHERE t.outcome = 'charged'), 0))
                   FROM (SELECT max(a.run_date) AS run_date FROM autopay_attempts a
                          WHERE a.organization_id = o.id) last
                   JOIN autopay_attempts t
                     ON t.organization_id = o.id AND t.run_date = last.run_date
                  GROUP BY last.run_date) AS "lastRun"
           FROM ${from}
          WHERE ${conditions.join(' AND ')}
          ORDER BY lower(o.name), o.id
          LIMIT $${params.length}`,
        params,
      )
      .catch((error: unknown) => {
        // A cursor that decodes but whose id does not cast: edited by hand.
        const code = (error as { code?: unknown } | null)?.code;
        if (options.cursor && typeof code === 'string' && code.startsWith('22')) {
          throw invalidCursor();
        }
        throw error;
      }),
    pool.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM ${from}
        WHERE ${filterConditions(options, []).join(' AND ')}`,
      countParams,
    ),
  ]);
  const shown = rows.rows.slice(0, options.limit);
  const last = shown[shown.length - 1];
  return {
    organizations: shown.map(toReportRow),
    total: count.rows[0]?.total ?? 0,
    nextCursor:
      rows.rows.length > options.limit && last
        ? encodeCursor(reportScope, last.sortKey, last.organizationId)
        : null,
  };
}

function toReportRow(row: ReportSqlRow): AutopayReportRow {
  const { sortKey: _sortKey, defaultMethod, rules, ...rest } = row;
  return {
    ...rest,
    defaultMethodLabel: defaultMethod ? methodLabel(defaultMethod) : null,
    rules: rules.map(({ method, ...rule }) => ({
      ...rule,
      timingLabel: timingLabel(rule),
      methodLabel: method ? methodLabel(method) : null,
    })),
  };
}

const csvHeader = [
  'Organization',
  'AutoPay Enabled',
  'Required',
  'Authorization recorded',
  'Rule',
  'Rule on',
  'Locked',
  'Services',
  'When',
  'Payment method',
  'Only invoices up to',
  'Currency',
  'Last run',
  'Charged',
  'Failed',
  'Skipped',
  'Retrying',
  'Gave up',
  'Charged amount',
];

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

/** One CSV line per rule (an organization without rules: one line with the rule cells empty). */
function csvLines(row: AutopayReportRow): string[] {
  const money = (cents: number) => minorToDecimal(cents, row.currency);
  const organization = [
    row.organizationName,
    yesNo(row.enabled),
    yesNo(row.required),
    row.authorizedAt ? row.authorizedAt.toISOString() : '',
  ];
  const run = row.lastRun
    ? [
        row.lastRun.runDate,
        String(row.lastRun.charged),
        String(row.lastRun.failed),
        String(row.lastRun.skipped),
        String(row.lastRun.retryScheduled),
        String(row.lastRun.gaveUp),
        money(row.lastRun.chargedCents),
      ]
    : ['', '', '', '', '', '', ''];
  const rules = row.rules.length
    ? row.rules.map((rule) => [
        String(rule.position),
        yesNo(rule.enabled),
        yesNo(rule.locked),
        rule.categories.length ? rule.categories.join('; ') : 'All services',
        rule.timingLabel,
        rule.methodLabel ??
          `Default method${row.defaultMethodLabel ? ` (${row.defaultMethodLabel})` : ''}`,
        rule.maxAmountCents === null ? '' : money(rule.maxAmountCents),
      ])
    : [['', '', '', '', '', '', '']];
  return rules.map((rule) =>
    [...organization, ...rule, row.currency, ...run].map(csvCell).join(','),
  );
}

/**
 * The AutoPay Configurations report under the same filters as CSV: the byte order mark (so
 * Excel reads names in any script), a header, then one line per rule (amounts as decimals of
 * the organization's currency), read page by page with the report's own keyset, so an export
 * of any size streams in constant memory.
 */
export function autopayReportCsv(
  pool: Pool,
  filters: Omit<AutopayReportOptions, 'cursor' | 'limit'>,
): Readable {
  async function* lines() {
    yield `${csvByteOrderMark}${csvHeader.join(',')}\r\n`;
    let cursor: string | undefined;
    do {
      const page = await autopayReport(pool, { ...filters, cursor, limit: 200 });
      const text = page.organizations.flatMap(csvLines).join('\r\n');
      if (text) yield `${text}\r\n`;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return Readable.from(lines());
}

/**
 * The organization page's last AutoPay run: each of its invoices' tries on the latest business
 * date the run tried one of them (invoice number order), with the outcome, the reason in words,
 * the payment it made and when a declined invoice is tried again. `runDate` null: never tried.
 * A try is numbered as the retry schedule counts it (declineTryNumber): a try whose payment
 * never reached the processor is flagged `notReached` and has no number, and the tries after
 * it keep theirs, so staff read "try 1" for the first charge a bank saw.
 */
export async function organizationLastAutopayRun(pool: Pool, organizationId: string) {
  const result = await pool.query<{
    runDate: string;
    invoiceId: string;
    invoiceNumber: string;
    cycleDueDate: string;
    tryNumber: number;
    outcome: AutopayLastRunAttempt['outcome'];
    reason: string | null;
    amountCents: number | null;
    currency: string;
    paymentNumber: string | null;
    nextTryOn: string | null;
    notReached: boolean;
    unreachedBefore: number;
  }>(
    `SELECT t.run_date::text AS "runDate", t.invoice_id AS "invoiceId", i.number AS "invoiceNumber",
            t.cycle_due_date::text AS "cycleDueDate", t.try_number AS "tryNumber", t.outcome,
            t.reason, t.amount_cents AS "amountCents", i.currency, p.number AS "paymentNumber",
            t.next_try_on::text AS "nextTryOn", t.not_reached AS "notReached",
            (SELECT count(*)::int FROM autopay_attempts u
              WHERE u.invoice_id = t.invoice_id AND u.cycle_due_date = t.cycle_due_date
                AND u.try_number < t.try_number AND u.not_reached) AS "unreachedBefore"
       FROM autopay_attempts t
       JOIN invoices i ON i.id = t.invoice_id
       LEFT JOIN payments p ON p.id = t.payment_id
      WHERE t.organization_id = $1
        AND t.run_date = (SELECT max(a.run_date) FROM autopay_attempts a
                           WHERE a.organization_id = $1)
      ORDER BY i.number, t.try_number`,
    [organizationId],
  );
  return {
    runDate: result.rows[0]?.runDate ?? null,
    attempts: result.rows.map(({ runDate: _runDate, unreachedBefore, tryNumber, ...attempt }) => ({
      ...attempt,
      tryNumber: attempt.notReached ? null : declineTryNumber(tryNumber, unreachedBefore),
      // Sent again at once: no later date to show.
      nextTryOn: attempt.notReached ? null : attempt.nextTryOn,
      reason: attemptReasonText(attempt.reason),
    })),
  };
}
