import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { contactId, organizationId, signedInAs, type TestApp } from '../support/test-app.js';

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  ({ testApp, baseUrl } = app);
  // Links in emails point at this installation's portal.
  await testApp.database.pool.query('UPDATE settings SET portal_url = $1', [`${baseUrl}/portal`]);
}, 120_000);

afterAll(async () => app?.close());

const newPage = () => app.newPage();

/** The link in the newest message the local SMTP server received with this subject. */
async function linkFromMailbox(subject: RegExp, path: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const rows = (
          await testApp.database.pool.query(
            'SELECT subject, raw FROM local_mailbox ORDER BY id DESC',
          )
        ).rows;
        const row = rows.find((r) => subject.test(r.subject));
        if (!row) return false;
        const mail = await simpleParser(row.raw);
        link = new RegExp(`${baseUrl}${path}\\?token=[\\w-]+`).exec(mail.text ?? '')?.[0];
        return Boolean(link);
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return link!;
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByRole('heading', { name: /^Sign in to / }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function nav(page: Page) {
  return page.getByRole('navigation', { name: 'Portal navigation' });
}

describe('the client portal in a real browser', () => {
  it('takes a contact from the Welcome Email to a password, a change, a sign-out and a reset', async () => {
    const staff = await signedInAs(testApp.app, 'billing');
    const leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
    expect(
      (
        await staff.post(`/api/contacts/${leslie}/emails`, {
          organizationId: pawnee,
          kind: 'welcome',
        })
      ).statusCode,
    ).toBe(202);
    const welcomeLink = await linkFromMailbox(/^Welcome to /, '/portal/set-password');

    const page = await newPage();
    await page.goto(welcomeLink);
    await page.getByRole('heading', { name: 'Set your password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('Waffles at JJs Diner 1972');
    await page.getByLabel('Confirm new password').fill('Waffles at JJs Diner 1972');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set. Sign in with lknope@pawnee-indiana.gov.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Sign in to / }).waitFor();

    await page.getByLabel('Email', { exact: true }).fill('lknope@pawnee-indiana.gov');
    await page.getByLabel('Password', { exact: true }).fill('Waffles at JJs Diner 1972');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome, Leslie Knope' }).waitFor();

    await nav(page).getByRole('link', { name: 'Change Password' }).click();
    await page.getByLabel('Current password').fill('Waffles at JJs Diner 1972');
    await page.getByLabel('New password', { exact: true }).fill('Pawnee beats Eagleton 2026');
    await page.getByLabel('Confirm new password').fill('Pawnee beats Eagleton 2026');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Other sessions were signed out.').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: /^Sign in to / }).waitFor();

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill('lknope@pawnee-indiana.gov');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page
      .getByText('If that address has a portal account, a reset link is on its way.')
      .waitFor();
    const resetLink = await linkFromMailbox(/^Reset your /, '/portal/reset-password');
    await page.goto(resetLink);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill("Li'l Sebastian forever 5");
    await page.getByLabel('Confirm new password').fill("Li'l Sebastian forever 5");
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByText(/Your password is set/).waitFor();

    await signIn(page, 'lknope@pawnee-indiana.gov', 'Pawnee beats Eagleton 2026');
    await page.getByText('Email or password is incorrect').waitFor();
    await signIn(page, 'lknope@pawnee-indiana.gov', "Li'l Sebastian forever 5");
    await page.getByRole('heading', { name: 'Welcome, Leslie Knope' }).waitFor();
    await page.close();
  });

  it('shows a "User" contact Service but not Billing', async () => {
    await testApp.database.pool.query(
      `UPDATE contacts SET password_hash = $1 WHERE email = 'aludgate@pawnee-indiana.gov'`,
      [await hashPassword('Janet Snakehole rules 99')],
    );
    const page = await newPage();
    await signIn(page, 'aludgate@pawnee-indiana.gov', 'Janet Snakehole rules 99');
    await page.getByRole('heading', { name: 'Welcome, April Ludgate' }).waitFor();
    await nav(page).getByRole('link', { name: 'Open Service Tickets' }).waitFor();
    expect(await nav(page).getByRole('link', { name: 'Invoices', exact: true }).count()).toBe(0);
    expect(await nav(page).getByRole('link', { name: 'Payment Methods' }).count()).toBe(0);
    expect(await nav(page).getByText('Billing', { exact: true }).count()).toBe(0);

    // Typing the address of a page the profile does not allow gets a plain refusal.
    await page.goto(`${baseUrl}/portal/billing/invoices`);
    await page.getByText(/Your access level does not include this page/).waitFor();
    await page.close();
  });

  it('changes what is shown when the contact switches company', async () => {
    const page = await newPage();
    await signIn(page, 'lknope@pawnee-indiana.gov', "Li'l Sebastian forever 5");
    await page.getByRole('heading', { name: 'Welcome, Leslie Knope' }).waitFor();
    const company = page.getByRole('combobox', { name: 'Company' });
    // Demo Company: Accounts Payable, which has no service tickets.
    await expect.poll(() => company.inputValue()).toBe('Demo Company');
    await nav(page).getByRole('link', { name: 'Payment Methods' }).waitFor();
    expect(await nav(page).getByRole('link', { name: 'Open Service Tickets' }).count()).toBe(0);

    await company.click();
    await page.getByRole('option', { name: 'Pawnee Parks Dept.' }).click();
    await nav(page).getByRole('link', { name: 'Open Service Tickets' }).waitFor();
    await nav(page).getByRole('link', { name: 'AutoPay' }).waitFor();
    await page.close();
  });

  it('does not let a contact with Revoke Access everywhere sign in', async () => {
    await testApp.database.pool.query(
      `UPDATE contact_organizations SET access_profile_id = NULL
        WHERE contact_id = (SELECT id FROM contacts WHERE email = 'lknope@pawnee-indiana.gov')`,
    );
    const page = await newPage();
    await signIn(page, 'lknope@pawnee-indiana.gov', "Li'l Sebastian forever 5");
    await page.getByText('Email or password is incorrect').waitFor();
    expect(new URL(page.url()).pathname).toBe('/portal/sign-in');
    await page.close();
  });
});
