import { AppError } from '../../platform/errors.js';
import type { Pool, PoolClient } from '../../platform/database.js';
import { formatMoney } from '../../platform/money.js';
import {
  pdfContinuationHeader,
  pdfHeader,
  pdfKeepTogether,
  pdfRow,
  pdfRowHeight,
  pdfRule,
  pdfText,
  renderPdf,
  type PdfColumn,
  type PdfRowOptions,
} from '../../platform/pdf.js';
import { formatDate } from '../../shared/dates.js';
import { formatQuantity, formatRate } from '../../shared/money.js';
import { invoiceStatus, invoiceStatusLabels } from '../../shared/invoice-status.js';
import type { Brand } from '../settings/brand.js';
import type { InvoiceState } from './invoices.schema.js';

export interface InvoiceDocumentLine {
  position: number;
  description: string;
  quantityTenThousandths: number;
  unitPriceCents: number;
  taxable: boolean;
  amountCents: number;
}

/**
 * Everything a printed invoice shows, read in one place for the console and the portal. It is
 * the client's document wherever it is opened, so it holds nothing staff-only: no memo (an
 * internal note, docs/decisions/0014-invoice-memo-is-internal.md), no external reference.
 */
export interface InvoiceDocument {
  id: string;
  organizationId: string;
  number: string;
  state: InvoiceState;
  issueDate: string;
  dueDate: string;
  terms: string;
  currency: string;
  category: string;
  taxName: string | null;
  taxRatePpm: number;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  amountPaidCents: number;
  /** What is still owed: total less paid, and 0 for a void invoice (nothing is due). */
  balanceCents: number;
  billTo: { name: string; address: string[] };
  lines: InvoiceDocumentLine[];
}

type Queryable = Pool | PoolClient;

/**
 * Reads an invoice with its lines, organization, category and tax name. `organizationId`
 * and `issuedOnly` narrow it for the portal; anything outside answers 404.
 */
export async function loadInvoiceDocument(
  db: Queryable,
  invoiceId: string,
  scope: { organizationId?: string; issuedOnly?: boolean } = {},
): Promise<InvoiceDocument> {
  const found = await db.query(
    `SELECT i.id, i.organization_id, i.number, i.state, i.issue_date::text AS issue_date,
            i.due_date::text AS due_date, i.terms, i.currency, i.tax_rate_ppm,
            i.subtotal_cents AS subtotal_cents, i.tax_cents AS tax_cents,
            i.total_cents AS total_cents, i.amount_paid_cents AS amount_paid_cents,
            i.balance_cents AS balance_cents,
            o.name AS organization_name, o.address_line1, o.address_line2, o.city, o.region,
            o.postal_code, o.country, c.name AS category, t.name AS tax_name
       FROM invoices i
       JOIN organizations o ON o.id = i.organization_id
       JOIN service_categories c ON c.id = i.service_category_id
       LEFT JOIN tax_rates t ON t.id = i.tax_rate_id
      WHERE i.id = $1
        AND ($2::uuid IS NULL OR i.organization_id = $2)
        AND (NOT $3::boolean OR i.state <> 'draft')`,
    [invoiceId, scope.organizationId ?? null, scope.issuedOnly ?? false],
  );
  const row = found.rows[0];
  if (!row) throw AppError.notFound('Invoice');
  const lines = await db.query<InvoiceDocumentLine>(
    `SELECT position, description,
            quantity_ten_thousandths AS "quantityTenThousandths",
            unit_price_cents AS "unitPriceCents", taxable,
            amount_cents AS "amountCents"
       FROM invoice_lines WHERE invoice_id = $1 ORDER BY position, id`,
    [invoiceId],
  );
  return {
    id: row.id,
    organizationId: row.organization_id,
    number: row.number,
    state: row.state,
    issueDate: row.issue_date,
    dueDate: row.due_date,
    terms: row.terms,
    currency: row.currency,
    category: row.category,
    taxName: row.tax_name,
    taxRatePpm: row.tax_rate_ppm,
    subtotalCents: row.subtotal_cents,
    taxCents: row.tax_cents,
    totalCents: row.total_cents,
    amountPaidCents: row.amount_paid_cents,
    balanceCents: row.balance_cents,
    billTo: {
      name: row.organization_name,
      address: formatAddress(row),
    },
    lines: lines.rows,
  };
}

/** An organization's postal address as printed lines, blank parts left out. */
export function formatAddress(row: {
  address_line1?: string | null;
  address_line2?: string | null;
  city?: string | null;
  region?: string | null;
  postal_code?: string | null;
}): string[] {
  return [
    row.address_line1,
    row.address_line2,
    [row.city, [row.region, row.postal_code].filter(Boolean).join(' ')].filter(Boolean).join(', '),
  ].filter((part): part is string => Boolean(part));
}

/** Printed under the totals of a void invoice, whose balance due is nothing. */
export const voidNotice = 'This invoice is void. Nothing is due.';

