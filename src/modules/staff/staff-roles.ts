import type { StaffCapability } from '../../shared/contract/staff.js';
import type { StaffRole } from './staff.schema.js';

export type { StaffCapability } from '../../shared/contract/staff.js';

const capabilitiesByRole: Record<StaffRole, StaffCapability[]> = {
  master_admin: [
    'read',
    'manage_clients',
    'manage_settings',
    'manage_staff',
    'read_local_mailbox',
    'manage_tickets',
  ],
  billing: ['read', 'manage_clients', 'manage_tickets'],
  read_only: ['read'],
};

export function roleCan(role: StaffRole, capability: StaffCapability): boolean {
  return capabilitiesByRole[role].includes(capability);
}

export function capabilitiesOf(role: StaffRole): StaffCapability[] {
  return capabilitiesByRole[role];
}
