/**
 * The mail case of npm run bench: Account Summaries for many organizations, queued through the
 * app's API and delivered by its workers to the local SMTP server, end to end; against nodemailer
 * sending the same rendered messages straight to the same server over a pooled connection.
 */
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type { AppContext } from '../src/platform/context.js';
import type { Pool } from '../src/platform/database.js';
import { registerQueues, startWorkers } from '../src/platform/jobs.js';
import { startLocalSmtpServer } from '../src/modules/email/local-smtp-server.js';
import { createMailTransport } from '../src/modules/email/mail-transport.js';
import { emailJobs } from '../src/modules/email/email.jobs.js';
import { statementJobs } from '../src/modules/statements/statements.jobs.js';

export interface MailResult {
  messages: number;
  app: { seconds: number; perSecond: number; incompleteHistories: number; failed: number };
  baseline: { seconds: number; perSecond: number; received: number };
}

const timeoutMs = 5 * 60_000;

async function count(pool: Pool, sql: string): Promise<number> {
  return (await pool.query<{ n: number }>(sql)).rows[0]!.n;
}

async function csrfFor(appUrl: string, cookie: string) {
  const response = await fetch(`${appUrl}/api/auth/session`, { headers: { cookie } });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const csrfCookie = response.headers
    .getSetCookie()
    .map((h) => h.split(';')[0]!)
    .find((c) => c.startsWith('portico_csrf='));
  return { token: csrfToken, cookie: `${cookie}; ${csrfCookie}` };
}

export async function mailBenchmark(options: {
  pool: Pool;
  context: AppContext;
  appUrl: string;
  cookie: string;
  messages: number;
  step: (message: string) => void;
}): Promise<MailResult> {
  const { pool, context, step } = options;
  // The bench database only: start every run from an empty mail history and queue.
  await pool.query(`DELETE FROM email_messages; DELETE FROM local_mailbox;
                    DELETE FROM pgboss.job WHERE name LIKE 'email.%'`);
  const smtp = await startLocalSmtpServer({ port: 0, pool, logger: context.logger });
  const transport = createMailTransport(context.config, smtp.port);
  const definitions = [...emailJobs({ ...context, transport }), ...statementJobs(context)];
  await registerQueues(context.jobs, definitions);
  await startWorkers(context.jobs, definitions, context.logger);

  try {
    const organizationIds = (
      await pool.query<{ id: string }>(
        `SELECT DISTINCT organization_id AS id FROM contact_organizations
          WHERE is_default_notification ORDER BY organization_id LIMIT $1`,
        [options.messages],
      )
    ).rows.map((r) => r.id);
    const total = organizationIds.length;

    step(`Mail: queueing ${total} Account Summaries through POST /api/account-summaries`);
    const csrf = await csrfFor(options.appUrl, options.cookie);
    const started = performance.now();
    const response = await fetch(`${options.appUrl}/api/account-summaries`, {
      method: 'POST',
      headers: {
        cookie: csrf.cookie,
        'x-csrf-token': csrf.token,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ organizationIds }),
    });
    if (response.status !== 202)
      throw new Error(`queueing answered ${response.status}: ${await response.text()}`);
    let done = 0;
    let allQueuedAt = 0;
    while (done < total) {
      if (
        !allQueuedAt &&
        (await count(pool, 'SELECT count(*)::int AS n FROM email_messages')) === total
      ) {
        allQueuedAt = performance.now();
      }
      if (performance.now() - started > timeoutMs)
        throw new Error(`only ${done} of ${total} mails done in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      done = await count(
        pool,
        `SELECT count(*)::int AS n FROM email_messages WHERE status IN ('sent', 'failed')`,
      );
    }
    const appSeconds = (performance.now() - started) / 1000;
    const failed = await count(
      pool,
      `SELECT count(*)::int AS n FROM email_messages WHERE status = 'failed'`,
    );
    const incompleteHistories = await count(
      pool,
      `SELECT count(*)::int AS n FROM email_messages m
        WHERE NOT (SELECT array_agg(kind ORDER BY id) FROM email_events e WHERE e.message_id = m.id)
                  @> ARRAY['triggered', 'queued', 'processing', 'sent']`,
    );
    step(
      `Mail: app delivered ${total} in ${appSeconds.toFixed(1)} s ` +
        `(all rendered and queued after ${((allQueuedAt - started) / 1000).toFixed(1)} s)`,
    );

    // The baseline: the very messages the app rendered, straight to the same SMTP server.
    const rendered = (
      await pool.query(`SELECT from_address, recipients, subject, html, text FROM email_messages`)
    ).rows;
    await pool.query('DELETE FROM local_mailbox');
    const direct = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      pool: true,
      maxConnections: 5,
      ignoreTLS: true,
    });
    step(`Mail: baseline sending the same ${rendered.length} messages with pooled nodemailer`);
    const baselineStarted = performance.now();
    await Promise.all(
      rendered.map((m) =>
        direct.sendMail({
          from: m.from_address,
          to: (m.recipients as { email: string; name: string }[]).map((r) => ({
            name: r.name,
            address: r.email,
          })),
          subject: m.subject,
          html: m.html,
          text: m.text,
        }),
      ),
    );
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    direct.close();
    const received = await count(pool, 'SELECT count(*)::int AS n FROM local_mailbox');

    return {
      messages: total,
      app: { seconds: appSeconds, perSecond: total / appSeconds, incompleteHistories, failed },
      baseline: {
        seconds: baselineSeconds,
        perSecond: rendered.length / baselineSeconds,
        received,
      },
    };
  } finally {
    for (const definition of definitions) await context.jobs.offWork(definition.name);
    transport.close();
    await smtp.close();
  }
}

export function printMailReport(result: MailResult) {
  const ratio = result.app.perSecond / result.baseline.perSecond;
  console.log(`\nMail: ${result.messages} Account Summaries, end to end\n`);
  console.log('target    messages/s  seconds  notes');
  console.log('--------  ----------  -------  -----');
  console.log(
    `app       ${result.app.perSecond.toFixed(0).padStart(10)}  ${result.app.seconds.toFixed(1).padStart(7)}  ` +
      `queued by the API, rendered, stored, delivered by the workers; ${result.app.failed} failed, ` +
      `${result.app.incompleteHistories} with an incomplete history`,
  );
  console.log(
    `baseline  ${result.baseline.perSecond.toFixed(0).padStart(10)}  ${result.baseline.seconds.toFixed(1).padStart(7)}  ` +
      `the same rendered messages, pooled nodemailer; ${result.baseline.received} received`,
  );
  console.log(
    `\nAim: app >= 50 % of the baseline, every message with a complete history: ` +
      `${(ratio * 100).toFixed(0)} % ${ratio >= 0.5 ? 'met' : 'NOT MET'}, ` +
      `${result.app.incompleteHistories === 0 && result.app.failed === 0 ? 'complete' : 'INCOMPLETE'}`,
  );
}
