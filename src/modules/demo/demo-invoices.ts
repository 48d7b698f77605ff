import type { PoolClient } from '../../platform/database.js';
import { businessToday } from '../settings/business-date.js';

interface DemoLine {
  description: string;
  quantity: number;
  unitPriceCents: number;
  taxable?: boolean;
}

interface DemoInvoice {
  organizationId: string;
  category: string;
  /** Days before today the invoice was issued. */
  issuedDaysAgo: number;
  termsDays: number;
  lines: DemoLine[];
  taxRate?: { id: string; ppm: number };
  /** 'all' for paid in full. */
  paidCents?: number | 'all';
}

const termsName = (days: number) => (days === 0 ? 'Due on receipt' : `Net ${days}`);

/** Inserts one demo invoice; quantities are whole, so amounts need no rounding but the tax's. */
async function insertDemoInvoice(client: PoolClient, invoice: DemoInvoice, today: string) {
  const amounts = invoice.lines.map((l) => l.quantity * l.unitPriceCents);
  const subtotal = amounts.reduce((a, b) => a + b, 0);
  const taxable = invoice.lines.reduce((sum, line, i) => sum + (line.taxable ? amounts[i]! : 0), 0);
  const ppm = invoice.taxRate?.ppm ?? 0;
  const tax = Math.floor((taxable * ppm + 500_000) / 1_000_000);
  const total = subtotal + tax;
  const paid = invoice.paidCents === 'all' ? total : (invoice.paidCents ?? 0);
  const result = await client.query<{ id: string }>(
    `INSERT INTO invoices (organization_id, number, state, issue_date, due_date, terms,
                           service_category_id, tax_rate_id, tax_rate_ppm, subtotal_cents,
                           tax_cents, total_cents, amount_paid_cents, issued_at, paid_at)
     SELECT $1, 'INV-' || nextval('invoice_number_seq'), 'issued',
            $12::date - $2::int, $12::date - $2::int + $3::int, $4,
            (SELECT id FROM service_categories WHERE name = $5), $6, $7, $8, $9, $10, $11,
            now() - make_interval(days => $2::int),
            CASE WHEN $11::bigint >= $10::bigint THEN now() - make_interval(days => greatest($2::int - 10, 0)) END
     RETURNING id`,
    [
      invoice.organizationId,
      invoice.issuedDaysAgo,
      invoice.termsDays,
      termsName(invoice.termsDays),
      invoice.category,
      invoice.taxRate?.id ?? null,
      ppm,
      subtotal,
      tax,
      total,
      paid,
      today,
    ],
  );
  for (const [index, line] of invoice.lines.entries()) {
    await client.query(
      `INSERT INTO invoice_lines (invoice_id, position, description, quantity_ten_thousandths,
                                  unit_price_cents, taxable, amount_cents)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        result.rows[0]!.id,
        index + 1,
        line.description,
        line.quantity * 10_000,
        line.unitPriceCents,
        line.taxable ?? false,
        amounts[index],
      ],
    );
  }
}

/**
 * Invoices that make every page and the aging look real: for Pawnee Parks Dept. one in each
 * aging bucket, one partly paid and two paid; for Demo Company a few with sales tax; and three
 * for each other organization.
 */
export async function seedDemoInvoices(
  client: PoolClient,
  organizations: { pawnee: string; demoCompany: string; others: string[] },
) {
  // Days ago count back from today in the MSP's time zone, as the aging reads them.
  const today = await businessToday(client);
  const [tax] = (
    await client.query<{ id: string; ppm: number }>(
      `INSERT INTO tax_rates (name, rate_ppm) VALUES ('Indiana sales tax', 70000), ('North Dakota sales tax', 50000)
       RETURNING id, rate_ppm AS ppm`,
    )
  ).rows;
  const managed = (seats: number): DemoLine => ({
    description: 'Managed services, per seat',
    quantity: seats,
    unitPriceCents: 12_500,
  });
  const pawnee: DemoInvoice[] = [
    {
      organizationId: organizations.pawnee,
      category: 'Managed Services',
      issuedDaysAgo: 125,
      termsDays: 30,
      lines: [managed(10)],
    },
    {
      organizationId: organizations.pawnee,
      category: 'Help Desk',
      issuedDaysAgo: 70,
      termsDays: 30,
      lines: [{ description: 'Help desk block, hours', quantity: 6, unitPriceCents: 8_000 }],
      paidCents: 20_000,
    },
    {
      organizationId: organizations.pawnee,
      category: 'Hosting',
      issuedDaysAgo: 40,
      termsDays: 30,
      lines: [{ description: 'Web hosting, parks site', quantity: 1, unitPriceCents: 32_550 }],
    },
    {
      organizationId: organizations.pawnee,
      category: 'Network Monitoring',
      issuedDaysAgo: 5,
      termsDays: 30,
      lines: [{ description: 'Network monitoring, devices', quantity: 25, unitPriceCents: 799 }],
    },
    {
      organizationId: organizations.pawnee,
      category: 'Projects',
      issuedDaysAgo: 160,
      termsDays: 15,
      lines: [
        { description: 'Lil Sebastian memorial kiosk setup', quantity: 1, unitPriceCents: 185_000 },
      ],
      paidCents: 'all',
    },
    {
      organizationId: organizations.pawnee,
      category: 'Managed Services',
      issuedDaysAgo: 95,
      termsDays: 30,
      lines: [managed(10)],
      paidCents: 'all',
    },
  ];
  const demoCompany: DemoInvoice[] = [
    {
      organizationId: organizations.demoCompany,
      category: 'Hardware',
      issuedDaysAgo: 12,
      termsDays: 30,
      taxRate: tax,
      lines: [
        { description: 'Business laptop', quantity: 2, unitPriceCents: 119_900, taxable: true },
        { description: 'Setup and imaging', quantity: 2, unitPriceCents: 9_500 },
      ],
    },
    {
      organizationId: organizations.demoCompany,
      category: 'Managed Services',
      issuedDaysAgo: 45,
      termsDays: 30,
      lines: [managed(4)],
    },
    {
      organizationId: organizations.demoCompany,
      category: 'Managed Services',
      issuedDaysAgo: 75,
      termsDays: 30,
      lines: [managed(4)],
      paidCents: 'all',
    },
  ];
  const categories = [
    'Managed Services',
    'Hosting',
    'Help Desk',
    'Network Monitoring',
    'Hardware',
    'Projects',
  ];
  const others: DemoInvoice[] = organizations.others.flatMap((organizationId, i) =>
    [0, 1, 2].map((k) => ({
      organizationId,
      category: categories[(i + k) % categories.length]!,
      issuedDaysAgo: 10 + ((i * 17 + k * 31) % 140),
      termsDays: [0, 15, 30][(i + k) % 3]!,
      lines: [
        {
          description: 'Monthly service',
          quantity: 1 + ((i + k) % 9),
          unitPriceCents: 4_900 + ((i * 131 + k * 977) % 40_000),
        },
      ],
      paidCents: (i + k) % 4 === 0 ? ('all' as const) : (i + k) % 7 === 0 ? 5_000 : 0,
    })),
  );
  for (const invoice of [...pawnee, ...demoCompany, ...others]) {
    await insertDemoInvoice(client, invoice, today);
  }
}
