import { simpleParser } from 'mailparser';
import { expect } from 'vitest';
import { startLocalSmtpServer } from '../../src/modules/email/local-smtp-server.js';
import { startMailWorkers } from './mail-workers.js';
import type { TestApp } from './test-app.js';

/**
 * The default mail path of a test app: the real email workers deliver over SMTP to the local
 * SMTP server, which keeps each message in local_mailbox (what the client's inbox receives).
 */
export async function startLocalMail(testApp: TestApp) {
  const smtp = await startLocalSmtpServer({
    port: 0,
    pool: testApp.database.pool,
    logger: testApp.context.logger,
  });
  const workers = await startMailWorkers(testApp, smtp.port);
  return {
    close: async () => {
      workers.close();
      await smtp.close();
    },
  };
}

/** The id of the newest message in the local mailbox (0 when empty): read newer ones after it. */
export async function lastLocalMailId(testApp: TestApp): Promise<number> {
  const result = await testApp.database.pool.query<{ id: string | null }>(
    'SELECT max(id) AS id FROM local_mailbox',
  );
  return Number(result.rows[0]?.id ?? 0);
}

/**
 * Waits for a message to `to` received after `afterId` whose text carries a link to `path`
 * (such as "/set-password"), and answers the link's token as the recipient reads it.
 */
export async function tokenFromInbox(
  testApp: TestApp,
  options: { to: string; path: string; afterId: number },
): Promise<string> {
  let token: string | undefined;
  await expect
    .poll(
      async () => {
        const rows = (
          await testApp.database.pool.query(
            `SELECT raw FROM local_mailbox WHERE id > $1 AND $2 = ANY(envelope_to) ORDER BY id DESC`,
            [options.afterId, options.to],
          )
        ).rows;
        for (const row of rows) {
          const mail = await simpleParser(row.raw as Buffer);
          const match = new RegExp(`${options.path}\\?token=([\\w-]+)`).exec(mail.text ?? '');
          if (match) {
            token = match[1];
            return true;
          }
        }
        return false;
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBe(true);
  return token!;
}
