import { autopayTimingLabels, type AutopayTiming } from '../../../../src/shared/contract/autopay';
import { paymentStatusLabels } from '../../../../src/shared/contract/payments';
import { scheduledPaymentStatusLabels } from '../../../../src/shared/contract/scheduled-payments';
import { transactionMethodTypeLabels } from '../../../../src/shared/contract/staff-payments';
import { ticketPriorityLabels, ticketStatusLabels } from '../../../../src/shared/contract/tickets';
import { formatDateTime, formatDay } from '../../lib/format';
import { formatMoney, formatRate } from '../../lib/money';
import { permissionLabel } from '../access-profiles/access-profiles-api';
import type { AuditEvent } from './audit-api';

/**
 * What happened, in the words staff use: every action written to an organization's log (by the
 * modules and by the migrations that renumbered invoices and AutoPay rules). An action missing
 * here falls back to a machine form ("Autopay changed"); the unit test beside this file holds
 * the list of actions and fails on one without words.
 */
const actionWords: Record<string, string> = {
  'organization.created': 'Created the organization',
  'organization.updated': 'Changed the Organization Details',
  'organization.billing_updated': 'Changed the Billing settings',
  'organization.notes_updated': 'Changed the Organization Notes',
  'organization.archived': 'Archived the organization',
  'organization.restored': 'Restored the organization',
  'contact.created': 'Added contact',
  'contact.updated': 'Changed contact',
  'contact.access_profile_changed': 'Changed the profile of',
  'contact.access_revoked': 'Revoked access for',
  'contact.related': 'Related contact',
  'contact.relation_removed': 'Removed contact',
  'contact.default_notification_added': 'Made a default notification contact:',
  'contact.default_notification_removed': 'No longer a default notification contact:',
  'contact.portal_viewed_as': 'Viewed the portal as',
  'contact.temporary_password_set': 'Set a temporary password for',
  'payment_method.added': 'Added payment method',
  'payment_method.updated': 'Changed payment method',
  'payment_method.default_set': 'Made the default payment method:',
  'payment_method.removed': 'Removed payment method',
  'payment_method.unlocked': 'Unlocked payment method',
  'payment.started': 'Started payment',
  'payment.succeeded': 'Payment succeeded:',
  'payment.processing': 'Bank payment processing:',
  'payment.failed': 'Payment failed:',
  'payment.settled': 'Bank payment settled:',
  'payment.returned': 'Bank payment returned:',
  'payment.recovered': 'Charge found after the payment was marked failed:',
  'payment.recorded': 'Recorded payment',
  'payment.disputed': 'The client’s bank disputed payment',
  'payment.dispute_updated': 'Dispute updated on payment',
  'payment.dispute_lost': 'Dispute lost on payment',
  'refund.started': 'Sent a refund of payment',
  'refund.recorded': 'Recorded a refund of payment',
  'refund.succeeded': 'Refunded on payment',
  'refund.failed': 'Refund refused by the processor for payment',
  'refund.reversed': 'Refund reversed by the processor on payment',
  'credit.applied': 'Applied unapplied credit of payment',
  'invoice.created': 'Created invoice',
  'invoice.imported': 'Imported invoice',
  'invoice.updated': 'Changed invoice',
  'invoice.deleted': 'Deleted draft invoice',
  'invoice.issued': 'Issued invoice',
  'invoice.voided': 'Voided invoice',
  'invoice.renumbered': 'Renumbered invoice',
  'autopay.changed': 'Changed AutoPay',
  'autopay.renumbered': 'Renumbered the AutoPay rules',
  'scheduled_payment.created': 'Scheduled a payment',
  'scheduled_payment.changed': 'Changed the scheduled payment',
  'scheduled_payment.cancelled': 'Cancelled the scheduled payment',
  'ticket.created': 'Opened service ticket',
  'ticket.additional_information': 'Client added information to service ticket',
  'ticket.replied': 'Replied to service ticket',
  'ticket.internal_note': 'Added an internal note to service ticket',
  'ticket.changed': 'Changed service ticket',
  'ticket.closed': 'Closed service ticket',
  'ticket.reopened': 'Reopened service ticket',
};

/** Entities whose label (a number, a method's name) follows the words: "Voided invoice INV-1042". */
const labelledEntities = new Set(['payment_method', 'payment', 'invoice', 'ticket']);

