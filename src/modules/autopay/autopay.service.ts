import type { AppContext } from '../../platform/context.js';
import { withTransaction, type Transaction } from '../../platform/database.js';
import type { Pool, PoolClient } from '../../platform/database.js';
import { AppError } from '../../platform/errors.js';
import { formatMoney } from '../../platform/money.js';
import {
  autopaySkipReasonLabels,
  maxAutopayDays,
  type AutopayPreview,
  type AutopayRule,
  type AutopayRuleInput,
  type AutopayTiming,
  type PortalAutopay,
  type PortalAutopayBody,
  type StaffAutopay,
  type StaffAutopayBody,
} from '../../shared/contract/autopay.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import { defaultNotificationRecipients } from '../email/email.service.js';
import { renderEmail } from '../email/templates/index.js';
import { addDays } from '../invoices/invoice-math.js';
import { checkAmount } from '../payments/manual-payments.js';
import { methodLabel } from '../payments/payment-methods.js';
import { getBrand } from '../settings/settings.service.js';
import { nextRunDate, planAutopayCharges } from './autopay-plan.js';
import { billingRecipients } from '../staff/billing-recipients.js';

/**
 * AutoPay's settings and rules (docs/decisions/0037-autopay-rules-and-plan.md): what the portal
 * (Configuration > AutoPay, permission manage_autopay) and staff (the organization page) read and
 * save, and the preview. A save replaces the organization's ordered list of rules in one
 * transaction, checked whole before anything is written; the audit row and the "AutoPay Changed"
 * emails are written on the same transaction. The MSP's side (lock a rule, make AutoPay
 * required, record the client's authorization) is staff's; a contact's change to what the MSP
 * locked is a 403 that says what is locked.
 */

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config'>;
type Reader = Pool | PoolClient;

interface RuleRow {
  id: string;
  position: number;
  enabled: boolean;
  serviceCategoryIds: string[];
  paymentMethodId: string | null;
  timing: AutopayTiming;
  days: number | null;
  dayOfMonth: number | null;
  maxAmountCents: number | null;
  locked: boolean;
  updatedAt: Date;
}

interface SettingsRow {
  enabled: boolean;
  required: boolean;
  requiredAt: Date | null;
  requiredBy: string | null;
  authorizationText: string | null;
  authorizedBy: string | null;
  authorizedAt: Date | null;
  recordedBy: string | null;
}

interface MethodRow {
  id: string;
  type: 'card' | 'ach';
  brand: string | null;
  last4: string;
  isDefault: boolean;
  removed: boolean;
}

/** Everything a save or a read needs about one organization, read on one connection. */
interface AutopayState {
  organizationId: string;
  organizationName: string;
  currency: string;
  settings: SettingsRow;
  rules: RuleRow[];
  categories: Map<string, { name: string; archived: boolean }>;
  methods: Map<string, MethodRow>;
}

const noSettings: SettingsRow = {
  enabled: false,
  required: false,
  requiredAt: null,
  requiredBy: null,
  authorizationText: null,
  authorizedBy: null,
  authorizedAt: null,
  recordedBy: null,
};

/** Reads an organization's AutoPay, rules in order; 404 when there is no such organization. */
async function readState(
  db: Reader,
  organizationId: string,
  options: { forUpdate?: boolean } = {},
): Promise<AutopayState> {
  const organization = (
    await db.query<{ name: string; currency: string }>(
      `SELECT name, currency FROM organizations WHERE id = $1`,
      [organizationId],
    )
  ).rows[0];
  if (!organization) throw AppError.notFound('Organization');
  if (options.forUpdate) {
    // One save at a time per organization: the row exists from the first save on, and a save
    // that races the first one waits on the insert's key.
    await db.query(
      `INSERT INTO autopay_organizations (organization_id) VALUES ($1) ON CONFLICT DO NOTHING`,
      [organizationId],
    );
  }
  // One after another: on a transaction's client, queries cannot overlap.
  const settings = await db.query<SettingsRow>(
    `SELECT a.enabled, a.required, a.required_at AS "requiredAt", rs.name AS "requiredBy",
              a.authorization_text AS "authorizationText", a.authorized_by AS "authorizedBy",
              a.authorized_at AS "authorizedAt", ss.name AS "recordedBy"
         FROM autopay_organizations a
         LEFT JOIN staff_users rs ON rs.id = a.required_by_staff_id
         LEFT JOIN staff_users ss ON ss.id = a.authorization_recorded_by_staff_id
        WHERE a.organization_id = $1 ${options.forUpdate ? 'FOR UPDATE OF a' : ''}`,
    [organizationId],
  );
  const rules = await db.query<RuleRow>(
    `SELECT id, position, enabled, service_category_ids AS "serviceCategoryIds",
              payment_method_id AS "paymentMethodId", timing, days, day_of_month AS "dayOfMonth",
              max_amount_cents AS "maxAmountCents", locked_at IS NOT NULL AS locked,
              updated_at AS "updatedAt"
         FROM autopay_rules WHERE organization_id = $1
        ORDER BY locked_at IS NULL, position, created_at`,
    [organizationId],
  );
  const categories = await db.query<{ id: string; name: string; archived: boolean }>(
    `SELECT id, name, archived_at IS NOT NULL AS archived
         FROM service_categories ORDER BY position, lower(name)`,
  );
  const methods = await db.query<MethodRow>(
    `SELECT id, type, brand, last4, is_default AND removed_at IS NULL AS "isDefault",
              removed_at IS NOT NULL AS removed
         FROM payment_methods WHERE organization_id = $1`,
    [organizationId],
  );
  return {
    organizationId,
    organizationName: organization.name,
    currency: organization.currency,
    settings: settings.rows[0] ?? noSettings,
    rules: rules.rows,
    categories: new Map(categories.rows.map((c) => [c.id, c])),
    methods: new Map(methods.rows.map((m) => [m.id, m])),
  };
}

