import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import type { TestApp } from '../support/test-app.js';

/**
 * The staff side of service tickets that Configuration and the console manage: Master Admin
 * adds, renames, reorders and archives ticket types (names in other scripts), and the
 * portal's form follows.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;

beforeAll(async () => {
  app = await startBrowserApp();
  ({ testApp, baseUrl } = app);
}, 120_000);

afterAll(async () => app?.close());

async function typeNames(): Promise<string[]> {
  const result = await testApp.database.pool.query<{ name: string }>(
    `SELECT name FROM ticket_types WHERE archived_at IS NULL ORDER BY position, lower(name), id`,
  );
  return result.rows.map((row) => row.name);
}

function typesTable(page: Page) {
  return page.getByRole('table', { name: 'Ticket types' });
}

describe('Configuration > Service Tickets: ticket types', () => {
  it('Master Admin adds, renames, moves, archives and restores a type', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'admin@portico.test', 'portico-admin-demo');
    await page.getByRole('link', { name: 'Service Tickets', exact: true }).click();
    await page.getByRole('heading', { name: 'Service Tickets', level: 1 }).waitFor();
    await typesTable(page).getByText('Incident').waitFor();

    await page.getByRole('button', { name: 'Add Ticket Type' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Ticket Type' });
    await dialog.getByLabel('Name').fill('Μετακόμιση γραφείου');
    await dialog.getByRole('button', { name: 'Add Ticket Type' }).click();
    await page.getByText('Μετακόμιση γραφείου added').waitFor();
    expect((await typeNames()).at(-1)).toBe('Μετακόμιση γραφείου');

    // A name another type has, in another case: refused beside the field, naming it.
    await page.getByRole('button', { name: 'Add Ticket Type' }).click();
    await dialog.getByLabel('Name').fill('incident');
    await dialog.getByRole('button', { name: 'Add Ticket Type' }).click();
    await dialog.getByText('A ticket type named incident exists already').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Rename Μετακόμιση γραφείου' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename Μετακόμιση γραφείου' });
    await rename.getByLabel('Name').fill('オフィス移転');
    await rename.getByRole('button', { name: 'Save Name' }).click();
    await page.getByText('Μετακόμιση γραφείου renamed to オフィス移転').waitFor();

    await page.getByRole('button', { name: 'Move オフィス移転 up' }).click();
    await page.getByText('オフィス移転 moved to place 3').waitFor();
    expect(await typeNames()).toEqual(['Incident', 'Service Request', 'オフィス移転', 'Question']);
    await expect(page.getByRole('button', { name: 'Move Incident up' }).isDisabled()).resolves.toBe(
      true,
    );
    await page.getByRole('button', { name: 'Move Incident down' }).click();
    await page.getByText('Incident moved to place 2').waitFor();
    expect((await typeNames())[0]).toBe('Service Request');

    await page.getByRole('button', { name: 'Archive オフィス移転' }).click();
    await page.getByText('オフィス移転 archived').waitFor();
    expect(await typeNames()).not.toContain('オフィス移転');
    await typesTable(page)
      .getByRole('row', { name: /オフィス移転/ })
      .getByText('Archived')
      .waitFor();
    await page.getByRole('button', { name: 'Restore オフィス移転' }).click();
    await page.getByText('オフィス移転 restored').waitFor();
    expect(await typeNames()).toContain('オフィス移転');
    await page.close();
  }, 90_000);

  it('Billing sees the types but cannot change them', async () => {
    const page = await app.newPage();
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/configuration/service-tickets`);
    await typesTable(page).getByText('Incident').waitFor();
    await expect(page.getByRole('button', { name: 'Add Ticket Type' }).isDisabled()).resolves.toBe(
      true,
    );
    await page.close();
  }, 60_000);
});

describe('the ticket page: Assigned to', () => {
  it('Billing assigns a ticket to a colleague, never to a disabled or Read Only user', async () => {
    const pool = testApp.database.pool;
    const colleague = (
      await pool.query<{ id: string }>(
        `INSERT INTO staff_users (email, name, role, password_hash)
         VALUES ('oyelaran@portico.test', 'Adébáyọ̀ Oyèláràn', 'billing', 'x') RETURNING id`,
      )
    ).rows[0]!.id;
    await pool.query(
      `INSERT INTO staff_users (email, name, role, password_hash, disabled_at)
       VALUES ('gone@portico.test', 'Gone Biller', 'billing', 'x', now()),
              ('watcher@portico.test', 'Только Чтение', 'read_only', 'x', NULL)`,
    );
    const ticket = (
      await pool.query<{ id: string; summary: string }>(
        `SELECT id, summary FROM tickets WHERE closed_at IS NULL ORDER BY number LIMIT 1`,
      )
    ).rows[0]!;

    const page = await app.newPage();
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: ticket.summary, level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Assigned to', exact: true }).click();
    const options = page.getByRole('listbox');
    await options.getByRole('option', { name: 'Adébáyọ̀ Oyèláràn' }).waitFor();
    await expect(options.getByRole('option', { name: 'Gone Biller' }).count()).resolves.toBe(0);
    await expect(options.getByRole('option', { name: 'Только Чтение' }).count()).resolves.toBe(0);
    await options.getByRole('option', { name: 'Adébáyọ̀ Oyèláràn' }).click();
    await page.getByText(/^Ticket T-\d+ was saved\.$/).waitFor();
    const saved = await pool.query(`SELECT assignee_id FROM tickets WHERE id = $1`, [ticket.id]);
    expect(saved.rows[0].assignee_id).toBe(colleague);
    await page.close();
  }, 90_000);
});
