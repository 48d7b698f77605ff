import type { AppContext } from '../../platform/context.js';
import { withTransaction } from '../../platform/database.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { systemActor } from '../audit/audit.js';
import { linkBaseOf } from '../email/email-links.js';
import { queueEmail } from '../email/email-queue.js';
import { defaultNotificationRecipients } from '../email/email.service.js';
import { renderEmail } from '../email/templates/index.js';
import { greetingFor } from '../invoices/invoice-emails.js';
import { businessTodayFor } from '../settings/business-date.js';
import { getBrand } from '../settings/settings.service.js';
import { brandName } from './payment-methods.js';

export const methodExpirationJobName = 'payments.method-expiration-notices';

type Deps = Pick<AppContext, 'pool' | 'jobs' | 'config' | 'clock'>;

/**
 * The steps of the Payment Method Expiration Notice (docs/decisions/0030): a card expiring at
 * the end of month M is owed 'next-month' on any day of month M−1 and 'this-month' on any day of
 * month M (business dates, MSP time zone). Each step is sent at most once per card (a
 * `payment_method_notices` row); a step whose month has passed is never sent late, so a card
 * added in its expiry month gets only 'this-month'.
 */
export type ExpirationStep = 'next-month' | 'this-month';

/** The step a card expiring in `expMonth`/`expYear` is owed on `today`, or null. */
export function expirationStep(
  card: { expMonth: number; expYear: number },
  today: string,
): ExpirationStep | null {
  const now = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7));
  const expiry = card.expYear * 12 + card.expMonth;
  if (expiry === now) return 'this-month';
  if (expiry === now + 1) return 'next-month';
  return null;
}

interface Candidate {
  id: string;
  organizationId: string;
  organizationName: string;
  brand: string | null;
  last4: string;
  expMonth: number;
  expYear: number;
  step: ExpirationStep;
}

/**
 * The daily run: every saved card (not removed) of an organization with Default Notification
 * Emails whose expiry is this business month or next, without that step's notice yet. Each card
 * is recorded and its email queued in one transaction; the notice row is inserted first (ON
 * CONFLICT DO NOTHING) and the email queued only when this run inserted it, so a second run,
 * even one racing this one, never sends the same step twice. Answers how many were queued.
 */
export async function sendMethodExpirationNotices(
  deps: Deps,
  options: { today?: string } = {},
): Promise<{ sent: number }> {
  const today = options.today ?? (await businessTodayFor(deps));
  const month = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7));
  const candidates = await deps.pool.query<Candidate>(
    `SELECT m.id, m.organization_id AS "organizationId", o.name AS "organizationName", m.brand,
            m.last4, m.exp_month AS "expMonth", m.exp_year AS "expYear",
            CASE WHEN m.exp_year * 12 + m.exp_month = $1 THEN 'this-month' ELSE 'next-month' END
              AS step
       FROM payment_methods m JOIN organizations o ON o.id = m.organization_id
      WHERE m.type = 'card' AND m.removed_at IS NULL
        AND m.exp_year * 12 + m.exp_month IN ($1, $1 + 1)
        AND NOT EXISTS (
          SELECT 1 FROM payment_method_notices n
           WHERE n.payment_method_id = m.id
             AND n.step = CASE WHEN m.exp_year * 12 + m.exp_month = $1
                               THEN 'this-month' ELSE 'next-month' END)
        AND EXISTS (
          SELECT 1 FROM contact_organizations co JOIN contacts c ON c.id = co.contact_id
           WHERE co.organization_id = m.organization_id AND co.is_default_notification
             AND c.email <> '')
      ORDER BY m.organization_id, m.id`,
    [month],
  );
  let sent = 0;
  for (const card of candidates.rows) {
    if (await sendNotice(deps, card)) sent += 1;
  }
  return { sent };
}

async function sendNotice(deps: Deps, card: Candidate): Promise<boolean> {
  return withTransaction(deps.pool, async (tx) => {
    // Still a card on file (not removed since the candidates were read), step not yet sent.
    const inserted = await tx.client.query(
      `INSERT INTO payment_method_notices (payment_method_id, step)
       SELECT id, $2 FROM payment_methods WHERE id = $1 AND removed_at IS NULL
       ON CONFLICT DO NOTHING RETURNING payment_method_id`,
      [card.id, card.step],
    );
    if (inserted.rowCount === 0) return false;
    const recipients = await defaultNotificationRecipients(tx, card.organizationId);
    // Contacts unstarred since the candidates were read: the step is recorded, unsent.
    if (recipients.length === 0) return false;
    const brand = await getBrand(tx.db, deps.config);
    const rendered = await renderEmail(
      'payment_method_expiration',
      {
        contactName: greetingFor(recipients, card.organizationName),
        organizationId: card.organizationId,
        organizationName: card.organizationName,
        brandName: brandName(card.brand),
        last4: card.last4,
        expMonth: card.expMonth,
        expYear: card.expYear,
        // AutoPay arrives with the next release; no card is AutoPay's yet.
        usedForAutoPay: false,
      },
      brand,
    );
    const queued = await queueEmail(tx, deps, {
      organizationId: card.organizationId,
      template: 'payment_method_expiration',
      recipients,
      rendered,
      linkBase: linkBaseOf('payment_method_expiration', { brand, address: deps.config }),
      triggeredBy: systemActor,
      reason: `Payment Method Expiration Notice (${card.step}) for ${brandName(card.brand)} •••• ${card.last4}`,
      dedupeKey: `payment_method_expiration:${card.id}:${card.step}`,
    });
    await tx.client.query(
      `UPDATE payment_method_notices SET email_message_id = $3
        WHERE payment_method_id = $1 AND step = $2`,
      [card.id, card.step, queued.messageId],
    );
    return true;
  });
}

/** The daily job (08:00 on the MSP's clock, with the Invoice Due notices). */
export function paymentMethodJobs(deps: AppContext): JobDefinition[] {
  return [
    {
      name: methodExpirationJobName,
      cron: '0 8 * * *',
      handle: async () => {
        const counts = await sendMethodExpirationNotices(deps);
        deps.logger.info(counts, 'payment method expiration notices sent');
      },
    },
  ];
}
