import { boolean, check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/** The installation's branding and contact details: one row, id 1. */
export const settings = pgTable(
  'settings',
  {
    id: integer('id').primaryKey().default(1),
    mspName: text('msp_name').notNull().default('Your MSP'),
    logoUrl: text('logo_url').notNull().default(''),
    brandColor: text('brand_color').notNull().default('#1c7ed6'),
    supportEmail: text('support_email').notNull().default(''),
    supportPhone: text('support_phone').notNull().default(''),
    /**
     * The client portal's address when a staff user set one in Configuration > Branding;
     * empty (the default) for PUBLIC_URL/portal, worked out at each start.
     */
    portalUrl: text('portal_url').notNull().default(''),
    /** Every staff user must sign in with a TOTP code (enrolling at next sign-in). */
    requireStaffTotp: boolean('require_staff_totp').notNull().default(false),
    /** Invoice Due notices: days before the due date (0 = none), then every N days past due. */
    dueReminderDaysBefore: integer('due_reminder_days_before').notNull().default(7),
    pastDueReminderEveryDays: integer('past_due_reminder_every_days').notNull().default(14),
    /**
     * The MSP's time zone (IANA name): it decides which calendar date "today" is. Null until
     * chosen: the server's time zone then applies.
     */
    timeZone: text('time_zone'),
    /** How every surface writes a date: one of src/shared/dates.ts `dateFormats`. */
    dateFormat: text('date_format').notNull().default('YYYY-MM-DD'),
    /** Payment method types clients may add and pay with (Configuration > Billing). */
    cardPaymentsEnabled: boolean('card_payments_enabled').notNull().default(true),
    achPaymentsEnabled: boolean('ach_payments_enabled').notNull().default(true),
    /** The processor's one-time fee for each new payment method a client adds, in cents. */
    providerFeeCents: integer('provider_fee_cents').notNull().default(50),
    /** Failed charges in a row after which a payment method is locked. */
    methodLockAfterFailures: integer('method_lock_after_failures').notNull().default(15),
    /** The daily AutoPay run's time of day, "HH:MM" on the MSP's clock (its time zone). */
    autopayRunTime: text('autopay_run_time').notNull().default('06:00'),
    /** AutoPay: tries after a soft decline (0: none), and the days between two tries. */
    autopayRetryCount: integer('autopay_retry_count').notNull().default(3),
    autopayRetryDays: integer('autopay_retry_days').notNull().default(3),
    /** Service tickets: where staff are told of new tickets (besides the assignee); null: nowhere. */
    ticketNotifyEmail: text('ticket_notify_email'),
    /** Service tickets' attachments: the largest file in bytes, files a post, extensions allowed. */
    ticketMaxFileBytes: integer('ticket_max_file_bytes').notNull().default(10485760),
    ticketMaxFiles: integer('ticket_max_files').notNull().default(5),
    ticketAllowedTypes: text('ticket_allowed_types')
      .notNull()
      .default('pdf,png,jpg,jpeg,gif,txt,log,csv,docx,xlsx,zip'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('settings_single_row', sql`${t.id} = 1`)],
);
