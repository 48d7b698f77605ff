import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/passwords.js';
import {
  ApiClient,
  organizationId,
  signedInAs,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { errorOf, expectFieldErrors, staffUserId } from '../support/api-assertions.js';
import { startLocalMail } from '../support/local-mail.js';

/**
 * Service tickets through the API, as a contact and staff meet them: a contact opens a ticket
 * with files and adds information; staff reply, note internally, change, close and reopen. The
 * rules checked: another organization's ticket or file is a 404; a contact without the
 * permission and Read Only staff are refused; an internal note is in no portal answer and no
 * client email; a closed ticket takes nothing more (409); bad input is a 400 naming the field,
 * and a refused post leaves nothing behind; files are served as downloads, never as pages.
 */

let testApp: TestApp;
let mail: { close: () => Promise<void> };
let admin: ApiClient;
let billing: ApiClient;
let readOnly: ApiClient;
let pawnee: string;
let other: string;
let incident: string;
/** A Pawnee contact allowed service tickets (Billing Admin), and one who is not (Accounts Payable). */
let leslie: { email: string; portal: ApiClient };
let april: { email: string; portal: ApiClient };
/** A contact of another organization, allowed service tickets there. */
let stranger: { email: string; portal: ApiClient };

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('a tiny picture of a printer'),
]);

interface Upload {
  name: string;
  content: Buffer;
  type?: string;
}

/** A multipart/form-data body, as a browser's FormData sends it. */
function formData(fields: Record<string, string>, files: Upload[] = []) {
  const boundary = `----portico${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Posts a form with files, with the client's cookies and a CSRF token of its session. */
async function postForm(
  client: ApiClient,
  url: string,
  fields: Record<string, string>,
  files: Upload[] = [],
): Promise<LightMyRequestResponse> {
  const session = url.startsWith('/api/portal/') ? '/api/portal/session' : '/api/auth/session';
  const token = (await client.get(session)).json<{ csrfToken: string }>().csrfToken;
  const form = formData(fields, files);
  return testApp.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: client.cookieHeader(),
      'x-csrf-token': token,
      'content-type': form.contentType,
    },
    payload: form.payload,
  });
}

/** A new contact of the organization with the profile, signed in to the portal. */
async function contactWithProfile(organization: string, profile: string, name: string) {
  const pool = testApp.database.pool;
  const email = `${name.split(' ')[0]!.toLowerCase()}-${randomUUID().slice(0, 6)}@example.com`;
  const id: string = (
    await pool.query(`INSERT INTO contacts (name, email) VALUES ($1, $2) RETURNING id`, [
      name,
      email,
    ])
  ).rows[0].id;
  await pool.query(
    `INSERT INTO contact_organizations (contact_id, organization_id, access_profile_id)
     SELECT $1, $2, id FROM access_profiles WHERE name = $3`,
    [id, organization, profile],
  );
  const password = 'Waffles at JJs Diner 1972';
  await pool.query(`UPDATE contacts SET password_hash = $2 WHERE id = $1`, [
    id,
    await hashPassword(password),
  ]);
  const portal = new ApiClient(testApp.app, '/api/portal/session');
  const signIn = await portal.post('/api/portal/sign-in', { email, password });
  if (signIn.statusCode !== 200) throw new Error(`portal sign-in failed: ${signIn.body}`);
  return { email, portal };
}

/** What a refused post could have left behind: the rows of every ticket table and the mail. */
async function ticketRows() {
  const result = await testApp.database.pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM tickets) || '/' || (SELECT count(*) FROM ticket_entries) || '/' ||
            (SELECT count(*) FROM ticket_attachments) || '/' ||
            (SELECT count(*) FROM email_messages) || '/' || (SELECT count(*) FROM audit_events) AS n`,
  );
  return result.rows[0]!.n;
}

/** The messages the local mailbox received for an address, as the recipient reads them. */
async function inbox(address: string) {
  const rows = (
    await testApp.database.pool.query<{ raw: Buffer }>(
      `SELECT raw FROM local_mailbox WHERE $1 = ANY(envelope_to) ORDER BY id`,
      [address],
    )
  ).rows;
  return Promise.all(
    rows.map(async (row) => {
      const parsed = await simpleParser(row.raw);
      return { subject: parsed.subject ?? '', text: parsed.text ?? '', html: String(parsed.html) };
    }),
  );
}

async function openTicket(
  client: ApiClient,
  fields: Partial<Record<string, string>> = {},
  files: Upload[] = [],
) {
  const response = await postForm(
    client,
    '/api/portal/tickets',
    {
      summary: 'The printer on the second floor does not print',
      description: 'Since this morning nothing comes out.\n  Indented line, kept as typed.',
      priority: 'high',
      typeId: incident,
      contactPhone: '(317) 555-0101',
      ...fields,
    } as Record<string, string>,
    files,
  );
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ ticket: { id: string; number: string }; message: string }>();
}