const calendarDate = /\d{4}-\d{2}-\d{2}$/;

export function describeAction(event: AuditEvent, contactName?: string): string {
  const words =
    actionWords[event.action] ??
    event.action.replace(/[._]/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
  if (event.entityType === 'contact') {
    const name =
      event.entityLabel ||
      contactName ||
      (typeof event.after?.name === 'string' ? event.after.name : null);
    return name ? `${words} ${name}` : `${words} a contact`;
  }
  // "Scheduled payment for 2025-03-01" is the label: the date, in the MSP's format.
  if (event.entityType === 'scheduled_payment') {
    const runOn =
      calendarDate.exec(event.entityLabel)?.[0] ??
      [event.after?.runOn, event.before?.runOn].find(
        (value): value is string => typeof value === 'string',
      );
    return runOn ? `${words} for ${formatDay(runOn)}` : words;
  }
  // "Office card (Visa •••• 4242)", as it was named then; "Refunded on payment P-000123";
  // "Voided invoice INV-1042"; "Closed service ticket T-1042".
  if (labelledEntities.has(event.entityType) && event.entityLabel) {
    return `${words} ${event.entityLabel}`;
  }
  return words;
}

const fieldLabels: Record<string, string> = {
  name: 'Name',
  email: 'Email Address',
  phone: 'Phone',
  notes: 'Organization Notes',
  addressLine1: 'Address line 1',
  addressLine2: 'Address line 2',
  city: 'City',
  region: 'State/Region',
  postalCode: 'Postal code',
  country: 'Country',
  accessProfileId: 'Profile',
  accessProfile: 'Profile',
  isDefaultNotification: 'Default notification contact',
  archivedAt: 'Archived',
  permissions: 'Permissions',
  friendlyName: 'Name',
  billingName: 'Billing name',
  billingAddressLine1: 'Billing address line 1',
  billingAddressLine2: 'Billing address line 2',
  billingCity: 'Billing city',
  billingRegion: 'Billing state/region',
  billingPostalCode: 'Billing postal code',
  billingCountry: 'Billing country',
  expMonth: 'Expiry month',
  expYear: 'Expiry year',
  lockedReason: 'Locked',
  failedChargeCount: 'Failed charges',
  isDefault: 'Default',
  reason: 'Reason',
  // Billing, invoices and payments.
  currency: 'Currency',
  newInvoiceEmails: 'Email New Invoice (with PDF) to Default Notification Emails',
  number: 'Number',
  state: 'Status',
  status: 'Status',
  issueDate: 'Issue date',
  dueDate: 'Due date',
  issuedAt: 'Issued',
  terms: 'Terms',
  memo: 'Memo',
  externalReference: 'External reference',
  taxRatePpm: 'Tax rate',
  subtotalCents: 'Subtotal',
  taxCents: 'Tax',
  totalCents: 'Total',
  lineCount: 'Lines',
  voidReason: 'Void reason',
  amountCents: 'Amount',
  balanceCents: 'Balance',
  refundedCents: 'Refunded',
  unappliedCents: 'Unapplied credit',
  method: 'Method',
  label: 'Method',
  type: 'Type',
  expiry: 'Expiry',
  authorizedIp: 'Authorized from IP address',
  removed: 'Removed',
  newDefault: 'New default',
  paymentsInFlight: 'Payments in flight',
  scheduledPaymentsCancelled: 'Scheduled payments cancelled',
  autopayRulesToDefault: 'AutoPay rules now charging the default method',
  reference: 'Reference',
  receivedOn: 'Received',
  allocations: 'Invoices',
  invoice: 'Invoice',
  failureCode: 'Failure code',
  failureMessage: 'Failure',
  methodLocked: 'Method locked',
  origin: 'Origin',
  reopened: 'Invoices reopened',
  restored: 'Invoices owing again',
  disputeRef: 'Dispute',
  disputeStatus: 'Dispute status',
  // AutoPay.
  enabled: 'AutoPay on',
  required: 'AutoPay required',
  rules: 'Rules',
  summary: 'Summary',
  note: 'Note',
  // Scheduled payments.
  runOn: 'Date',
  // Service tickets.
  priority: 'Priority',
  typeId: 'Type',
  assigneeId: 'Assignee',
  resolutionNotes: 'Resolution notes',
  characters: 'Characters',
  files: 'Files',
  // Portal.
  readOnly: 'Read only',
  mustChangePassword: 'Must change password at sign-in',
};

/** Identifiers people cannot read and the log has no name for: left out. */
const resolvedIds = new Set(['accessProfileId', 'typeId', 'assigneeId']);
const isIdentifier = (key: string) =>
  !resolvedIds.has(key) && (key === 'id' || key.endsWith('Id') || key.endsWith('Ids'));

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

/** What the log knows beside the event, to show ids and amounts as people read them. */
export interface AuditContext {
  /** The organization's currency: amounts written without one are in it. */
  currency?: string;
  /** A ticket type's name, when the type is known. */
  ticketTypeName?: (id: string) => string | undefined;
}

interface Reading {
  entityType: string;
  currency: string | undefined;
  ticketTypeName: (id: string) => string | undefined;
}

const humanize = (value: string) => value.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

const stringList = (value: unknown): string[] | null =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')
    ? value
    : null;

function money(cents: number, reading: Reading): string {
  return reading.currency ? formatMoney(cents, reading.currency) : `${cents} (minor units)`;
}

const statusLabels: Record<string, Record<string, string>> = {
  ticket: ticketStatusLabels,
  scheduled_payment: scheduledPaymentStatusLabels,
  payment: paymentStatusLabels,
};

/** A recorded code ("in_progress", "check") in the words the console uses for it. */
function codeLabel(key: string, value: string, reading: Reading): string {
  const labels =
    key === 'priority'
      ? ticketPriorityLabels
      : key === 'status'
        ? statusLabels[reading.entityType]
        : key === 'type' || key === 'method'
          ? transactionMethodTypeLabels
          : undefined;
  return (labels as Record<string, string> | undefined)?.[value] ?? humanize(value);
}

/** An AutoPay rule as the log reads it: "Rule 2 (locked): 3 days before the due date, up to $500.00". */
function ruleText(rule: Record<string, unknown>, index: number, reading: Reading): string {
  const position = typeof rule.position === 'number' ? rule.position : index + 1;
  const name = `Rule ${position}${rule.locked === true ? ' (locked)' : ''}`;
  const details: string[] = [];
  const timing = typeof rule.timing === 'string' ? rule.timing : null;
  if (timing === 'day_of_month' && typeof rule.dayOfMonth === 'number') {
    details.push(`On day ${rule.dayOfMonth} of the month`);
  } else if (timing && typeof rule.days === 'number') {
    const words = autopayTimingLabels[timing as AutopayTiming] ?? humanize(timing);
    details.push(`${rule.days} ${words.replace(/^Days\b/, 'days')}`);
  } else if (timing) {
    details.push(autopayTimingLabels[timing as AutopayTiming] ?? humanize(timing));
  }
  if (typeof rule.maxAmountCents === 'number') {
    details.push(`up to ${money(rule.maxAmountCents, reading)}`);
  }
  if (rule.enabled === false) details.push('off');
  return details.length > 0 ? `${name}: ${details.join(', ')}` : name;
}

/** Any recorded value as text to read: never "[object Object]". */
function readable(key: string, value: unknown, reading: Reading): string {
  if (value === null || value === undefined || value === '') {
    return key === 'assigneeId' || key === 'assignee' ? 'Unassigned' : '(empty)';
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') {
    if (key.endsWith('Cents')) return money(value, reading);
    if (key === 'taxRatePpm') return formatRate(value);
    return String(value);
  }
  if (typeof value === 'string') {
    if (key === 'typeId') return reading.ticketTypeName(value) ?? 'A ticket type no longer listed';
    // Rows written before ticket changes kept the assignee's name beside the id.
    if (key === 'assigneeId') return 'A staff user';
    if (['status', 'state', 'priority', 'disputeStatus', 'origin'].includes(key)) {
      return codeLabel(key, value, reading);
    }
    // A method type ("ach") or a manual payment's method ("check"); a saved method's name stays.
    if ((key === 'type' || key === 'method') && value in transactionMethodTypeLabels) {
      return codeLabel(key, value, reading);
    }
    if ((key.endsWith('On') || key.endsWith('Date')) && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
      return formatDay(value);
    }
    if (key.endsWith('At') && !Number.isNaN(Date.parse(value))) return formatDateTime(value);
    // A reason Portico gave as a code ("payment_method_removed"); staff's own words stay.
    if (key === 'reason' && /^[a-z]+(_[a-z]+)+$/.test(value)) return humanize(value);
    return value;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    if (key === 'rules') {
      return value
        .map((rule, index) =>
          rule && typeof rule === 'object'
            ? ruleText(rule as Record<string, unknown>, index, reading)
            : `Rule ${index + 1}`,
        )
        .join('; ');
    }
    if (key === 'autopayRulesToDefault') return value.map((n) => `Rule ${String(n)}`).join(', ');
    // Ids of what was cancelled: how many is what a reader can use.
    if (key === 'scheduledPaymentsCancelled') return String(value.length);
    const isObject = (item: unknown): item is Record<string, unknown> =>
      typeof item === 'object' && item !== null && !Array.isArray(item);
    return value
      .map((item) => (isObject(item) ? objectText(item, reading) : readable(key, item, reading)))
      .join(value.some(isObject) ? '; ' : ', ');
  }
  if (typeof value === 'object') return objectText(value as Record<string, unknown>, reading);
  return String(value as string | number | bigint);
}

/** An object as "Label: value" pairs; an invoice's share of a payment as "INV-1042: $35.00". */
function objectText(value: Record<string, unknown>, reading: Reading): string {
  if (typeof value.amountCents === 'number') {
    const amount = money(value.amountCents, reading);
    if (typeof value.invoice === 'string') return `${value.invoice}: ${amount}`;
    // An invoice's share named by id only (the balance it had is the amount or noise): the amount.
    const rest = Object.keys(value).filter(
      (key) => key !== 'amountCents' && key !== 'balanceCents' && !isIdentifier(key),
    );
    if (rest.length === 0) return amount;
  }
  const pairs = Object.entries(value)
    .filter(([key, item]) => item !== undefined && !isIdentifier(key))
    .map(([key, item]) => `${fieldLabels[key] ?? humanize(key)}: ${readable(key, item, reading)}`);
  return pairs.length > 0 ? pairs.join(', ') : '—';
}

/**
 * Before → after per field, with profile ids shown as profile names. An event that carries its
 * own summary in words (AutoPay's `after.summary`) shows those lines, and its note, instead of
 * the raw settings and rules.
 */
export function describeChanges(
  event: AuditEvent,
  profileName: (id: string | null) => string,
  context: AuditContext = {},
): FieldChange[] {
  const before = event.before ?? {};
  const after = event.after ?? {};
  const reading: Reading = {
    entityType: event.entityType,
    currency: [after.currency, before.currency, context.currency].find(
      (value): value is string => typeof value === 'string' && value !== '',
    ),
    ticketTypeName: context.ticketTypeName ?? (() => undefined),
  };

  const summary = stringList(after.summary);
  if (summary) {
    const lines: FieldChange[] = summary.map((line) => ({
      field: 'Change',
      before: null,
      after: line,
    }));
    if (typeof after.note === 'string' && after.note.trim() !== '') {
      lines.push({ field: 'Note', before: null, after: after.note });
    }
    return lines;
  }

  // Newer events carry the profile's (or the assignee's) name beside its id: show the name,
  // as it was then.
  const named = 'accessProfile' in before || 'accessProfile' in after;
  const assigneeNamed = 'assignee' in before || 'assignee' in after;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  // An amount's currency is how the amount reads, not a change of its own.
  const amounts = keys.some((key) => key.endsWith('Cents'));
  const shown = keys.filter(
    (key) =>
      key !== 'organizationId' &&
      !(named && key === 'accessProfileId') &&
      !(assigneeNamed && key === 'assigneeId') &&
      !isIdentifier(key) &&
      !(amounts && key === 'currency'),
  );
  const show = (key: string, value: unknown): string | null => {
    if (key === 'accessProfileId') return profileName(typeof value === 'string' ? value : null);
    if (value === undefined) return null;
    if (key === 'permissions' && Array.isArray(value)) {
      return value.map((v) => permissionLabel(String(v))).join(', ') || '(none)';
    }
    return readable(key, value, reading);
  };
  return (
    shown
      .map((key) => ({
        field: fieldLabels[key] ?? humanize(key),
        before: key in before ? show(key, before[key]) : null,
        after: key in after ? show(key, after[key]) : null,
      }))
      // A whole snapshot on both sides (a scheduled payment's): only what changed.
      .filter((change) => change.before === null || change.before !== change.after)
  );
}
