import { formatMoney } from '../../platform/money.js';
import {
  pdfContinuationHeader,
  pdfHeader,
  pdfRow,
  pdfRule,
  pdfText,
  renderPdf,
} from '../../platform/pdf.js';
import { formatDate, formatTimestamp } from '../../shared/dates.js';
import { paymentDocumentWording, paymentStatusLabel } from '../../shared/contract/payments.js';
import type { Brand } from '../settings/brand.js';
import type { PaymentView } from './payment-history.js';

/** A payment's receipt as the portal shows it (paymentReceipt). */
export type ReceiptDocument = PaymentView & {
  organizationName: string;
  paidBy: string | null;
  reference: string;
};

const invoiceColumns = [
  { x: 50, width: 200 },
  { x: 250, width: 150, align: 'right' as const },
  { x: 400, width: 162, align: 'right' as const },
];

/**
 * The receipt as a PDF (platform/pdf.ts: any script, pages that flow): who paid, when, how
 * much, with which method, the status, and what went to each invoice. Money in the payment's
 * currency; the time on the MSP's clock, in its date format.
 */
export function receiptPdf(receipt: ReceiptDocument, brand: Brand): Promise<Buffer> {
  const money = (cents: number) => formatMoney(cents, receipt.currency);
  const wording = paymentDocumentWording(receipt.status);
  const title = `${wording.title} ${receipt.number}`;
  // "Applied now" only when a refund or return changed what an invoice keeps.
  const changedSince =
    wording.tookMoney && receipt.allocations.some((a) => a.amountCents !== a.appliedCents);
  return renderPdf(
    (doc) => {
      doc.on('pageAdded', () => pdfContinuationHeader(doc, `${title} (continued)`));
      pdfHeader(doc, brand, title);
      pdfText(doc, wording.fromLabel.toUpperCase(), { bold: true, size: 8, color: '#868e96' });
      pdfText(doc, receipt.organizationName, { bold: true, size: 10 });
      if (receipt.paidBy) pdfText(doc, `${wording.byLabel} ${receipt.paidBy}`, { size: 10 });
      doc.y += 10;
      const facts: [string, string][] = [
        ['Payment number', receipt.number],
        [
          'Date',
          // A check or wire is dated the day it was received, not the day it was typed in.
          receipt.receivedOn
            ? formatDate(receipt.receivedOn, brand.dateFormat)
            : formatTimestamp(receipt.createdAt, brand, { seconds: false }),
        ],
        ['Payment method', receipt.methodLabel],
        ['Status', paymentStatusLabel(receipt)],
        ['Amount', money(receipt.amountCents)],
      ];
      if (receipt.refundedCents > 0) facts.push(['Refunded', money(receipt.refundedCents)]);
      if (receipt.reference) facts.push(['Reference', receipt.reference]);
      if (receipt.failureMessage) facts.push(['Reason', receipt.failureMessage]);
      for (const [label, value] of facts) {
        pdfRow(
          doc,
          [
            { x: 50, width: 140 },
            { x: 190, width: 372 },
          ],
          [label, value],
          { bold: label === 'Amount' },
        );
      }
      doc.y += 12;
      pdfRow(
        doc,
        invoiceColumns,
        ['Invoice', wording.amountHeading, changedSince ? 'Applied now, after refunds' : ''],
        { bold: true, color: '#868e96' },
      );
      pdfRule(doc);
      for (const allocation of receipt.allocations) {
        pdfRow(doc, invoiceColumns, [
          allocation.invoiceNumber,
          money(allocation.appliedCents),
          changedSince ? money(allocation.amountCents) : '',
        ]);
      }
    },
    { title, author: brand.mspName, footer: `${title} · ${brand.mspName}` },
  );
}