beforeAll(async () => {
  testApp = await startTestApp();
  mail = await startLocalMail(testApp);
  admin = await signedInAs(testApp.app, 'master_admin');
  billing = await signedInAs(testApp.app, 'billing');
  readOnly = await signedInAs(testApp.app, 'read_only');
  pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
  other = await organizationId(testApp, 'Demo Company');
  incident = (
    await testApp.database.pool.query(`SELECT id FROM ticket_types WHERE name = 'Incident'`)
  ).rows[0].id;
  leslie = await contactWithProfile(pawnee, 'Billing Admin', 'Leslie Tester');
  april = await contactWithProfile(pawnee, 'Accounts Payable', 'April Tester');
  stranger = await contactWithProfile(other, 'Billing Admin', 'Stranger Tester');
});
afterAll(async () => {
  await mail?.close();
  await testApp?.close();
});

describe('a contact opens a ticket', () => {
  it('with a file: 201 with the number, the ticket as typed, and a confirmation email', async () => {
    const created = await openTicket(leslie.portal, {}, [
      { name: 'printer photo ☕ 写真.png', content: png, type: 'text/html' },
    ]);
    expect(created.message).toMatch(/^Ticket T-\d+ was created\. We emailed you a confirmation\.$/);
    const ticket = (await leslie.portal.get(`/api/portal/tickets/${created.ticket.id}`)).json();
    expect(ticket).toMatchObject({
      number: created.ticket.number,
      status: 'new',
      priority: 'high',
      typeName: 'Incident',
      description: 'Since this morning nothing comes out.\n  Indented line, kept as typed.',
      contactPhone: '(317) 555-0101',
      openedByName: 'Leslie Tester',
    });
    expect(ticket.timeline[0].attachments).toEqual([
      expect.objectContaining({
        fileName: 'printer photo ☕ 写真.png',
        // The server's type, not the browser's claim.
        contentType: 'image/png',
        sizeBytes: png.length,
      }),
    ]);
    const open = (await leslie.portal.get('/api/portal/tickets?state=open')).json();
    expect(open.tickets.map((t: { id: string }) => t.id)).toContain(created.ticket.id);

    await expect
      .poll(async () => (await inbox(leslie.email)).map((m) => m.subject), { timeout: 20_000 })
      .toContain(
        `We received your ticket ${created.ticket.number}: The printer on the second floor does not print`,
      );
  });

  it('the form gets the active types and the attachment limits', async () => {
    const answer = (await leslie.portal.get('/api/portal/ticket-types')).json();
    expect(answer.attachmentLimits).toEqual({
      maxFileBytes: 10 * 1024 * 1024,
      maxFiles: 5,
      allowedTypes: 'pdf,png,jpg,jpeg,gif,txt,log,csv,docx,xlsx,zip',
    });
    const types = answer.ticketTypes;
    expect(types.map((t: { name: string }) => t.name)).toEqual([
      'Incident',
      'Service Request',
      'Question',
    ]);
  });
});