/** "1st", "2nd", "3rd", "31st". */
function ordinal(day: number): string {
  const tens = day % 100;
  if (tens >= 11 && tens <= 13) return `${day}th`;
  return `${day}${({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[day % 10] ?? 'th'}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A rule's timing in words: "On the due date", "3 days before the due date", … */
export function timingLabel(rule: Pick<RuleRow, 'timing' | 'days' | 'dayOfMonth'>): string {
  const days = rule.days ?? 0;
  switch (rule.timing) {
    case 'due_date':
      return 'On the due date';
    case 'before_due_date':
      return `${plural(days, 'day')} before the due date`;
    case 'after_due_date':
      return `${plural(days, 'day')} after the due date`;
    case 'after_invoice_date':
      return days === 0 ? 'On the invoice date' : `${plural(days, 'day')} after the invoice date`;
    case 'day_of_month': {
      const day = rule.dayOfMonth ?? 1;
      return day === 31
        ? 'On the last day of the month'
        : day >= 29
          ? `On the ${ordinal(day)} of the month (or its last day)`
          : `On the ${ordinal(day)} of the month`;
    }
  }
}

/** The method a rule charges, in words. */
function ruleMethodLabel(state: AutopayState, paymentMethodId: string | null): string {
  if (paymentMethodId) {
    const method = state.methods.get(paymentMethodId);
    return method ? methodLabel(method) : 'A removed payment method';
  }
  const fallback = [...state.methods.values()].find((m) => m.isDefault);
  return fallback ? `Default method (${methodLabel(fallback)})` : 'Default method (none yet)';
}

/** A rule in one line: "Hosting, Help Desk · On the due date · Visa •••• 4242 · up to $500.00". */
function describeRule(state: AutopayState, rule: Omit<RuleRow, 'id' | 'updatedAt'>): string {
  const categories =
    rule.serviceCategoryIds.length === 0
      ? 'All services'
      : rule.serviceCategoryIds
          .map((id) => state.categories.get(id)?.name ?? 'a removed category')
          .join(', ');
  const parts = [categories, timingLabel(rule), ruleMethodLabel(state, rule.paymentMethodId)];
  if (rule.maxAmountCents !== null) {
    parts.push(`invoices up to ${formatMoney(rule.maxAmountCents, state.currency)}`);
  }
  if (!rule.enabled) parts.push('turned off');
  if (rule.locked) parts.push('locked');
  return parts.join(' · ');
}

function ruleView(state: AutopayState, rule: RuleRow, index: number): AutopayRule {
  return {
    id: rule.id,
    position: index + 1,
    enabled: rule.enabled,
    serviceCategoryIds: rule.serviceCategoryIds,
    paymentMethodId: rule.paymentMethodId,
    paymentMethodLabel: ruleMethodLabel(state, rule.paymentMethodId),
    timing: rule.timing,
    days: rule.days,
    dayOfMonth: rule.dayOfMonth,
    maxAmountCents: rule.maxAmountCents,
    locked: rule.locked,
    timingLabel: timingLabel(rule),
    updatedAt: rule.updatedAt,
  };
}

/** What is locked, in words, or null: what the portal shows above the greyed-out controls. */
function lockedReason(state: AutopayState, mspName: string): string | null {
  const parts: string[] = [];
  if (state.settings.required) parts.push(`AutoPay is required by ${mspName}`);
  const locked = state.rules.flatMap((rule, index) => (rule.locked ? [index + 1] : []));
  if (locked.length === 1) parts.push(`rule ${locked[0]} is locked by ${mspName}`);
  if (locked.length > 1) parts.push(`rules ${locked.join(', ')} are locked by ${mspName}`);
  if (parts.length === 0) return null;
  const sentence = parts.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

function baseView(state: AutopayState, mspName: string) {
  return {
    enabled: state.settings.enabled,
    required: state.settings.required,
    lockedReason: lockedReason(state, mspName),
    currency: state.currency,
    rules: state.rules.map((rule, index) => ruleView(state, rule, index)),
    serviceCategories: [...state.categories.entries()]
      .filter(([, c]) => !c.archived)
      .map(([id, c]) => ({ id, name: c.name })),
    authorization:
      state.settings.authorizationText && state.settings.authorizedAt
        ? {
            text: state.settings.authorizationText,
            authorizedBy: state.settings.authorizedBy ?? '',
            authorizedAt: state.settings.authorizedAt,
            recordedBy: state.settings.recordedBy,
          }
        : null,
  };
}

async function mspNameOf(db: Reader): Promise<string> {
  const row = (
    await db.query<{ mspName: string }>(`SELECT msp_name AS "mspName" FROM settings WHERE id = 1`)
  ).rows[0];
  return row?.mspName ?? 'your provider';
}

/**
 * The organization's AutoPay as a contact reads it (GET /api/portal/autopay): AutoPay Enabled,
 * the rules in order with their methods in words, what the MSP locked, the categories to choose
 * from. `canChange` false while staff view the portal (read-only).
 */
export async function getPortalAutopay(
  pool: Pool,
  options: { organizationId: string; canChange: boolean },
): Promise<PortalAutopay> {
  const state = await readState(pool, options.organizationId);
  const view = baseView(state, await mspNameOf(pool));
  return {
    ...view,
    canChange: options.canChange,
    authorization: view.authorization ? { ...view.authorization, recordedBy: null } : null,
  };
}

/**
 * The organization's AutoPay as staff read it (GET /api/organizations/{id}/autopay): the same,
 * with who made it required and the last 50 changes (who, when, what), from the audit log.
 * 404 for an organization that does not exist.
 */
export async function getStaffAutopay(
  pool: Pool,
  options: { organizationId: string },
): Promise<StaffAutopay> {
  const state = await readState(pool, options.organizationId);
  const changes = await pool.query<{
    at: Date;
    actor: string;
    summary: string[] | null;
    note: string | null;
  }>(
    `SELECT occurred_at AS at, actor_label AS actor, after -> 'summary' AS summary,
            nullif(after ->> 'note', '') AS note
       FROM audit_events
      WHERE organization_id = $1 AND entity_type = 'autopay'
      ORDER BY id DESC LIMIT 50`,
    [options.organizationId],
  );
  return {
    ...baseView(state, await mspNameOf(pool)),
    requiredAt: state.settings.requiredAt,
    requiredBy: state.settings.requiredBy,
    changes: changes.rows.map((row) => ({
      at: row.at,
      actor: row.actor,
      summary: (row.summary ?? []).join('; '),
      note: row.note,
    })),
  };
}

interface NextRule {
  id: string | null;
  enabled: boolean;
  serviceCategoryIds: string[];
  paymentMethodId: string | null;
  timing: AutopayTiming;
  days: number | null;
  dayOfMonth: number | null;
  maxAmountCents: number | null;
  locked: boolean;
}

/**
 * Checks a list of rules as sent and answers it as it will be stored: each field the timing
 * needs is there (and the others cleared), categories exist, the method is the organization's
 * (404 otherwise: another organization's method is not named to it), the cap is an amount of
 * the organization's currency above 0, an id is one of this organization's rules (404).
 * A rule sent without an id that is, field for field, the rule already in its place (and that
 * rule is not named by id elsewhere in the list) is that rule: Save pressed twice before the
 * first answer, or rules sent again as they were, change nothing instead of deleting the rule
 * and adding a copy (with a second audit row and a second round of AutoPay Changed emails).
 */
function checkRules(
  state: AutopayState,
  input: Array<AutopayRuleInput & { locked?: boolean }>,
): NextRule[] {
  const next = checkRuleFields(state, input);
  const named = new Set(next.flatMap((rule) => (rule.id ? [rule.id] : [])));
  return next.map((rule, index) => {
    const inPlace = state.rules[index];
    if (rule.id !== null || !inPlace || named.has(inPlace.id)) return rule;
    if (lockedFields(rule) !== lockedFields(inPlace)) return rule;
    named.add(inPlace.id);
    return { ...rule, id: inPlace.id, locked: input[index]!.locked ?? inPlace.locked };
  });
}

/** checkRules' field by field checks, each rule as sent (its id, if any, is checked to exist). */
function checkRuleFields(
  state: AutopayState,
  input: Array<AutopayRuleInput & { locked?: boolean }>,
): NextRule[] {
  const known = new Map(state.rules.map((rule) => [rule.id, rule]));
  const seen = new Set<string>();
  return input.map((rule, index) => {
    const field = (name: string) => `rules.${index}.${name}`;
    if (rule.id !== undefined) {
      if (!known.has(rule.id)) throw AppError.notFound('AutoPay rule');
      if (seen.has(rule.id)) throw AppError.validation(field('id'), 'names a rule twice');
      seen.add(rule.id);
    }
    const before = rule.id ? known.get(rule.id) : undefined;
    const categoryIds = [...new Set(rule.serviceCategoryIds)];
    for (const id of categoryIds) {
      const category = state.categories.get(id);
      if (!category) {
        throw AppError.validation(
          field('serviceCategoryIds'),
          'names a service category that does not exist',
        );
      }
      // An archived category stays on a rule that had it; a new choice must be a current one.
      if (category.archived && !before?.serviceCategoryIds.includes(id)) {
        throw AppError.validation(
          field('serviceCategoryIds'),
          `names the archived service category ${category.name}`,
        );
      }
    }
    if (rule.paymentMethodId !== null) {
      const method = state.methods.get(rule.paymentMethodId);
      if (!method || (method.removed && before?.paymentMethodId !== rule.paymentMethodId)) {
        throw AppError.notFound('Payment method');
      }
    }
    let days: number | null = null;
    let dayOfMonth: number | null = null;
    if (
      rule.timing === 'before_due_date' ||
      rule.timing === 'after_due_date' ||
      rule.timing === 'after_invoice_date'
    ) {
      if (rule.days === undefined || rule.days === null) {
        throw AppError.validation(
          field('days'),
          `is required: how many days (0 to ${maxAutopayDays})`,
        );
      }
      days = rule.days;
    } else if (rule.timing === 'day_of_month') {
      if (rule.dayOfMonth === undefined || rule.dayOfMonth === null) {
        throw AppError.validation(
          field('dayOfMonth'),
          'is required: a day of the month from 1 to 31',
        );
      }
      dayOfMonth = rule.dayOfMonth;
    }
    if (rule.maxAmountCents !== null) {
      checkAmount(field('maxAmountCents'), rule.maxAmountCents, state.currency);
    }
    return {
      id: rule.id ?? null,
      enabled: rule.enabled,
      serviceCategoryIds: categoryIds,
      paymentMethodId: rule.paymentMethodId,
      timing: rule.timing,
      days,
      dayOfMonth,
      maxAmountCents: rule.maxAmountCents,
      locked: rule.locked ?? before?.locked ?? false,
    };
  });
}

/** The fields a lock protects, for comparing a rule before and after. */
function lockedFields(rule: Omit<NextRule, 'id'> | RuleRow) {
  return JSON.stringify([
    rule.enabled,
    [...rule.serviceCategoryIds].sort(),
    rule.paymentMethodId,
    rule.timing,
    rule.days,
    rule.dayOfMonth,
    rule.maxAmountCents,
  ]);
}

/**
 * A contact may not change what the MSP locked: a locked rule stays, in its place, as it is;
 * AutoPay required stays on, with at least one rule on if it had one. 403 saying what is locked.
 */
function checkContactLocks(
  state: AutopayState,
  next: NextRule[],
  enabled: boolean,
  mspName: string,
) {
  if (state.settings.required) {
    if (!enabled) {
      throw new AppError('forbidden', `AutoPay is required by ${mspName}: it cannot be turned off`);
    }
    const hadRule = state.rules.some((rule) => rule.enabled);
    if (hadRule && !next.some((rule) => rule.enabled)) {
      throw new AppError(
        'forbidden',
        `AutoPay is required by ${mspName}: keep at least one rule turned on`,
      );
    }
  }
  state.rules.forEach((rule, index) => {
    if (!rule.locked) return;
    const at = next.findIndex((candidate) => candidate.id === rule.id);
    const name = `Rule ${index + 1} is locked by ${mspName}`;
    if (at === -1) throw new AppError('forbidden', `${name}: it cannot be deleted`);
    if (at !== index) throw new AppError('forbidden', `${name}: it cannot be moved`);
    if (lockedFields(next[at]!) !== lockedFields(rule)) {
      throw new AppError('forbidden', `${name}: it cannot be changed`);
    }
  });
}

/**
 * Locked rules come before every unlocked rule (staff's save; 400 `rules.<n>.locked` naming the
 * first locked rule below an unlocked one). The run matches locked rules first (matchRule), so
 * a rule the client may change cannot catch the invoices a locked rule is meant to pay; keeping
 * the list in that order keeps "the first rule that matches pays it" true as people read it.
 */
function checkLockedFirst(next: NextRule[]) {
  const firstUnlocked = next.findIndex((rule) => !rule.locked);
  if (firstUnlocked === -1) return;
  const lockedBelow = next.findIndex((rule, index) => index > firstUnlocked && rule.locked);
  if (lockedBelow === -1) return;
  throw AppError.validation(
    `rules.${lockedBelow}.locked`,
    `must come before the unlocked rules: move rule ${lockedBelow + 1} above rule ${firstUnlocked + 1}, since a rule the client may change would otherwise be matched first`,
  );
}

/** What changed, one sentence each, for the audit row and the email. */
function describeChanges(
  state: AutopayState,
  next: NextRule[],
  settings: { enabled: boolean; required: boolean; authorizedBy: string | null },
): string[] {
  const changes: string[] = [];
  if (settings.enabled !== state.settings.enabled) {
    changes.push(settings.enabled ? 'Turned AutoPay on' : 'Turned AutoPay off');
  }
  if (settings.required !== state.settings.required) {
    changes.push(settings.required ? 'Made AutoPay required' : 'AutoPay is no longer required');
  }
  if (settings.authorizedBy) {
    changes.push(`Recorded the client's authorization, given by ${settings.authorizedBy}`);
  }
  const kept = new Set(next.flatMap((rule) => (rule.id ? [rule.id] : [])));
  state.rules.forEach((rule, index) => {
    if (!kept.has(rule.id)) changes.push(`Deleted rule ${index + 1}: ${describeRule(state, rule)}`);
  });
  let moved = false;
  next.forEach((rule, index) => {
    const before = rule.id ? state.rules.findIndex((r) => r.id === rule.id) : -1;
    const label = `rule ${index + 1}: ${describeRule(state, { ...rule, position: index + 1 })}`;
    if (before === -1) {
      changes.push(`Added ${label}`);
      return;
    }
    const was = state.rules[before]!;
    if (before !== index) moved = true;
    if (was.locked !== rule.locked) {
      changes.push(`${rule.locked ? 'Locked' : 'Unlocked'} rule ${index + 1}`);
    }
    if (lockedFields(was) === lockedFields(rule)) return;
    if (
      was.enabled !== rule.enabled &&
      lockedFields({ ...was, enabled: rule.enabled }) === lockedFields(rule)
    ) {
      changes.push(`Turned rule ${index + 1} ${rule.enabled ? 'on' : 'off'}`);
      return;
    }
    changes.push(`Changed ${label}`);
  });
  if (moved) changes.push('Put the rules in a new order');
  return changes;
}

