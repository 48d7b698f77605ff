import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, withTransaction } from '../../src/platform/database.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { systemActor } from '../../src/modules/audit/audit.js';
import { sendEmailFailureSummary } from '../../src/modules/email/email.jobs.js';
import {
  emailTemplateKeys,
  emailTemplates,
  renderEmail,
  type EmailTemplateKey,
} from '../../src/modules/email/templates/index.js';
import { queueNewInvoiceEmail } from '../../src/modules/invoices/invoice-emails.js';
import { sendInvoiceDueNotices } from '../../src/modules/invoices/invoice-notices.js';
import { getBrand } from '../../src/modules/settings/settings.service.js';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { contactId, organizationId, signedInAs, type TestApp } from '../support/test-app.js';

let app: BrowserApp;
let testApp: TestApp;
let baseUrl: string;
let browser: Browser;

const contact = {
  email: 'demo@example.com',
  name: 'Demo Owner',
  password: 'Owner of the demo 2026',
};
const staff = { email: 'admin@portico.test', password: 'portico-admin-demo' };
const invoiceNumber = 'INV-LINKS-1';
let invoiceId = '';
/**
 * The emails are about Demo Company; the contact is also a Billing Admin of Pawnee Parks Dept.,
 * the company they last used, which the portal acts for after signing in unless a link says
 * otherwise.
 */
let demoCompanyId = '';
let lastUsedId = '';
/** A company the contact has no portal access to. */
let elsewhereId = '';

/** As after the contact last worked for Pawnee: sign-in and open sessions act for it. */
async function actForLastUsedCompany() {
  const owner = await contactId(testApp, contact.email);
  await testApp.database.pool.query(
    'UPDATE contacts SET last_portal_organization_id = $2 WHERE id = $1',
    [owner, lastUsedId],
  );
  await testApp.database.pool.query(
    'UPDATE portal_sessions SET organization_id = $2 WHERE contact_id = $1',
    [owner, lastUsedId],
  );
}

/** The HTML each template's email arrived with (the delivered copy, as the recipient reads it). */
const received = new Map<EmailTemplateKey, string>();

/** The newest delivered message of a template, from the local SMTP server's mailbox. */
async function deliveredHtml(template: EmailTemplateKey): Promise<string> {
  let html = '';
  await expect
    .poll(
      async () => {
        const row = (
          await testApp.database.pool.query(
            `SELECT l.raw FROM local_mailbox l
               JOIN email_messages m ON m.id::text = l.portico_message_id
              WHERE m.template = $1 ORDER BY l.id DESC LIMIT 1`,
            [template],
          )
        ).rows[0];
        if (!row) return false;
        html = String((await simpleParser(row.raw as Buffer)).html || '');
        return html !== '';
      },
      { timeout: 20_000, interval: 200 },
    )
    .toBe(true);
  return html;
}

/**
 * How each template's email comes to exist, the way the application sends it (or, for a
 * notice nothing sends yet, rendered with the installation's branding). A template added to
 * the index without a way here fails its test below.
 */
