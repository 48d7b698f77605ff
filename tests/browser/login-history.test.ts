import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { contactId, organizationId } from '../support/test-app.js';

/**
 * The console's Login history window shows a contact's portal sign-in attempts a page at a
 * time with "Load more", so every attempt kept can be read, not just the newest 100.
 */
let app: BrowserApp;
let pawnee: string;
const attemptCount = 150;

beforeAll(async () => {
  app = await startBrowserApp();
  const { testApp } = app;
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  const leslie = await contactId(testApp, 'lknope@pawnee-indiana.gov');
  // 150 failed attempts a minute apart, numbered in their reason ("attempt 150" is newest).
  await testApp.database.pool.query(
    `INSERT INTO contact_login_attempts (email, contact_id, ip, succeeded, reason, attempted_at)
     SELECT 'lknope@pawnee-indiana.gov', $1, '192.0.2.7', false, 'attempt ' || g,
            timestamptz '2026-03-01 12:00:00+00' + make_interval(mins => g)
       FROM generate_series(1, $2::int) AS g`,
    [leslie, attemptCount],
  );
}, 120_000);
afterAll(async () => app?.close());

describe('the Login history window', () => {
  it('shows all 150 attempts, newest first, with Load more', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, app.baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${app.baseUrl}/organizations/${pawnee}`);
    await page.getByRole('button', { name: 'Leslie Knope', exact: true }).click();
    await page.getByRole('button', { name: 'Portal', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Login history' }).click();

    const dialog = page.getByRole('dialog', { name: 'Login history — Leslie Knope' });
    const rows = dialog.locator('tbody tr');
    await dialog.getByText('Showing 50 of 150 sign-in attempts').waitFor();
    expect(await rows.count()).toBe(50);
    const more = dialog.getByRole('button', { name: 'Load more' });
    for (let clicks = 0; await more.isVisible(); clicks += 1) {
      expect(clicks).toBeLessThan(5);
      const before = await rows.count();
      await more.click();
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(before);
    }
    const reasons = (await dialog.locator('tbody tr td:nth-child(3)').allTextContents()).map(
      (text) => Number(text.replace('Attempt ', '')),
    );
    expect(reasons).toEqual(Array.from({ length: attemptCount }, (_, i) => attemptCount - i));
    expect(await dialog.getByText(/^Showing \d+ of 150/).count()).toBe(0);
    await page.close();
  });
});
