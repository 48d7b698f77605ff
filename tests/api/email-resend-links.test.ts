import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertInvoice } from '../support/invoice-fixtures.js';
import { startLocalMail } from '../support/local-mail.js';
import {
  ApiClient,
  contactId,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

const firstAddress = 'http://localhost:3472';
const laterAddress = 'https://portico.northwind.example';

let testApp: TestApp;
let mail: { close: () => Promise<void> };
let billing: ApiClient;

beforeAll(async () => {
  testApp = await startTestApp({ PUBLIC_URL: firstAddress });
  mail = await startLocalMail(testApp);
  billing = await signedInAs(testApp.app, 'billing');
});
afterAll(async () => {
  await mail?.close();
  await testApp?.close();
});

/** The message as its recipient received it (the local mailbox), by its history id. */
async function delivered(messageId: string) {
  let raw: Buffer | undefined;
  await expect
    .poll(
      async () => {
        const found = await testApp.database.pool.query(
          'SELECT raw FROM local_mailbox WHERE portico_message_id = $1',
          [messageId],
        );
        raw = found.rows[0]?.raw as Buffer | undefined;
        return raw !== undefined;
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBe(true);
  const parsed = await simpleParser(raw!);
  return { html: typeof parsed.html === 'string' ? parsed.html : '', text: parsed.text ?? '' };
}

const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);

describe('Resend', () => {
  it('links to the address in force when resent, and the resent Welcome link sets a password', async () => {
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
    const april = await contactId(testApp, 'aludgate@pawnee-indiana.gov');

    // Sent while Portico ran at the first address.
    const welcome = await billing.post(`/api/contacts/${april}/emails`, {
      organizationId: pawnee,
      kind: 'welcome',
    });
    expect(welcome.statusCode, welcome.body).toBe(202);
    const welcomeId: string = welcome.json().messageId;
    const invoiceId = await insertInvoice(testApp.database.pool, {
      organizationId: pawnee,
      number: 'INV-RESEND-1',
      state: 'draft',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
    });
    const issued = await billing.post(`/api/invoices/${invoiceId}/issue`);
    expect(issued.statusCode, issued.body).toBe(200);
    const invoiceEmail = await testApp.database.pool.query(
      `SELECT id FROM email_messages WHERE template = 'new_invoice' AND dedupe_key = $1`,
      [`new_invoice:${invoiceId}`],
    );
    const invoiceMessageId: string = invoiceEmail.rows[0].id;
    expect(hrefs((await delivered(welcomeId)).html).join(' ')).toContain(
      `${firstAddress}/portal/set-password?token=`,
    );
    expect(hrefs((await delivered(invoiceMessageId)).html)).toContain(
      `${firstAddress}/portal/billing/invoices/${invoiceId}?org=${pawnee}`,
    );

    // Portico now answers at another address (a restart on another PORT, or PUBLIC_URL changed).
    testApp.context.config.PUBLIC_URL = laterAddress;

    const resentWelcome = await billing.post(`/api/emails/${welcomeId}/resend`);
    expect(resentWelcome.statusCode, resentWelcome.body).toBe(202);
    const resentInvoice = await billing.post(`/api/emails/${invoiceMessageId}/resend`);
    expect(resentInvoice.statusCode, resentInvoice.body).toBe(202);

    const welcomeAgain = await delivered(resentWelcome.json().messageId);
    const invoiceAgain = await delivered(resentInvoice.json().messageId);
    for (const message of [welcomeAgain, invoiceAgain]) {
      expect(message.html).not.toContain(firstAddress);
      expect(message.text).not.toContain(firstAddress);
    }
    expect(hrefs(invoiceAgain.html)).toContain(
      `${laterAddress}/portal/billing/invoices/${invoiceId}?org=${pawnee}`,
    );
    expect(invoiceAgain.text).toContain(`${laterAddress}/portal/billing/invoices/${invoiceId}`);
    const link = hrefs(welcomeAgain.html).find((href) => href.includes('/set-password?token='));
    expect(link).toMatch(new RegExp(`^${laterAddress}/portal/set-password\\?token=[\\w-]+$`));
    expect(welcomeAgain.text).toContain(link!);

    // The resent Welcome's link works where it now points.
    const token = new URL(link!).searchParams.get('token')!;
    const set = await new ApiClient(testApp.app, '/api/portal/session').post(
      '/api/portal/set-password',
      { token, password: 'April moved on 31', passwordConfirmation: 'April moved on 31' },
    );
    expect(set.statusCode, set.body).toBe(200);

    // View: the original still shows what it delivered, the resend what it delivers.
    const originalView = (await billing.get(`/api/emails/${invoiceMessageId}`)).json().email;
    expect(originalView.html).toContain(`${firstAddress}/portal/billing/invoices/${invoiceId}`);
    const resentView = (await billing.get(`/api/emails/${resentInvoice.json().messageId}`)).json()
      .email;
    expect(resentView.html).toContain(`${laterAddress}/portal/billing/invoices/${invoiceId}`);
    expect(resentView.html).not.toContain(firstAddress);
  });
});
