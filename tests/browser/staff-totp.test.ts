import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import type { TestApp } from '../support/test-app.js';

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
}, 120_000);

afterAll(async () => app?.close());

const newPage = () => app.newPage({ timeout: 10_000 });

const period = 30;
let lastStep = 0;

/** A code for a step not used before by these tests (the server refuses a step used twice). */
async function nextCode(secret: string): Promise<string> {
  if ((Date.now() / 1000) % period > period - 2) await new Promise((r) => setTimeout(r, 2500));
  const now = Math.floor(Date.now() / 1000 / period);
  const step = Math.max(now - 1, lastStep + 1);
  if (step > now + 1) throw new Error('no unused step within the drift window');
  lastStep = step;
  return generate({ secret, epoch: step * period });
}

async function passwordStep(page: Page, email: string, password: string) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('two-factor sign-in in the staff console', () => {
  it('sets up TOTP from My Account, then asks for the code at sign-in', async () => {
    const page = await newPage();
    await passwordStep(page, 'billing@portico.test', 'portico-billing-demo');
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();

    await page.getByRole('link', { name: 'Two-factor sign-in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Two-factor sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const code = page.getByRole('textbox', { name: 'Authentication code' });
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    await code.fill(await nextCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await page.getByText('since', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await passwordStep(page, 'billing@portico.test', 'portico-billing-demo');
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByRole('textbox', { name: 'Authentication code' }).fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();
    // A reload keeps the code step: it comes from the session.
    await page.reload();
    await page.getByRole('button', { name: 'Verify' }).waitFor();
    await page.getByRole('textbox', { name: 'Authentication code' }).fill(await nextCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    await page.close();
  });

  it('lets a Master Admin see 2FA per staff user, reset it, and require it for everyone', async () => {
    const page = await newPage();
    await passwordStep(page, 'admin@portico.test', 'portico-admin-demo');
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();

    await page.getByRole('link', { name: 'Staff Users' }).click();
    const ben = page.getByRole('row').filter({ hasText: 'billing@portico.test' });
    await ben.getByText('On', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reset two-factor for Ben Wyatt' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset two-factor' }).click();
    await ben.getByText('Off', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Security' }).click();
    const require = page.getByRole('switch', { name: 'Require two-factor sign-in for all staff' });
    expect(await require.isChecked()).toBe(false);
    await require.click({ force: true });
    await expect.poll(() => require.isChecked()).toBe(true);
    await expect
      .poll(async () => {
        const result = await testApp.database.pool.query('SELECT require_staff_totp FROM settings');
        return result.rows[0].require_staff_totp;
      })
      .toBe(true);

    // Ben, without TOTP now, sets it up to finish signing in.
    const other = await newPage();
    await passwordStep(other, 'billing@portico.test', 'portico-billing-demo');
    await other.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    await other.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = (await other.getByTestId('totp-secret').textContent())!.trim();
    await other.getByRole('textbox', { name: 'Authentication code' }).fill(await nextCode(secret));
    await other.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await other.getByRole('heading', { name: 'Organizations' }).waitFor();
    await other.close();
    await page.close();
  });
});
