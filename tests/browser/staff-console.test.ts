import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import type { TestApp } from '../support/test-app.js';

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
}, 120_000);

afterAll(async () => app?.close());

const newPage = () => app.newPage({ height: 1400, timeout: 10_000 });
const signIn = (page: Page, email: string, password: string) =>
  signInToConsole(page, baseUrl, email, password);

async function openPawnee(page: Page) {
  await page.getByRole('textbox', { name: 'Find Organization' }).fill('pawnee');
  await page.getByRole('link', { name: 'Pawnee Parks Dept.' }).click();
  await page.getByRole('heading', { level: 1, name: 'Pawnee Parks Dept.' }).waitFor();
}

async function profileOf(contactEmail: string, organizationName: string): Promise<string> {
  const result = await testApp.database.pool.query(
    `SELECT coalesce(p.name, 'Revoke Access') AS profile
       FROM contact_organizations co
       JOIN contacts c ON c.id = co.contact_id
       JOIN organizations o ON o.id = co.organization_id
       LEFT JOIN access_profiles p ON p.id = co.access_profile_id
      WHERE c.email = $1 AND o.name = $2`,
    [contactEmail, organizationName],
  );
  return result.rows[0].profile;
}

describe('staff console in a real browser', () => {
  it('sends an unauthenticated visit to sign-in, and back to the page after signing in', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/organizations`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    await page.getByLabel('Email', { exact: true }).fill('billing@portico.test');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Email or password is incorrect').waitFor();

    await page.getByLabel('Password', { exact: true }).fill('portico-billing-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/organizations');
    await page.close();
  });

  it('lets Billing staff edit notes and a contact card, and keeps the changes', async () => {
    const page = await newPage();
    await signIn(page, 'billing@portico.test', 'portico-billing-demo');
    await openPawnee(page);

    // Organization Notes: edit, save, and it is kept.
    const notes = page.getByRole('textbox', { name: 'Organization Notes' });
    await expect.poll(() => notes.inputValue()).toContain('Bob from accounting');
    await notes.fill('From November, send statements to Ann Perkins.');
    await page.getByRole('button', { name: 'Save Notes' }).click();
    await page.getByText('Organization Notes saved').waitFor();

    // Leslie Knope's card: change the profile, undo, change again, save.
    await page.getByRole('button', { name: 'Leslie Knope', exact: true }).click();
    const profile = page.getByRole('combobox', { name: 'Profile', exact: true });
    await expect.poll(() => profile.inputValue()).toBe('Billing Admin');
    await profile.scrollIntoViewIfNeeded();
    await profile.click();
    await page.getByRole('option', { name: 'User', exact: true }).click();
    await expect.poll(() => profile.inputValue()).toBe('User');
    await page.getByRole('button', { name: 'Undo Changes' }).click();
    await expect.poll(() => profile.inputValue()).toBe('Billing Admin');
    await profile.scrollIntoViewIfNeeded();
    await profile.click();
    await page.getByRole('option', { name: 'Accounts Payable', exact: true }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Contact saved').waitFor();
    expect(await profileOf('lknope@pawnee-indiana.gov', 'Pawnee Parks Dept.')).toBe(
      'Accounts Payable',
    );

    // Star April Ludgate as a default notification contact.
    const star = page.getByRole('button', { name: 'Default notification contact: April Ludgate' });
    expect(await star.getAttribute('aria-pressed')).toBe('false');
    await star.click();
    await expect.poll(() => star.getAttribute('aria-pressed')).toBe('true');
    const defaults = page.getByRole('list', { name: 'Default Notification Emails' });
    await defaults.getByText('aludgate@pawnee-indiana.gov').waitFor();
    expect(await defaults.getByRole('listitem').count()).toBe(2);

    // Reload: everything above was kept.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Pawnee Parks Dept.' }).waitFor();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Organization Notes' }).inputValue())
      .toBe('From November, send statements to Ann Perkins.');
    await page.getByRole('button', { name: 'Leslie Knope', exact: true }).click();
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Profile', exact: true }).inputValue())
      .toBe('Accounts Payable');
    expect(
      await page
        .getByRole('button', { name: 'Default notification contact: April Ludgate' })
        .getAttribute('aria-pressed'),
    ).toBe('true');

    // The audit log shows the notes change and who made it.
    await page.getByRole('tab', { name: 'Audit Log' }).click();
    await page.getByText('From November, send statements to Ann Perkins.').first().waitFor();
    await page.getByText('Ben Wyatt').first().waitFor();
    await page.close();
  });

  it('does not let a Read Only staff user save', async () => {
    const page = await newPage();
    await signIn(page, 'readonly@portico.test', 'portico-readonly-demo');
    await openPawnee(page);
    await page.getByText('Read only: your role cannot make changes').first().waitFor();
    expect(await page.getByRole('button', { name: 'Save Notes' }).isDisabled()).toBe(true);
    await page
      .getByRole('button', { name: 'Demo Owner', exact: true })
      .waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'April Ludgate', exact: true }).click();
    await page.getByRole('combobox', { name: 'Profile', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await page.close();
  });
});