const produce: Record<EmailTemplateKey, () => Promise<string>> = {
  welcome: async () => {
    await sendToContact('welcome');
    return deliveredHtml('welcome');
  },
  password_reset: async () => {
    await sendToContact('password_reset');
    return deliveredHtml('password_reset');
  },
  account_summary: async () => {
    const billing = await signedInAs(testApp.app, 'billing');
    const demoCompany = await organizationId(testApp, 'Demo Company');
    const answer = await billing.post(`/api/organizations/${demoCompany}/send-account-summary`);
    expect(answer.statusCode).toBe(202);
    return deliveredHtml('account_summary');
  },
  new_invoice: async () => {
    await withTransaction(testApp.database.pool, (tx) =>
      queueNewInvoiceEmail(tx, testApp.context, { invoiceId, actor: systemActor }),
    );
    return deliveredHtml('new_invoice');
  },
  invoice_due: async () => {
    // Seven days before the invoice's due date: the "before" notice (7 days by default).
    await sendInvoiceDueNotices({ ...testApp.context, asOf: '2026-01-08' });
    return deliveredHtml('invoice_due');
  },
  email_failure_summary: async () => {
    // One client email failed for good today: Master Admins hear of it.
    if (!received.has('account_summary')) {
      received.set('account_summary', await produce.account_summary());
    }
    await testApp.database.pool.query(
      `UPDATE email_messages SET status = 'failed', last_error = 'Mailbox unavailable'
        WHERE id = (SELECT id FROM email_messages WHERE template = 'account_summary' LIMIT 1)`,
    );
    await sendEmailFailureSummary(testApp.context);
    return deliveredHtml('email_failure_summary');
  },
  payment_method_expiration: async () => {
    // Nothing sends it yet (payments are not built): rendered as a sender would, with the
    // installation's branding and address.
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const template = emailTemplates.payment_method_expiration;
    const data = { ...template.sample, organizationId: demoCompanyId };
    return (await renderEmail('payment_method_expiration', data, brand)).html;
  },
  // The payment emails are sent by a payment's outcome (tests/api/pay-invoices.test.ts); here
  // each is rendered as its sender renders it, with the installation's branding and address.
  payment_receipt: () => renderAbout('payment_receipt'),
  payment_failed: () => renderAbout('payment_failed'),
  payment_processing: () => renderAbout('payment_processing'),
  payment_returned: () => renderAbout('payment_returned'),
  refund_issued: () => renderAbout('refund_issued'),
  payment_made: async () => {
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const data = {
      ...emailTemplates.payment_made.sample,
      organizationId: demoCompanyId,
      consoleUrl: testApp.context.config.PUBLIC_URL,
    };
    return (await renderEmail('payment_made', data, brand)).html;
  },
  // Sent by the AutoPay run (tests/api/autopay-run.test.ts); rendered here as it renders them.
  payment_method_failure: async () => {
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const data = { ...emailTemplates.payment_method_failure.sample, organizationId: demoCompanyId };
    return (await renderEmail('payment_method_failure', data, brand)).html;
  },
  // Sent by every AutoPay change (tests/api/autopay-rules.test.ts); rendered here as it renders them.
  autopay_changed: async () => {
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const data = { ...emailTemplates.autopay_changed.sample, organizationId: demoCompanyId };
    return (await renderEmail('autopay_changed', data, brand)).html;
  },
  autopay_changed_staff: async () => {
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const data = {
      ...emailTemplates.autopay_changed_staff.sample,
      organizationId: demoCompanyId,
      consoleUrl: testApp.context.config.PUBLIC_URL,
    };
    return (await renderEmail('autopay_changed_staff', data, brand)).html;
  },
  autopay_summary: async () => {
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const data = {
      ...emailTemplates.autopay_summary.sample,
      consoleUrl: testApp.context.config.PUBLIC_URL,
    };
    return (await renderEmail('autopay_summary', data, brand)).html;
  },
  // Sent by scheduling, changing, cancelling and running a scheduled payment
  // (tests/api/scheduled-payments.test.ts); rendered here as it renders them.
  payment_scheduled: () => renderScheduled('payment_scheduled'),
  payment_rescheduled: () => renderScheduled('payment_rescheduled'),
  payment_cancelled: () => renderScheduled('payment_cancelled'),
  scheduled_payment_adjusted: () => renderScheduled('scheduled_payment_adjusted'),
  // Sent by opening, replying to and closing a ticket (tests/api/tickets.test.ts); rendered
  // here as it renders them, about one of Demo Company's demo tickets.
  ticket_created: () => renderTicket('ticket_created'),
  ticket_updated: () => renderTicket('ticket_updated'),
  ticket_closed: () => renderTicket('ticket_closed'),
  ticket_staff_notice: async () => {
    const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
    const data = {
      ...emailTemplates.ticket_staff_notice.sample,
      organizationId: demoCompanyId,
      ticketId: await demoTicketId(),
      consoleUrl: testApp.context.config.PUBLIC_URL,
    };
    return (await renderEmail('ticket_staff_notice', data, brand)).html;
  },
};

/** One of Demo Company's demo tickets, for the ticket emails' links. */
async function demoTicketId(): Promise<string> {
  const found = await testApp.database.pool.query<{ id: string }>(
    `SELECT id FROM tickets WHERE organization_id = $1 ORDER BY number LIMIT 1`,
    [demoCompanyId],
  );
  return found.rows[0]!.id;
}

/** A client's ticket email about a Demo Company ticket, rendered with the installation's branding. */
async function renderTicket(key: 'ticket_created' | 'ticket_updated' | 'ticket_closed') {
  const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
  const data = {
    ...emailTemplates[key].sample,
    organizationId: demoCompanyId,
    ticketId: await demoTicketId(),
  };
  return (await renderEmail(key, data, brand)).html;
}

/** A scheduled payment email about Demo Company, rendered with the installation's branding. */
async function renderScheduled(
  key:
    | 'payment_scheduled'
    | 'payment_rescheduled'
    | 'payment_cancelled'
    | 'scheduled_payment_adjusted',
) {
  const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
  const data = { ...emailTemplates[key].sample, organizationId: demoCompanyId };
  return (await renderEmail(key, data, brand)).html;
}

