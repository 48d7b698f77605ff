import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  startLocalSmtpServer,
  type LocalSmtpServer,
} from '../../src/modules/email/local-smtp-server.js';
import { launchBrowser } from '../support/browser.js';
import { startMailWorkers } from '../support/mail-workers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let smtp: LocalSmtpServer;
let workers: { close: () => void };
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  testApp = await startTestApp();
  // The default mode's path: workers deliver over SMTP to the local server, which keeps mail.
  smtp = await startLocalSmtpServer({
    port: 0,
    pool: testApp.database.pool,
    logger: testApp.context.logger,
  });
  workers = await startMailWorkers(testApp, smtp.port);
  await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  workers?.close();
  await smtp?.close();
  await testApp?.close();
});

async function signedInPage(email: string, password: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Organizations' }).waitFor();
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
    await view.getByText(/Total due: \$0\.00/).waitFor();
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
    await page.getByRole('menuitem', { name: 'Send Welcome Email' }).click();
    await page.getByText('Welcome Email queued for lknope@pawnee-indiana.gov').waitFor();

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
    await page.getByRole('link', { name: 'Local Mailbox' }).click();
    await page.getByRole('heading', { name: 'Local Mailbox' }).waitFor();
    await page
      .getByRole('table', { name: 'Received emails' })
      .getByRole('button', { name: 'Welcome to the Northwind Managed IT client portal' })
      .click();
    const message = page.getByRole('dialog', { name: 'Received Email' });
    const link = message.frameLocator('iframe').getByRole('link', { name: 'Set your password' });
    expect(await link.getAttribute('href')).toMatch(/\/portal\/set-password\?token=[\w-]{20,}/);
    await page.close();
  });
});
