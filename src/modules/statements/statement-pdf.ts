import { formatMoney } from '../../platform/money.js';
import {
  pdfContinuationHeader,
  pdfHeader,
  pdfRow,
  pdfRule,
  pdfText,
  renderPdf,
  type PdfColumn,
} from '../../platform/pdf.js';
import { formatDate } from '../../shared/dates.js';
import type { Brand } from '../settings/brand.js';
import type { AccountStatement } from './account-statement.js';
import { agingBucketLabels, agingBuckets } from './aging.js';

/** The attachment's file name: "statement-pawnee-parks-dept-2026-11-22.pdf". */
export function statementFilename(statement: AccountStatement): string {
  const slug =
    statement.organizationName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'organization';
  return `statement-${slug}-${statement.asOf}.pdf`;
}

/**
 * The Account Summary as a PDF statement: balance, aging, oldest and open invoices, payments.
 * Open invoices flow over as many pages as they need; each page after the first starts with
 * the organization and date and the column headings, and every footer says "Page n of m".
 */
export function statementPdf(
  statement: AccountStatement,
  brand: Brand,
  options: { compress?: boolean } = {},
): Promise<Buffer> {
  return renderPdf(
    (doc) => {
      const money = (cents: number) => formatMoney(cents, statement.currency);
      const date = (isoDate: string) => formatDate(isoDate, brand.dateFormat);
      const label = (text: string) =>
        pdfText(doc, text, { x: 50, bold: true, size: 8, color: '#868e96' });
      let repeatHeadings: (() => void) | null = null;
      doc.on('pageAdded', () => {
        pdfContinuationHeader(
          doc,
          `Statement for ${statement.organizationName} as of ${date(statement.asOf)} (continued)`,
        );
        repeatHeadings?.();
      });
      pdfHeader(doc, brand, 'Statement');
      const top = doc.y;
      const account = { x: 50, width: 260 };
      pdfText(doc, 'ACCOUNT', { ...account, bold: true, size: 8, color: '#868e96' });
      pdfText(doc, statement.organizationName, { ...account, bold: true, size: 10 });
      for (const line of statement.address) pdfText(doc, line, { ...account, size: 10 });
      const leftBottom = doc.y;
      doc.y = top;
      const meta: PdfColumn[] = [
        { x: 330, width: 100 },
        { x: 430, width: 132, align: 'right' },
      ];
      pdfRow(doc, meta, ['Statement date', date(statement.asOf)]);
      pdfRow(doc, meta, ['Total due', money(statement.totalDueCents)], { bold: true });
      pdfRow(doc, meta, ['Past due', money(statement.pastDueCents)]);
      if (statement.oldestOpenInvoice) {
        const oldest = statement.oldestOpenInvoice;
        pdfRow(doc, meta, ['Oldest open invoice', `${oldest.number}, due ${date(oldest.dueDate)}`]);
      }
      doc.x = 50;
      doc.y = Math.max(doc.y, leftBottom) + 16;

      label('AGING');
      doc.y += 3;
      const bucketWidth = 512 / agingBuckets.length;
      const agingColumns: PdfColumn[] = agingBuckets.map((_, index) => ({
        x: 50 + index * bucketWidth,
        width: bucketWidth - 4,
        align: 'right',
      }));
      pdfRow(
        doc,
        agingColumns,
        agingBuckets.map((bucket) => agingBucketLabels[bucket]),
        { bold: true, color: '#868e96' },
      );
      pdfRow(
        doc,
        agingColumns,
        agingBuckets.map((bucket) => money(statement.aging[bucket])),
      );
      doc.y += 12;
      label('OPEN INVOICES');
      doc.y += 3;
      const columns: PdfColumn[] = [
        { x: 50, width: 110 },
        { x: 160, width: 80 },
        { x: 240, width: 80 },
        { x: 320, width: 72, align: 'right' },
        { x: 392, width: 85, align: 'right' },
        { x: 477, width: 85, align: 'right' },
      ];
      const openHeadings = () => {
        pdfRow(doc, columns, ['Invoice', 'Issued', 'Due', 'Days past due', 'Total', 'Balance'], {
          bold: true,
          color: '#868e96',
        });
        pdfRule(doc);
      };
      openHeadings();
      repeatHeadings = openHeadings;
      if (statement.openInvoices.length === 0) {
        pdfRow(doc, [{ x: 50, width: 512 }], ['No open invoices.']);
      }
      for (const invoice of statement.openInvoices) {
        pdfRow(doc, columns, [
          invoice.number,
          date(invoice.issueDate),
          date(invoice.dueDate),
          invoice.daysPastDue > 0 ? String(invoice.daysPastDue) : '',
          money(invoice.totalCents),
          money(invoice.balanceCents),
        ]);
      }
      repeatHeadings = null;
      pdfRule(doc);
      pdfRow(
        doc,
        [
          { x: 322, width: 155 },
          { x: 477, width: 85, align: 'right' },
        ],
        ['Total due', money(statement.totalDueCents)],
        { bold: true, size: 11 },
      );

      if (statement.recentPayments.length > 0) {
        doc.y += 12;
        label('RECENT PAYMENTS');
        doc.y += 3;
        const paymentColumns: PdfColumn[] = [
          { x: 50, width: 110 },
          { x: 160, width: 200 },
          { x: 477, width: 85, align: 'right' },
        ];
        for (const payment of statement.recentPayments) {
          pdfRow(doc, paymentColumns, [
            date(payment.date),
            payment.reference,
            money(payment.amountCents),
          ]);
        }
      }
    },
    {
      compress: options.compress,
      title: `Statement for ${statement.organizationName} as of ${formatDate(statement.asOf, brand.dateFormat)}`,
      author: brand.mspName,
      footer: `Statement for ${statement.organizationName} as of ${formatDate(statement.asOf, brand.dateFormat)}`,
    },
  );
}
