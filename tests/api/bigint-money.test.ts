import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createDb } from '../../src/platform/database.js';
import { invoices } from '../../src/modules/invoices/invoices.schema.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { signedInAs, startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// PostgreSQL's bigint (int8) columns hold money in cents; they are read as JS numbers once,
// where the pool is made (docs/decisions/0029), exact up to Number.MAX_SAFE_INTEGER.

let testApp: TestApp;
let billing: ApiClient;
let organizationId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  organizationId = (
    await testApp.database.pool.query(
      `INSERT INTO organizations (name, address_line1, city, region, postal_code)
       VALUES ('Large Accounts Ltd', '1 Main St', 'Pawnee', 'IN', '47555') RETURNING id`,
    )
  ).rows[0].id;
});

afterAll(async () => {
  await testApp?.close();
});

describe('bigint money and counts', () => {
  it('arrive as exact numbers above 2^31, in raw queries and drizzle columns alike', async () => {
    const pool = testApp.database.pool;
    const raw = await pool.query<{ cents: unknown; rows: unknown; sum: unknown }>(
      `SELECT 3000000001::int8 AS cents, count(*) AS rows, sum(n)::int8 AS sum
         FROM generate_series(2147483647::int8, 2147483649::int8) AS n`,
    );
    expect(raw.rows[0]).toEqual({ cents: 3_000_000_001, rows: 3, sum: 6_442_450_944 });

    const id = await insertInvoice(pool, {
      organizationId,
      number: 'BIG-1',
      issueDate: '2026-06-01',
      dueDate: '2026-07-01',
      lines: [{ description: 'A data centre', quantity: 10_000, unitPriceCents: 3_000_000_001 }],
    });
    const [row] = await createDb(pool)
      .select({ totalCents: invoices.totalCents })
      .from(invoices)
      .where(eq(invoices.id, id));
    expect(row?.totalCents).toBe(3_000_000_001);

    const detail = await billing.get(`/api/invoices/${id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    const invoice = detail.json().invoice;
    expect(invoice.totalCents).toBe(3_000_000_001);
    expect(invoice.balanceCents).toBe(3_000_000_001);
    expect(invoice.lines[0].unitPriceCents).toBe(3_000_000_001);
  });

  it('refuses a value beyond 2^53 rather than rounding it', async () => {
    await expect(
      testApp.database.pool.query('SELECT 9007199254740993::int8 AS cents'),
    ).rejects.toThrow(/9007199254740993/);
    // The largest safe integer itself still arrives exactly.
    const safe = await testApp.database.pool.query('SELECT 9007199254740991::int8 AS cents');
    expect(safe.rows[0].cents).toBe(Number.MAX_SAFE_INTEGER);
  });
});
