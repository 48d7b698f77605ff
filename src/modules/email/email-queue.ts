import type { Config } from '../../platform/config.js';
import type { Transaction } from '../../platform/database.js';
import { enqueueInTransaction, type JobQueue } from '../../platform/jobs.js';
import type { Actor } from '../audit/audit.js';
import {
  emailAttachments,
  emailEvents,
  emailMessages,
  type EmailRecipient,
} from './email.schema.js';
import { senderOf } from './mail-transport.js';
import type { RenderedEmail } from './templates/index.js';

export const sendEmailJobName = 'email.send';

/** How long the same request counts as a double click and gives back the first message. */
export const duplicateWindowSeconds = 10;

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface QueueEmailInput {
  organizationId: string | null;
  template: string;
  recipients: EmailRecipient[];
  rendered: RenderedEmail;
  /**
   * The address the rendered links start with (`linkBaseOf`), or null for an email without
   * links: Resend moves them to the address in force when it is resent (decision 20).
   */
  linkBase: string | null;
  attachments?: EmailAttachment[];
  triggeredBy: Actor;
  /** Why it was sent, in words: "Send Account Summary", "Resend of …". */
  reason: string;
  dedupeKey?: string;
  resentFromId?: string;
}

export interface QueuedEmail {
  messageId: string;
  duplicate: boolean;
}

export function deliveryJobOptions(config: Config) {
  return {
    // Our own attempt counter decides when to give up (see deliverEmail); pg-boss's limit is a
    // backstop above it, so a worker that dies mid-send still gets its message retried.
    retryLimit: config.EMAIL_MAX_ATTEMPTS + 2,
    retryDelay: config.EMAIL_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    // A worker that dies mid-send holds its job this long before another worker retries it.
    expireInSeconds: config.EMAIL_JOB_EXPIRE_SECONDS,
  };
}

/**
 * Stores an email with its exact content and enqueues its delivery, on the caller's
 * transaction: the message, its first events and its job exist only if the action commits.
 */
export async function queueEmail(
  tx: Transaction,
  deps: { jobs: JobQueue; config: Config },
  input: QueueEmailInput,
): Promise<QueuedEmail> {
  if (input.dedupeKey) {
    // Serialise identical requests, then answer a double click with the message it already made.
    await tx.client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [input.dedupeKey]);
    const earlier = await tx.client.query<{ id: string }>(
      `SELECT id FROM email_messages
        WHERE dedupe_key = $1 AND created_at > now() - make_interval(secs => $2)
        ORDER BY created_at DESC LIMIT 1`,
      [input.dedupeKey, duplicateWindowSeconds],
    );
    if (earlier.rows[0]) return { messageId: earlier.rows[0].id, duplicate: true };
  }
  const sender = senderOf(deps.config);
  const [message] = await tx.db
    .insert(emailMessages)
    .values({
      organizationId: input.organizationId,
      template: input.template,
      recipients: input.recipients,
      recipientContactIds: input.recipients.flatMap((r) => (r.contactId ? [r.contactId] : [])),
      fromAddress: sender.from,
      replyTo: sender.replyTo,
      subject: input.rendered.subject,
      html: input.rendered.html,
      text: input.rendered.text,
      linkBase: input.linkBase,
      dedupeKey: input.dedupeKey ?? null,
      resentFromId: input.resentFromId ?? null,
      triggeredBy: input.triggeredBy.label,
    })
    .returning({ id: emailMessages.id });
  const messageId = message!.id;
  if (input.attachments?.length) {
    await tx.db
      .insert(emailAttachments)
      .values(input.attachments.map((a) => ({ ...a, messageId })));
  }
  await enqueueInTransaction(
    deps.jobs,
    tx.client,
    sendEmailJobName,
    { messageId },
    deliveryJobOptions(deps.config),
  );
  await tx.db.insert(emailEvents).values([
    { messageId, kind: 'triggered', detail: `${input.reason}, by ${input.triggeredBy.label}` },
    {
      messageId,
      kind: 'queued',
      detail: `Queued for ${input.recipients.map((r) => r.email).join(', ')}`,
    },
  ]);
  return { messageId, duplicate: false };
}
