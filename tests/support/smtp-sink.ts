import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export type SinkMode = 'accept' | 'tempfail' | 'reject-recipient' | 'stall';

/**
 * A real SMTP server on loopback for tests, whose answers a test can change: accept, answer
 * 451 (try later), refuse recipients with 550, or take the message and never answer.
 */
export class SmtpSink {
  mode: SinkMode = 'accept';
  readonly received: ParsedMail[] = [];
  /** Messages whose DATA arrived, answered or not (a stalled one counts). */
  dataCount = 0;
  private server: SMTPServer | null = null;
  port = 0;

  async start(port = 0): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.mode === 'reject-recipient') {
          const error = new Error(`No such user here: ${address.address}`) as Error & {
            responseCode: number;
          };
          error.responseCode = 550;
          return callback(error);
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.dataCount += 1;
          if (this.mode === 'stall') return; // never answer: the sender waits
          if (this.mode === 'tempfail') {
            const error = new Error('Mailbox busy, try again later') as Error & {
              responseCode: number;
            };
            error.responseCode = 451;
            return callback(error);
          }
          simpleParser(Buffer.concat(chunks))
            .then((parsed) => {
              this.received.push(parsed);
              callback(null, `Accepted as message ${this.received.length}`);
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    // Close open connections too, so a stalled client sees the server go away.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const connection of (server as unknown as { connections: Set<{ close(): void }> })
        .connections ?? []) {
        connection.close();
      }
    });
  }
}

/** A loopback port with nothing listening on it (the SMTP server is "down"). */
export async function freePort(): Promise<number> {
  const probe = await new SmtpSink().start();
  const port = probe.port;
  await probe.stop();
  return port;
}
