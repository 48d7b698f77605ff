import { describe, expect, it } from 'vitest';
import type { AuditEvent } from './audit-api';
import { describeAction, describeChanges } from './describe-audit-event';

/**
 * Every action written to an organization's audit log: by the modules (src/modules, recordAudit,
 * auditInsert, auditInsertMany) and by the migrations that renumbered invoices (0009) and
 * AutoPay rules (0032). A new action belongs here and in the log's words.
 */
const organizationActions = [
  'organization.created',
  'organization.updated',
  'organization.billing_updated',
  'organization.notes_updated',
  'organization.archived',
  'organization.restored',
  'contact.created',
  'contact.updated',
  'contact.access_profile_changed',
  'contact.access_revoked',
  'contact.related',
  'contact.relation_removed',
  'contact.default_notification_added',
  'contact.default_notification_removed',
  'contact.portal_viewed_as',
  'contact.temporary_password_set',
  'payment_method.added',
  'payment_method.updated',
  'payment_method.default_set',
  'payment_method.removed',
  'payment_method.unlocked',
  'payment.started',
  'payment.succeeded',
  'payment.processing',
  'payment.failed',
  'payment.settled',
  'payment.returned',
  'payment.recovered',
  'payment.recorded',
  'payment.disputed',
  'payment.dispute_updated',
  'payment.dispute_lost',
  'refund.started',
  'refund.recorded',
  'refund.succeeded',
  'refund.failed',
  'refund.reversed',
  'credit.applied',
  'invoice.created',
  'invoice.imported',
  'invoice.updated',
  'invoice.deleted',
  'invoice.issued',
  'invoice.voided',
  'invoice.renumbered',
  'autopay.changed',
  'autopay.renumbered',
  'scheduled_payment.created',
  'scheduled_payment.changed',
  'scheduled_payment.cancelled',
  'ticket.created',
  'ticket.additional_information',
  'ticket.replied',
  'ticket.internal_note',
  'ticket.changed',
  'ticket.closed',
  'ticket.reopened',
];

const organizationId = '6f1c1f1e-5d43-4c1a-9f57-0b1d8a9f2c10';
const ruleIds = ['0d9d2b9e-6b0e-4c53-9c5e-2b3f0c1a7e01', '0d9d2b9e-6b0e-4c53-9c5e-2b3f0c1a7e02'];
const methodId = '3a7e0c55-1f0b-4f8e-8f51-6c2b1d0e9a33';
const invoiceId = '8b2f6a10-4c1e-4d7b-a1f0-5e9c3d2b1a44';
const typeId = 'c4d1e2f3-0a1b-4c2d-8e3f-9a0b1c2d3e55';

let nextId = 1;
function event(
  action: string,
  entityType: string,
  entityLabel: string,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): AuditEvent {
  return {
    id: nextId++,
    occurredAt: '2025-03-01T15:00:00.000Z',
    actorKind: 'staff',
    actorId: null,
    actorLabel: 'Ben Wyatt',
    organizationId,
    entityType,
    entityId: organizationId,
    entityLabel,
    action,
    before,
    after,
  };
}

