import type { Pool } from '../../src/platform/database.js';

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
    state?: 'draft' | 'issued' | 'void';
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

/** The text a PDF written without compression shows (pdfkit's hex TJ arrays), line by line. */
export function pdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const out: string[] = [];
  for (const match of source.matchAll(/\[((?:<[0-9a-fA-F]*>\s*-?[\d.]*\s*)+)\]\s*TJ/g)) {
    const hex = [...match[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]).join('');
    out.push(Buffer.from(hex, 'hex').toString('latin1'));
  }
  return out.join('\n');
}

/** How many pages a PDF has (its /Type /Page objects). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
}
