import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { runAutopay } from '../../src/modules/autopay/autopay-run.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { sandboxOf, savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * AutoPay in a real browser, as a client sets it up: Configuration > AutoPay, "AutoPay
 * Enabled", a rule for Hosting with the saved card, the preview naming the Hosting invoice and
 * not the Hardware one, and the daily run paying exactly that. Then the MSP's side: staff lock
 * the rule and make AutoPay required on the organization page, and the client sees it greyed,
 * with the reason; a contact whose access level leaves AutoPay out is told so.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'hana@sakura-hosting.example', password: 'Cherry blossoms in April 9' };
const viewer = { email: 'ken@sakura-hosting.example', password: 'Only looking at bills 42' };
/** A name in two scripts, long, as clients' legal names are. */
const organizationName = 'Sakura Hosting 株式会社さくらホスティング International Holdings';
let organizationId = '';
const invoices = { hosting: '', hardware: '' };
const today = '2026-03-10';

async function categoryId(name: string): Promise<string> {
  return (
    await testApp.database.pool.query(`SELECT id FROM service_categories WHERE name = $1`, [name])
  ).rows[0].id;
}

async function balanceOf(invoiceId: string): Promise<number> {
  return (
    await testApp.database.pool.query(`SELECT balance_cents AS b FROM invoices WHERE id = $1`, [
      invoiceId,
    ])
  ).rows[0].b;
}

async function addContact(name: string, who: typeof contact, profile: string) {
  const pool = testApp.database.pool;
  const id = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ($1, $2, $3) RETURNING id`,
      [name, who.email, await hashPassword(who.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles WHERE name = $3`,
    [id, organizationId, profile],
  );
}

async function signInToPortal(page: Page, who: typeof contact) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
}

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  // The MSP's today (New York): 10 March 2026, the day both invoices fall due.
  testApp.context.clock = () => new Date(`${today}T16:00:00Z`);
  const pool = testApp.database.pool;
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  await addContact('Hana Sato 佐藤花', contact, 'Billing Admin');
  await addContact('Ken Ito', viewer, 'User');
  await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    friendlyName: 'Office Visa',
    isDefault: true,
  });
  invoices.hosting = await insertInvoice(pool, {
    organizationId,
    number: 'INV-SAKURA-1',
    issueDate: '2026-03-01',
    dueDate: today,
    lines: [{ description: 'Web hosting, March', quantity: 10_000, unitPriceCents: 8_900 }],
  });
  invoices.hardware = await insertInvoice(pool, {
    organizationId,
    number: 'INV-SAKURA-2',
    issueDate: '2026-03-01',
    dueDate: today,
    lines: [{ description: 'Firewall appliance', quantity: 10_000, unitPriceCents: 129_900 }],
  });
  await pool.query(`UPDATE invoices SET service_category_id = $2 WHERE id = $1`, [
    invoices.hosting,
    await categoryId('Hosting'),
  ]);
  await pool.query(`UPDATE invoices SET service_category_id = $2 WHERE id = $1`, [
    invoices.hardware,
    await categoryId('Hardware'),
  ]);
}, 120_000);

afterAll(async () => app?.close());

