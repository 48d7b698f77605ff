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

describe('New ticket: staff open one for a client', () => {
  it('from the organization page, for one of its contacts, with a file; then from the queue', async () => {
    const pool = testApp.database.pool;
    const { organizationId, organizationName, contactName, contactEmail } = (
      await pool.query<{
        organizationId: string;
        organizationName: string;
        contactName: string;
        contactEmail: string;
      }>(
        `SELECT o.id AS "organizationId", o.name AS "organizationName",
                c.name AS "contactName", c.email AS "contactEmail"
           FROM organizations o
           JOIN contact_organizations co ON co.organization_id = o.id
           JOIN contacts c ON c.id = co.contact_id AND c.email <> ''
          ORDER BY o.name, c.name LIMIT 1`,
      )
    ).rows[0]!;
    const summary = 'الطابعة لا تعمل في الطابق الثاني';
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await page.goto(`${baseUrl}/organizations/${organizationId}`);
    await page.getByRole('tab', { name: 'Tickets' }).click();
    await page.getByRole('button', { name: 'New ticket' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    // Nothing filled: the required fields say so, nothing is sent.
    await dialog.getByRole('button', { name: 'Create ticket' }).click();
    await dialog.getByText('Summary must not be empty').waitFor();

    await dialog.getByRole('combobox', { name: 'For contact' }).click();
    await page
      .getByRole('option', { name: new RegExp(contactName) })
      .first()
      .click();
    await dialog.getByLabel('Summary', { exact: true }).fill(summary);
    await dialog
      .getByLabel('Description', { exact: true })
      .fill('Called at 9:10.\n  Paper jam light on.');
    await dialog.getByRole('combobox', { name: 'Priority', exact: true }).click();
    await page.getByRole('option', { name: 'High', exact: true }).click();
    await dialog.getByRole('combobox', { name: 'Type', exact: true }).click();
    await page.getByRole('option', { name: 'Incident', exact: true }).click();
    await dialog.getByLabel('Contact phone', { exact: true }).fill('+971 4 123 4567');
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      dialog.getByRole('button', { name: 'Add files' }).click(),
    ]);
    await chooser.setFiles([
      { name: 'プリンタ記録.txt', mimeType: 'text/plain', buffer: Buffer.from('jam\n') },
    ]);
    await dialog.getByText('プリンタ記録.txt').waitFor();
    await dialog.getByRole('button', { name: 'Create ticket' }).click();

    // The new ticket's page.
    await page.getByRole('heading', { name: summary, level: 1 }).waitFor();
    await page.getByText('プリンタ記録.txt').first().waitFor();
    const saved = (
      await pool.query(
        `SELECT t.priority, t.contact_phone, c.email, t.opened_by_staff_id IS NOT NULL AS by_staff
           FROM tickets t JOIN contacts c ON c.id = t.opened_by_contact_id
          WHERE t.summary = $1`,
        [summary],
      )
    ).rows[0];
    expect(saved).toEqual({
      priority: 'high',
      contact_phone: '+971 4 123 4567',
      email: contactEmail,
      by_staff: true,
    });

    // The queue: the organization is chosen in the form; no contact.
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Tickets', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Tickets', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New ticket' }).click();
    await dialog.getByRole('combobox', { name: 'Organization' }).fill(organizationName.slice(0, 6));
    await page.getByRole('option', { name: organizationName, exact: true }).click();
    await dialog.getByLabel('Summary', { exact: true }).fill('Renew the firewall licence');
    await dialog.getByLabel('Description', { exact: true }).fill('Expires on the 30th.');
    await dialog.getByRole('combobox', { name: 'Type', exact: true }).click();
    await page.getByRole('option', { name: 'Question', exact: true }).click();
    await dialog.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByRole('heading', { name: 'Renew the firewall licence', level: 1 }).waitFor();
    await page.close();
  }, 120_000);
});