/** A snapshot for the audit row's before and after. */
function snapshot(
  settings: { enabled: boolean; required: boolean },
  rules: Array<Omit<NextRule, 'id'> & { id: string | null }>,
) {
  return {
    enabled: settings.enabled,
    required: settings.required,
    rules: rules.map((rule) => ({
      id: rule.id,
      enabled: rule.enabled,
      serviceCategoryIds: rule.serviceCategoryIds,
      paymentMethodId: rule.paymentMethodId,
      timing: rule.timing,
      days: rule.days,
      dayOfMonth: rule.dayOfMonth,
      maxAmountCents: rule.maxAmountCents,
      locked: rule.locked,
    })),
  };
}

interface SaveInput {
  enabled: boolean;
  rules: Array<AutopayRuleInput & { locked?: boolean }>;
  /** Staff only: make AutoPay required (undefined: as it is). */
  required?: boolean;
  authorization?: { text: string; authorizedBy: string } | null;
  note?: string;
}

/**
 * Saves an organization's AutoPay: checks the whole input first (400 naming the field, 404 for
 * another organization's rule or method, 403 for a contact's change to what is locked), then
 * writes the settings and the rules in their new order (rules left out are deleted; their past
 * attempts keep their rows), the audit row and the AutoPay Changed emails, on one transaction.
 * Nothing is written, audited or emailed when nothing changed.
 */
