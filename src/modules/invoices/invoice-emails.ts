import type { AppContext } from '../../platform/context.js';
import type { Transaction } from '../../platform/database.js';
import type { Actor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import { defaultNotificationRecipients } from '../email/email.service.js';
import type { EmailRecipient } from '../email/email.schema.js';
import type { Brand } from '../settings/brand.js';
import { renderEmail } from '../email/templates/index.js';
import { portalLink, portalPages } from '../email/portal-links.js';
import { getBrand } from '../settings/settings.service.js';
import { invoicePdf, loadInvoiceDocument } from './invoice-document.js';

/**
 * Where a contact reads an invoice in the client portal, acting for the invoice's organization
 * (a contact of several opens it there, whichever they last used).
 */
export function portalInvoiceUrl(
  brand: Brand,
  invoice: { id: string; organizationId: string },
): string {
  return portalLink(brand, portalPages.invoice(invoice.id), invoice.organizationId);
}

/** "Leslie Knope" for one recipient, "Pawnee Parks Dept. team" for several. */
export function greetingFor(recipients: EmailRecipient[], organizationName: string): string {
  return recipients.length === 1 ? recipients[0]!.name : `${organizationName} team`;
}

/**
 * Queues the New Invoice email (PDF attached) to the organization's Default Notification
 * Emails, on the transaction that issues the invoice, when the organization wants them.
 * Answers the message id, or null when none is sent (turned off, or no default contacts).
 */
export async function queueNewInvoiceEmail(
  tx: Transaction,
  deps: Pick<AppContext, 'pool' | 'jobs' | 'config'>,
  options: { invoiceId: string; actor: Actor },
): Promise<string | null> {
  // Read through the issuing transaction: the invoice may not be committed yet.
  const wanted = await tx.client.query<{ organizationId: string; newInvoiceEmails: boolean }>(
    `SELECT i.organization_id AS "organizationId", o.new_invoice_emails AS "newInvoiceEmails"
       FROM invoices i JOIN organizations o ON o.id = i.organization_id
      WHERE i.id = $1 AND i.state = 'issued'`,
    [options.invoiceId],
  );
  const target = wanted.rows[0];
  if (!target?.newInvoiceEmails) return null;
  const recipients = await defaultNotificationRecipients(tx, target.organizationId);
  if (recipients.length === 0) return null;
  const invoice = await loadInvoiceDocument(tx.client, options.invoiceId);
  const brand = await getBrand(tx.db, deps.config);
  const rendered = await renderEmail(
    'new_invoice',
    {
      contactName: greetingFor(recipients, invoice.billTo.name),
      organizationName: invoice.billTo.name,
      invoiceNumber: invoice.number,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
      totalCents: invoice.totalCents,
      balanceCents: invoice.balanceCents,
      currency: invoice.currency,
      invoiceUrl: portalInvoiceUrl(brand, invoice),
    },
    brand,
  );
  const queued = await queueEmail(tx, deps, {
    organizationId: invoice.organizationId,
    template: 'new_invoice',
    recipients,
    rendered,
    linkBase: linkBaseOf('new_invoice', { brand, address: deps.config }),
    attachments: [
      {
        filename: `${invoice.number.replace(/[^\w.-]/g, '_')}.pdf`,
        contentType: 'application/pdf',
        content: await invoicePdf(invoice, brand),
      },
    ],
    triggeredBy: options.actor,
    reason: `Invoice ${invoice.number} issued`,
    dedupeKey: `new_invoice:${invoice.id}`,
  });
  return queued.messageId;
}
