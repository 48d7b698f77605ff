import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../platform/config.js';

export type MailTransport = Transporter;

/**
 * The SMTP connection every email leaves through: SMTP_URL when set, else the local server on
 * loopback. Pooled, so a burst of messages reuses a few connections.
 */
export function createMailTransport(config: Config, localSmtpPort: number): MailTransport {
  const url = config.SMTP_URL ?? `smtp://127.0.0.1:${localSmtpPort}`;
  return nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(config.SMTP_URL ? {} : { ignoreTLS: true }),
  });
}

export function senderOf(config: Config): { from: string; replyTo: string | null } {
  return {
    from: `"${config.MAIL_FROM_NAME.replaceAll('"', '')}" <${config.MAIL_FROM_ADDRESS}>`,
    replyTo: config.MAIL_REPLY_TO ?? null,
  };
}