async function saveAutopay(
  deps: Deps,
  options: {
    actor: Actor;
    organizationId: string;
    by: 'contact' | 'staff';
    input: SaveInput;
  },
): Promise<void> {
  await withTransaction(deps.pool, async (tx) => {
    const state = await readState(tx.client, options.organizationId, { forUpdate: true });
    const mspName = await mspNameOf(tx.client);
    const next = checkRules(state, options.input.rules);
    const { input } = options;
    const required =
      options.by === 'staff'
        ? (input.required ?? state.settings.required)
        : state.settings.required;
    if (options.by === 'contact') {
      checkContactLocks(state, next, input.enabled, mspName);
    } else {
      checkLockedFirst(next);
      // Required means the client cannot turn AutoPay off: it has to be on to be required.
      if (required && !input.enabled) {
        throw AppError.validation(
          'required',
          'needs AutoPay Enabled: turn AutoPay on to require it',
        );
      }
    }
    if (
      options.by === 'staff' &&
      input.enabled &&
      !state.settings.enabled &&
      !state.settings.authorizationText &&
      !input.authorization
    ) {
      throw AppError.validation(
        'authorization',
        "is required: record the client's authorization when you turn AutoPay on for them",
      );
    }
    const authorization = options.by === 'staff' ? (input.authorization ?? null) : null;
    const changes = describeChanges(state, next, {
      enabled: input.enabled,
      required,
      authorizedBy: authorization?.authorizedBy ?? null,
    });
    if (changes.length === 0) return;

    await writeAutopay(tx, {
      organizationId: options.organizationId,
      actor: options.actor,
      state,
      next,
      enabled: input.enabled,
      required,
      authorization,
    });
    await recordAudit(tx.db, options.actor, {
      organizationId: options.organizationId,
      entityType: 'autopay',
      entityId: options.organizationId,
      entityLabel: 'AutoPay',
      action: 'autopay.changed',
      before: snapshot(state.settings, state.rules),
      after: {
        ...snapshot({ enabled: input.enabled, required }, next),
        summary: changes,
        note: input.note ?? null,
      },
    });
    const after = await readState(tx.client, options.organizationId);
    await queueAutopayChangedEmails(tx, deps, {
      state: after,
      actor: options.actor,
      changes,
    });
  });
}