/** A client payment email about Demo Company, rendered with the installation's branding. */
async function renderAbout(
  key:
    | 'payment_receipt'
    | 'payment_failed'
    | 'payment_processing'
    | 'payment_returned'
    | 'refund_issued',
) {
  const brand = await getBrand(createDb(testApp.database.pool), testApp.context.config);
  const data = { ...emailTemplates[key].sample, organizationId: demoCompanyId };
  return (await renderEmail(key, data, brand)).html;
}

async function sendToContact(kind: 'welcome' | 'password_reset') {
  const billing = await signedInAs(testApp.app, 'billing');
  const owner = await contactId(testApp, contact.email);
  const demoCompany = await organizationId(testApp, 'Demo Company');
  const answer = await billing.post(`/api/contacts/${owner}/emails`, {
    organizationId: demoCompany,
    kind,
  });
  expect(answer.statusCode).toBe(202);
}

interface Expectation {
  /** The heading the page shows. */
  heading: string | RegExp;
  /** Where the browser ends up, when not at the link's own path (a redirect). */
  path?: string;
  /** Who signs in when the page asks. */
  who: 'contact' | 'staff' | 'nobody';
  /** The company the portal acts for on the page (the one the email is about). */
  company?: string;
}

/** What a person sees at each page an email links to. */
function expectationFor(url: URL): Expectation {
  const path = url.pathname.replace(/\/$/, '') || '/';
  const company = 'Demo Company';
  if (path === '/portal') return { heading: `Welcome, ${contact.name}`, who: 'contact', company };
  if (path === `/portal/billing/invoices/${invoiceId}`) {
    return { heading: `Invoice ${invoiceNumber}`, who: 'contact', company };
  }
  if (path === '/portal/billing/payment-history') {
    return { heading: 'Payment History', who: 'contact', company };
  }
  if (path === '/portal/billing/invoices') return { heading: 'Invoices', who: 'contact', company };
  if (path === '/portal/billing/scheduled-payments') {
    return { heading: 'Scheduled Payments', who: 'contact', company };
  }
  if (path === '/portal/configuration/autopay') {
    return { heading: 'AutoPay', who: 'contact', company };
  }
  if (path === `/organizations/${demoCompanyId}`) return { heading: company, who: 'staff' };
  if (path === '/portal/configuration/payment-methods') {
    return { heading: 'Payment Methods', who: 'contact', company };
  }
  if (path === '/portal/set-password') return { heading: 'Set your password', who: 'nobody' };
  if (path === '/portal/reset-password') return { heading: 'Choose a new password', who: 'nobody' };
  if (path === '/') return { heading: 'Organizations', path: '/organizations', who: 'staff' };
  // The ticket emails link to the first demo ticket of Demo Company; both pages head it with its
  // summary.
  const ticket = /^(\/portal\/service)?\/tickets\/[0-9a-f-]{36}$/.exec(path);
  if (ticket) {
    const heading = '会議室のWi-Fiが遅い (Wi-Fi in the meeting room is slow)';
    return ticket[1] ? { heading, who: 'contact', company } : { heading, who: 'staff' };
  }
  throw new Error(`No expectation for ${url.href}: say here what the page it links to shows`);
}

