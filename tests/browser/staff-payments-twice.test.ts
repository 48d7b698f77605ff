import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startBrowserApp, signInToConsole, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Staff's money dialogs clicked twice, as people do: a double click on Record Payment, Refund
 * or Apply Credit moves the money once.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
let organizationId = '';
let invoice = '';

async function count(sql: string): Promise<number> {
  return (await testApp.database.pool.query(sql, [organizationId])).rows[0].n;
}

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  organizationId = (
    await testApp.database.pool.query(
      `INSERT INTO organizations (name) VALUES ('Osprey Optics') RETURNING id`,
    )
  ).rows[0].id;
  invoice = await insertInvoice(testApp.database.pool, {
    organizationId,
    number: 'INV-OO-1',
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    lines: [{ description: 'Hosting', quantity: 10_000, unitPriceCents: 10_000 }],
  });
}, 120_000);

afterAll(async () => app?.close());

async function openPaymentsTab(page: Page) {
  await page.goto(`${baseUrl}/organizations/${organizationId}`);
  await page.getByRole('tab', { name: 'Payments', exact: true }).click();
  await page.getByRole('heading', { name: 'Payments', exact: true }).waitFor();
}

describe('staff money dialogs clicked twice', () => {
  it('a double click records one payment, one refund and applies credit once', async () => {
    const staff = await app.newPage();
    await signInToConsole(staff, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await openPaymentsTab(staff);

    await staff.getByRole('button', { name: 'Record Payment' }).click();
    const record = staff.getByRole('dialog', { name: 'Record Payment' });
    await record.getByLabel('Reference').fill('1047');
    await record.getByLabel('Amount received (USD)').fill('80');
    await record.getByLabel(/Apply to INV-OO-1/).fill('30');
    await record.getByRole('button', { name: 'Record Payment' }).dblclick();
    await record.waitFor({ state: 'hidden' });
    await staff.getByLabel('Unapplied credit', { exact: true }).getByText('$50.00').waitFor();
    expect(await count(`SELECT count(*)::int AS n FROM payments WHERE organization_id = $1`)).toBe(
      1,
    );

    const number = (
      await testApp.database.pool.query(`SELECT number FROM payments WHERE organization_id = $1`, [
        organizationId,
      ])
    ).rows[0].number as string;
    await staff.getByRole('button', { name: `Refund ${number}` }).click();
    const refund = staff.getByRole('dialog', { name: `Refund ${number}` });
    await refund.getByLabel('Amount to refund (USD)').fill('5');
    await refund.getByRole('button', { name: 'Refund' }).dblclick();
    await refund.waitFor({ state: 'hidden' });
    await staff.getByLabel('Unapplied credit', { exact: true }).getByText('$45.00').waitFor();
    expect(
      await count(
        `SELECT count(*)::int AS n FROM refunds r JOIN payments p ON p.id = r.payment_id
          WHERE p.organization_id = $1`,
      ),
    ).toBe(1);

    await staff.getByRole('button', { name: 'Apply Credit' }).click();
    const apply = staff.getByRole('dialog', { name: 'Apply Credit' });
    await apply.getByLabel(/Apply to INV-OO-1/).fill('20');
    await apply.getByRole('button', { name: 'Apply Credit' }).dblclick();
    await apply.waitFor({ state: 'hidden' });
    await staff.getByLabel('Unapplied credit', { exact: true }).getByText('$25.00').waitFor();
    const balance = (
      await testApp.database.pool.query(`SELECT balance_cents AS b FROM invoices WHERE id = $1`, [
        invoice,
      ])
    ).rows[0].b;
    expect(balance).toBe(5_000);
  });
});