/** The writes of a save, in order: settings, deleted rules, kept and new rules in place. */
async function writeAutopay(
  tx: Transaction,
  options: {
    organizationId: string;
    actor: Actor;
    state: AutopayState;
    next: NextRule[];
    enabled: boolean;
    required: boolean;
    authorization: { text: string; authorizedBy: string } | null;
  },
): Promise<void> {
  const { client } = tx;
  const staffId = options.actor.kind === 'staff' ? options.actor.id : null;
  const contactId = options.actor.kind === 'contact' ? options.actor.id : null;
  await client.query(
    `UPDATE autopay_organizations
        SET enabled = $2,
            required = $3,
            required_at = CASE WHEN $3 AND NOT required THEN now() WHEN $3 THEN required_at END,
            required_by_staff_id = CASE WHEN $3 AND NOT required THEN $4::uuid
                                        WHEN $3 THEN required_by_staff_id END,
            authorization_text = COALESCE($5, authorization_text),
            authorized_by = COALESCE($6, authorized_by),
            authorized_at = CASE WHEN $5::text IS NOT NULL THEN now() ELSE authorized_at END,
            authorization_recorded_by_staff_id =
              CASE WHEN $5::text IS NOT NULL THEN $4::uuid ELSE authorization_recorded_by_staff_id END,
            updated_at = now()
      WHERE organization_id = $1`,
    [
      options.organizationId,
      options.enabled,
      options.required,
      staffId,
      options.authorization?.text ?? null,
      options.authorization?.authorizedBy ?? null,
    ],
  );
  const kept = new Set(options.next.flatMap((rule) => (rule.id ? [rule.id] : [])));
  const deleted = options.state.rules.filter((rule) => !kept.has(rule.id)).map((rule) => rule.id);
  if (deleted.length > 0) {
    // A deleted rule's past attempts stay (staff read them); they just no longer name it.
    await client.query(
      `UPDATE autopay_attempts SET rule_id = NULL WHERE rule_id = ANY($1::uuid[])`,
      [deleted],
    );
    await client.query(`DELETE FROM autopay_rules WHERE id = ANY($1::uuid[])`, [deleted]);
  }
  const before = new Map(options.state.rules.map((rule) => [rule.id, rule]));
  for (const [index, rule] of options.next.entries()) {
    const values = [
      rule.enabled,
      rule.serviceCategoryIds,
      rule.paymentMethodId,
      rule.timing,
      rule.days,
      rule.dayOfMonth,
      rule.maxAmountCents,
      rule.locked,
      index + 1,
      contactId,
      staffId,
    ];
    if (rule.id) {
      const was = before.get(rule.id)!;
      const changed = lockedFields(was) !== lockedFields(rule) || was.locked !== rule.locked;
      await client.query(
        `UPDATE autopay_rules
            SET enabled = $2, service_category_ids = $3, payment_method_id = $4, timing = $5,
                days = $6, day_of_month = $7, max_amount_cents = $8,
                locked_at = CASE WHEN NOT $9 THEN NULL ELSE COALESCE(locked_at, now()) END,
                locked_by_staff_id = CASE WHEN NOT $9 THEN NULL
                                          ELSE COALESCE(locked_by_staff_id, $12::uuid) END,
                position = $10,
                updated_by_contact_id = CASE WHEN $13 THEN $11::uuid ELSE updated_by_contact_id END,
                updated_by_staff_id = CASE WHEN $13 THEN $12::uuid ELSE updated_by_staff_id END,
                updated_at = CASE WHEN $13 THEN now() ELSE updated_at END
          WHERE id = $1`,
        [rule.id, ...values, changed],
      );
    } else {
      await client.query(
        `INSERT INTO autopay_rules
           (organization_id, enabled, service_category_ids, payment_method_id, timing, days,
            day_of_month, max_amount_cents, locked_at, locked_by_staff_id, position,
            created_by_contact_id, created_by_staff_id, updated_by_contact_id, updated_by_staff_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN now() END,
                 CASE WHEN $9 THEN $12::uuid END, $10, $11, $12, $11, $12)`,
        [options.organizationId, ...values],
      );
    }
  }
}