/** Signs in on whichever sign-in page the link led to, as the person the email was for. */
async function signInWhereAsked(page: Page, who: Expectation['who']) {
  if (who === 'contact') {
    await page.getByRole('heading', { name: /^Sign in to / }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(contact.email);
    await page.getByLabel('Password', { exact: true }).fill(contact.password);
  } else {
    await page.getByLabel('Email', { exact: true }).fill(staff.email);
    await page.getByLabel('Password', { exact: true }).fill(staff.password);
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectPage(page: Page, link: URL, expected: Expectation) {
  await page.getByRole('heading', { name: expected.heading, level: 1 }).waitFor();
  expect(await page.getByRole('heading', { name: 'Page not found' }).count()).toBe(0);
  if (expected.company) {
    const company = page.getByRole('combobox', { name: 'Company' });
    await expect.poll(() => company.inputValue()).toBe(expected.company);
  }
  // The company the link named is acted for, then the address bar stops naming it: a
  // bookmark or a reload follows the company switch like any other page.
  await expect.poll(() => new URL(page.url()).searchParams.has('org')).toBe(false);
  const here = new URL(page.url());
  expect(here.pathname).toBe(expected.path ?? link.pathname);
  const search = new URLSearchParams(link.search);
  search.delete('org');
  if (!expected.path) expect(here.search).toBe(search.size ? `?${search}` : '');
}

beforeAll(async () => {
  app = await startBrowserApp({ mail: true });
  ({ testApp, baseUrl, browser } = app);
  // As `npm start` does: this start's own address is where links point (PUBLIC_URL).
  testApp.context.config.PUBLIC_URL = baseUrl;
  await testApp.database.pool.query(`UPDATE contacts SET password_hash = $1 WHERE email = $2`, [
    await hashPassword(contact.password),
    contact.email,
  ]);
  demoCompanyId = await organizationId(testApp, 'Demo Company');
  lastUsedId = await organizationId(testApp, 'Pawnee Parks Dept.');
  await testApp.database.pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     SELECT $1, $2, id FROM access_profiles WHERE name = 'Billing Admin'`,
    [await contactId(testApp, contact.email), lastUsedId],
  );
  elsewhereId = (
    await testApp.database.pool.query(
      `INSERT INTO organizations (name) VALUES ('Bluebird Bakery') RETURNING id`,
    )
  ).rows[0].id;
  invoiceId = await insertInvoice(testApp.database.pool, {
    organizationId: demoCompanyId,
    number: invoiceNumber,
    issueDate: '2026-01-01',
    dueDate: '2026-01-15',
  });
}, 120_000);

afterAll(async () => app?.close());

describe.each(emailTemplateKeys)('the %s email', (key) => {
  it('opens the right page from every link, signed out (after signing in) and signed in', async () => {
    const html = received.get(key) ?? (await produce[key]());
    received.set(key, html);
    const links = [...new Set([...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!))]
      .map((href) => href.replaceAll('&amp;', '&'))
      .filter((href) => !/^(mailto|tel):/.test(href));
    expect(links.length, `${emailTemplates[key].name} has no link`).toBeGreaterThan(0);

    for (const href of links) {
      const link = new URL(href);
      expect(link.origin, href).toBe(new URL(baseUrl).origin);
      const expected = expectationFor(link);
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        reducedMotion: 'reduce',
      });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        // Signed out: the sign-in page (unless the page is public), then the page itself.
        await actForLastUsedCompany();
        await page.goto(href);
        if (expected.who !== 'nobody') {
          await page.getByRole('button', { name: 'Sign in' }).waitFor();
          expect(new URL(page.url()).pathname).toMatch(/\/sign-in$/);
          await signInWhereAsked(page, expected.who);
        }
        await expectPage(page, link, expected);
        // Signed in, acting for the other company: straight to the page.
        await actForLastUsedCompany();
        await page.goto(href);
        await expectPage(page, link, expected);
      } finally {
        await context.close();
      }
    }
  });
});

describe('a link for a company the contact has no access to', () => {
  it.each(['home', 'invoice'] as const)(
    'says so on the %s page, rather than "Page not found" or another company\'s page',
    async (which) => {
      const link = new URL(
        which === 'home' ? `${baseUrl}/portal` : `${baseUrl}/portal/billing/invoices/${invoiceId}`,
      );
      link.searchParams.set('org', elsewhereId);
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        reducedMotion: 'reduce',
      });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await actForLastUsedCompany();
        await page.goto(link.href);
        await signInWhereAsked(page, 'contact');
        const message = page.getByRole('heading', { name: 'No access to this company', level: 1 });
        await message.waitFor();
        await expect.poll(() => page.getByRole('main').innerText()).toMatch(/Ask .+ for access/);
        const main = await page.getByRole('main').innerText();
        expect(main).not.toContain('Page not found');
        expect(main).not.toContain(`Welcome, ${contact.name}`);
        expect(main).not.toContain(invoiceNumber);
        expect(main).not.toContain('Pawnee');
      } finally {
        await context.close();
      }
    },
  );
});

describe('the page to return to after signing in', () => {
  const crafted = [
    'https://evil.example/portal',
    '//evil.example/portal',
    '/\\evil.example/portal',
    '/portal/..//evil.example/',
    '/portal/../\\evil.example/',
    '/portal/%2e%2e//evil.example/',
  ];

  it.each(crafted)('is never another site: the portal refuses next=%s', async (next) => {
    const context = await browser.newContext({ reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${baseUrl}/portal/sign-in?next=${encodeURIComponent(next)}`);
      await signInWhereAsked(page, 'contact');
      await page.getByRole('heading', { name: `Welcome, ${contact.name}` }).waitFor();
      expect(new URL(page.url()).origin).toBe(new URL(baseUrl).origin);
      expect(new URL(page.url()).pathname).toBe('/portal');
    } finally {
      await context.close();
    }
  });

  it.each(crafted)('is never another site: the console refuses next=%s', async (next) => {
    const context = await browser.newContext({ reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${baseUrl}/sign-in?next=${encodeURIComponent(next)}`);
      await signInWhereAsked(page, 'staff');
      await page.waitForLoadState();
      await expect.poll(() => new URL(page.url()).origin).toBe(new URL(baseUrl).origin);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      expect(new URL(page.url()).origin).toBe(new URL(baseUrl).origin);
    } finally {
      await context.close();
    }
  });
});