describe('bad input', () => {
  const refusals: [string, Record<string, string>, Upload[], string, RegExp][] = [
    ['an empty summary', { summary: '   ' }, [], 'summary', /must not be empty/],
    ['a summary over 200', { summary: 'x'.repeat(201) }, [], 'summary', /at most 200/],
    ['an empty description', { description: '' }, [], 'description', /required/],
    [
      'a description over 20,000',
      { description: 'y'.repeat(20_001) },
      [],
      'description',
      /at most 20000/,
    ],
    ['an unknown priority', { priority: 'urgent' }, [], 'priority', /must be one of/],
    ['a phone over 40', { contactPhone: '5'.repeat(41) }, [], 'contactPhone', /at most 40/],
    ['a type that is not one', { typeId: randomUUID() }, [], 'typeId', /ticket types/],
    [
      'a refused type',
      {},
      [{ name: 'setup.exe', content: Buffer.from('MZ binary') }],
      'attachments',
      /files of type \.exe are not accepted/,
    ],
    [
      'an HTML page',
      {},
      [{ name: 'page.html', content: Buffer.from('<script>alert(1)</script>') }],
      'attachments',
      /files of type \.html are not accepted/,
    ],
    [
      'a page dressed as text',
      {},
      [{ name: 'notes.txt', content: Buffer.from('<html><script>alert(1)</script></html>') }],
      'attachments',
      /not a \.txt file/,
    ],
    [
      'a picture that is not one',
      {},
      [{ name: 'photo.png', content: Buffer.from('<svg onload="alert(1)">') }],
      'attachments',
      /not a \.png file/,
    ],
    [
      'too many files',
      {},
      Array.from({ length: 6 }, (_, i) => ({ name: `log-${i}.txt`, content: Buffer.from('ok') })),
      'attachments',
      /at most 5 files/,
    ],
    [
      'a file over the limit',
      {},
      [{ name: 'big.log', content: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) }],
      'attachments',
      /each file must be at most 10 MB/,
    ],
  ];

  for (const [what, fields, files, field, reason] of refusals) {
    it(`${what}: 400 naming ${field}, and nothing saved or sent`, async () => {
      const before = await ticketRows();
      const response = await postForm(
        leslie.portal,
        '/api/portal/tickets',
        {
          summary: 'A good summary',
          description: 'A good description',
          priority: 'low',
          typeId: incident,
          ...fields,
        },
        files,
      );
      const errors = expectFieldErrors(response, [field]);
      expect(errors.find((e) => e.field === field)!.message).toMatch(reason);
      expect(await ticketRows()).toBe(before);
    });
  }

  it('a lower file limit in the settings applies at once, and says its size', async () => {
    const saved = await admin.put('/api/settings/tickets', {
      notifyEmail: 'servicedesk@portico.test',
      maxFileBytes: 2048,
      maxFiles: 2,
      allowedTypes: 'png, .TXT,log',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().tickets).toMatchObject({ allowedTypes: 'png,txt,log', maxFiles: 2 });
    const before = await ticketRows();
    const big = await postForm(
      leslie.portal,
      '/api/portal/tickets',
      { summary: 'S', description: 'D', priority: 'low', typeId: incident },
      [{ name: 'big.txt', content: Buffer.alloc(3000, 0x61) }],
    );
    expect(expectFieldErrors(big, ['attachments'])[0]!.message).toMatch(/at most 2 KB/);
    const pdf = await postForm(
      leslie.portal,
      '/api/portal/tickets',
      { summary: 'S', description: 'D', priority: 'low', typeId: incident },
      [{ name: 'invoice.pdf', content: Buffer.from('%PDF-1.4') }],
    );
    expect(expectFieldErrors(pdf, ['attachments'])[0]!.message).toMatch(/\.pdf are not accepted/);
    expect(await ticketRows()).toBe(before);
    expectFieldErrors(
      await admin.put('/api/settings/tickets', {
        notifyEmail: 'not an address',
        maxFileBytes: 10,
        maxFiles: 0,
        allowedTypes: 'exe',
      }),
      ['notifyEmail', 'maxFileBytes', 'maxFiles', 'allowedTypes'],
    );
    expect(
      (
        await admin.put('/api/settings/tickets', {
          notifyEmail: 'servicedesk@portico.test',
          maxFileBytes: 10 * 1024 * 1024,
          maxFiles: 5,
          allowedTypes: 'pdf,png,jpg,jpeg,gif,txt,log,csv,docx,xlsx,zip',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('staff changes: 400 naming the field', async () => {
    const { ticket } = await openTicket(leslie.portal);
    expectFieldErrors(await admin.post(`/api/tickets/${ticket.id}/close`, {}), ['resolutionNotes']);
    expectFieldErrors(
      await admin.post(`/api/tickets/${ticket.id}/close`, { resolutionNotes: '  ' }),
      ['resolutionNotes'],
    );
    expectFieldErrors(await admin.patch(`/api/tickets/${ticket.id}`, { status: 'closed' }), [
      'status',
    ]);
    expectFieldErrors(
      await admin.patch(`/api/tickets/${ticket.id}`, { assigneeId: randomUUID() }),
      ['assigneeId'],
    );
    expectFieldErrors(await postForm(admin, `/api/tickets/${ticket.id}/replies`, { body: '' }), [
      'body',
    ]);
    expectFieldErrors(await admin.get('/api/tickets?status=stuck'), ['status']);
    expectFieldErrors(await admin.get('/api/tickets?cursor=nonsense'), ['cursor']);
  });
});

describe('scope and permissions', () => {
  it("another organization's ticket and file are not found, and not in its lists", async () => {
    const created = await openTicket(leslie.portal, {}, [{ name: 'a.png', content: png }]);
    const id = created.ticket.id;
    const ticket = (await leslie.portal.get(`/api/portal/tickets/${id}`)).json();
    const fileId = ticket.timeline[0].attachments[0].id;
    expect((await stranger.portal.get(`/api/portal/tickets/${id}`)).statusCode).toBe(404);
    expect(
      (await stranger.portal.get(`/api/portal/tickets/${id}/attachments/${fileId}`)).statusCode,
    ).toBe(404);
    const before = await ticketRows();
    const added = await postForm(
      stranger.portal,
      `/api/portal/tickets/${id}/additional-information`,
      { body: 'Not my ticket' },
    );
    expect(added.statusCode, added.body).toBe(404);
    expect(await ticketRows()).toBe(before);
    const theirs = (await stranger.portal.get('/api/portal/tickets?state=open')).json().tickets;
    expect(theirs.map((t: { id: string }) => t.id)).not.toContain(id);
    // Another ticket's id with this ticket's file: not found either.
    const second = await openTicket(leslie.portal);
    expect(
      (await leslie.portal.get(`/api/portal/tickets/${second.ticket.id}/attachments/${fileId}`))
        .statusCode,
    ).toBe(404);
  });

  it('a contact without service tickets is refused (403)', async () => {
    for (const response of [
      await april.portal.get('/api/portal/tickets'),
      await april.portal.get('/api/portal/ticket-types'),
      await postForm(april.portal, '/api/portal/tickets', { summary: 'x' }),
    ]) {
      expect(response.statusCode, response.body).toBe(403);
      expect(errorOf(response).code).toBe('forbidden');
    }
  });

  it('Read Only staff read tickets but change nothing (403)', async () => {
    const { ticket } = await openTicket(leslie.portal);
    expect((await readOnly.get('/api/tickets')).statusCode).toBe(200);
    expect((await readOnly.get(`/api/tickets/${ticket.id}`)).statusCode).toBe(200);
    const before = await ticketRows();
    for (const response of [
      await readOnly.patch(`/api/tickets/${ticket.id}`, { priority: 'low' }),
      await postForm(readOnly, `/api/tickets/${ticket.id}/replies`, { body: 'Hello' }),
      await readOnly.post(`/api/tickets/${ticket.id}/close`, { resolutionNotes: 'Done' }),
      await readOnly.post(`/api/tickets/${ticket.id}/reopen`),
      await readOnly.post('/api/tickets', {
        organizationId: pawnee,
        summary: 'S',
        description: 'D',
        priority: 'low',
        typeId: incident,
      }),
    ]) {
      expect(response.statusCode, response.body).toBe(403);
    }
    expect(await ticketRows()).toBe(before);
  });
});

describe('internal notes', () => {
  it('are in no portal answer and no email to the client; staff see them flagged', async () => {
    const secret = `Internal only: the client's firewall password is hunter2 ${randomUUID()}`;
    const { ticket } = await openTicket(leslie.portal);
    const noted = await postForm(
      billing,
      `/api/tickets/${ticket.id}/replies`,
      { body: secret, internal: 'true' },
      [{ name: 'secret-config.txt', content: Buffer.from(`${secret} in a file`) }],
    );
    expect(noted.statusCode, noted.body).toBe(201);
    const replied = await postForm(billing, `/api/tickets/${ticket.id}/replies`, {
      body: 'We are looking into it.',
      internal: 'false',
    });
    expect(replied.statusCode, replied.body).toBe(201);

    const staffView = (await billing.get(`/api/tickets/${ticket.id}`)).json();
    const note = staffView.timeline.find((e: { kind: string }) => e.kind === 'internal_note');
    expect(note).toMatchObject({ body: secret, internal: true, authorName: 'Ben Wyatt' });
    const noteFile = note.attachments[0].id;
    expect(
      staffView.timeline.find((e: { kind: string }) => e.kind === 'public_reply').internal,
    ).toBe(false);

    // Every portal answer about the ticket: no trace of the note or its file.
    const answers = [
      await leslie.portal.get(`/api/portal/tickets/${ticket.id}`),
      await leslie.portal.get('/api/portal/tickets?state=open'),
      await leslie.portal.get('/api/portal/tickets?state=closed'),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain('hunter2');
      expect(answer.body).not.toContain('secret-config');
      expect(answer.body).not.toContain('internal');
    }
    expect(
      (await leslie.portal.get(`/api/portal/tickets/${ticket.id}/attachments/${noteFile}`))
        .statusCode,
    ).toBe(404);
    const portalView = answers[0]!.json();
    expect(portalView.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'public_reply',
    ]);

    // Closing and adding information later: still no client email carries the note.
    await postForm(leslie.portal, `/api/portal/tickets/${ticket.id}/additional-information`, {
      body: 'It printed one page, then stopped.',
    });
    const closed = await billing.post(`/api/tickets/${ticket.id}/close`, {
      resolutionNotes: 'Replaced the fuser unit.',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    await expect
      .poll(async () => (await inbox(leslie.email)).map((m) => m.subject), { timeout: 20_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^Ticket ${ticket.number} updated`)),
          expect.stringMatching(new RegExp(`^Ticket ${ticket.number} closed`)),
        ]),
      );
    const messages = await inbox(leslie.email);
    for (const message of messages) {
      expect(message.text + message.html).not.toContain('hunter2');
    }
    expect(messages.find((m) => m.subject.includes('updated'))!.text).toContain(
      'We are looking into it.',
    );
    expect(messages.find((m) => m.subject.includes('closed'))!.text).toContain(
      'Replaced the fuser unit.',
    );
    // And none of the stored client emails does either (the email history).
    const stored = await testApp.database.pool.query(
      `SELECT count(*)::int AS n FROM email_messages
        WHERE template <> 'ticket_staff_notice' AND (text LIKE '%hunter2%' OR html LIKE '%hunter2%')`,
    );
    expect(stored.rows[0].n).toBe(0);
  });
});

describe('the timeline', () => {
  it('additional information moves a ticket waiting on the client, and tells staff', async () => {
    const { ticket } = await openTicket(leslie.portal);
    const ben = await staffUserId(testApp, 'billing@portico.test');
    const waiting = await billing.patch(`/api/tickets/${ticket.id}`, {
      status: 'waiting_on_client',
      assigneeId: ben,
    });
    expect(waiting.statusCode, waiting.body).toBe(200);
    expect(waiting.json().ticket).toMatchObject({
      status: 'waiting_on_client',
      assigneeName: 'Ben Wyatt',
    });
    const added = await postForm(
      leslie.portal,
      `/api/portal/tickets/${ticket.id}/additional-information`,
      { body: 'Model: LaserJet 4000\nSerial: 12345' },
      [{ name: 'error.log', content: Buffer.from('paper jam in tray 2') }],
    );
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().message).toMatch(/In Progress again/);
    const view = added.json().ticket;
    expect(view.status).toBe('in_progress');
    expect(view.timeline.slice(-2)).toEqual([
      expect.objectContaining({
        kind: 'additional_information',
        body: 'Model: LaserJet 4000\nSerial: 12345',
        authorName: 'Leslie Tester',
        attachments: [expect.objectContaining({ fileName: 'error.log' })],
      }),
      expect.objectContaining({
        kind: 'status_change',
        fromStatus: 'waiting_on_client',
        toStatus: 'in_progress',
      }),
    ]);
    await expect
      .poll(async () => (await inbox('billing@portico.test')).map((m) => m.subject), {
        timeout: 20_000,
      })
      .toContain(`More information on ticket ${ticket.number} from Pawnee Parks Dept.`);
  });

  it('a closed ticket refuses additions (409), shows its notes, and staff may reopen it', async () => {
    const { ticket } = await openTicket(leslie.portal);
    expect(
      (await admin.post(`/api/tickets/${ticket.id}/close`, { resolutionNotes: 'Rebooted it.' }))
        .statusCode,
    ).toBe(200);
    const before = await ticketRows();
    const added = await postForm(
      leslie.portal,
      `/api/portal/tickets/${ticket.id}/additional-information`,
      { body: 'One more thing' },
    );
    expect(added.statusCode, added.body).toBe(409);
    expect(errorOf(added).message).toMatch(/is closed/);
    expect(
      (await postForm(admin, `/api/tickets/${ticket.id}/replies`, { body: 'Hello' })).statusCode,
    ).toBe(409);
    expect(
      (await admin.post(`/api/tickets/${ticket.id}/close`, { resolutionNotes: 'Again' }))
        .statusCode,
    ).toBe(409);
    expect(await ticketRows()).toBe(before);

    const history = (await leslie.portal.get('/api/portal/tickets?state=closed')).json().tickets;
    expect(history.map((t: { id: string }) => t.id)).toContain(ticket.id);
    const closed = (await leslie.portal.get(`/api/portal/tickets/${ticket.id}`)).json();
    expect(closed).toMatchObject({ status: 'closed', resolutionNotes: 'Rebooted it.' });

    const reopened = await admin.post(`/api/tickets/${ticket.id}/reopen`);
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect(reopened.json().ticket).toMatchObject({ status: 'in_progress', closedAt: null });
    // The earlier notes stay in the timeline.
    expect(
      reopened
        .json()
        .ticket.timeline.some((e: { body: string | null }) => e.body === 'Rebooted it.'),
    ).toBe(true);
    const audit = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_type = 'ticket' AND entity_id = $1 ORDER BY id`,
      [ticket.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'ticket.created',
      'ticket.closed',
      'ticket.reopened',
    ]);
  });
});

describe('attachments', () => {
  it('are downloads of the stored type, never pages', async () => {
    const { ticket } = await openTicket(leslie.portal, {}, [
      { name: 'screen shot «1».png', content: png, type: 'text/html' },
    ]);
    const view = (await leslie.portal.get(`/api/portal/tickets/${ticket.id}`)).json();
    const file = view.timeline[0].attachments[0];
    for (const response of [
      await leslie.portal.get(`/api/portal/tickets/${ticket.id}/attachments/${file.id}`),
      await readOnly.get(`/api/tickets/${ticket.id}/attachments/${file.id}`),
    ]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      expect(response.headers['content-disposition']).toBe(
        `attachment; filename="screen shot _1_.png"; filename*=UTF-8''${encodeURIComponent('screen shot «1».png')}`,
      );
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toMatch(/^sandbox/);
      expect(response.rawPayload.equals(png)).toBe(true);
    }
  });
});

describe('ticket types', () => {
  it('Master Admin adds, renames and archives one; the portal offers active ones only', async () => {
    const added = await admin.post('/api/ticket-types', { name: 'Hardware Order' });
    expect(added.statusCode, added.body).toBe(201);
    const id = added.json().ticketType.id;
    expect((await admin.post('/api/ticket-types', { name: 'hardware order' })).statusCode).toBe(
      409,
    );
    expectFieldErrors(await admin.post('/api/ticket-types', { name: ' ' }), ['name']);
    expect((await billing.post('/api/ticket-types', { name: 'Nope' })).statusCode).toBe(403);
    const offered = async () =>
      (await leslie.portal.get('/api/portal/ticket-types'))
        .json()
        .ticketTypes.map((t: { name: string }) => t.name);
    expect(await offered()).toContain('Hardware Order');
    const archived = await admin.patch(`/api/ticket-types/${id}`, {
      name: 'Hardware Orders',
      archived: true,
    });
    expect(archived.statusCode, archived.body).toBe(200);
    expect(archived.json().ticketType).toMatchObject({ name: 'Hardware Orders' });
    expect(archived.json().ticketType.archivedAt).not.toBeNull();
    expect(await offered()).not.toContain('Hardware Orders');
    // An archived type cannot be chosen for a new ticket.
    const refused = await postForm(leslie.portal, '/api/portal/tickets', {
      summary: 'S',
      description: 'D',
      priority: 'low',
      typeId: id,
    });
    expectFieldErrors(refused, ['typeId']);
    expect((await admin.get('/api/ticket-types')).json().ticketTypes.length).toBe(4);
  });

  it('Master Admin reorders and restores types; a taken or over-long name is refused by name', async () => {
    const names = async (path: string) =>
      (await admin.get(path)).json().ticketTypes.map((t: { name: string }) => t.name);
    const before: string[] = await names('/api/ticket-types');
    const all = (await admin.get('/api/ticket-types')).json().ticketTypes as {
      id: string;
      name: string;
    }[];
    const question = all.find((t) => t.name === 'Question')!;
    const moved = await admin.patch(`/api/ticket-types/${question.id}`, { position: 1 });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().ticketType.position).toBe(1);
    expect(await names('/api/ticket-types')).toEqual([
      'Question',
      ...before.filter((n) => n !== 'Question'),
    ]);
    // The portal's form offers them in the same order.
    const offered = (await leslie.portal.get('/api/portal/ticket-types'))
      .json()
      .ticketTypes.map((t: { name: string }) => t.name);
    expect(offered[0]).toBe('Question');
    // Past the end: last.
    await admin.patch(`/api/ticket-types/${question.id}`, { position: 99 });
    expect((await names('/api/ticket-types')).at(-1)).toBe('Question');
    expectFieldErrors(await admin.patch(`/api/ticket-types/${question.id}`, { position: 0 }), [
      'position',
    ]);

    const taken = await admin.patch(`/api/ticket-types/${question.id}`, { name: 'INCIDENT' });
    expect(taken.statusCode).toBe(409);
    expect(errorOf(taken).message).toContain('INCIDENT');
    expectFieldErrors(
      await admin.patch(`/api/ticket-types/${question.id}`, { name: 'x'.repeat(101) }),
      ['name'],
    );
    expect(
      (await billing.patch(`/api/ticket-types/${question.id}`, { position: 1 })).statusCode,
    ).toBe(403);

    const archivedId = all.find((t) => t.name === 'Hardware Orders')!.id;
    const restored = await admin.patch(`/api/ticket-types/${archivedId}`, { archived: false });
    expect(restored.json().ticketType.archivedAt).toBeNull();
    expect(
      (await leslie.portal.get('/api/portal/ticket-types'))
        .json()
        .ticketTypes.map((t: { name: string }) => t.name),
    ).toContain('Hardware Orders');
    const audit = await testApp.database.pool.query(
      `SELECT action FROM audit_events WHERE entity_type = 'ticket_type' AND entity_id = $1`,
      [question.id],
    );
    expect(audit.rows.length).toBe(2);
  });
});

describe('assignees', () => {
  it('Billing lists the active Master Admin and Billing users, by id and name, and assigns one', async () => {
    const pool = testApp.database.pool;
    const added = await pool.query<{ id: string; name: string; role: string }>(
      `INSERT INTO staff_users (email, name, role, password_hash, disabled_at)
       VALUES ('oyelaran@portico.test', 'Adébáyọ̀ Oyèláràn', 'billing', 'x', NULL),
              ('gone@portico.test', 'Gone Biller', 'billing', 'x', now()),
              ('watcher@portico.test', 'Только Чтение', 'read_only', 'x', NULL)
       RETURNING id, name, role`,
    );
    const listed = await billing.get('/api/ticket-assignees');
    expect(listed.statusCode, listed.body).toBe(200);
    const assignees = listed.json().assignees as { id: string; name: string }[];
    const names = assignees.map((a) => a.name);
    expect(names).toContain('Adébáyọ̀ Oyèláràn');
    expect(names).not.toContain('Gone Biller');
    expect(names).not.toContain('Только Чтение');
    const adminId = await staffUserId(testApp, 'admin@portico.test');
    expect(assignees.map((a) => a.id)).toContain(adminId);
    // Ids and names only: no emails, roles or sign-in details.
    for (const assignee of assignees) expect(Object.keys(assignee).sort()).toEqual(['id', 'name']);
    expect(listed.body).not.toContain('@portico.test');
    expect((await admin.get('/api/ticket-assignees')).statusCode).toBe(200);
    expect((await readOnly.get('/api/ticket-assignees')).statusCode).toBe(403);
    // Billing could not list staff users before; the colleague it finds here can be assigned.
    expect((await billing.get('/api/staff-users')).statusCode).toBe(403);
    const created = await openTicket(leslie.portal, { summary: 'Assign me to a colleague' });
    const colleague = added.rows.find((row) => row.name === 'Adébáyọ̀ Oyèláràn')!;
    const assigned = await billing.patch(`/api/tickets/${created.ticket.id}`, {
      assigneeId: colleague.id,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json().ticket.assigneeName).toBe('Adébáyọ̀ Oyèláràn');
    // The Audit Log names who it was assigned to, as they were named then.
    const audit = await testApp.database.pool.query<{ before: object; after: object }>(
      `SELECT before, after FROM audit_events
        WHERE entity_id = $1 AND action = 'ticket.changed' ORDER BY id DESC LIMIT 1`,
      [created.ticket.id],
    );
    expect(audit.rows[0]).toEqual({
      before: { assigneeId: null, assignee: null },
      after: { assigneeId: colleague.id, assignee: 'Adébáyọ̀ Oyèláràn' },
    });
  });
});

describe('staff open a ticket for a client', () => {
  it('with files and a contact of the organization, who is emailed and sees it in the portal', async () => {
    const pool = testApp.database.pool;
    const contactOf = async (email: string) =>
      (await pool.query<{ id: string }>(`SELECT id FROM contacts WHERE email = $1`, [email]))
        .rows[0]!.id;
    const leslieId = await contactOf(leslie.email);
    const response = await postForm(
      billing,
      '/api/tickets',
      {
        organizationId: pawnee,
        contactId: leslieId,
        summary: 'Called in: VPN drops every hour',
        description: 'Phoned at 9:10.\n  Drops at :00 each hour.',
        priority: 'high',
        typeId: incident,
        contactPhone: '+1 555 0100',
        assigneeId: '',
      },
      [{ name: 'vpn log 日志.txt', content: Buffer.from('drop 09:00\n'), type: 'text/plain' }],
    );
    expect(response.statusCode, response.body).toBe(201);
    const ticket = response.json().ticket;
    expect(ticket).toMatchObject({
      organizationId: pawnee,
      summary: 'Called in: VPN drops every hour',
      description: 'Phoned at 9:10.\n  Drops at :00 each hour.',
      priority: 'high',
      contactPhone: '+1 555 0100',
      openedByName: 'Leslie Tester',
    });
    expect(ticket.timeline[0].attachments.map((a: { fileName: string }) => a.fileName)).toEqual([
      'vpn log 日志.txt',
    ]);
    const open = (await leslie.portal.get('/api/portal/tickets?state=open')).json();
    expect(open.tickets.map((t: { id: string }) => t.id)).toContain(ticket.id);
    await expect
      .poll(async () => (await inbox(leslie.email)).map((m) => m.subject), { timeout: 20_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining(ticket.number)]));

    // A contact of another organization: 400 naming contactId, nothing saved.
    const before = await ticketRows();
    const strangerId = await contactOf(stranger.email);
    const refused = await postForm(billing, '/api/tickets', {
      organizationId: pawnee,
      contactId: strangerId,
      summary: 'S',
      description: 'D',
      priority: 'low',
      typeId: incident,
    });
    expectFieldErrors(refused, ['contactId']);
    expectFieldErrors(
      await postForm(billing, '/api/tickets', {
        organizationId: pawnee,
        summary: ' ',
        description: 'D',
        priority: 'low',
        typeId: incident,
      }),
      ['summary'],
    );
    expect(await ticketRows()).toBe(before);
  });

  it('assigned to a colleague: the Audit Log names them', async () => {
    const ben = await staffUserId(testApp, 'billing@portico.test');
    const response = await postForm(billing, '/api/tickets', {
      organizationId: pawnee,
      summary: 'Replace the front desk printer',
      description: 'Out of toner, and jams.',
      priority: 'medium',
      typeId: incident,
      assigneeId: ben,
    });
    expect(response.statusCode, response.body).toBe(201);
    const audit = await testApp.database.pool.query<{ after: Record<string, unknown> }>(
      `SELECT after FROM audit_events WHERE entity_id = $1 AND action = 'ticket.created'`,
      [response.json().ticket.id],
    );
    expect(audit.rows[0]?.after).toMatchObject({ assigneeId: ben, assignee: 'Ben Wyatt' });
  });
});

describe('the demo data', () => {
  it('holds tickets in several scripts, open and closed, with their notes kept to staff', async () => {
    const found = (await readOnly.get(`/api/tickets?q=${encodeURIComponent('Проектор')}`)).json();
    expect(found.tickets.map((t: { summary: string }) => t.summary)).toEqual([
      'Проектор в переговорной не видит ноутбук',
    ]);
    const closed = (await readOnly.get('/api/tickets?status=closed')).json().tickets;
    const mail = closed.find((t: { summary: string }) => t.summary.startsWith('E-mail on phones'));
    const view = (await readOnly.get(`/api/tickets/${mail.id}`)).json();
    expect(view.resolutionNotes).toMatch(/certificate had expired/);
    expect(view.timeline.some((e: { internal: boolean }) => e.internal)).toBe(true);
  });
});

describe('the staff queue', () => {
  it('puts what needs attention first, filters, and finds words and numbers', async () => {
    const word = `zebrafish${randomUUID().slice(0, 6)}`;
    const low = await openTicket(leslie.portal, { priority: 'low', summary: 'Low one' });
    const critical = await openTicket(leslie.portal, {
      priority: 'critical',
      summary: 'Server down',
    });
    const noted = await postForm(billing, `/api/tickets/${low.ticket.id}/replies`, {
      body: `Checked the ${word} cable`,
      internal: 'true',
    });
    expect(noted.statusCode).toBe(201);

    const queue = (await readOnly.get('/api/tickets?limit=200')).json().tickets;
    const ids = queue.map((t: { id: string }) => t.id);
    expect(ids.indexOf(critical.ticket.id)).toBeLessThan(ids.indexOf(low.ticket.id));
    expect(queue[0].priority).toBe('critical');

    const found = (await readOnly.get(`/api/tickets?q=${word}`)).json().tickets;
    expect(found.map((t: { id: string }) => t.id)).toEqual([low.ticket.id]);
    const byNumber = (await readOnly.get(`/api/tickets?q=${critical.ticket.number}`)).json();
    expect(byNumber.tickets.map((t: { id: string }) => t.id)).toEqual([critical.ticket.id]);
    const byBareNumber = (
      await readOnly.get(`/api/tickets?q=${critical.ticket.number.replace('T-', '')}`)
    ).json();
    expect(byBareNumber.tickets.map((t: { id: string }) => t.id)).toContain(critical.ticket.id);

    const onlyCritical = (await readOnly.get('/api/tickets?priority=critical')).json().tickets;
    expect(onlyCritical.every((t: { priority: string }) => t.priority === 'critical')).toBe(true);
    const unassigned = (await readOnly.get('/api/tickets?unassigned=true')).json().tickets;
    expect(unassigned.every((t: { assigneeId: string | null }) => t.assigneeId === null)).toBe(
      true,
    );
    const organization = (await readOnly.get(`/api/organizations/${pawnee}/tickets`)).json();
    expect(organization.tickets.map((t: { id: string }) => t.id)).toContain(low.ticket.id);

    // Pages: each ticket once, in the same order as one long page.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { tickets: { id: string }[]; nextCursor: string | null } = (
        await readOnly.get(`/api/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.tickets.map((t: { id: string }) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });
});