/**
 * Queues "AutoPay Changed" on `tx`: to the organization's default notification contacts (with
 * a link to Configuration > AutoPay) and, as "AutoPay Changed (staff)", to every active Master
 * Admin and Billing user (as Payment Made reaches staff), with a link to the organization.
 */
async function queueAutopayChangedEmails(
  tx: Transaction,
  deps: Pick<Deps, 'jobs' | 'config'>,
  options: { state: AutopayState; actor: Actor; changes: string[] },
): Promise<void> {
  const { state } = options;
  const brand = await getBrand(tx.db, deps.config);
  const data = {
    organizationId: state.organizationId,
    organizationName: state.organizationName,
    changedBy: options.actor.label,
    changes: options.changes,
    enabled: state.settings.enabled,
    rules: state.rules.map((rule, index) => `${index + 1}. ${describeRule(state, rule)}`),
  };
  const reason = 'AutoPay changed';
  const recipients = await defaultNotificationRecipients(tx, state.organizationId);
  if (recipients.length > 0) {
    const contactName =
      recipients.length === 1 ? recipients[0]!.name : `${state.organizationName} team`;
    const changedBy = await changedByForClient(tx, options.actor);
    await queueEmail(tx, deps, {
      organizationId: state.organizationId,
      template: 'autopay_changed',
      recipients,
      rendered: await renderEmail('autopay_changed', { ...data, contactName, changedBy }, brand),
      linkBase: linkBaseOf('autopay_changed', { brand, address: deps.config }),
      triggeredBy: options.actor,
      reason,
    });
  }
  const staff = await billingRecipients(tx.client);
  if (staff.length === 0) return;
  await queueEmail(tx, deps, {
    organizationId: state.organizationId,
    template: 'autopay_changed_staff',
    recipients: staff.map((s) => ({ email: s.email, name: s.name, contactId: null })),
    rendered: await renderEmail(
      'autopay_changed_staff',
      { ...data, contactName: 'Billing team', consoleUrl: deps.config.PUBLIC_URL },
      brand,
    ),
    linkBase: linkBaseOf('autopay_changed_staff', { brand, address: deps.config }),
    triggeredBy: options.actor,
    reason,
  });
}

