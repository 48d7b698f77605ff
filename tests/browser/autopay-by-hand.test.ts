import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { savePortalAutopay } from '../../src/modules/autopay/autopay.service.js';
import { demoStaff } from '../../src/modules/demo/demo-data.js';
import { schedulePayment } from '../../src/modules/scheduled-payments/scheduled-payments.service.js';
import { businessToday } from '../../src/modules/settings/business-date.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { savedMethod, testCard } from '../support/payment-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * AutoPay and Scheduled Payments used by hand, as a client and staff do it: on a phone-sized
 * window, with the keyboard alone, and with the mistakes people make (a day of the month of 0,
 * a past date, staff forgetting the client's authorization). Each answer must land where the
 * person looks, in words, and nothing may be saved that the person did not type.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = { email: 'layla@nakhla-hosting.example', password: 'Palm trees by the sea 2026' };
/** Names in other scripts, as clients write them. */
const organizationName = 'شركة النخلة للاستضافة · Ελληνικά';
let organizationId = '';
let contactId = '';
let officeCard = '';
let today = '';

function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

async function signInToPortal(page: Page) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(contact.email);
  await page.getByLabel('Password', { exact: true }).fill(contact.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
}

async function savedRules() {
  return (
    await testApp.database.pool.query(
      `SELECT timing, days, day_of_month AS "dayOfMonth" FROM autopay_rules
        WHERE organization_id = $1 ORDER BY position`,
      [organizationId],
    )
  ).rows;
}

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  today = await businessToday(pool);
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  contactId = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ('ليلى حداد', $1, $2) RETURNING id`,
      [contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles WHERE name = 'Billing Admin'`,
    [contactId, organizationId],
  );
  officeCard = await savedMethod(testApp, organizationId, testCard('4242424242424242'), {
    friendlyName: 'بطاقة المكتب',
    isDefault: true,
  });
  await savedMethod(testApp, organizationId, testCard('5555555555554444'), {
    friendlyName: 'Κάρτα ταξιδιών',
  });
  await insertInvoice(pool, {
    organizationId,
    number: 'INV-NAKHLA-1',
    issueDate: today,
    dueDate: addDays(today, 30),
    lines: [{ description: 'استضافة المواقع', quantity: 10_000, unitPriceCents: 24_000 }],
  });
  // AutoPay on, one rule: every service on its due date with the default method.
  await savePortalAutopay(testApp.context, {
    actor: { kind: 'contact', id: contactId, label: 'ليلى حداد (portal)' },
    organizationId,
    input: {
      enabled: true,
      rules: [
        {
          enabled: true,
          serviceCategoryIds: [],
          paymentMethodId: null,
          timing: 'due_date',
          maxAmountCents: null,
        },
      ],
    },
  });
  // A payment scheduled ten days ahead, for the Scheduled Payments pages.
  await schedulePayment({
    context: testApp.context,
    actor: { kind: 'contact', id: contactId, label: 'ليلى حداد (portal)' },
    organizationId,
    contactId,
    paymentMethodId: officeCard,
    runOn: addDays(today, 10),
    allocations: [
      {
        invoiceId: (
          await testApp.database.pool.query(`SELECT id FROM invoices WHERE number = 'INV-NAKHLA-1'`)
        ).rows[0].id,
        amountCents: 12_000,
      },
    ],
  });
}, 120_000);

const firstRule = { timing: 'due_date', days: null, dayOfMonth: null };

afterAll(async () => app?.close());

