import { describe, expect, it } from 'vitest';
import { roleCan } from './staff-roles.js';

describe('staff roles', () => {
  it('lets only a Master Admin manage settings and staff users', () => {
    expect(roleCan('master_admin', 'manage_settings')).toBe(true);
    expect(roleCan('master_admin', 'manage_staff')).toBe(true);
    expect(roleCan('billing', 'manage_settings')).toBe(false);
    expect(roleCan('billing', 'manage_staff')).toBe(false);
  });

  it("lets only a Master Admin read the Local Mailbox, which holds clients' working links", () => {
    expect(roleCan('master_admin', 'read_local_mailbox')).toBe(true);
    expect(roleCan('billing', 'read_local_mailbox')).toBe(false);
    expect(roleCan('read_only', 'read_local_mailbox')).toBe(false);
  });

  it('lets Billing manage clients but keeps Read Only to reading', () => {
    expect(roleCan('billing', 'manage_clients')).toBe(true);
    expect(roleCan('read_only', 'manage_clients')).toBe(false);
    expect(roleCan('read_only', 'read')).toBe(true);
  });
});
