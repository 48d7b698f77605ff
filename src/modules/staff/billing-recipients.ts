import type { Pool, PoolClient } from '../../platform/database.js';

/** A staff user who receives the internal billing emails. */
export interface BillingRecipient {
  email: string;
  name: string;
}

/**
 * The staff who handle money and so receive the internal billing emails (Payment Made, AutoPay
 * Changed, the AutoPay Summary): Master Admins and Billing users who are not disabled, by name.
 * Read Only users are left out: they look, and these emails ask for action on clients' money.
 */
export async function billingRecipients(db: Pool | PoolClient): Promise<BillingRecipient[]> {
  const result = await db.query<BillingRecipient>(
    `SELECT email, name FROM staff_users
      WHERE role IN ('master_admin', 'billing') AND disabled_at IS NULL ORDER BY name`,
  );
  return result.rows;
}
