import type { PoolClient } from '../../platform/database.js';

/**
 * The demo's service tickets: a few for Pawnee Parks Dept. and Demo Company, so the queue, the
 * portal's Open Service Tickets and Service History show something on a fresh start: replies,
 * an internal note (staff only), one waiting on the client, a closed one with its resolution
 * notes, and words in several scripts. Written on the demo seed's transaction.
 */
export async function seedDemoTickets(
  client: PoolClient,
  ids: { pawnee: string; demoCompany: string },
): Promise<void> {
  const one = async <Row>(text: string, params: unknown[] = []) =>
    (await client.query(text, params)).rows[0] as Row;
  const contact = async (email: string) =>
    (await one<{ id: string }>(`SELECT id FROM contacts WHERE email = $1`, [email])).id;
  const staff = async (email: string) =>
    (await one<{ id: string }>(`SELECT id FROM staff_users WHERE email = $1`, [email])).id;
  const type = async (name: string) =>
    (await one<{ id: string }>(`SELECT id FROM ticket_types WHERE name = $1`, [name])).id;

  const leslie = await contact('lknope@pawnee-indiana.gov');
  const april = await contact('aludgate@pawnee-indiana.gov');
  const owner = await contact('demo@example.com');
  const ann = await staff('admin@portico.test');
  const ben = await staff('billing@portico.test');
  const incident = await type('Incident');
  const request = await type('Service Request');
  const question = await type('Question');

  type Entry = {
    kind: 'public_reply' | 'internal_note' | 'additional_information' | 'status_change';
    body: string | null;
    contact?: string;
    staff?: string;
    from?: string;
    to?: string;
    hoursAgo: number;
  };
  const ticket = async (t: {
    organizationId: string;
    summary: string;
    description: string;
    priority: string;
    typeId: string;
    status: string;
    openedBy: string;
    assignee: string | null;
    hoursAgo: number;
    resolutionNotes?: string;
    entries: Entry[];
    file?: { name: string; type: string; content: Buffer };
  }) => {
    const lastHoursAgo = Math.min(t.hoursAgo, ...t.entries.map((e) => e.hoursAgo));
    const words = t.entries
      .map((e) => e.body)
      .filter(Boolean)
      .join(' ');
    const { id } = await one<{ id: string }>(
      `INSERT INTO tickets (organization_id, summary, description, priority, type_id, status,
                            assignee_id, opened_by_contact_id, resolution_notes, created_at,
                            updated_at, closed_at, search)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() - make_interval(hours => $10),
               now() - make_interval(hours => $11),
               CASE WHEN $6 = 'closed' THEN now() - make_interval(hours => $11) END,
               setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B')
                 || to_tsvector('simple', $12))
       RETURNING id`,
      [
        t.organizationId,
        t.summary,
        t.description,
        t.priority,
        t.typeId,
        t.status,
        t.assignee,
        t.openedBy,
        t.resolutionNotes ?? null,
        t.hoursAgo,
        lastHoursAgo,
        words,
      ],
    );
    const created = await one<{ id: string }>(
      `INSERT INTO ticket_entries (ticket_id, kind, author_contact_id, to_status, created_at)
       VALUES ($1, 'created', $2, 'new', now() - make_interval(hours => $3)) RETURNING id`,
      [id, t.openedBy, t.hoursAgo],
    );
    if (t.file) {
      await client.query(
        `INSERT INTO ticket_attachments (ticket_id, entry_id, file_name, content_type, size_bytes,
                                         content, sha256, uploaded_by_contact_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, encode(sha256($6), 'hex'), $7,
                 now() - make_interval(hours => $8))`,
        [
          id,
          created.id,
          t.file.name,
          t.file.type,
          t.file.content.length,
          t.file.content,
          t.openedBy,
          t.hoursAgo,
        ],
      );
    }
    for (const e of t.entries) {
      await client.query(
        `INSERT INTO ticket_entries (ticket_id, kind, body, author_contact_id, author_staff_id,
                                     from_status, to_status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() - make_interval(hours => $8))`,
        [
          id,
          e.kind,
          e.body,
          e.contact ?? null,
          e.staff ?? null,
          e.from ?? null,
          e.to ?? null,
          e.hoursAgo,
        ],
      );
    }
  };

  await ticket({
    organizationId: ids.pawnee,
    summary: 'The printer on the second floor prints blank pages',
    description:
      'Since Monday the HP LaserJet by the kitchen prints only blank pages.\nWe already changed the toner.',
    priority: 'high',
    typeId: incident,
    status: 'waiting_on_client',
    openedBy: leslie,
    assignee: ben,
    hoursAgo: 50,
    file: {
      name: 'test page.txt',
      type: 'text/plain; charset=utf-8',
      content: Buffer.from('Printer test page: nothing printed after line 1.\n'),
    },
    entries: [
      {
        kind: 'status_change',
        body: null,
        staff: ben,
        from: 'new',
        to: 'in_progress',
        hoursAgo: 48,
      },
      {
        kind: 'internal_note',
        body: 'Fuser unit is past its 100,000-page life; a spare is in the van. Do not quote a price yet.',
        staff: ben,
        hoursAgo: 47,
      },
      {
        kind: 'public_reply',
        body: 'Could you send us the serial number on the back of the printer? We will bring a replacement part.',
        staff: ben,
        hoursAgo: 46,
      },
      {
        kind: 'status_change',
        body: null,
        staff: ben,
        from: 'in_progress',
        to: 'waiting_on_client',
        hoursAgo: 46,
      },
    ],
  });
  await ticket({
    organizationId: ids.pawnee,
    summary: 'Проектор в переговорной не видит ноутбук',
    description:
      'Проектор в большой переговорной пишет «Нет сигнала», когда подключаем ноутбук через HDMI.',
    priority: 'medium',
    typeId: incident,
    status: 'new',
    openedBy: april,
    assignee: null,
    hoursAgo: 5,
    entries: [],
  });
  await ticket({
    organizationId: ids.pawnee,
    summary: 'New laptop for the parks office intern',
    description:
      'Please set up a laptop with Office and the VPN for our new intern, starting next month.',
    priority: 'low',
    typeId: request,
    status: 'in_progress',
    openedBy: leslie,
    assignee: ann,
    hoursAgo: 30,
    entries: [
      {
        kind: 'status_change',
        body: null,
        staff: ann,
        from: 'new',
        to: 'in_progress',
        hoursAgo: 28,
      },
      {
        kind: 'public_reply',
        body: 'The laptop is ordered; we will image it when it arrives on Thursday.',
        staff: ann,
        hoursAgo: 28,
      },
    ],
  });
  await ticket({
    organizationId: ids.pawnee,
    summary: 'E-mail on phones stopped syncing',
    description: 'Nobody in the office gets e-mail on their phones since this morning.',
    priority: 'critical',
    typeId: incident,
    status: 'closed',
    openedBy: leslie,
    assignee: ben,
    hoursAgo: 200,
    resolutionNotes:
      'The mail server certificate had expired. We renewed it and set a reminder 30 days before the next expiry. Phones sync again.',
    entries: [
      {
        kind: 'additional_information',
        body: 'Computers still get mail; only the phones are affected.',
        contact: leslie,
        hoursAgo: 199,
      },
      {
        kind: 'internal_note',
        body: 'Certificate renewal was missed in the handover. Add it to the monitoring checklist.',
        staff: ben,
        hoursAgo: 197,
      },
      {
        kind: 'status_change',
        body: 'The mail server certificate had expired. We renewed it and set a reminder 30 days before the next expiry. Phones sync again.',
        staff: ben,
        from: 'in_progress',
        to: 'closed',
        hoursAgo: 196,
      },
    ],
  });
  await ticket({
    organizationId: ids.demoCompany,
    summary: '会議室のWi-Fiが遅い (Wi-Fi in the meeting room is slow)',
    description: '午後になると会議室のWi-Fiがとても遅くなります。ビデオ会議が途切れます。',
    priority: 'medium',
    typeId: incident,
    status: 'in_progress',
    openedBy: owner,
    assignee: ben,
    hoursAgo: 20,
    entries: [
      {
        kind: 'public_reply',
        body: 'We are adding a second access point on Friday afternoon.',
        staff: ben,
        hoursAgo: 18,
      },
    ],
  });
  await ticket({
    organizationId: ids.demoCompany,
    summary: 'هل يمكن إضافة مستخدم جديد إلى البريد؟',
    description:
      'نحتاج حساب بريد إلكتروني لموظف جديد يبدأ يوم الأحد. (A mailbox for a new employee.)',
    priority: 'low',
    typeId: question,
    status: 'resolved',
    openedBy: owner,
    assignee: ann,
    hoursAgo: 80,
    entries: [
      {
        kind: 'public_reply',
        body: 'Done: the mailbox exists and the password was sent to you by phone.',
        staff: ann,
        hoursAgo: 70,
      },
      { kind: 'status_change', body: null, staff: ann, from: 'new', to: 'resolved', hoursAgo: 70 },
    ],
  });
}