describe('AutoPay', () => {
  it('a contact turns AutoPay on for Hosting; the preview and the run pay Hosting, not Hardware', async () => {
    const page = await app.newPage({ height: 1400 });
    await signInToPortal(page, contact);
    await page.getByRole('link', { name: 'AutoPay' }).first().click();
    await page.getByRole('heading', { name: 'AutoPay', level: 1 }).waitFor();
    await page.getByText('No rules yet').waitFor();
    // Off, the preview says so, rather than that no invoice is covered.
    await page.getByText('AutoPay is off: nothing will be charged.', { exact: false }).waitFor();

    await page.getByLabel('AutoPay Enabled').check();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByRole('group', { name: 'Rule 1' });
    await rule.getByLabel('Hosting').check();
    await rule.getByRole('combobox', { name: 'Payment method' }).click();
    await page.getByRole('option', { name: 'Office Visa (Visa •••• 4242)', exact: true }).click();
    // A cap with more decimals than the currency is refused where it was typed.
    await rule.getByLabel(/Only invoices up to/).fill('100.005');
    await page.getByRole('button', { name: 'Save' }).click();
    await rule.getByText(/decimal/i).waitFor();
    await rule.getByLabel(/Only invoices up to/).fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('AutoPay saved.').waitFor();

    const preview = page.getByRole('table', { name: 'AutoPay preview' });
    const hostingRow = preview.getByRole('row').filter({ hasText: 'INV-SAKURA-1' });
    await hostingRow.getByText('Will be charged (rule 1)').waitFor();
    await hostingRow.getByText('Visa •••• 4242').waitFor();
    await hostingRow.getByText('$89.00').waitFor();
    expect(await preview.getByRole('row').filter({ hasText: 'INV-SAKURA-2' }).count()).toBe(0);

    const result = await runAutopay(testApp.context, sandboxOf(testApp), { businessDate: today });
    expect(result.runDate).toBe(today);
    expect(await balanceOf(invoices.hosting)).toBe(0);
    expect(await balanceOf(invoices.hardware)).toBe(129_900);

    // The paid invoice leaves the preview: nothing open is covered any more.
    await page.reload();
    await page.getByText(/No open invoice is covered by the rules/).waitFor();
    await page.close();
  });

  it('staff lock the rule and make AutoPay required; the client sees both greyed, with why', async () => {
    const staff = await app.newPage({ height: 1600 });
    await signInToConsole(staff, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await staff.goto(`${baseUrl}/organizations/${organizationId}`);
    await staff.getByRole('tab', { name: 'AutoPay' }).click();
    const rule = staff.getByRole('group', { name: 'Rule 1' });
    await rule.getByLabel('Hosting').waitFor();
    await staff.getByText('Locked: the client cannot change this rule').click();
    await staff.getByLabel('AutoPay required').check();
    await staff
      .getByLabel('Authorization', { exact: true })
      .fill('I authorize Sakura Hosting to be charged automatically for hosting invoices.');
    await staff.getByLabel('Authorized by').fill('Hana Sato, by phone');
    await staff.getByRole('button', { name: 'Save AutoPay' }).click();
    await staff.getByText(/AutoPay saved/).waitFor();
    // The last run's outcome for this organization's invoices.
    const lastRun = staff.getByRole('table', { name: 'Last AutoPay run' });
    await lastRun
      .getByRole('row')
      .filter({ hasText: 'INV-SAKURA-1' })
      .getByText('Charged')
      .waitFor();
    await staff.close();

    const page = await app.newPage({ height: 1400 });
    await signInToPortal(page, contact);
    await page.goto(`${baseUrl}/portal/configuration/autopay`);
    await page.getByText(/AutoPay is required by .*: it cannot be turned off here\./).waitFor();
    expect(await page.getByLabel('AutoPay Enabled').isDisabled()).toBe(true);
    const locked = page.getByRole('group', { name: 'Rule 1' });
    await locked.getByText(/Locked by .*: only they can change this rule\./).waitFor();
    expect(await locked.getByLabel('Hosting').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Remove rule 1' }).isDisabled()).toBe(true);
    await page.close();
  });

  it('a contact who manages AutoPay but not payment methods sees the method each rule uses', async () => {
    const pool = testApp.database.pool;
    await pool.query(
      `INSERT INTO access_profiles (name, permissions)
       VALUES ('AutoPay Only', ARRAY['view_invoices', 'manage_autopay'])`,
    );
    const autopayOnly = { email: 'mio@sakura-hosting.example', password: 'Rules without cards 77' };
    await addContact('Mio Tanaka', autopayOnly, 'AutoPay Only');
    const page = await app.newPage({ height: 1400 });
    await signInToPortal(page, autopayOnly);
    await page.goto(`${baseUrl}/portal/configuration/autopay`);
    const rule = page.getByRole('group', { name: 'Rule 1' });
    const method = rule.getByRole('combobox', { name: 'Payment method' });
    await method.waitFor();
    expect(await method.inputValue()).toBe('Visa •••• 4242');
    await page.close();
  });

  it('a contact whose access level leaves AutoPay out does not see it, and is told so', async () => {
    const page = await app.newPage();
    await signInToPortal(page, viewer);
    expect(await page.getByRole('link', { name: 'AutoPay' }).count()).toBe(0);
    await page.goto(`${baseUrl}/portal/configuration/autopay`);
    await page.getByText(/Your access level does not include this page/).waitFor();
    await page.close();
  });
});
