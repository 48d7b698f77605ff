import { permissionLabel } from '../access-profiles/access-profiles-api';
import type { AuditEvent } from './audit-api';

/** What happened, in the words staff use; unknown actions fall back to a readable form. */
const actionWords: Record<string, string> = {
  'organization.created': 'Created the organization',
  'organization.updated': 'Changed the Organization Details',
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
  'payment.recorded': 'Recorded payment',
  'refund.started': 'Sent a refund of payment',
  'refund.recorded': 'Recorded a refund of payment',
  'refund.succeeded': 'Refunded on payment',
  'refund.failed': 'Refund refused by the processor for payment',
  'credit.applied': 'Applied unapplied credit of payment',
};

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
  // "Office card (Visa •••• 4242)", as it was named then.
  // "Refunded on payment P-000123".
  if (
    (event.entityType === 'payment_method' || event.entityType === 'payment') &&
    event.entityLabel
  ) {
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
};

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

/** Before → after per field, with profile ids shown as profile names. */
export function describeChanges(
  event: AuditEvent,
  profileName: (id: string | null) => string,
): FieldChange[] {
  const before = event.before ?? {};
  const after = event.after ?? {};
  // Newer events carry the profile's name beside its id: show the name, as it was then.
  const named = 'accessProfile' in before || 'accessProfile' in after;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => key !== 'organizationId' && !(named && key === 'accessProfileId'),
  );
  const show = (key: string, value: unknown): string | null => {
    if (!(key in before) && !(key in after)) return null;
    if (key === 'accessProfileId') return profileName(typeof value === 'string' ? value : null);
    if (value === undefined) return null;
    if (value === null || value === '') return '(empty)';
    if (typeof value === 'boolean') return value ? 'Yes' : 'No';
    if (Array.isArray(value))
      return value.map((v) => permissionLabel(String(v))).join(', ') || '(none)';
    return String(value);
  };
  return keys.map((key) => ({
    field: fieldLabels[key] ?? key,
    before: key in before ? show(key, before[key]) : null,
    after: key in after ? show(key, after[key]) : null,
  }));
}
