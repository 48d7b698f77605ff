import type { Pool } from '../../src/platform/database.js';
import type { InvoiceState } from '../../src/shared/contract/invoices.js';

export interface FixtureLine {
  description: string;
  /** Quantity in ten-thousandths: 1.5 is 15,000. */
  quantity: number;
  unitPriceCents: number;
  taxable?: boolean;
}

/**
 * Inserts an invoice with its lines straight into the tables (until the invoice CRUD exists),
 * computing subtotal, tax and total as the invoice math does: amounts and tax half-up to the cent.
 */
export async function insertInvoice(
  pool: Pool,
  options: {
    organizationId: string;
    number: string;
    state?: InvoiceState;
    issueDate: string;
    dueDate: string;
    lines?: FixtureLine[];
    taxRatePpm?: number;
    taxName?: string;
    amountPaidCents?: number;
    terms?: string;
    memo?: string;
  },
): Promise<string> {
  const lines = options.lines ?? [
    { description: 'Managed services', quantity: 10_000, unitPriceCents: 10_000 },
  ];
  const category = await pool.query(
    `WITH ins AS (INSERT INTO service_categories (name) VALUES ('Managed Services')
                  ON CONFLICT DO NOTHING RETURNING id)
     SELECT id FROM ins UNION ALL
     SELECT id FROM service_categories WHERE lower(name) = 'managed services' LIMIT 1`,
  );
  let taxRateId: string | null = null;
  const ratePpm = options.taxRatePpm ?? 0;
  if (options.taxName) {
    const tax = await pool.query(
      `WITH ins AS (INSERT INTO tax_rates (name, rate_ppm) VALUES ($1, $2)
                    ON CONFLICT DO NOTHING RETURNING id)
       SELECT id FROM ins UNION ALL
       SELECT id FROM tax_rates WHERE lower(name) = lower($1) LIMIT 1`,
      [options.taxName, ratePpm],
    );
    taxRateId = tax.rows[0].id;
  }
  const amounts = lines.map((line) => Math.round((line.quantity * line.unitPriceCents) / 10_000));
  const subtotal = amounts.reduce((a, b) => a + b, 0);
  const taxable = lines.reduce(
    (sum, line, index) => sum + (line.taxable === false ? 0 : amounts[index]!),
    0,
  );
  const tax = Math.round((taxable * ratePpm) / 1_000_000);
  const inserted = await pool.query(
    `INSERT INTO invoices (organization_id, number, state, issue_date, due_date, terms,
                           service_category_id, tax_rate_id, tax_rate_ppm, subtotal_cents,
                           tax_cents, total_cents, amount_paid_cents, memo, issued_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
             CASE WHEN $3 = 'draft' THEN NULL ELSE now() END)
     RETURNING id`,
    [
      options.organizationId,
      options.number,
      options.state ?? 'issued',
      options.issueDate,
      options.dueDate,
      options.terms ?? 'Net 30',
      category.rows[0].id,
      taxRateId,
      ratePpm,
      subtotal,
      tax,
      subtotal + tax,
      options.amountPaidCents ?? 0,
      options.memo ?? '',
    ],
  );
  const id: string = inserted.rows[0].id;
  for (const [index, line] of lines.entries()) {
    await pool.query(
      `INSERT INTO invoice_lines (invoice_id, position, description, quantity_ten_thousandths,
                                  unit_price_cents, taxable, amount_cents)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        index,
        line.description,
        line.quantity,
        line.unitPriceCents,
        line.taxable ?? true,
        amounts[index],
      ],
    );
  }
  return id;
}

/** One piece of text as a PDF reader places it: baseline y in points from the page's bottom. */
export interface PdfTextItem {
  text: string;
  x: number;
  y: number;
}

/** One page of a PDF as a reader extracts it: its text pieces and their positions. */
export interface PdfPage {
  number: number;
  height: number;
  items: PdfTextItem[];
  /** The page's text, one line of the page a line of text, runs of spaces made one. */
  text: string;
}

/**
 * Reads a PDF's text with PDF.js, as a PDF reader (and copy and paste) gets it: through the
 * fonts' ToUnicode maps, so what is tested is what a person reads, not what was written.
 */
export async function pdfPages(pdf: Buffer): Promise<PdfPage[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({
    data: new Uint8Array(pdf),
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  }).promise;
  const pages: PdfPage[] = [];
  for (let number = 1; number <= document.numPages; number++) {
    const page = await document.getPage(number);
    const content = await page.getTextContent();
    const items: PdfTextItem[] = [];
    const lines = new Map<number, { x: number; text: string }[]>();
    for (const item of content.items) {
      if (!('str' in item) || item.str === '') continue;
      const [, , , , x, y] = item.transform as number[];
      items.push({ text: item.str, x: x!, y: y! });
      const key = Math.round(y!);
      lines.set(key, [...(lines.get(key) ?? []), { x: x!, text: item.str }]);
    }
    const text = [...lines.entries()]
      .sort(([a], [b]) => b - a)
      .map(([, pieces]) =>
        pieces
          .sort((a, b) => a.x - b.x)
          .map((piece) => piece.text)
          .join(' ')
          // Gaps between pieces come out as spaces of their own: one space reads the same.
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .join('\n');
    pages.push({ number, height: page.view[3]!, items, text });
  }
  await document.destroy();
  return pages;
}

/** A PDF's text as a reader extracts it, pages one after the other. */
export async function pdfText(pdf: Buffer): Promise<string> {
  return (await pdfPages(pdf)).map((page) => page.text).join('\n');
}

/** How many pages a PDF has (its /Type /Page objects). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
}
