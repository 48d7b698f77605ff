import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { organizationId } from '../support/test-app.js';

let app: BrowserApp;
beforeAll(async () => {
  app = await startBrowserApp();
}, 120_000);
afterAll(async () => app?.close());

const query = (sql: string, params: unknown[] = []) => app.testApp.database.pool.query(sql, params);

describe('billing configuration in a real browser', () => {
  it('lets a Master Admin add a tax rate and set the Invoice Due notices', async () => {
    const page = await app.newPage({ height: 1400 });
    await signInToConsole(page, app.baseUrl, 'admin@portico.test', 'portico-admin-demo');
    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Add Tax Rate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Tax Rate' });
    await dialog.getByLabel('Name').fill('New York City sales tax');
    await dialog.getByLabel('Rate (%)').fill('8.875');
    await dialog.getByRole('button', { name: 'Add Tax Rate' }).click();
    const rates = page.getByRole('table', { name: 'Tax rates' });
    await rates
      .getByRole('row')
      .filter({ hasText: 'New York City sales tax' })
      .getByText('8.875%')
      .waitFor();
    expect(
      (await query(`SELECT rate_ppm FROM tax_rates WHERE name = 'New York City sales tax'`)).rows,
    ).toEqual([{ rate_ppm: 88750 }]);

    await page.getByLabel('Days before due date').fill('3');
    await page.getByLabel('Then every N days past due').fill('10');
    await page.getByRole('button', { name: 'Save Notices' }).click();
    await expect
      .poll(
        async () =>
          (
            await query(
              'SELECT due_reminder_days_before, past_due_reminder_every_days FROM settings',
            )
          ).rows[0],
      )
      .toEqual({ due_reminder_days_before: 3, past_due_reminder_every_days: 10 });
    await page.close();
  });

  it('sets when the daily AutoPay run charges and how declines are tried again', async () => {
    const page = await app.newPage({ height: 1600 });
    await signInToConsole(page, app.baseUrl, 'admin@portico.test', 'portico-admin-demo');
    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    const section = page.getByRole('region', { name: 'AutoPay Run' });
    const runTime = section.getByLabel('Run time');
    await expect.poll(() => runTime.inputValue()).toBe('06:00');
    expect(await section.getByLabel('Tries after a decline').inputValue()).toBe('3');

    // A time typed the 12-hour way is refused where it was typed; nothing is saved.
    await runTime.fill('7:30 pm');
    await section.getByRole('button', { name: 'Save AutoPay Run' }).click();
    await section.getByText('Must be a time from 00:00 to 23:59, such as 06:00').waitFor();
    await runTime.fill('19:30');
    await section.getByLabel('Tries after a decline').fill('2');
    await section.getByLabel('Days between tries').fill('5');
    await section.getByRole('button', { name: 'Save AutoPay Run' }).click();
    await page.getByText('AutoPay run settings saved').waitFor();
    expect(
      (
        await query(
          'SELECT autopay_run_time, autopay_retry_count, autopay_retry_days FROM settings',
        )
      ).rows[0],
    ).toEqual({ autopay_run_time: '19:30', autopay_retry_count: 2, autopay_retry_days: 5 });
    await page.close();
  });

  it("turns an organization's New Invoice emails off, and explains why its currency cannot change", async () => {
    const pawnee = await organizationId(app.testApp, 'Pawnee Parks Dept.');
    const page = await app.newPage({ height: 1400 });
    await signInToConsole(page, app.baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${app.baseUrl}/organizations/${pawnee}`);
    const billing = page.getByRole('form', { name: 'Billing' });
    const emails = billing.getByRole('switch', {
      name: 'Email New Invoice (with PDF) to Default Notification Emails',
    });
    await expect.poll(() => emails.isChecked()).toBe(true);
    await emails.click({ force: true });
    await billing.getByRole('button', { name: 'Save Billing' }).click();
    await expect
      .poll(
        async () =>
          (await query('SELECT new_invoice_emails FROM organizations WHERE id = $1', [pawnee]))
            .rows[0],
      )
      .toEqual({ new_invoice_emails: false });
    // The form takes the saved values when the answer arrives: type only after it has.
    await page.getByText('Billing saved').waitFor();

    // Pawnee has invoices in dollars: its currency is fixed.
    await billing.getByRole('combobox', { name: 'Currency' }).click();
    await page.getByRole('option', { name: /^EUR — Euro/ }).click();
    await billing.getByRole('button', { name: 'Save Billing' }).click();
    await billing.getByText(/currency cannot change/i).waitFor();
    expect(
      (await query('SELECT currency FROM organizations WHERE id = $1', [pawnee])).rows[0],
    ).toEqual({
      currency: 'USD',
    });
    await page.close();
  });
});