// Shapes as the writers make them (autopay.service.ts snapshot, the 0032 migration,
// scheduled-payments.service.ts auditShape, tickets.service.ts, invoice-drafts.ts,
// invoice-lifecycle.ts, refunds.ts, payment-batches.ts, credits.ts, payment-methods.ts).
const rule = (id: string, locked: boolean, timing: string, days: number | null) => ({
  id,
  enabled: true,
  serviceCategoryIds: [],
  paymentMethodId: methodId,
  timing,
  days,
  dayOfMonth: null,
  maxAmountCents: locked ? 50_000 : null,
  locked,
});
const autopayChanged = event(
  'autopay.changed',
  'autopay',
  'AutoPay',
  {
    enabled: false,
    required: false,
    rules: [rule(ruleIds[0]!, true, 'due_date', null)],
  },
  {
    enabled: true,
    required: false,
    rules: [
      rule(ruleIds[0]!, true, 'due_date', null),
      rule(ruleIds[1]!, false, 'before_due_date', 3),
    ],
    summary: ['Turned AutoPay on', 'Added rule 2: 3 days before the due date'],
    note: 'Asked for by April on the phone',
  },
);
const autopayRenumbered = event(
  'autopay.renumbered',
  'autopay',
  'AutoPay',
  {
    rules: [
      { id: ruleIds[1], position: 1, locked: false },
      { id: ruleIds[0], position: 2, locked: true },
    ],
  },
  {
    rules: [
      { id: ruleIds[0], position: 1, locked: true },
      { id: ruleIds[1], position: 2, locked: false },
    ],
    summary: ['The locked rules now come first, in the order AutoPay matches the rules'],
    note: null,
  },
);
const scheduledShape = (runOn: string, status: string) => ({
  runOn,
  status,
  method: 'Office card (Visa •••• 4242)',
  totalCents: 12_500,
  currency: 'USD',
  allocations: [
    { invoice: 'INV-1042', amountCents: 10_000 },
    { invoice: 'INV-1043', amountCents: 2_500 },
  ],
});
const samples: AuditEvent[] = [
  autopayChanged,
  autopayRenumbered,
  // An AutoPay change with no summary (a row shaped before summaries): rules still read.
  event(
    'autopay.changed',
    'autopay',
    'AutoPay',
    { enabled: true, required: false, rules: [rule(ruleIds[0]!, true, 'due_date', null)] },
    {
      enabled: true,
      required: true,
      rules: [
        rule(ruleIds[0]!, true, 'due_date', null),
        rule(ruleIds[1]!, false, 'before_due_date', 3),
      ],
    },
  ),
  event(
    'scheduled_payment.created',
    'scheduled_payment',
    'Scheduled payment for 2025-03-14',
    null,
    scheduledShape('2025-03-14', 'scheduled'),
  ),
  event(
    'scheduled_payment.changed',
    'scheduled_payment',
    'Scheduled payment for 2025-03-21',
    scheduledShape('2025-03-14', 'scheduled'),
    scheduledShape('2025-03-21', 'scheduled'),
  ),
  event(
    'scheduled_payment.cancelled',
    'scheduled_payment',
    'Scheduled payment for 2025-03-21',
    { status: 'scheduled' },
    { status: 'cancelled', reason: 'payment_method_removed' },
  ),
  event('ticket.created', 'ticket', 'T-1042', null, {
    summary: 'Printer offline',
    priority: 'high',
    typeId,
    assigneeId: null,
    files: ['error.png'],
  }),
  event(
    'ticket.changed',
    'ticket',
    'T-1042',
    { status: 'new', priority: 'high', assigneeId: null },
    { status: 'in_progress', priority: 'critical', assigneeId: ruleIds[0] },
  ),
  event('ticket.replied', 'ticket', 'T-1042', null, { characters: 120, files: [] }),
  event(
    'ticket.closed',
    'ticket',
    'T-1042',
    { status: 'in_progress' },
    { status: 'closed', resolutionNotes: 'Replaced the toner.' },
  ),
  event('invoice.created', 'invoice', 'INV-1042', null, {
    number: 'INV-1042',
    organizationId,
    issueDate: '2025-03-01',
    dueDate: '2025-03-31',
    terms: 'Net 30',
    serviceCategoryId: typeId,
    taxRateId: null,
    taxRatePpm: 72_500,
    subtotalCents: 10_000,
    taxCents: 725,
    totalCents: 10_725,
    memo: '',
    externalReference: null,
    state: 'draft',
    lineCount: 2,
  }),
  event(
    'invoice.issued',
    'invoice',
    'INV-1042',
    { state: 'draft' },
    { state: 'issued', issuedAt: '2025-03-01T15:00:00.000Z', totalCents: 10_725 },
  ),
  event(
    'invoice.voided',
    'invoice',
    'INV-1042',
    { state: 'issued' },
    { state: 'void', voidReason: 'Billed twice' },
  ),
  event(
    'invoice.renumbered',
    'invoice',
    'inv-1261-2',
    { number: 'inv-1261' },
    { number: 'inv-1261-2' },
  ),
  event('payment.started', 'payment', 'P-000123', null, {
    status: 'pending',
    amountCents: 12_500,
    currency: 'USD',
    method: 'Office card (Visa •••• 4242)',
    allocations: [{ invoiceId, amountCents: 12_500, balanceCents: 12_500 }],
  }),
  event(
    'credit.applied',
    'payment',
    'P-000123',
    { unappliedCents: 5_000 },
    {
      unappliedCents: 0,
      allocations: [{ invoiceId, amountCents: 5_000 }],
    },
  ),
  event(
    'refund.succeeded',
    'payment',
    'P-000123',
    { refundedCents: 0 },
    {
      refundId: ruleIds[1],
      amountCents: 2_500,
      refundedCents: 2_500,
      origin: 'staff',
      reopened: [{ invoiceId, amountCents: 2_500 }],
    },
  ),
  event(
    'refund.reversed',
    'payment',
    'P-000123',
    { refundedCents: 2_500 },
    {
      refundId: ruleIds[1],
      refundedCents: 0,
      failureMessage: 'The bank account was closed.',
      restored: [{ invoiceId, amountCents: 2_500 }],
    },
  ),
  event(
    'payment_method.removed',
    'payment_method',
    'Office card (Visa •••• 4242)',
    {
      isDefault: true,
    },
    {
      removed: true,
      newDefault: 'Bank',
      paymentsInFlight: ['P-000124'],
      scheduledPaymentsCancelled: [ruleIds[0]],
      autopayRulesToDefault: [1, 3],
    },
  ),
];

