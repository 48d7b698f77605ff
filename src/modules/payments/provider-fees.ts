import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/database.js';
import { methodLabel } from './payment-methods.js';

/**
 * The provider fee ledger: what the MSP's processor charges the MSP for each payment method a
 * client adds (Configuration > Billing's fee, $0.50 by default; a row per method, written by
 * `addPaymentMethod`). Staff only: no portal route reads it. Dates and months are the MSP's
 * business calendar (its time zone), like every other date Portico shows.
 */

export interface OrganizationProviderFee {
  id: string;
  createdAt: Date;
  date: string;
  amountCents: number;
  currency: string;
  paymentMethodId: string;
  methodLabel: string;
  friendlyName: string;
}

/** One organization's fees, newest first, and their sum in cents. */
export async function organizationProviderFees(
  db: Db,
  options: { organizationId: string; timeZone: string },
): Promise<{ fees: OrganizationProviderFee[]; totalCents: number }> {
  const result = await db.execute<{
    id: string;
    createdAt: Date | string;
    date: string;
    amountCents: number;
    currency: string;
    paymentMethodId: string;
    type: 'card' | 'ach';
    brand: string | null;
    last4: string;
    friendlyName: string;
  }>(
    sql`SELECT f.id, f.created_at AS "createdAt",
               (f.created_at AT TIME ZONE ${options.timeZone})::date::text AS date,
               f.amount_cents AS "amountCents", f.currency, f.payment_method_id AS "paymentMethodId",
               m.type, m.brand, m.last4, m.friendly_name AS "friendlyName"
          FROM provider_fees f JOIN payment_methods m ON m.id = f.payment_method_id
         WHERE f.organization_id = ${options.organizationId}
         ORDER BY f.created_at DESC, f.id`,
  );
  const fees = result.rows.map((row) => ({
    id: row.id,
    createdAt: new Date(row.createdAt),
    date: row.date,
    amountCents: Number(row.amountCents),
    currency: row.currency,
    paymentMethodId: row.paymentMethodId,
    methodLabel: methodLabel(row),
    friendlyName: row.friendlyName,
  }));
  return { fees, totalCents: fees.reduce((sum, fee) => sum + fee.amountCents, 0) };
}

/** The installation's fees by month (YYYY-MM in the MSP's time zone), newest first. */
export async function monthlyProviderFees(
  db: Db,
  options: { timeZone: string },
): Promise<{
  months: { month: string; count: number; amountCents: number }[];
  totalCents: number;
}> {
  const result = await db.execute<{ month: string; count: number; amountCents: number }>(
    sql`SELECT to_char(created_at AT TIME ZONE ${options.timeZone}, 'YYYY-MM') AS month,
               count(*)::int AS count, sum(amount_cents)::bigint AS "amountCents"
          FROM provider_fees
         GROUP BY 1
         ORDER BY 1 DESC`,
  );
  const months = result.rows.map((row) => ({
    month: row.month,
    count: Number(row.count),
    amountCents: Number(row.amountCents),
  }));
  return { months, totalCents: months.reduce((sum, m) => sum + m.amountCents, 0) };
}
