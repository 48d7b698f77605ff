import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Pool } from '../../platform/database.js';
import type { Logger } from '../../platform/logger.js';

export interface LocalSmtpServer {
  port: number;
  close: () => Promise<void>;
}

/** Reads one header from a raw message's header block (unfolding continuation lines). */
export function readHeader(raw: Buffer, name: string): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const match = unfolded.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'im'));
  return match?.[1]?.trim() ?? null;
}

/**
 * The SMTP server Portico runs on loopback when no SMTP_URL is set: it accepts every
 * message and keeps it in local_mailbox, so the default mode exercises the very SMTP path
 * production uses, and staff can read what "went out".
 */
export async function startLocalSmtpServer(options: {
  port: number;
  pool: Pool;
  logger: Logger;
}): Promise<LocalSmtpServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    banner: 'Portico local mail server',
    size: 25 * 1024 * 1024,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address);
        options.pool
          .query(
            `INSERT INTO local_mailbox
               (envelope_from, envelope_to, subject, message_id_header, portico_message_id, raw)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
            [
              from,
              to,
              readHeader(raw, 'Subject') ?? '',
              readHeader(raw, 'Message-ID'),
              readHeader(raw, 'X-Portico-Message-Id'),
              raw,
            ],
          )
          .then((result) => callback(null, `Kept as local message ${result.rows[0].id}`))
          .catch((error: Error) => {
            options.logger.error({ err: error }, 'local mail server could not keep a message');
            const failure = new Error('Local mailbox unavailable, try again later') as Error & {
              responseCode: number;
            };
            failure.responseCode = 451;
            callback(failure);
          });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  server.on('error', (error) => options.logger.warn({ err: error }, 'local mail server error'));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
