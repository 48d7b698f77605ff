import { z } from 'zod';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => ['true', '1', 'yes'].includes(value));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http:// or https:// address')
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: booleanString.default(false),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(1440).default(120),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  SEED_DEMO: booleanString.default(true),
  PORTAL_SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(1440).default(30),
  PORTAL_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  WELCOME_LINK_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  SIGN_IN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(30),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  LOCAL_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  MAIL_FROM_NAME: z.string().min(1).default('Portico'),
  MAIL_FROM_ADDRESS: z.email('must be an email address').default('billing@portico.test'),
  MAIL_REPLY_TO: z.email('must be an email address').optional(),
  EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  EMAIL_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  EMAIL_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(2).max(3600).default(120),
  /** Which payment processor charges clients: the built-in sandbox (demo, tests) or Stripe. */
  PAYMENT_GATEWAY: z.enum(['sandbox', 'stripe']).default('sandbox'),
  /**
   * How many processor calls the daily AutoPay run has in flight at once (docs/decisions/0048).
   * A call waits for the processor and holds no database connection (the sandbox's: one short
   * statement), so 48 keeps a processor answering in 300 ms at about 160 charges a second.
   */
  AUTOPAY_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(48),
  /**
   * The reconciliation job's windows (docs/decisions/0028): a payment still pending after
   * PAYMENT_CONFIRM_AFTER_SECONDS lost its processor's answer and is asked about; one the
   * processor has not heard of after PAYMENT_UNREACHED_AFTER_MINUTES never reached it and is
   * failed; one failed so is asked about again for PAYMENT_UNREACHED_RECHECK_HOURS (at most 24:
   * the processors keep an idempotency key that long, after which a late charge is a new one).
   */
  PAYMENT_CONFIRM_AFTER_SECONDS: z.coerce.number().int().min(5).max(3600).default(30),
  PAYMENT_UNREACHED_AFTER_MINUTES: z.coerce.number().int().min(1).max(720).default(10),
  PAYMENT_UNREACHED_RECHECK_HOURS: z.coerce.number().int().min(1).max(24).default(24),
  /** The sandbox processor's delay before each answer, in milliseconds (a slow processor). */
  SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /**
   * The sandbox's delay, in milliseconds, between recording a charge and answering it (the
   * answer's way back): widens the window in which a process dies after the processor charged
   * and before Portico wrote the outcome (the AutoPay chaos run, bench/README.md).
   */
  SANDBOX_ANSWER_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /**
   * The sandbox's fault mode. `timeout`: each charge and refund is recorded by the processor,
   * but its answer never reaches Portico (the reconciliation job must find it).
   */
  SANDBOX_FAULT: z.enum(['none', 'timeout']).default('none'),
  /** Seconds after which the sandbox settles (or returns) an ACH debit. */
  SANDBOX_ACH_SETTLE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(60),
  /** Stripe's secret API key (sk_… or a restricted rk_…), for PAYMENT_GATEWAY=stripe. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(live|test)_\w+$/, 'must be a Stripe secret key (sk_live_… or sk_test_…)')
    .optional(),
  /** Stripe's publishable key (pk_…), which the browser loads Stripe.js with. */
  STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_(live|test)_\w+$/, 'must be a Stripe publishable key (pk_live_… or pk_test_…)')
    .optional(),
  /** The signing secret of the webhook endpoint /api/webhooks/stripe (whsec_…). */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_…)')
    .optional(),
  /** Where Stripe's API answers: unset is Stripe itself; stripe-mock or a replayer for tests. */
  STRIPE_API_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/?#]+\/?$/, 'must be an http:// or https:// address without a path')
    .optional(),
});

/** The configuration, with PUBLIC_URL always filled in (see `defaultPublicUrl`). */
export type Config = Omit<z.infer<typeof configSchema>, 'PUBLIC_URL'> & {
  /** Where people reach this installation, without a trailing slash: links are built on it. */
  PUBLIC_URL: string;
};

/**
 * The address of a start without PUBLIC_URL: this start's HOST and PORT, with "localhost" for
 * the loopback and every-interface addresses. Worked out at each start, never stored, so a
 * restart on another PORT moves every link with it.
 */
export function defaultPublicUrl(config: { HOST: string; PORT: number }): string {
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(config.HOST);
  const host = local ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}

export class ConfigError extends Error {}

/** What PAYMENT_GATEWAY=stripe needs (from Stripe's Dashboard, Developers). */
const stripeKeys = [
  'STRIPE_SECRET_KEY',
  'STRIPE_PUBLISHABLE_KEY',
  'STRIPE_WEBHOOK_SECRET',
] as const;

/** Reads and validates the environment; a bad value stops the start with its name and reason. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (
    result.data.PAYMENT_UNREACHED_AFTER_MINUTES * 60 <=
    result.data.PAYMENT_CONFIRM_AFTER_SECONDS
  ) {
    // A payment would be failed as never received before its own request was done charging it.
    throw new ConfigError(
      'Invalid configuration:\n  PAYMENT_UNREACHED_AFTER_MINUTES: must be longer than PAYMENT_CONFIRM_AFTER_SECONDS',
    );
  }
  if (result.data.PAYMENT_GATEWAY === 'stripe') {
    // Without them no charge could be made or confirmed: say so at start, not at the first payment.
    const missing = stripeKeys.filter((name) => result.data[name] === undefined);
    if (missing.length > 0) {
      const lines = missing.map((name) => `  ${name}: is required when PAYMENT_GATEWAY=stripe`);
      throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
    }
  }
  const publicUrl = result.data.PUBLIC_URL?.replace(/\/+$/, '') ?? defaultPublicUrl(result.data);
  return { ...result.data, PUBLIC_URL: publicUrl };
}