function taxLabel(invoice: InvoiceDocument): string {
  const rate = formatRate(invoice.taxRatePpm);
  return invoice.taxName ? `Tax (${invoice.taxName}, ${rate})` : `Tax (${rate})`;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function safeColor(color: string): string {
  return /^#[0-9a-fA-F]{6}$/.test(color) ? color : '#1c7ed6';
}

/** A complete, printable, branded HTML page of the invoice. Every text is escaped. */
export function invoiceHtml(invoice: InvoiceDocument, brand: Brand): string {
  const e = escapeHtml;
  const money = (cents: number) => e(formatMoney(cents, invoice.currency));
  const color = safeColor(brand.brandColor);
  const status = invoiceStatusLabels[invoiceStatus(invoice)];
  const logo =
    brand.logoUrl && /^https?:\/\//.test(brand.logoUrl)
      ? `<img class="logo" src="${e(brand.logoUrl)}" alt="${e(brand.mspName)}">`
      : `<span class="msp">${e(brand.mspName)}</span>`;
  const contact = [brand.supportEmail, brand.supportPhone].filter(Boolean).map(e).join(' · ');
  const lines = invoice.lines
    .map(
      (line) => `<tr>
        <td class="description">${e(line.description)}</td>
        <td class="num">${e(formatQuantity(line.quantityTenThousandths))}</td>
        <td class="num">${money(line.unitPriceCents)}</td>
        <td class="num">${money(line.amountCents)}</td>
      </tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invoice ${e(invoice.number)} · ${e(brand.mspName)}</title>
<style>
  body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #343a40; margin: 0; background: #f4f5f7; }
  .page { max-width: 800px; margin: 24px auto; background: #fff; border-radius: 8px; overflow: hidden; }
  header { background: ${color}; color: #fff; padding: 20px 32px; display: flex; justify-content: space-between; align-items: center; }
  header .msp { font-size: 22px; font-weight: 700; }
  header .logo { max-height: 48px; }
  header h1 { margin: 0; font-size: 24px; }
  main { padding: 24px 32px; }
  .meta { display: flex; justify-content: space-between; gap: 24px; flex-wrap: wrap; }
  .meta dl { display: grid; grid-template-columns: auto auto; gap: 4px 16px; margin: 0; }
  .meta dt { color: #868e96; }
  .meta dd { margin: 0; text-align: right; }
  h2 { font-size: 13px; text-transform: uppercase; color: #868e96; margin: 0 0 6px; }
  table { width: 100%; border-collapse: collapse; margin-top: 24px; }
  th { text-align: left; color: #868e96; font-weight: 600; border-bottom: 2px solid #dee2e6; padding: 6px 4px; }
  td { border-bottom: 1px solid #e9ecef; padding: 6px 4px; vertical-align: top; }
  .num { text-align: right; white-space: nowrap; }
  .totals { margin: 16px 0 0 auto; width: 320px; }
  .totals td { border: none; padding: 3px 4px; }
  .totals .strong td { font-weight: 700; border-top: 2px solid #dee2e6; }
  .status { display: inline-block; padding: 2px 10px; border-radius: 12px; background: #e9ecef; font-weight: 600; }
  .description { white-space: pre-wrap; overflow-wrap: anywhere; }
  .void { margin: 16px 0 0 auto; width: 320px; color: #c92a2a; font-weight: 700; }
  footer { color: #868e96; font-size: 12px; padding: 12px 32px 20px; }
  @media print { body { background: #fff; } .page { margin: 0; border-radius: 0; max-width: none; } header { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<div class="page">
<header>${logo}<h1>Invoice ${e(invoice.number)}</h1></header>
<main>
  <div class="meta">
    <div>
      <h2>Bill to</h2>
      <div><strong>${e(invoice.billTo.name)}</strong></div>
      ${invoice.billTo.address.map((line) => `<div>${e(line)}</div>`).join('\n      ')}
    </div>
    <dl>
      <dt>Invoice number</dt><dd>${e(invoice.number)}</dd>
      <dt>Issue date</dt><dd>${e(formatDate(invoice.issueDate, brand.dateFormat))}</dd>
      <dt>Due date</dt><dd>${e(formatDate(invoice.dueDate, brand.dateFormat))}</dd>
      <dt>Terms</dt><dd>${e(invoice.terms)}</dd>
      <dt>Category</dt><dd>${e(invoice.category)}</dd>
      <dt>Status</dt><dd><span class="status">${e(status)}</span></dd>
    </dl>
  </div>
  <table>
    <thead><tr><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
    <tbody>
${lines}
    </tbody>
  </table>
  <table class="totals">
    <tr><td>Subtotal</td><td class="num">${money(invoice.subtotalCents)}</td></tr>
    <tr><td>${e(taxLabel(invoice))}</td><td class="num">${money(invoice.taxCents)}</td></tr>
    <tr class="strong"><td>Total</td><td class="num">${money(invoice.totalCents)}</td></tr>
    <tr><td>Amount paid</td><td class="num">${money(invoice.amountPaidCents)}</td></tr>
    <tr class="strong"><td>Balance due</td><td class="num">${money(invoice.balanceCents)}</td></tr>
  </table>
  ${invoice.state === 'void' ? `<p class="void">${e(voidNotice)}</p>` : ''}
</main>
<footer>${e(brand.mspName)}${contact ? ` · ${contact}` : ''}</footer>
</div>
</body>
</html>
`;
}

/** Where the invoice PDF's table columns start and how wide they are, in points. */
const lineColumns: PdfColumn[] = [
  { x: 50, width: 272 },
  { x: 322, width: 70, align: 'right' },
  { x: 392, width: 85, align: 'right' },
  { x: 477, width: 85, align: 'right' },
];
const totalColumns: PdfColumn[] = [
  { x: 322, width: 155 },
  { x: 477, width: 85, align: 'right' },
];

/**
 * The invoice as a PDF, laid out like the HTML page. Lines flow over as many pages as they
 * need (a description longer than a page continues on the next); each page after the first
 * starts with the invoice number and the column headings, every page's footer names the
 * invoice and says "Page n of m", and the totals block is never split across pages.
 */
export function invoicePdf(
  invoice: InvoiceDocument,
  brand: Brand,
  options: { compress?: boolean } = {},
): Promise<Buffer> {
  return renderPdf(
    (doc) => {
      const money = (cents: number) => formatMoney(cents, invoice.currency);
      const lineHeadings = () => {
        pdfRow(doc, lineColumns, ['Description', 'Quantity', 'Unit price', 'Amount'], {
          bold: true,
          color: '#868e96',
        });
        pdfRule(doc);
      };
      let inLines = false;
      doc.on('pageAdded', () => {
        pdfContinuationHeader(doc, `Invoice ${invoice.number} (continued)`);
        if (inLines) lineHeadings();
      });

      pdfHeader(doc, brand, `Invoice ${invoice.number}`);
      const top = doc.y;
      const billTo = { x: 50, width: 260 };
      pdfText(doc, 'BILL TO', { ...billTo, bold: true, size: 8, color: '#868e96' });
      pdfText(doc, invoice.billTo.name, { ...billTo, bold: true, size: 10 });
      for (const line of invoice.billTo.address) pdfText(doc, line, { ...billTo, size: 10 });
      const leftBottom = doc.y;
      const meta: [string, string][] = [
        ['Invoice number', invoice.number],
        ['Issue date', formatDate(invoice.issueDate, brand.dateFormat)],
        ['Due date', formatDate(invoice.dueDate, brand.dateFormat)],
        ['Terms', invoice.terms],
        ['Category', invoice.category],
        ['Status', invoiceStatusLabels[invoiceStatus(invoice)]],
      ];
      doc.y = top;
      for (const [label, value] of meta) {
        pdfRow(
          doc,
          [
            { x: 330, width: 100 },
            { x: 430, width: 132, align: 'right' },
          ],
          [label, value],
        );
      }
      doc.x = 50;
      doc.y = Math.max(doc.y, leftBottom) + 16;

      inLines = true;
      lineHeadings();
      for (const line of invoice.lines) {
        pdfRow(doc, lineColumns, [
          line.description,
          formatQuantity(line.quantityTenThousandths),
          money(line.unitPriceCents),
          money(line.amountCents),
        ]);
      }
      inLines = false;

      const totals: [string, string, PdfRowOptions][] = [
        ['Subtotal', money(invoice.subtotalCents), {}],
        [taxLabel(invoice), money(invoice.taxCents), {}],
        ['Total', money(invoice.totalCents), { bold: true }],
        ['Amount paid', money(invoice.amountPaidCents), {}],
        ['Balance due', money(invoice.balanceCents), { bold: true, size: 11 }],
      ];
      const voidNote = invoice.state === 'void' ? voidNotice : null;
      // The rule above the totals and every row of them stay on one page.
      pdfKeepTogether(
        doc,
        6 +
          totals.reduce(
            (height, [label, value, style]) =>
              height + pdfRowHeight(doc, totalColumns, [label, value], style),
            0,
          ) +
          (voidNote ? pdfRowHeight(doc, [totalColumns[0]!], [voidNote]) + 6 : 0),
      );
      pdfRule(doc);
      for (const [label, value, style] of totals) pdfRow(doc, totalColumns, [label, value], style);
      if (voidNote) {
        doc.y += 6;
        pdfRow(doc, [{ x: 322, width: 240 }], [voidNote], { bold: true, color: '#c92a2a' });
      }
    },
    {
      compress: options.compress,
      title: `Invoice ${invoice.number}`,
      author: brand.mspName,
      footer: `Invoice ${invoice.number} · ${brand.mspName}`,
    },
  );
}