/**
 * Who changed AutoPay, as the client's email says it: a contact by their name, staff as "Our
 * billing team" (as the Scheduled Payments emails say it), never the audit log's label with its
 * "(portal)" or a staff member's email address; staff's own email keeps the label.
 */
async function changedByForClient(tx: Transaction, actor: Actor): Promise<string> {
  if (actor.kind === 'staff') return 'Our billing team';
  if (actor.kind !== 'contact' || !actor.id) return actor.label;
  const contact = (
    await tx.client.query<{ name: string }>(`SELECT name FROM contacts WHERE id = $1`, [actor.id])
  ).rows[0];
  return contact?.name ?? actor.label;
}

/**
 * A contact saves the organization's AutoPay (PUT /api/portal/autopay): AutoPay Enabled and
 * the ordered rules. 403 for a change to a locked rule or to AutoPay the MSP made required.
 */
export async function savePortalAutopay(
  deps: Deps,
  options: { actor: Actor; organizationId: string; input: PortalAutopayBody },
): Promise<void> {
  await saveAutopay(deps, { ...options, by: 'contact' });
}

/**
 * Staff save an organization's AutoPay (PUT /api/organizations/{id}/autopay): the same, plus
 * locks, required, and the client's authorization (400 `authorization` when staff turn AutoPay
 * on for a client with none stored). 404 for an organization that does not exist.
 */
export async function saveStaffAutopay(
  deps: Deps,
  options: { actor: Actor; organizationId: string; input: StaffAutopayBody },
): Promise<void> {
  await saveAutopay(deps, { ...options, by: 'staff' });
}

/** The longest preview window: a year and a day. */
const maxPreviewDays = 366;
/** The preview's window when none is given: today and the next 60 days. */
export const defaultPreviewDays = 60;

/**
 * What the rules would charge (GET …/autopay/preview), from planAutopayCharges, the code the
 * run uses: per open invoice, the date, the method, the amount, or why it is skipped. Without
 * `from`, an invoice whose charge date has passed (AutoPay turned on after it, a run missed) is
 * shown on the next run's date (`nextRunDate`: today, or tomorrow once today's run finished). 400 `through` before `from`, or a window longer
 * than a year. Dates are business dates; `today` is the MSP's.
 */
