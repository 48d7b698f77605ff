import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { hashPassword } from '../../src/platform/passwords.js';
import { signInToConsole, startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Service tickets in a real browser, as a client and staff use them: a contact creates a
 * ticket with an attachment; staff reply publicly and add an internal note; the contact reads
 * the reply and never the note, and submits additional information; staff close the ticket
 * with resolution notes; the contact finds it in Service History with the notes and no way to
 * add to it. Then: a file over the limit is refused with its reason, names in other scripts
 * read as written, and the pages work 390 px wide.
 */

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
const contact = {
  name: 'Ελένη Παπαδοπούλου',
  email: 'eleni@kafeneio.example',
  password: 'Το καφενείο ανοίγει στις 7',
};
/** An organization named in three scripts. */
const organizationName = 'Καφενείο Ωμέγα · 東京支社 · مقهى';
let organizationId = '';
let ticketNumber = '';

const summary = 'Der Drucker im 2. Stock druckt nur leere Seiten';
const description = 'Seit Montag:\n  1. Drucken aus Word → leere Seite\n  2. Testseite geht';
const publicReply = 'Wir haben einen neuen Treiber installiert. Bitte erneut versuchen.';
const internalNote = 'Leasing des Druckers ist abgelaufen: NICHT dem Kunden sagen';
const moreInformation = 'Immer noch leer, siehe Foto.';
const resolutionNotes = 'Fixiereinheit getauscht; drei Testseiten gedruckt.';
/** A file named in Japanese, with a body a person could read. */
const attachmentName = '印刷ログ 2026.txt';

function portalNav(page: Page) {
  return page.getByRole('navigation', { name: 'Portal navigation' });
}

async function portalSignIn(page: Page) {
  await page.goto(`${baseUrl}/portal/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(contact.email);
  await page.getByLabel('Password', { exact: true }).fill(contact.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
}

/** Chooses files through the page's "Add files" button, as a person does in the dialog. */
async function addFiles(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Add files' }).click(),
  ]);
  await chooser.setFiles(files);
}

async function chooseOption(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function openStaffTicket(page: Page) {
  await signInToConsole(page, baseUrl, 'billing@portico.test', 'portico-billing-demo');
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Tickets', exact: true })
    .click();
  await page.getByRole('heading', { name: 'Tickets', level: 1 }).waitFor();
  await page.getByRole('link', { name: ticketNumber, exact: true }).click();
  await page.getByRole('heading', { name: summary, level: 1 }).waitFor();
}

/** The document is no wider than the window: nothing to scroll sideways for. */
async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
  );
}

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  ({ testApp, baseUrl } = app);
  const pool = testApp.database.pool;
  await pool.query('UPDATE settings SET portal_url = $1', [`${baseUrl}/portal`]);
  organizationId = (
    await pool.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [
      organizationName,
    ])
  ).rows[0].id;
  const contactId: string = (
    await pool.query(
      `INSERT INTO contacts (name, email, password_hash) VALUES ($1, $2, $3) RETURNING id`,
      [contact.name, contact.email, await hashPassword(contact.password)],
    )
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations
            (contact_id, organization_id, access_profile_id, is_default_notification)
     SELECT $1, $2, id, true FROM access_profiles
      WHERE 'service_tickets' = ANY(permissions) ORDER BY name LIMIT 1`,
    [contactId, organizationId],
  );
}, 120_000);

afterAll(async () => app?.close());