/** The whole row as the table shows it. */
function rendered(sample: AuditEvent): string {
  const changes = describeChanges(sample, () => 'Billing Admin', {
    currency: 'USD',
    ticketTypeName: (id) => (id === typeId ? 'Hardware' : undefined),
  });
  return [
    describeAction(sample),
    ...changes.map(
      (c) => `${c.field}: ${[c.before, c.after].filter((v) => v !== null).join(' → ')}`,
    ),
  ].join('\n');
}

describe('the audit log’s words', () => {
  it('gives every action on an organization’s log words of its own', () => {
    const machineForm = (action: string) =>
      action.replace(/[._]/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
    const missing = organizationActions.filter((action) => {
      const words = describeAction(event(action, 'organization', '', null, null));
      return words === machineForm(action);
    });
    expect(missing).toEqual([]);
  });

  it('shows an AutoPay change as “Changed AutoPay” with its summary and note, not its rules', () => {
    expect(describeAction(autopayChanged)).toBe('Changed AutoPay');
    expect(describeChanges(autopayChanged, () => '')).toEqual([
      { field: 'Change', before: null, after: 'Turned AutoPay on' },
      { field: 'Change', before: null, after: 'Added rule 2: 3 days before the due date' },
      { field: 'Note', before: null, after: 'Asked for by April on the phone' },
    ]);
  });

  it('shows the migration’s renumbering of AutoPay rules by its summary', () => {
    expect(describeAction(autopayRenumbered)).toBe('Renumbered the AutoPay rules');
    expect(describeChanges(autopayRenumbered, () => '')).toEqual([
      {
        field: 'Change',
        before: null,
        after: 'The locked rules now come first, in the order AutoPay matches the rules',
      },
    ]);
  });

  it('names the invoice, the ticket and the scheduled payment’s date', () => {
    const text = samples.map(rendered).join('\n');
    expect(text).toContain('Voided invoice INV-1042');
    expect(text).toContain('Renumbered invoice inv-1261-2\nNumber: inv-1261 → inv-1261-2');
    expect(text).toContain('Closed service ticket T-1042');
    expect(text).toContain('Cancelled the scheduled payment for 2025-03-21');
    expect(text).toContain('Refund reversed by the processor on payment P-000123');
  });

  it('reads structured values: never “[object Object]”, never raw ids', () => {
    for (const sample of samples) {
      const text = rendered(sample);
      expect(text, sample.action).not.toContain('[object Object]');
      for (const id of [organizationId, ...ruleIds, methodId, invoiceId, typeId]) {
        expect(text, sample.action).not.toContain(id);
      }
    }
    const text = samples.map(rendered).join('\n');
    expect(text).toContain(
      'Rules: Rule 1 (locked): On the due date, up to $500.00 → ' +
        'Rule 1 (locked): On the due date, up to $500.00; Rule 2: 3 days before the due date',
    );
    expect(text).not.toContain('AutoPay on: Yes → Yes');
    expect(text).toContain('Invoices: INV-1042: $100.00; INV-1043: $25.00');
    expect(text).toContain('Date: 2025-03-14 → 2025-03-21');
    expect(text).toContain('Status: New → In Progress');
    expect(text).toContain('Type: Hardware');
    expect(text).toContain('Assignee: Unassigned → A staff user');
    expect(text).toContain('Invoices owing again: $25.00');
    expect(text).toContain('Reason: Payment method removed');
    expect(text).not.toContain('Status: Scheduled → Scheduled');
    expect(text).toContain('Tax rate: 7.25%');
    expect(text).toContain('AutoPay rules now charging the default method: Rule 1, Rule 3');
  });

  it('names the assignee a ticket change recorded, as they were named then', () => {
    const reassigned = event(
      'ticket.changed',
      'ticket',
      'T-1043',
      { assigneeId: ruleIds[0], assignee: 'Ana Mendes' },
      { assigneeId: ruleIds[1], assignee: 'Γιώργος Παπαδόπουλος' },
    );
    expect(describeChanges(reassigned, () => '')).toEqual([
      { field: 'Assignee', before: 'Ana Mendes', after: 'Γιώργος Παπαδόπουλος' },
    ]);
    const unassigned = event(
      'ticket.changed',
      'ticket',
      'T-1043',
      { assigneeId: ruleIds[1], assignee: 'Γιώργος Παπαδόπουλος' },
      { assigneeId: null, assignee: null },
    );
    expect(describeChanges(unassigned, () => '')).toEqual([
      { field: 'Assignee', before: 'Γιώργος Παπαδόπουλος', after: 'Unassigned' },
    ]);
  });

  it('shows only permissions as permission names', () => {
    const sample = event('payment_method.removed', 'payment_method', 'Office card', null, {
      paymentsInFlight: ['view_invoices'],
      permissions: ['view_invoices'],
    });
    expect(describeChanges(sample, () => '')).toEqual([
      { field: 'Payments in flight', before: null, after: 'view_invoices' },
      { field: 'Permissions', before: null, after: 'View invoices' },
    ]);
  });
});