describe('AutoPay and Scheduled Payments by hand', () => {
  it('a day of the month of 0 or 32, or 400 days, is refused where it was typed, not changed into another day', async () => {
    const page = await app.newPage({ height: 1400 });
    await signInToPortal(page);
    await page.goto(`${baseUrl}/portal/configuration/autopay`);
    await page.getByRole('group', { name: 'Rule 1' }).waitFor();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByRole('group', { name: 'Rule 2' });
    await rule.getByRole('combobox', { name: 'When' }).click();
    await page.getByRole('option', { name: 'On a day of the month' }).click();
    const day = rule.getByLabel('Day of the month');
    for (const typed of ['0', '32']) {
      await day.fill(typed);
      await day.press('Tab');
      // What was typed stays, with the reason: never a different day saved in its place.
      expect(await day.inputValue()).toBe(typed);
      await page.getByRole('button', { name: 'Save' }).click();
      await rule.getByText(/day of the month from 1 to 31/).waitFor();
      expect(await savedRules()).toEqual([firstRule]);
    }
    await rule.getByRole('combobox', { name: 'When' }).click();
    await page.getByRole('option', { name: 'Days after the due date' }).click();
    const days = rule.getByLabel('Days');
    await days.fill('400');
    await days.press('Tab');
    expect(await days.inputValue()).toBe('400');
    await page.getByRole('button', { name: 'Save' }).click();
    await rule.getByText(/at most 365/).waitFor();
    expect(await savedRules()).toEqual([firstRule]);
    // A minus sign or decimals stay as typed, with the reason: not quietly 3, or 2.
    for (const [typed, reason] of [
      ['-3', /cannot be negative/i],
      ['2.5', /whole number of days/i],
    ] as const) {
      await days.fill(typed);
      await days.press('Tab');
      expect(await days.inputValue()).toBe(typed);
      await page.getByRole('button', { name: 'Save' }).click();
      await rule.getByText(reason).waitFor();
      expect(await savedRules()).toEqual([firstRule]);
    }

    await days.fill('5');
    // A cap above the largest invoice total is refused on the page, as the server refuses it.
    const cap = rule.getByLabel(/Only invoices up to/);
    await cap.fill('200000000000');
    await page.getByRole('button', { name: 'Save' }).click();
    await rule.getByText(/at most 100,000,000,000\.00/i).waitFor();
    expect(await savedRules()).toEqual([firstRule]);
    await cap.fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('AutoPay saved.').waitFor();
    expect(await savedRules()).toEqual([
      firstRule,
      { timing: 'after_due_date', days: 5, dayOfMonth: null },
    ]);
    await page.close();
  });

  it('the method choices name each card as the client named it', async () => {
    const page = await app.newPage({ height: 1400 });
    await signInToPortal(page);
    await page.goto(`${baseUrl}/portal/configuration/autopay`);
    const rule = page.getByRole('group', { name: 'Rule 1' });
    await rule.getByRole('combobox', { name: 'Payment method' }).click();
    await page.getByRole('option', { name: 'Κάρτα ταξιδιών (Mastercard •••• 4444)' }).waitFor();
    await page
      .getByRole('option', { name: 'بطاقة المكتب (Visa •••• 4242)', exact: true })
      .waitFor();
    await page.keyboard.press('Escape');
    await page.close();
  });

  it('moving or removing a rule with the keyboard keeps the focus in the rules', async () => {
    const page = await app.newPage({ height: 1400 });
    await signInToPortal(page);
    await page.goto(`${baseUrl}/portal/configuration/autopay`);
    await page.getByRole('group', { name: 'Rule 1' }).waitFor();
    const second = page.getByRole('group', { name: 'Rule 2' });
    if ((await second.count()) === 0) await page.getByRole('button', { name: 'Add rule' }).click();
    await second.getByLabel('Hardware').check();
    await page.getByRole('button', { name: 'Move rule 2 up' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('group', { name: 'Rule 1' })
      .getByRole('checkbox', { name: 'Hardware', checked: true })
      .waitFor();
    // The moved rule is now first: its "up" is off, so the focus is on its "down", in place.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Move rule 1 down',
    );
    await page.keyboard.press('Enter');
    await page
      .getByRole('group', { name: 'Rule 2' })
      .getByRole('checkbox', { name: 'Hardware', checked: true })
      .waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Move rule 2 up',
    );
    // Removing the last rule puts the focus on the rule before it, not back at the page's top.
    await page.getByRole('button', { name: 'Remove rule 2' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Rule 2' }).waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Remove rule 1',
    );
    await page.close();
  });

  it('on a 390 px phone, the rule boxes show their whole choice and Scheduled Payments fits the screen', async () => {
    const runOn = addDays(today, 10);
    const page = await app.browser.newPage({
      viewport: { width: 390, height: 844 },
      reducedMotion: 'reduce',
    });
    page.setDefaultTimeout(15_000);
    await signInToPortal(page);
    await page.goto(`${baseUrl}/portal/configuration/autopay`);
    const rule = page.getByRole('group', { name: 'Rule 1' });
    for (const name of ['Payment method', 'When']) {
      const box = rule.getByRole('combobox', { name });
      await box.waitFor();
      // Each box takes the width of the rule (one under the other), not half of it.
      expect((await box.boundingBox())!.width).toBeGreaterThan(250);
    }
    // "Days after the due date" is read whole, nothing cut off at the right edge.
    const when = rule.getByRole('combobox', { name: 'When' });
    expect(await when.evaluate((input) => input.scrollWidth <= input.clientWidth)).toBe(true);

    // Each list shows every column on the phone's width (a card per row): nothing is hidden
    // past the right edge, and the page never scrolls sideways.
    const withinScreen = async (cell: Locator) => {
      await cell.waitFor();
      const box = (await cell.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
    };
    await page.goto(`${baseUrl}/portal/billing/scheduled-payments`);
    const scheduled = page.getByRole('table', { name: 'Scheduled payments' });
    await withinScreen(scheduled.locator('td[data-label="Total"]').first());
    const change = page.getByRole('button', { name: `Change the payment of ${runOn}` });
    await withinScreen(change);
    await change.click();
    await page.getByRole('dialog', { name: 'Change scheduled payment' }).waitFor();
    await page.keyboard.press('Escape');

    await page.goto(`${baseUrl}/portal/billing/invoices`);
    const invoices = page.getByRole('table', { name: 'Open invoices' });
    await withinScreen(invoices.locator('td[data-label="Balance"]').first());
    await withinScreen(invoices.getByRole('link', { name: /View Invoice/ }).first());
    await withinScreen(invoices.locator('tfoot td').first());

    await page.goto(`${baseUrl}/portal/configuration/payment-methods`);
    const methods = page.getByRole('table', { name: 'Payment methods' });
    await withinScreen(methods.getByRole('button', { name: /^Edit / }).first());
    await page.close();
  });

  it('on a 390 px window, the staff list of scheduled payments scrolls in its own box', async () => {
    const billing = demoStaff.find((s) => s.role === 'billing')!;
    const page = await app.browser.newPage({
      viewport: { width: 390, height: 844 },
      reducedMotion: 'reduce',
    });
    page.setDefaultTimeout(15_000);
    await signInToConsole(page, baseUrl, billing.email, billing.password);
    await page.goto(`${baseUrl}/organizations/${organizationId}`);
    await page.getByRole('tab', { name: 'Scheduled Payments' }).click();
    const table = page.getByRole('table', { name: 'Scheduled payments' });
    await table.getByText('INV-NAKHLA-1').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    // The Payments Calendar starts with its list by day: a month's amounts need a wider screen.
    await page.goto(`${baseUrl}/payments-calendar`);
    await page.getByRole('heading', { name: 'Payments Calendar', level: 1 }).waitFor();
    expect(await page.getByRole('radio', { name: 'List by day' }).isChecked()).toBe(true);
    await page.close();
  });

  it('a refused date is said once, in words, with no field name, in Pay Selected and in Change', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToPortal(page);
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByRole('checkbox', { name: 'Select INV-NAKHLA-1' }).check();
    await page.getByRole('button', { name: 'Pay Selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pay Selected' });
    await dialog.getByRole('radio', { name: 'On a later date' }).check();
    const date = dialog.getByLabel('Payment date');
    await date.fill(today);
    await date.press('Tab');
    await dialog.getByRole('button', { name: 'Schedule payment' }).click();
    await dialog
      .getByText(/must be after today/)
      .first()
      .waitFor();
    expect(await dialog.textContent()).not.toContain('runOn');
    expect(await dialog.getByText(/must be after today/).count()).toBe(1);
    // A date typed since is not the one refused: the refusal goes.
    await date.fill(addDays(today, 5));
    await date.press('Tab');
    await expect.poll(() => dialog.getByText(/must be after today/).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // Cancelled, the invoices chosen stay chosen for another try.
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByRole('checkbox', { name: 'Select INV-NAKHLA-1' }).isChecked()).toBe(
      true,
    );

    await page.goto(`${baseUrl}/portal/billing/scheduled-payments`);
    const runOn = addDays(today, 10);
    await page.getByRole('button', { name: `Change the payment of ${runOn}` }).click();
    const change = page.getByRole('dialog', { name: 'Change scheduled payment' });
    const newDate = change.getByLabel('Payment date');
    await newDate.fill(today);
    await newDate.press('Tab');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await change
      .getByText(/must be after today/)
      .first()
      .waitFor();
    expect(await change.textContent()).not.toContain('runOn');
    expect(await change.getByText(/must be after today/).count()).toBe(1);

    // A change that goes through is confirmed, with the new date.
    const later = addDays(today, 12);
    await newDate.fill(later);
    await newDate.press('Tab');
    await expect.poll(() => change.getByText(/must be after today/).count()).toBe(0);
    await change.getByRole('button', { name: 'Save changes' }).click();
    await change.waitFor({ state: 'hidden' });
    await page.getByText('Scheduled payment changed.').waitFor();
    await page.close();
  });

  it('staff who forget the client authorization are told under its box, in words', async () => {
    const billing = demoStaff.find((s) => s.role === 'billing')!;
    const page = await app.newPage({ height: 1600 });
    await signInToConsole(page, baseUrl, billing.email, billing.password);
    const other = (
      await testApp.database.pool.query(
        `INSERT INTO organizations (name) VALUES ('株式会社テスト') RETURNING id`,
      )
    ).rows[0].id;
    await page.goto(`${baseUrl}/organizations/${other}`);
    await page.getByRole('tab', { name: 'AutoPay' }).click();
    await page.getByLabel('AutoPay Enabled').check();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('button', { name: 'Save AutoPay' }).click();
    const authorization = page.getByLabel('Authorization', { exact: true });
    await expect
      .poll(() => authorization.getAttribute('aria-invalid'), { timeout: 10_000 })
      .toBe('true');
    await page.getByText(/is required: record the client's authorization/i).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('authorization:');

    // Words without who gave them: the missing box says so, before anything is sent.
    await authorization.fill('نعم، نوافق على الدفع التلقائي');
    await page.getByRole('button', { name: 'Save AutoPay' }).click();
    const by = page.getByLabel('Authorized by');
    await expect.poll(() => by.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await page.locator('body').textContent()).not.toContain('authorization.');
    await page.close();
  });
});
