import type { Config } from '../../platform/config.js';
import type { Pool } from '../../platform/database.js';
import type { Logger } from '../../platform/logger.js';
import { startLocalSmtpServer, type LocalSmtpServer } from './local-smtp-server.js';
import { createMailTransport, type MailTransport } from './mail-transport.js';

export interface MailRuntime {
  transport: MailTransport;
  /** The loopback SMTP server, when no SMTP_URL is configured. */
  localSmtp: LocalSmtpServer | null;
  close: () => Promise<void>;
}

export async function startMail(config: Config, pool: Pool, logger: Logger): Promise<MailRuntime> {
  const localSmtp = config.SMTP_URL
    ? null
    : await startLocalSmtpServer({ port: config.LOCAL_SMTP_PORT, pool, logger });
  const transport = createMailTransport(config, localSmtp?.port ?? 0);
  if (localSmtp) logger.info({ port: localSmtp.port }, 'local SMTP server listening on loopback');
  return {
    transport,
    localSmtp,
    close: async () => {
      transport.close();
      await localSmtp?.close();
    },
  };
}