export async function previewAutopay(
  pool: Pool,
  options: { organizationId: string; today: string; from?: string; through?: string },
): Promise<AutopayPreview> {
  const state = await readState(pool, options.organizationId);
  const from = options.from ?? options.today;
  const through = options.through ?? addDays(from, defaultPreviewDays);
  if (through < from) throw AppError.validation('through', 'must be on or after from');
  if (addDays(from, maxPreviewDays) < through) {
    throw AppError.validation('through', `must be at most ${maxPreviewDays} days after from`);
  }
  const nextRun = await nextRunDate(pool, options.today);
  // A try dated before the next run (a day no run charged, or today's after today's run) is
  // charged by that run, as the run plans every date up to its own: a window that starts by
  // the next run holds those too, on the next run's date.
  const planned = await planAutopayCharges(pool, {
    organizationIds: [options.organizationId],
    ...(from > nextRun ? { from } : {}),
    through,
    today: options.today,
  });
  const charges = planned
    .filter((charge) => (charge.tryOn < nextRun ? nextRun : charge.tryOn) <= through)
    .map((charge) => ({
      invoiceId: charge.invoiceId,
      number: charge.number,
      ruleId: charge.ruleId,
      rulePosition: charge.rulePosition,
      // The try's date (a retry's, not its cycle's); one already passed, or today's once today's
      // run has finished, goes at the next run.
      chargeOn: charge.tryOn < nextRun ? nextRun : charge.tryOn,
      tryNumber: charge.tryNumber,
      dueDate: charge.dueDate,
      paymentMethodId: charge.methodId,
      paymentMethodLabel: charge.methodLabel,
      amountCents: charge.amountCents,
      currency: charge.currency,
      skipReason: charge.skipReason,
      skipReasonText: charge.skipReason ? autopaySkipReasonLabels[charge.skipReason] : null,
    }));
  return {
    from,
    through,
    charges,
    totalCents: charges.reduce((sum, c) => sum + (c.skipReason ? 0 : c.amountCents), 0),
    currency: state.currency,
  };
}

/**
 * The organization's AutoPay rules that name `paymentMethodId` charge "the default method"
 * instead, on `tx`: the method is being removed (payment-methods.ts, removePaymentMethod, on the
 * same transaction; call it after the method is marked removed, so the default is the new one).
 * Locked rules too: a removed method can never be charged, and the default is what a rule
 * without a method means; staff read it in AutoPay Changed (staff) with the client's copy.
 * Audited (`autopay.changed`, one row) and emailed AutoPay Changed like a save. Answers the
 * rules changed, with their place in the list; none when no rule named the method.
 */
export async function defaultMethodInsteadOf(
  tx: Transaction,
  deps: Pick<Deps, 'jobs' | 'config'>,
  input: { organizationId: string; paymentMethodId: string; methodLabel: string; actor: Actor },
): Promise<Array<{ id: string; position: number; locked: boolean }>> {
  const before = await readState(tx.client, input.organizationId);
  const named = before.rules.flatMap((rule, index) =>
    rule.paymentMethodId === input.paymentMethodId
      ? [{ id: rule.id, position: index + 1, locked: rule.locked }]
      : [],
  );
  if (named.length === 0) return [];
  await tx.client.query(
    `UPDATE autopay_rules SET payment_method_id = NULL, updated_at = now()
      WHERE organization_id = $1 AND payment_method_id = $2`,
    [input.organizationId, input.paymentMethodId],
  );
  const after = await readState(tx.client, input.organizationId);
  const changes = named.map(
    (rule) =>
      `Rule ${rule.position}${rule.locked ? ' (locked)' : ''} charged the ${input.methodLabel}, which was removed: it now charges the default method`,
  );
  await recordAudit(tx.db, input.actor, {
    organizationId: input.organizationId,
    entityType: 'autopay',
    entityId: input.organizationId,
    entityLabel: 'AutoPay',
    action: 'autopay.changed',
    before: snapshot(before.settings, before.rules),
    after: {
      ...snapshot(after.settings, after.rules),
      summary: changes,
      note: null,
    },
  });
  await queueAutopayChangedEmails(tx, deps, { state: after, actor: input.actor, changes });
  return named;
}

/**
 * The organization's AutoPay rules that name `paymentMethodId`, with their place in the list:
 * what defaultMethodInsteadOf would change (the removal's confirmation).
 */
export async function autopayRulesNaming(
  db: Reader,
  input: { organizationId: string; paymentMethodId: string },
): Promise<Array<{ id: string; position: number; locked: boolean }>> {
  const state = await readState(db, input.organizationId);
  return state.rules.flatMap((rule, index) =>
    rule.paymentMethodId === input.paymentMethodId
      ? [{ id: rule.id, position: index + 1, locked: rule.locked }]
      : [],
  );
}
