import type { FastifyReply } from 'fastify';
import type { Brand } from '../settings/brand.js';
import { invoiceHtml, invoicePdf, type InvoiceDocument } from './invoice-document.js';

function safeFilename(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}

/**
 * Answers with a PDF shown in the browser (inline), named `filename` (characters a header
 * cannot carry become _), never kept by a cache: documents carry one organization's data.
 */
export function sendPdf(reply: FastifyReply, filename: string, content: Buffer) {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="${safeFilename(filename)}"`)
    .header('cache-control', 'private, no-store')
    .send(content);
}

/** Answers with a printable invoice as PDF or HTML, for the staff and portal routes alike. */
export async function sendInvoiceDocument(
  reply: FastifyReply,
  options: { invoice: InvoiceDocument; as: 'pdf' | 'html'; brand: Brand },
) {
  const { invoice, as, brand } = options;
  if (as === 'pdf') {
    return sendPdf(reply, `${invoice.number}.pdf`, await invoicePdf(invoice, brand));
  }
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'private, no-store')
    .send(invoiceHtml(invoice, brand));
}
