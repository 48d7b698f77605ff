import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import type { TestApp } from '../support/test-app.js';

let app: BrowserApp;
let testApp: TestApp;

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  testApp = app.testApp;
}, 120_000);

afterAll(async () => app?.close());

async function signedInPage(email: string, password: string): Promise<Page> {
  const page = await app.newPage();
  await signInToConsole(page, app.baseUrl, email, password);
  await page.getByRole('textbox', { name: 'Find Organization' }).fill('pawnee');
  await page.getByRole('link', { name: 'Pawnee Parks Dept.' }).click();
  await page.getByRole('heading', { level: 1, name: 'Pawnee Parks Dept.' }).waitFor();
  return page;
}

describe('email in the staff console', () => {
  it('sends an Account Summary, shows its history, the message itself, and resends it', async () => {
    const page = await signedInPage('billing@portico.test', 'portico-billing-demo');

    await page.getByRole('button', { name: 'Send Account Summary' }).click();
    const confirm = page.getByRole('dialog', { name: 'Send Account Summary?' });
    await confirm.getByText('lknope@pawnee-indiana.gov').waitFor();
    await confirm.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Account Summary queued for lknope@pawnee-indiana.gov').waitFor();

    await page.getByRole('button', { name: 'View Email History' }).click();
    const history = page.getByRole('dialog', { name: 'Email History — Pawnee Parks Dept.' });
    // The list refreshes itself while a message is queued: wait for the delivery.
    const row = history.getByRole('button', { name: /Account Summary, Sent$/ });
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await history.getByText('Triggered').first().waitFor();
    await history
      .getByText(/Server answered "250/)
      .first()
      .waitFor();

    await history.getByRole('button', { name: 'View', exact: true }).first().click();
    const view = page.getByRole('dialog', { name: 'View Email' });
    const frame = view.frameLocator('iframe[title="Email preview"]');
    await frame.getByText('Total due:').waitFor();
    await frame.getByText('Pawnee Parks Dept.').first().waitFor();
    await view.getByRole('tab', { name: 'Text' }).click();
    await view.getByText(/Total due: \$2,055\.25/).waitFor();
    await view.getByRole('button', { name: 'Close' }).first().click();

    await history.getByRole('button', { name: 'Resend', exact: true }).first().click();
    await page
      .getByRole('dialog', { name: 'Resend this email?' })
      .getByRole('button', { name: 'Resend' })
      .click();
    await page.getByText('Account Summary queued again for lknope@pawnee-indiana.gov').waitFor();
    await history.getByRole('button', { name: /a resent copy$/ }).waitFor();
    await expect
      .poll(async () =>
        history.getByRole('button', { name: /Account Summary, (Sent|Queued|Sending)/ }).count(),
      )
      .toBe(2);
    await page.close();
  });

  it("offers a contact's Email menu, and says why a revoked contact cannot get a Welcome Email", async () => {
    await testApp.database.pool.query(
      `UPDATE contact_organizations SET access_profile_id = NULL
        WHERE contact_id = (SELECT id FROM contacts WHERE email = 'aludgate@pawnee-indiana.gov')`,
    );
    const page = await signedInPage('billing@portico.test', 'portico-billing-demo');

    await page.getByRole('button', { name: 'Leslie Knope', exact: true }).click();
    await page.getByRole('button', { name: 'Email', exact: true }).click();
    const sendWelcome = page.getByRole('menuitem', { name: 'Send Welcome Email' });
    // The menu asks the server which emails this contact can get before it enables them.
    await expect.poll(() => sendWelcome.isEnabled(), { timeout: 15_000 }).toBe(true);
    await sendWelcome.click();
    // What the user reads: the confirmation (or, on failure, the reason, which fails here).
    await page
      .getByText(/Welcome Email queued for lknope@pawnee-indiana\.gov|Welcome Email not sent/)
      .first()
      .waitFor({ timeout: 15_000 });
    await expect(
      page.getByText('Welcome Email queued for lknope@pawnee-indiana.gov').count(),
    ).resolves.toBe(1);
    await expect
      .poll(
        async () =>
          (
            await testApp.database.pool.query(
              `SELECT 1 FROM email_messages WHERE template = 'welcome'
                 AND recipients @> '[{"email": "lknope@pawnee-indiana.gov"}]'`,
            )
          ).rowCount,
        { timeout: 15_000 },
      )
      .toBe(1);

    await page.getByRole('button', { name: 'Leslie Knope', exact: true }).click();
    await page.getByRole('button', { name: 'April Ludgate', exact: true }).click();
    await page.getByRole('button', { name: 'Email', exact: true }).click();
    const welcome = page.getByRole('menuitem', { name: 'Send Welcome Email' });
    await expect.poll(() => welcome.isDisabled()).toBe(true);
    await page
      .getByRole('menu')
      .getByText(/Revoke Access here/)
      .first()
      .waitFor();
    await page.keyboard.press('Escape');

    // The local SMTP server received the welcome email, with its set-password link.
    await expect
      .poll(
        async () =>
          (
            await testApp.database.pool.query(
              `SELECT 1 FROM local_mailbox WHERE subject LIKE 'Welcome to %'`,
            )
          ).rowCount,
        { timeout: 20_000 },
      )
      .toBe(1);
    // The Local Mailbox stands in for the clients' inboxes: Billing does not see it.
    await page.getByRole('link', { name: 'Email Templates' }).waitFor();
    expect(await page.getByRole('link', { name: 'Local Mailbox' }).count()).toBe(0);
    await page.close();

    const admin = await app.newPage();
    await signInToConsole(admin, app.baseUrl, 'admin@portico.test', 'portico-admin-demo');
    await admin.getByRole('link', { name: 'Local Mailbox' }).click();
    await admin.getByRole('heading', { name: 'Local Mailbox' }).waitFor();
    await admin.getByText(/only Master Admins can open this page/).waitFor();
    await admin
      .getByRole('table', { name: 'Received emails' })
      .getByRole('button', { name: 'Welcome to the Northwind Managed IT client portal' })
      .click();
    const message = admin.getByRole('dialog', { name: 'Received Email' });
    const link = message.frameLocator('iframe').getByRole('link', { name: 'Set your password' });
    expect(await link.getAttribute('href')).toMatch(/\/portal\/set-password\?token=[\w-]{20,}/);
    await admin.close();
  });
});
