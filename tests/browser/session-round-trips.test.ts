import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';

/**
 * A CSRF token works only with the session it was given to, so each sign-in and sign-out
 * changes the token the page must send. People sign out and in again without reloading the
 * page, in the console and in the portal; both keep working.
 */
let app: BrowserApp;
let baseUrl: string;

beforeAll(async () => {
  app = await startBrowserApp();
  baseUrl = app.baseUrl;
  await app.testApp.database.pool.query(
    `UPDATE contacts SET password_hash = $1 WHERE email = 'aludgate@pawnee-indiana.gov'`,
    [await hashPassword('Janet Snakehole rules 99')],
  );
}, 120_000);

afterAll(async () => app?.close());

async function fillSignIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('signing out and in again without reloading the page', () => {
  it('works in the staff console, as another user too', async () => {
    const page = await app.newPage();
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await fillSignIn(page, 'billing@portico.test', 'portico-billing-demo');
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    for (const [email, password] of [
      ['admin@portico.test', 'portico-admin-demo'],
      ['billing@portico.test', 'portico-billing-demo'],
    ] as const) {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await fillSignIn(page, email, password);
      await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    }
    await page.close();
  });

  it('works in the client portal', async () => {
    const page = await app.newPage();
    await page.goto(`${baseUrl}/portal/sign-in`);
    await page.getByRole('heading', { name: /^Sign in to / }).waitFor();
    await fillSignIn(page, 'aludgate@pawnee-indiana.gov', 'Janet Snakehole rules 99');
    await page.getByRole('heading', { name: 'Welcome, April Ludgate' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: /^Sign in to / }).waitFor();
    await fillSignIn(page, 'aludgate@pawnee-indiana.gov', 'Janet Snakehole rules 99');
    await page.getByRole('heading', { name: 'Welcome, April Ludgate' }).waitFor();
    await page.close();
  });
});