describe('Service tickets', () => {
  it('a contact creates a ticket with an attachment and sees its number and Details', async () => {
    const page = await app.newPage();
    await portalSignIn(page);
    await portalNav(page).getByRole('link', { name: 'Create New Service Ticket' }).click();
    await page.getByRole('heading', { name: 'Create New Service Ticket' }).waitFor();

    await page.getByLabel('Summary', { exact: true }).fill(summary);
    await page.getByLabel('Description', { exact: true }).fill(description);
    await chooseOption(page, 'Priority', 'High');
    await chooseOption(page, 'Type', 'Incident');
    await page.getByLabel('Contact phone', { exact: true }).fill('+30 210 123 4567');
    await addFiles(page, [
      { name: attachmentName, mimeType: 'text/plain', buffer: Buffer.from('Seite 1: leer\n') },
    ]);
    await page.getByText(attachmentName).waitFor();
    await page.getByRole('button', { name: 'Create Service Ticket' }).click();

    const created = page.getByRole('status').filter({ hasText: /^Ticket T-\d+ created/ });
    await created.waitFor();
    ticketNumber = /T-\d+/.exec((await created.textContent()) ?? '')![0];
    await expect(created.textContent()).resolves.toContain('We emailed you a confirmation');
    await page.getByRole('link', { name: `View ticket ${ticketNumber} details` }).click();

    await page.getByRole('heading', { name: summary, level: 1 }).waitFor();
    // The description as typed: its line breaks and leading spaces kept.
    const shown = await page
      .getByRole('region', { name: 'Description' })
      .locator('p')
      .first()
      .innerText();
    expect(shown).toBe(description);
    await page.getByRole('link', { name: attachmentName }).waitFor();
    await page.screenshot({ path: '/tmp/tickets-portal-created.png', fullPage: true });

    // The file downloads as it was uploaded, never shown inline.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: attachmentName }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(attachmentName);
    await page.close();
  }, 90_000);

  it('staff reply publicly and add an internal note, which looks different', async () => {
    const page = await app.newPage({ height: 1400 });
    await openStaffTicket(page);
    await page.getByRole('link', { name: attachmentName }).waitFor();

    const replyBox = page.getByRole('region', { name: 'Reply' });
    await replyBox.getByLabel('Reply to the client', { exact: true }).fill(publicReply);
    await page.getByRole('button', { name: 'Send public reply' }).click();
    await page.getByRole('listitem').filter({ hasText: publicReply }).waitFor();

    await replyBox.getByText('Internal note', { exact: true }).click();
    await replyBox.getByLabel('Note for staff', { exact: true }).fill(internalNote);
    await page.getByRole('button', { name: 'Add internal note' }).click();
    const note = page.getByRole('listitem', { name: 'Internal note' });
    await note.filter({ hasText: internalNote }).waitFor();
    await note.getByText('Internal note', { exact: true }).waitFor();
    // A note and a reply differ at a glance: the note's background is not the reply's.
    const background = (text: string) =>
      page
        .getByRole('listitem')
        .filter({ hasText: text })
        .evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(await background(internalNote)).not.toBe(await background(publicReply));

    await chooseOption(page, 'Status', 'Waiting on Client');
    await page.getByText(/changed the status from New to Waiting on Client/).waitFor();
    await page.screenshot({ path: '/tmp/tickets-staff-ticket.png', fullPage: true });
    await page.close();
  }, 90_000);

  it('the contact reads the reply, never the note, and submits additional information', async () => {
    const page = await app.newPage();
    await portalSignIn(page);
    await portalNav(page).getByRole('link', { name: 'Open Service Tickets' }).click();
    const table = page.getByRole('table', { name: 'Open service tickets' });
    const row = table.getByRole('row').filter({ hasText: ticketNumber });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('Waiting on Client');
    await expect(row.textContent()).resolves.toContain(contact.name);
    await row.getByRole('link', { name: 'Details' }).click();

    await page.getByText(publicReply).waitFor();
    expect(await page.content()).not.toContain(internalNote);
    expect(await page.getByText('Internal note').count()).toBe(0);

    await page.getByLabel('Additional information', { exact: true }).fill(moreInformation);
    await addFiles(page, [{ name: 'photo.png', mimeType: 'image/png', buffer: pngBytes() }]);
    await page.getByRole('button', { name: 'Submit Additional Information' }).click();
    await page.getByRole('listitem').filter({ hasText: moreInformation }).waitFor();
    await page.getByRole('link', { name: 'photo.png' }).waitFor();
    await page.screenshot({ path: '/tmp/tickets-portal-reply.png', fullPage: true });
    await page.close();
  }, 90_000);

  it('staff close the ticket with resolution notes, which are required', async () => {
    const page = await app.newPage({ height: 1400 });
    await openStaffTicket(page);
    await page.getByText(moreInformation).waitFor();
    await page.getByRole('button', { name: 'Close ticket' }).click();
    const dialog = page.getByRole('dialog', { name: `Close ticket ${ticketNumber}` });
    await dialog.getByRole('button', { name: 'Close ticket' }).click();
    await dialog.getByText('Resolution notes are required').waitFor();
    await dialog.getByLabel('Resolution notes', { exact: true }).fill(resolutionNotes);
    await dialog.getByRole('button', { name: 'Close ticket' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page
      .getByRole('region', { name: 'Resolution notes' })
      .getByText(resolutionNotes)
      .waitFor();
    await page.getByRole('button', { name: 'Reopen ticket' }).waitFor();
    await page.close();
  }, 90_000);

  it('the contact finds it in Service History with the notes and no way to add', async () => {
    const page = await app.newPage();
    await portalSignIn(page);
    await portalNav(page).getByRole('link', { name: 'Open Service Tickets' }).click();
    await page.getByText('There are no open service tickets.').waitFor();

    await portalNav(page).getByRole('link', { name: 'Service History' }).click();
    const row = page
      .getByRole('table', { name: 'Closed service tickets' })
      .getByRole('row')
      .filter({ hasText: ticketNumber });
    await row.getByRole('link', { name: 'Details' }).click();
    await page
      .getByRole('region', { name: 'Resolution notes' })
      .getByText(resolutionNotes)
      .waitFor();
    await page.getByText(publicReply).waitFor();
    await page.getByText(moreInformation).waitFor();
    expect(await page.content()).not.toContain(internalNote);
    expect(await page.getByRole('button', { name: 'Submit Additional Information' }).count()).toBe(
      0,
    );
    expect(await page.getByRole('textbox').count()).toBe(0);
    await page.screenshot({ path: '/tmp/tickets-portal-history.png', fullPage: true });
    await page.close();
  }, 90_000);

  it('a file over the limit or of a refused type is named with the reason before sending', async () => {
    await testApp.database.pool.query('UPDATE settings SET ticket_max_file_bytes = 2048');
    const before = await ticketCount();
    const page = await app.newPage();
    await portalSignIn(page);
    await page.goto(`${baseUrl}/portal/service/new-ticket`);
    // The limits are on the form before anything is chosen.
    await page.getByText(/^Up to 5 files, at most 2 KB each\. Accepted types: pdf, png/).waitFor();
    await addFiles(page, [
      { name: 'dump.txt', mimeType: 'text/plain', buffer: Buffer.alloc(4096, 0x41) },
      { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
      { name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('ok') },
    ]);
    const refusals = page.getByRole('alert');
    await refusals.getByText('dump.txt: each file must be at most 2 KB').waitFor();
    await refusals.getByText('setup.exe: files of type .exe are not accepted').waitFor();
    // Only the file the limits accept is chosen, and it can be removed again.
    const chosen = page.getByRole('list', { name: 'Chosen files' });
    await chosen.getByText('small.txt').waitFor();
    expect(await chosen.getByRole('listitem').count()).toBe(1);
    await page.screenshot({ path: '/tmp/tickets-too-large.png', fullPage: true });
    await page.getByRole('button', { name: 'Remove small.txt' }).click();
    expect(await page.getByRole('list', { name: 'Chosen files' }).count()).toBe(0);
    expect(await ticketCount()).toBe(before);
    await testApp.database.pool.query('UPDATE settings SET ticket_max_file_bytes = 10485760');
    await page.close();
  }, 90_000);

  it('names in other scripts read as written, in the portal and the staff queue', async () => {
    const arabic = 'الطابعة لا تعمل في الطابق الثاني';
    const japanese = 'プリンターが動きません';
    const page = await app.newPage();
    await portalSignIn(page);
    for (const text of [arabic, japanese]) {
      await page.goto(`${baseUrl}/portal/service/new-ticket`);
      await page.getByLabel('Summary', { exact: true }).fill(text);
      await page.getByLabel('Description', { exact: true }).fill(`${text}\nΕλληνικά: ο εκτυπωτής`);
      await chooseOption(page, 'Type', 'Incident');
      await page.getByRole('button', { name: 'Create Service Ticket' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^Ticket T-\d+ created/ })
        .waitFor();
    }
    await page.goto(`${baseUrl}/portal/service/open-tickets`);
    const table = page.getByRole('table', { name: 'Open service tickets' });
    await table.getByRole('cell', { name: arabic, exact: true }).waitFor();
    await table.getByRole('cell', { name: japanese, exact: true }).waitFor();
    await page.close();

    const staff = await app.newPage();
    await signInToConsole(staff, baseUrl, 'readonly@portico.test', 'portico-readonly-demo');
    await staff.goto(`${baseUrl}/tickets`);
    await staff.getByLabel('Search tickets', { exact: true }).fill('εκτυπωτής');
    const queue = staff.getByRole('table', { name: 'Tickets' });
    await queue.getByText(arabic, { exact: true }).waitFor();
    await queue.getByText(japanese, { exact: true }).waitFor();
    await queue.getByText(organizationName).first().waitFor();
    // Both were opened at Medium: the High filter leaves none of them.
    await chooseOption(staff, 'Priority', 'High');
    await staff.getByText('No tickets match these filters').waitFor();
    await staff.getByRole('combobox', { name: 'Priority', exact: true }).click();
    await staff.getByRole('option', { name: 'Medium', exact: true }).click();
    await queue.getByText(arabic, { exact: true }).waitFor();
    // Read Only staff read a ticket but see no control that changes it.
    await staff.getByRole('row').filter({ hasText: japanese }).getByRole('link').first().click();
    await staff.getByRole('heading', { name: japanese, level: 1 }).waitFor();
    await staff.getByText('Read only: your role cannot make changes').waitFor();
    expect(await staff.getByRole('button', { name: 'Close ticket' }).count()).toBe(0);
    expect(await staff.getByRole('textbox').count()).toBe(0);
    await staff.close();
  }, 120_000);

  it('works 390 px wide: create a ticket and read its Details', async () => {
    const page = await app.browser.newPage({
      viewport: { width: 390, height: 844 },
      reducedMotion: 'reduce',
    });
    page.setDefaultTimeout(15_000);
    await portalSignIn(page);
    await page.goto(`${baseUrl}/portal/service/new-ticket`);
    await page.getByLabel('Summary', { exact: true }).fill('Handy: VPN trennt');
    await page.getByLabel('Description', { exact: true }).fill('Alle zehn Minuten');
    await chooseOption(page, 'Type', 'Incident');
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({ path: '/tmp/tickets-390-form.png', fullPage: true });
    await page.getByRole('button', { name: 'Create Service Ticket' }).click();
    await page.getByRole('link', { name: /^View ticket T-\d+ details$/ }).click();
    await page.getByRole('heading', { name: 'Handy: VPN trennt', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Submit Additional Information' }).waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({ path: '/tmp/tickets-390-details.png', fullPage: true });
    await page.goto(`${baseUrl}/portal/service/open-tickets`);
    // On a phone the list is a card per ticket, each with its Details button on screen.
    const cards = page.getByRole('list', { name: 'Open service tickets' });
    await cards.getByRole('link', { name: 'Details' }).first().waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({ path: '/tmp/tickets-390-list.png', fullPage: true });
    await page.close();
  }, 90_000);

  it('works 390 px wide with names in other scripts and a long unbroken word: portal form and Details, staff New ticket and ticket page', async () => {
    const long = 'Druckerwarteschlangenverwaltungsdienstfehlermeldungsprotokolldateiüberlauf';
    const phoneSummary = `${long} — Εκτυπωτής 印刷できません طابعة`;
    const phone = async () => {
      const page = await app.browser.newPage({
        viewport: { width: 390, height: 844 },
        reducedMotion: 'reduce',
      });
      page.setDefaultTimeout(15_000);
      return page;
    };
    /** The control can be scrolled to and is then wholly on the screen. */
    const onScreen = async (control: Locator) => {
      await control.scrollIntoViewIfNeeded();
      const box = await control.boundingBox();
      return (
        box !== null &&
        box.x >= 0 &&
        box.x + box.width <= 390 &&
        box.y >= 0 &&
        box.y + box.height <= 844
      );
    };

    const page = await phone();
    await portalSignIn(page);
    await page.goto(`${baseUrl}/portal/service/new-ticket`);
    await page.getByLabel('Summary', { exact: true }).fill(phoneSummary);
    await page
      .getByLabel('Description', { exact: true })
      .fill(`${long}${long}\nΗ οθόνη λέει: الطابعة لا تعمل (印刷エラー)`);
    await chooseOption(page, 'Type', 'Incident');
    // A chosen file and a refused one, both named with the long word.
    await addFiles(page, [
      { name: `${long}${long}_写真_صورة.txt`, mimeType: 'text/plain', buffer: Buffer.from('log') },
      { name: `${long}.exe`, mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
    ]);
    await page.getByText(/files of type \.exe are not accepted/).waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    const submit = page.getByRole('button', { name: 'Create Service Ticket' });
    expect(await onScreen(submit)).toBe(true);
    await submit.click();
    await page.getByRole('link', { name: /^View ticket T-\d+ details$/ }).click();
    await page.getByRole('heading', { name: phoneSummary, level: 1 }).waitFor();
    await page.getByRole('link', { name: `${long}${long}_写真_صورة.txt` }).waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    expect(
      await onScreen(page.getByRole('button', { name: 'Submit Additional Information' })),
    ).toBe(true);
    await page.screenshot({ path: '/tmp/tickets-390-long-details.png', fullPage: true });
    await page.close();

    const staff = await phone();
    await signInToConsole(staff, baseUrl, 'billing@portico.test', 'portico-billing-demo');
    await staff.goto(`${baseUrl}/tickets`);
    await staff.getByRole('button', { name: 'New ticket' }).click();
    const dialog = staff.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByRole('combobox', { name: 'Organization', exact: true }).fill('Καφενείο');
    await staff.getByRole('option', { name: organizationName }).click();
    await dialog.getByLabel('Summary', { exact: true }).fill(phoneSummary);
    expect(await overflowsSideways(staff)).toBe(false);
    expect(await onScreen(dialog.getByRole('button', { name: 'Create ticket' }))).toBe(true);
    await staff.screenshot({ path: '/tmp/tickets-390-new-ticket.png' });
    await staff.keyboard.press('Escape');

    await staff.getByLabel('Search tickets', { exact: true }).fill(long);
    await staff
      .getByRole('row')
      .filter({ hasText: long.slice(0, 12) })
      .getByRole('link')
      .first()
      .click();
    await staff.getByRole('heading', { name: phoneSummary, level: 1 }).waitFor();
    await staff
      .getByLabel('Reply to the client', { exact: true })
      .fill(`Siehe https://support.example.com/${long}/${long} για λεπτομέρειες`);
    await addFiles(staff, [
      { name: `${long}_تقرير.txt`, mimeType: 'text/plain', buffer: Buffer.from('ok') },
    ]);
    expect(await overflowsSideways(staff)).toBe(false);
    const send = staff.getByRole('button', { name: 'Send public reply' });
    expect(await onScreen(send)).toBe(true);
    await send.click();
    await staff.getByRole('link', { name: `${long}_تقرير.txt` }).waitFor();
    expect(await overflowsSideways(staff)).toBe(false);
    expect(await onScreen(staff.getByRole('button', { name: 'Close ticket' }))).toBe(true);
    await staff.screenshot({ path: '/tmp/tickets-390-staff-ticket.png', fullPage: true });
    await staff.close();
  }, 120_000);

  it('Master Admin sets the limits in Configuration; the organization page lists its tickets; reopen', async () => {
    const page = await app.newPage({ height: 1200 });
    await signInToConsole(page, baseUrl, 'admin@portico.test', 'portico-admin-demo');
    await page.getByRole('link', { name: 'Service Tickets', exact: true }).click();
    await page.getByRole('heading', { name: 'Service Tickets', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Ticket types' }).getByText('Incident').waitFor();
    await page
      .getByLabel('Tell staff of new tickets at', { exact: true })
      .fill('help@kafeneio.example');
    const largest = page.getByLabel('Largest file (MB)', { exact: true });
    await largest.fill('3');
    await page.getByRole('button', { name: 'Save Service Tickets' }).click();
    await page.getByText('Service ticket settings saved').waitFor();
    const saved = await testApp.database.pool.query(
      'SELECT ticket_max_file_bytes AS bytes, ticket_notify_email AS email FROM settings',
    );
    expect(saved.rows[0]).toEqual({ bytes: 3 * 1024 * 1024, email: 'help@kafeneio.example' });

    // The organization's Tickets tab: the closed ticket, then reopened from its page.
    await page.goto(`${baseUrl}/organizations/${organizationId}`);
    await page.getByRole('tab', { name: 'Tickets' }).click();
    await page.getByText('Closed', { exact: true }).click();
    await page
      .getByRole('table', { name: 'Closed tickets' })
      .getByRole('link', { name: ticketNumber })
      .click();
    await page.getByRole('button', { name: 'Reopen ticket' }).click();
    await page.getByRole('button', { name: 'Close ticket' }).waitFor();
    await page.getByRole('region', { name: 'Reply' }).waitFor();
    await page.close();

    const portal = await app.newPage();
    await portalSignIn(portal);
    await portal.goto(`${baseUrl}/portal/service/new-ticket`);
    await portal.getByText(/^Up to 5 files, at most 3 MB each\./).waitFor();
    await portal.goto(`${baseUrl}/portal/service/open-tickets`);
    await portal
      .getByRole('table', { name: 'Open service tickets' })
      .getByRole('row')
      .filter({ hasText: ticketNumber })
      .waitFor();
    await portal.close();
  }, 90_000);
});

async function ticketCount(): Promise<number> {
  return (
    await testApp.database.pool.query(
      `SELECT count(*)::int AS n FROM tickets WHERE organization_id = $1`,
      [organizationId],
    )
  ).rows[0].n;
}

/** A 1×1 PNG: the server checks a picture's first bytes against its extension. */
function pngBytes(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
}
