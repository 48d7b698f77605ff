import { eq, sql } from 'drizzle-orm';
import { AppError } from '../../platform/errors.js';
import type { AppContext } from '../../platform/context.js';
import { withTransaction, type Pool } from '../../platform/database.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import { queueNewInvoiceEmail } from './invoice-emails.js';
import { getInvoice, lockInvoice, onlyDraft } from './invoice-reads.js';
import { hasPaymentInFlight } from './invoice-payments.js';
import { invoices } from './invoices.schema.js';

/** An invoice's life after its draft: issued (the New Invoice email goes with it), or void. */

/** Issues a draft: it becomes an open invoice, and the New Invoice email is queued with it. */
export async function issueInvoice(options: {
  context: Pick<AppContext, 'pool' | 'jobs' | 'config'>;
  actor: Actor;
  invoiceId: string;
}) {
  const { context } = options;
  await withTransaction(context.pool, async (tx) => {
    const before = await lockInvoice(tx.db, options.invoiceId);
    onlyDraft(before.state, 'issued');
    const [after] = await tx.db
      .update(invoices)
      .set({
        state: 'issued',
        issuedAt: sql`now()`,
        paidAt: sql`CASE WHEN ${invoices.totalCents} <= ${invoices.amountPaidCents} THEN now() END`,
        updatedAt: sql`now()`,
      })
      .where(eq(invoices.id, before.id))
      .returning({ issuedAt: invoices.issuedAt });
    await recordAudit(tx.db, options.actor, {
      organizationId: before.organizationId,
      entityType: 'invoice',
      entityId: before.id,
      entityLabel: before.number,
      action: 'invoice.issued',
      before: { state: before.state },
      after: { state: 'issued', issuedAt: after!.issuedAt, totalCents: before.totalCents },
    });
    await queueNewInvoiceEmail(tx, context, { invoiceId: before.id, actor: options.actor });
  });
  return getInvoice({ pool: context.pool, invoiceId: options.invoiceId });
}

export async function voidInvoice(options: {
  pool: Pool;
  actor: Actor;
  invoiceId: string;
  reason: string;
}) {
  await withTransaction(options.pool, async ({ db, client }) => {
    const before = await lockInvoice(db, options.invoiceId);
    if (before.state === 'void') throw new AppError('conflict', 'This invoice is already void');
    if (before.amountPaidCents > 0) {
      throw new AppError('conflict', 'a paid or partially paid invoice cannot be voided');
    }
    // A payment whose outcome is not known yet may still take money for it (pay-invoices.ts
    // locks the invoice as this does, so the two cannot cross).
    if (await hasPaymentInFlight(client, before.id)) {
      throw new AppError(
        'conflict',
        'A payment of this invoice is in progress; void it once the payment is final',
      );
    }
    await db
      .update(invoices)
      .set({
        state: 'void',
        voidReason: options.reason,
        voidedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(invoices.id, before.id));
    await recordAudit(db, options.actor, {
      organizationId: before.organizationId,
      entityType: 'invoice',
      entityId: before.id,
      entityLabel: before.number,
      action: 'invoice.voided',
      before: { state: before.state },
      after: { state: 'void', voidReason: options.reason },
    });
  });
  return getInvoice({ pool: options.pool, invoiceId: options.invoiceId });
}
