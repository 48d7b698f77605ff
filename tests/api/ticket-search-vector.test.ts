import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketLimits } from '../../src/shared/contract/tickets.js';
import {
  organizationId,
  signedInAs,
  startTestApp,
  type ApiClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * A ticket's search vector holds its summary, its description and its timeline's text
 * (docs/decisions/0053). PostgreSQL refuses a tsvector over 1 MB, so a ticket whose timeline
 * grows past that must keep taking entries: what the vector holds is bounded, and staff still
 * find the ticket by its summary and by what was written last.
 */

let testApp: TestApp;
let admin: ApiClient;

beforeAll(async () => {
  testApp = await startTestApp();
  admin = await signedInAs(testApp.app, 'master_admin');
});
afterAll(async () => testApp?.close());

/** Words no other entry has (base 36 counters), as a long log pasted into a note would hold. */
function distinctWords(entry: number, characters: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < characters - 12; i++) {
    const word = `z${entry.toString(36)}x${i.toString(36).padStart(4, '0')}`;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

const found = async (q: string) =>
  (await admin.get(`/api/tickets?q=${encodeURIComponent(q)}&limit=25`))
    .json<{
      tickets: { id: string }[];
    }>()
    .tickets.map((t) => t.id);

describe('a ticket whose timeline outgrows what a search vector holds', () => {
  it('still takes entries (201) past 1 MB of text and is still found by its summary and newest words', async () => {
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
    const typeId = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM ticket_types WHERE name = 'Incident'`,
      )
    ).rows[0]!.id;
    const created = await admin.post('/api/tickets', {
      organizationId: pawnee,
      summary: 'Wombat sync log keeps growing',
      description: 'The sync tool writes a very long log every hour.',
      priority: 'medium',
      typeId,
    });
    expect(created.statusCode, created.body).toBe(201);
    const ticketId = created.json<{ ticket: { id: string } }>().ticket.id;

    // 70 notes of 20,000 characters of words found nowhere else: 1.4 MB of text, whose
    // vector alone would be some 2.5 MB.
    let text = 0;
    let last = '';
    for (let entry = 0; entry < 70; entry++) {
      last = distinctWords(entry, ticketLimits.body);
      text += last.length;
      const reply = await admin.post(`/api/tickets/${ticketId}/replies`, {
        body: last,
        internal: 'true',
      });
      expect(reply.statusCode, `entry ${entry + 1}: ${reply.body.slice(0, 300)}`).toBe(201);
    }
    expect(text).toBeGreaterThan(1024 * 1024);

    expect(await found('wombat')).toEqual([ticketId]);
    expect(await found(last.split(' ').at(-1)!)).toEqual([ticketId]);
    // The page shows every entry, whatever the search holds.
    const page = (await admin.get(`/api/tickets/${ticketId}`)).json<{
      timeline: { body: string | null }[];
    }>();
    expect(page.timeline.filter((e) => e.body?.startsWith('z')).length).toBe(70);
  }, 120_000);

  it('takes entries of short words found nowhere else, the costliest text for a vector, within its bound', async () => {
    // Every word of three, then four, letters or digits once: a vector takes about three
    // times the bytes of such text, against about twice for ordinary words.
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const shortWords = function* () {
      for (const length of [3, 4]) {
        for (let n = 0; n < alphabet.length ** length; n++) {
          let word = '';
          for (let rest = n, i = 0; i < length; i++, rest = Math.floor(rest / alphabet.length)) {
            word += alphabet[rest % alphabet.length];
          }
          yield word;
        }
      }
    };
    const words = shortWords();
    let next = words.next();
    const textOf = (characters: number) => {
      let text = '';
      while (!next.done && text.length + next.value.length + 1 <= characters) {
        text += `${next.value} `;
        next = words.next();
      }
      return text.trim();
    };
    const pawnee = await organizationId(testApp, 'Pawnee Parks Dept.');
    const typeId = (
      await testApp.database.pool.query<{ id: string }>(
        `SELECT id FROM ticket_types WHERE name = 'Incident'`,
      )
    ).rows[0]!.id;
    const created = await admin.post('/api/tickets', {
      organizationId: pawnee,
      summary: 'Numbat inventory export',
      description: textOf(ticketLimits.description),
      priority: 'low',
      typeId,
    });
    expect(created.statusCode, created.body).toBe(201);
    const ticketId = created.json<{ ticket: { id: string } }>().ticket.id;
    for (let entry = 0; entry < 25; entry++) {
      const reply = await admin.post(`/api/tickets/${ticketId}/replies`, {
        body: textOf(ticketLimits.body),
        internal: 'true',
      });
      expect(reply.statusCode, `entry ${entry + 1}: ${reply.body.slice(0, 300)}`).toBe(201);
    }
    expect(await found('numbat')).toEqual([ticketId]);
  }, 120_000);
});
