import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, expectFieldErrors } from '../support/api-assertions.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

/** Invoice numbers are unique ignoring letter case: INV-1261 and inv-1261 are one number. */

let testApp: TestApp;
let billing: ApiClient;
let pawnee: string;
let categoryId: string;

beforeAll(async () => {
  testApp = await startTestApp();
  billing = await signedInAs(testApp.app, 'billing');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  categoryId = (await billing.get('/api/service-categories')).json().serviceCategories[0].id;
});
afterAll(async () => testApp.close());

function body(number: string) {
  return {
    organizationId: pawnee,
    number,
    issueDate: '2026-11-01',
    terms: 'Net 30',
    serviceCategoryId: categoryId,
    taxRateId: null,
    lines: [{ description: 'Support', quantity: '1', unitPriceCents: 1000, taxable: true }],
  };
}

async function invoiceCount() {
  return (await testApp.database.pool.query('SELECT count(*)::int AS n FROM invoices')).rows[0].n;
}

describe('invoice numbers ignore letter case', () => {
  it('refuses a new or edited invoice whose number differs only in case, naming both', async () => {
    const first = await billing.post('/api/invoices', body('CASE-1261'));
    expect(first.statusCode, first.body).toBe(201);
    const before = await invoiceCount();

    const clash = await billing.post('/api/invoices', body('case-1261'));
    expectFieldErrors(clash, ['number'], 409);
    expect(errorOf(clash).message).toBe('Invoice number case-1261 is already taken by CASE-1261');
    expect(await invoiceCount()).toBe(before);

    const other = await billing.post('/api/invoices', body('CASE-1262'));
    expect(other.statusCode).toBe(201);
    const edit = await billing.put(`/api/invoices/${other.json().invoice.id}`, body('Case-1261'));
    expectFieldErrors(edit, ['number'], 409);
    expect(errorOf(edit).message).toBe('Invoice number Case-1261 is already taken by CASE-1261');

    // An invoice may change the case of its own number.
    const own = await billing.put(`/api/invoices/${first.json().invoice.id}`, body('Case-1261'));
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().invoice.number).toBe('Case-1261');
  });

  it('holds in the database too, whatever the code in front of it', async () => {
    await expect(
      testApp.database.pool.query(
        `INSERT INTO invoices (organization_id, number, issue_date, due_date, terms, service_category_id)
         SELECT organization_id, upper(number), issue_date, due_date, terms, service_category_id
           FROM invoices WHERE number = 'Case-1261'`,
      ),
    ).rejects.toThrow(/duplicate key/);
  });

  it('refuses an import that repeats a number in another case, in the file or already taken', async () => {
    const before = await invoiceCount();
    const header =
      'invoice_number,organization,issue_date,terms,service_category,description,quantity,unit_price';
    const row = (number: string) =>
      `${number},Pawnee Parks Dept.,2026-11-01,Net 30,Managed Services,Support,1,10.00`;
    const response = await billing.post('/api/invoices/import', {
      csv: [
        header,
        row('case-1261'),
        row('IMP-CASE'),
        row('imp-case'),
        row('X-1'),
        row('Imp-Case'),
      ].join('\n'),
    });
    expect(response.statusCode, response.body).toBe(400);
    const fields = errorOf(response).fields;
    expect(fields).toContainEqual({
      field: 'line 2: invoice_number',
      message: 'case-1261 is already taken by Case-1261',
    });
    expect(fields).toContainEqual({
      field: 'line 4: invoice_number',
      message: 'imp-case is the same number as IMP-CASE on line 3 (letter case is ignored)',
    });
    expect(fields).toContainEqual({
      field: 'line 6: invoice_number',
      message: 'Imp-Case is the same number as IMP-CASE on line 3 (letter case is ignored)',
    });
    expect(await invoiceCount()).toBe(before);
  });
});

describe('the migration to case-insensitive numbers', () => {
  it('renumbers existing case duplicates, keeping the oldest as it is, and audits it', async () => {
    const pool = testApp.database.pool;
    const file = readdirSync('drizzle').find((name) => /_invoice-number-case\.sql$/.test(name))!;
    expect(file).toBeTruthy();
    const statements = readFileSync(`drizzle/${file}`, 'utf8').split('--> statement-breakpoint');
    // The database as it was before the migration: numbers unique only case-sensitively.
    await pool.query('DROP INDEX invoices_number_lower_idx');
    await pool.query('CREATE UNIQUE INDEX invoices_number_idx ON invoices (number)');
    const insert = (number: string, createdAt: string) =>
      pool.query(
        `INSERT INTO invoices (organization_id, number, issue_date, due_date, terms, service_category_id, created_at)
         VALUES ($1, $2, '2026-01-01', '2026-01-31', 'Net 30', $3, $4) RETURNING id`,
        [pawnee, number, categoryId, createdAt],
      );
    const oldest = (await insert('inv-1261', '2026-01-01T00:00:00Z')).rows[0].id;
    const second = (await insert('INV-1261', '2026-01-02T00:00:00Z')).rows[0].id;
    const third = (await insert('Inv-1261', '2026-01-03T00:00:00Z')).rows[0].id;
    // A number the renaming would otherwise take.
    await insert('INV-1261-2', '2026-01-04T00:00:00Z');

    for (const statement of statements) await pool.query(statement);

    const numbers = await pool.query<{ id: string; number: string }>(
      'SELECT id, number FROM invoices WHERE id = ANY($1::uuid[])',
      [[oldest, second, third]],
    );
    const byId = Object.fromEntries(numbers.rows.map((r) => [r.id, r.number]));
    expect(byId[oldest]).toBe('inv-1261');
    expect(byId[second]).toBe('INV-1261-3');
    expect(byId[third]).toBe('Inv-1261-4');
    const audit = await pool.query(
      `SELECT entity_id AS "entityId", action, before, after, actor_kind AS "actorKind"
         FROM audit_events WHERE action = 'invoice.renumbered' ORDER BY entity_id`,
    );
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        {
          entityId: second,
          action: 'invoice.renumbered',
          before: { number: 'INV-1261' },
          after: { number: 'INV-1261-3' },
          actorKind: 'system',
        },
      ]),
    );
    expect(audit.rows).toHaveLength(2);
    await expect(insert('inv-1261-3', '2026-01-05T00:00:00Z')).rejects.toThrow(/duplicate key/);
  });
});
