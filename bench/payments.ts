/**
 * The payments case of npm run bench (`npm run bench -- payments`): payments per second through
 * the portal's pay route (POST /api/portal/payments, the whole state machine of
 * docs/decisions/0028-payment-core.md with the sandbox processor) with 32 connections, each
 * request paying the open invoice of another organization with its own portal session, at
 * SANDBOX_LATENCY_MS=0 and then 300; against a baseline in the same run, a bare server making
 * the same state transitions in plain SQL. Afterwards the sandbox's ledger is compared with
 * Portico's payments (count and sum, no key charged twice). See README.md.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import type { AppContext } from '../src/platform/context.js';
import { loadConfig } from '../src/platform/config.js';
import {
  createPool,
  runMigrations,
  withTransaction,
  type EmbeddedDatabase,
  type Pool,
} from '../src/platform/database.js';
import { createJobQueue } from '../src/platform/jobs.js';
import { createLogger } from '../src/platform/logger.js';
import type { Actor } from '../src/modules/audit/audit.js';
import { createContact } from '../src/modules/contacts/contacts.service.js';
import { createInvoice } from '../src/modules/invoices/invoice-drafts.js';
import { issueInvoice } from '../src/modules/invoices/invoice-lifecycle.js';
import { updateOrganizationBilling } from '../src/modules/invoices/organization-billing.js';
import { createOrganization } from '../src/modules/organizations/organizations.service.js';
import { addPaymentMethod, authorizationTexts } from '../src/modules/payments/payment-methods.js';
import { openPortalSession } from '../src/modules/portal/portal-sessions.js';
import { portalSessionCookie } from '../src/modules/portal/portal-auth.js';
import { businessToday } from '../src/modules/settings/business-date.js';
import { sandboxGateway } from '../src/payment-gateway.js';
import { createDb } from '../src/platform/database.js';
import type { LoadOutcome, LoadPlan, LoadRequest } from './payment-load.js';

/** BENCH_PAYMENT_ORGS: organizations, so payments per target (less the warm-up). */
const organizationCount = Number(process.env.BENCH_PAYMENT_ORGS ?? 1_500);
const connections = 32;
/** Paid first on each target and not counted: connections, pools and JIT warm up. */
const warmupCount = 96;
/** A target stops starting payments after this long, whatever is left. */
const maxSecondsPerTarget = 30;
const latencies = [0, 300] as const;
/**
 * The baseline and the pay route at 0 ms are measured in turn, this many times each: one load
 * lasts a few seconds, and on a shared machine a neighbour's burst in one of them would swing a
 * single ratio by 20 points. The aim is judged on the median of the rounds' ratios. A warm-up
 * round comes first and is shown but not counted: the pay route's first few hundred payments
 * still compile its code paths and prepare its named statements on each pooled connection,
 * which the bare baseline barely has.
 */
const rounds = Math.max(1, Number(process.env.BENCH_PAYMENT_ROUNDS ?? 3));
const databaseName = 'portico_bench_payments';
const poolSize = 20;
/** Each organization's invoice amount: distinct, so a payment applied twice would show. */
export const invoiceCents = (index: number) => 10_000 + index;

const benchActor: Actor = { kind: 'system', id: null, label: 'Payments benchmark' };

export interface PaymentTarget {
  name: string;
  outcome: LoadOutcome;
  /** SQL statements this process sent per payment (the app's or the baseline's, with pg-boss's polling). */
  queriesPerPayment: number;
  /** CPU this process spent per payment, in ms (PostgreSQL's own CPU is not in it). */
  cpuMsPerPayment: number;
  /** CPU the bench's PostgreSQL (server and backends) spent per payment, in ms; null without /proc. */
  postgresCpuMsPerPayment: number | null;
}

/** Clock ticks a second, the unit of /proc/<pid>/stat's CPU times. */
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU each process of the bench's PostgreSQL has spent so far, in ms, by process id: its
 * server process (the first line of the cluster's postmaster.pid) and every backend (its
 * children), read from /proc (Linux); null where there is none. On a machine shared with other
 * work the rates swing with what the neighbours run, while the CPU a payment costs barely does.
 */
async function postgresCpuMs(clusterDir: string): Promise<Map<number, number> | null> {
  try {
    const postmaster = Number(
      (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    const byProcess = new Map<number, number>();
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
      if (!stat) continue;
      // After the command's closing parenthesis: state, ppid, …; utime and stime are the
      // 14th and 15th fields of the whole line.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      if (pid !== postmaster && Number(fields[1]) !== postmaster) continue;
      byProcess.set(pid, ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000);
    }
    return byProcess;
  } catch {
    return null;
  }
}

/**
 * Counts every statement sent through pg in this process (the app, the baseline and the job
 * queue use pg.Client underneath), to say where a payment's time goes.
 */
let statementsSent = 0;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statementsSent += 1;
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

/**
 * BENCH_PAYMENT_PROFILE=<folder>: a V8 CPU profile of this process while each target is loaded
 * (`<folder>/<target>.cpuprofile`, for Chrome DevTools or speedscope), to see where a
 * payment's CPU goes.
 */
async function startProfile(name: string): Promise<{ stop: () => Promise<void> }> {
  const folder = process.env.BENCH_PAYMENT_PROFILE;
  if (!folder) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(folder, { recursive: true });
      const file = path.join(folder, `${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/**
 * What PostgreSQL's processes spent between two readings, in ms: each process alive at the
 * second, less what it had at the first (a backend opened meanwhile, all of it). A backend
 * that ended meanwhile (an idle connection the pool closed) is left out: its CPU since the
 * first reading is lost with it, which an idle connection's barely is.
 */
function postgresSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

/** Loads one target and measures what this process spent on it. */
async function measure(name: string, plan: LoadPlan, clusterDir: string): Promise<PaymentTarget> {
  const statementsBefore = statementsSent;
  const profile = await startProfile(name);
  const postgresBefore = await postgresCpuMs(clusterDir);
  const cpuBefore = process.cpuUsage();
  const outcome = await drive(plan);
  const cpu = process.cpuUsage(cpuBefore);
  const postgresAfter = await postgresCpuMs(clusterDir);
  await profile.stop();
  const payments = Math.max(1, plan.warmup.length + outcome.sent);
  return {
    name,
    outcome,
    queriesPerPayment: (statementsSent - statementsBefore) / payments,
    cpuMsPerPayment: (cpu.user + cpu.system) / 1000 / payments,
    postgresCpuMsPerPayment:
      postgresBefore === null || postgresAfter === null
        ? null
        : postgresSpent(postgresBefore, postgresAfter) / payments,
  };
}

export interface LedgerCheck {
  charges: number;
  chargedCents: number;
  payments: number;
  paidCents: number;
  /** Idempotency keys the sandbox holds more than one charge for (must be none). */
  keysChargedTwice: number;
  /** Charges no Portico payment names, and Portico's sandbox payments no charge matches. */
  chargesWithoutPayment: number;
  paymentsWithoutCharge: number;
  /** Portico payments not succeeded (pending ones would be the reconciliation job's). */
  unresolved: number;
  /** Invoices whose paid amount differs from what their payments applied. */
  invoicesOff: number;
}

export interface PaymentResult {
  organizations: number;
  setupSeconds: number;
  targets: PaymentTarget[];
  ledger: LedgerCheck;
}

export interface Payer {
  index: number;
  organizationId: string;
  methodId: string;
  cookie: string;
  csrfToken: string;
  /** Open invoices: one per target here ([baseline, app at 0 ms, app at 300 ms]). */
  invoiceIds: string[];
}

/** Runs `task` over `items` with at most `width` at a time. */
async function eachLimited<T>(items: T[], width: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** A fresh database for the run: the ledger check compares everything in it. */
async function freshDatabase(embedded: EmbeddedDatabase): Promise<string> {
  const admin = new pg.Client({ connectionString: embedded.connectionString('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await admin.end();
  }
  return embedded.connectionString(databaseName);
}

/**
 * One payer: an organization (New Invoice emails off, so the setup does not render thousands
 * of them), a contact with the Billing Admin profile, open invoices, a Visa 4242 saved through
 * the sandbox's tokenization and addPaymentMethod, and a portal session opened as sign-in opens
 * one (without the password hash, which would make the setup minutes of argon2).
 */
export async function createPayer(options: {
  context: AppContext;
  index: number;
  serviceCategoryId: string;
  profileId: string;
  issueDate: string;
  cardAuthorization: string;
  invoicesPerPayer: number;
}): Promise<Omit<Payer, 'csrfToken'>> {
  const { context, index } = options;
  const pool = context.pool;
  const organization = await createOrganization({
    pool,
    actor: benchActor,
    fields: {
      name: `Bench Payer ${String(index).padStart(5, '0')}`,
      addressLine1: '',
      addressLine2: '',
      city: '',
      region: '',
      postalCode: '',
      country: 'US',
    },
  });
  const organizationId = organization.id;
  await updateOrganizationBilling({
    pool,
    actor: benchActor,
    organizationId,
    billing: { currency: 'USD', newInvoiceEmails: false },
  });
  const contact = await createContact({
    pool,
    actor: benchActor,
    organizationId,
    fields: { name: `Payer ${index}`, email: `payer-${index}@bench.example.com`, phone: '' },
    accessProfileId: options.profileId,
    isDefaultNotification: true,
  });
  const invoiceIds: string[] = [];
  for (let i = 0; i < options.invoicesPerPayer; i++) {
    const invoice = await createInvoice({
      pool,
      actor: benchActor,
      input: {
        organizationId,
        issueDate: options.issueDate,
        terms: 'Net 30',
        serviceCategoryId: options.serviceCategoryId,
        taxRateId: null,
        lines: [
          {
            description: 'Managed services',
            quantityTenThousandths: 10_000,
            unitPriceCents: invoiceCents(index),
            taxable: false,
          },
        ],
      },
    });
    await issueInvoice({ context, actor: benchActor, invoiceId: invoice.id });
    invoiceIds.push(invoice.id);
  }
  const gateway = sandboxGateway(context)!;
  const token = await gateway.tokenize({
    type: 'card',
    number: '4242424242424242',
    expMonth: 12,
    expYear: 2034,
    cvc: '123',
    name: `Payer ${index}`,
  });
  const method = await addPaymentMethod({
    pool,
    gateway,
    logger: context.logger,
    actor: { kind: 'contact', id: contact.id, label: `Payer ${index} (portal)` },
    organizationId,
    input: {
      type: 'card',
      token: token.token,
      friendlyName: 'Company card',
      billingName: `Payer ${index}`,
      billingAddressLine1: '',
      billingAddressLine2: '',
      billingCity: '',
      billingRegion: '',
      billingPostalCode: '',
      billingCountry: 'US',
      authorizationText: options.cardAuthorization,
      agreed: true,
      makeDefault: true,
    },
    authorizedBy: { contactId: contact.id, staffId: null, ip: '127.0.0.1' },
  });
  const session = await withTransaction(pool, ({ client }) =>
    openPortalSession(client, {
      contactId: contact.id,
      organizationId,
      absoluteHours: 12,
      ip: '127.0.0.1',
      userAgent: 'payments benchmark',
    }),
  );
  return {
    index,
    organizationId,
    methodId: method.id,
    cookie: `${portalSessionCookie}=${session}`,
    invoiceIds,
  };
}

/** The CSRF token the portal's session answer gives this session, with its cookie. */
export async function withCsrf(appUrl: string, payer: Omit<Payer, 'csrfToken'>): Promise<Payer> {
  const response = await fetch(`${appUrl}/api/portal/session`, {
    headers: { cookie: payer.cookie },
  });
  if (response.status !== 200) {
    throw new Error(`portal session refused (${response.status}): ${await response.text()}`);
  }
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const csrfCookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0]!)
    .find((cookie) => cookie.startsWith('portico_csrf='));
  if (!csrfCookie) throw new Error('the portal session answer set no portico_csrf cookie');
  return { ...payer, cookie: `${payer.cookie}; ${csrfCookie}`, csrfToken };
}

/** Pay Selected for one invoice in full, as the portal sends it (with its Idempotency-Key). */
export function payRequest(payer: Payer, target: number): LoadRequest {
  return {
    path: '/api/portal/payments',
    headers: {
      cookie: payer.cookie,
      'x-csrf-token': payer.csrfToken,
      'content-type': 'application/json',
      'idempotency-key': `bench-${target}-${payer.index}`,
    },
    body: JSON.stringify({
      paymentMethodId: payer.methodId,
      allocations: [
        { invoiceId: payer.invoiceIds[target]!, amountCents: invoiceCents(payer.index) },
      ],
    }),
  };
}

/**
 * The baseline: a bare Fastify server (no plugins, no session, no validation, no processor, no
 * audit, no emails) whose handler makes the pay route's state transitions in plain SQL, in the
 * same two transactions: the invoice locked, the payment inserted pending with its allocation
 * in flight; then the payment succeeded, the allocation settled and the invoice's paid amount
 * raised. Its payments carry no gateway, so the ledger check leaves them out.
 */
async function startBaseline(pool: Pool) {
  const app = Fastify({ logger: false });
  app.post<{
    Body: { paymentMethodId: string; allocations: { invoiceId: string; amountCents: number }[] };
  }>('/api/portal/payments', async (request, reply) => {
    const { invoiceId, amountCents } = request.body.allocations[0]!;
    const paymentId = await withTransaction(pool, async ({ client }) => {
      const invoice = await client.query<{ organizationId: string; currency: string }>(
        `SELECT organization_id AS "organizationId", currency FROM invoices
          WHERE id = $1 AND state = 'issued' AND balance_cents >= $2 FOR UPDATE`,
        [invoiceId, amountCents],
      );
      if (!invoice.rows[0]) return null;
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO payments (number, organization_id, source, status, amount_cents, currency,
                               payment_method_id, method_type, method_label, idempotency_key)
         VALUES ('B-' || nextval('payment_number_seq'), $1, 'portal', 'pending', $2, $3, $4,
                 'card', 'Visa •••• 4242', 'bench-baseline-' || gen_random_uuid())
         RETURNING id`,
        [
          invoice.rows[0].organizationId,
          amountCents,
          invoice.rows[0].currency,
          request.body.paymentMethodId,
        ],
      );
      const id = inserted.rows[0]!.id;
      await client.query(
        `INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents, applied_cents, in_flight)
         VALUES ($1, $2, $3, $3, true)`,
        [id, invoiceId, amountCents],
      );
      return id;
    });
    if (!paymentId) return reply.status(404).send({ error: 'not found' });
    await withTransaction(pool, async ({ client }) => {
      await client.query(
        `UPDATE payments SET status = 'succeeded', settled_at = now(), updated_at = now() WHERE id = $1`,
        [paymentId],
      );
      await client.query(`UPDATE payment_allocations SET in_flight = false WHERE payment_id = $1`, [
        paymentId,
      ]);
      await client.query(
        `UPDATE invoices SET amount_paid_cents = amount_paid_cents + $2,
                paid_at = CASE WHEN total_cents <= amount_paid_cents + $2 THEN now() END,
                updated_at = now()
          WHERE id = $1`,
        [invoiceId, amountCents],
      );
    });
    return reply.status(201).send({ payment: { id: paymentId, status: 'succeeded' } });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
}

/** Runs one load plan in the driver process (bench/payment-load.ts). */
function drive(plan: LoadPlan): Promise<LoadOutcome> {
  const child = fork(path.resolve(import.meta.dirname, 'payment-load.ts'), [], {
    execArgv: ['--import', 'tsx'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (outcome) => resolve(outcome as LoadOutcome));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load driver ended with exit code ${code}`));
    });
    child.send(plan);
  });
}

/** The app as npm start builds it, with the sandbox at `latencyMs`, on a port of its own. */
async function startApp(connectionString: string, pool: Pool, latencyMs: number) {
  const silent = createLogger('silent');
  const jobs = createJobQueue(connectionString, silent);
  await jobs.start();
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: path.resolve('data', 'bench'),
    DATABASE_URL: connectionString,
    SANDBOX_LATENCY_MS: String(latencyMs),
  });
  const context: AppContext = { config, pool, jobs, logger: silent };
  const app = await buildApp(context);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    context,
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: async () => {
      await app.close();
      await jobs.stop({ graceful: false, wait: true });
    },
  };
}

/**
 * Compares the sandbox's ledger (its own tables, read through its gateway) with Portico's
 * sandbox payments and the invoices they paid.
 */
async function checkLedger(context: AppContext): Promise<LedgerCheck> {
  const { charges } = await sandboxGateway(context)!.ledger();
  const payments = (
    await context.pool.query<{ key: string; amountCents: number; status: string }>(
      `SELECT idempotency_key AS key, amount_cents AS "amountCents", status
         FROM payments WHERE gateway = 'sandbox'`,
    )
  ).rows;
  const byKey = new Map<string, number>();
  for (const charge of charges) {
    byKey.set(charge.idempotencyKey, (byKey.get(charge.idempotencyKey) ?? 0) + 1);
  }
  const paymentKeys = new Set(payments.map((p) => p.key));
  const invoicesOff = (
    await context.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM invoices i
        WHERE i.amount_paid_cents <> coalesce(
          (SELECT sum(a.amount_cents) FROM payment_allocations a
             JOIN payments p ON p.id = a.payment_id
            WHERE a.invoice_id = i.id AND p.status IN ('succeeded', 'processing')), 0)`,
    )
  ).rows[0]!.n;
  return {
    charges: charges.length,
    chargedCents: charges
      .filter((c) => c.status === 'succeeded')
      .reduce((sum, c) => sum + c.amountCents, 0),
    payments: payments.length,
    paidCents: payments
      .filter((p) => p.status === 'succeeded')
      .reduce((sum, p) => sum + p.amountCents, 0),
    keysChargedTwice: [...byKey.values()].filter((n) => n > 1).length,
    chargesWithoutPayment: charges.filter((c) => !paymentKeys.has(c.idempotencyKey)).length,
    paymentsWithoutCharge: payments.filter((p) => !byKey.has(p.key)).length,
    unresolved: payments.filter((p) => p.status !== 'succeeded').length,
    invoicesOff,
  };
}

export async function paymentBenchmark(options: {
  embedded: EmbeddedDatabase;
  step: (message: string) => void;
}): Promise<PaymentResult> {
  const { step } = options;
  const { clusterDir } = options.embedded;
  const connectionString = await freshDatabase(options.embedded);
  const pool = createPool(connectionString, undefined, poolSize);
  const cleanups: (() => Promise<unknown>)[] = [() => pool.end()];
  try {
    await runMigrations(pool);
    // The first app serves the setup (its gateway tokenizes and saves the cards) and the CSRF
    // tokens, which are bound to the session cookie, not to the process.
    const setupApp = await startApp(connectionString, pool, 0);
    cleanups.push(setupApp.close);
    const { context } = setupApp;
    const profileId = (
      await pool.query<{ id: string }>(
        `SELECT id FROM access_profiles WHERE name = 'Billing Admin'`,
      )
    ).rows[0]!.id;
    // The installation's first service category (the migrations create the default ones).
    const category = (
      await pool.query<{ id: string }>(
        `SELECT id FROM service_categories WHERE archived_at IS NULL ORDER BY position LIMIT 1`,
      )
    ).rows[0]!;
    const issueDate = await businessToday(pool);
    const cardAuthorization = (await authorizationTexts(createDb(pool))).card;

    // One invoice per measured load: a baseline and a pay route at 0 ms per round, then one
    // load per other latency.
    const targetCount = 2 * (rounds + 1) + latencies.length - 1;
    step(
      `Creating ${organizationCount} organizations, each with ${targetCount} open invoices, a saved card and a portal session`,
    );
    const started = performance.now();
    const payers: Payer[] = [];
    await eachLimited(
      Array.from({ length: organizationCount }, (_, index) => index),
      8,
      async (index) => {
        const payer = await createPayer({
          context,
          index,
          serviceCategoryId: category.id,
          profileId,
          issueDate,
          cardAuthorization,
          invoicesPerPayer: targetCount,
        });
        payers.push(await withCsrf(setupApp.url, payer));
      },
    );
    payers.sort((a, b) => a.index - b.index);
    const setupSeconds = (performance.now() - started) / 1000;
    step(`Setup took ${setupSeconds.toFixed(1)} s`);
    await pool.query('VACUUM ANALYZE');

    const plan = (baseUrl: string, target: number): LoadPlan => {
      const requests = payers.map((payer) => payRequest(payer, target));
      return {
        baseUrl,
        connections,
        maxSeconds: maxSecondsPerTarget,
        warmup: requests.slice(0, warmupCount),
        requests: requests.slice(warmupCount),
      };
    };

    const targets: PaymentTarget[] = [];
    const basePool = createPool(connectionString, undefined, poolSize);
    cleanups.push(() => basePool.end());
    const baseline = await startBaseline(basePool);
    cleanups.push(() => baseline.close());
    let invoiceSlot = 0;
    for (let round = 0; round <= rounds; round++) {
      const suffix = round === 0 ? ', warm-up' : `, round ${round}`;
      step(
        `Load: baseline (the same state transitions in plain SQL), ${connections} connections${suffix}`,
      );
      targets.push(
        await measure(`baseline (SQL)${suffix}`, plan(baseline.url, invoiceSlot++), clusterDir),
      );
      step(`Load: the pay route, SANDBOX_LATENCY_MS=0, ${connections} connections${suffix}`);
      targets.push(
        await measure(
          `pay route, sandbox 0 ms${suffix}`,
          plan(setupApp.url, invoiceSlot++),
          clusterDir,
        ),
      );
    }

    for (const latencyMs of latencies.filter((l) => l !== 0)) {
      const app = await startApp(connectionString, pool, latencyMs);
      cleanups.push(app.close);
      step(`Load: the pay route, SANDBOX_LATENCY_MS=${latencyMs}, ${connections} connections`);
      targets.push(
        await measure(
          `pay route, sandbox ${latencyMs} ms`,
          plan(app.url, invoiceSlot++),
          clusterDir,
        ),
      );
    }

    step('Comparing the sandbox ledger with Portico’s payments');
    const ledger = await checkLedger(context);
    return { organizations: organizationCount, setupSeconds, targets, ledger };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('while stopping:', error));
    }
  }
}

/** Prints the report; answers whether the ledger and the payments agree. */
export function printPaymentReport(result: PaymentResult): boolean {
  const perSecond = (o: LoadOutcome) => o.completed / o.seconds;
  const baselines = result.targets.filter((t) => t.name.startsWith('baseline'));
  /** The baseline a load is compared with: the one measured just before it. */
  const baselineBefore = (target: PaymentTarget) =>
    baselines.filter((b) => result.targets.indexOf(b) < result.targets.indexOf(target)).at(-1) ??
    baselines[0]!;
  /** Total CPU a payment cost (this process's and PostgreSQL's); null without PostgreSQL's. */
  const totalCpu = (t: PaymentTarget) =>
    t.postgresCpuMsPerPayment === null ? null : t.cpuMsPerPayment + t.postgresCpuMsPerPayment;
  /** The baseline's CPU per payment as a share of this target's: the rate it would keep on a machine doing nothing else. */
  const cpuShare = (t: PaymentTarget) => {
    const own = totalCpu(t);
    const base = totalCpu(baselineBefore(t));
    return own === null || base === null || own === 0 ? null : base / own;
  };
  console.log(
    `\nPayments (${connections} connections; each request pays one open invoice of another ` +
      `organization with its own portal session; ${result.organizations} organizations, ` +
      `${warmupCount} payments of warm-up per target)\n`,
  );
  const header = [
    'target',
    'payments',
    'payments/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'of baseline',
    'SQL/payment',
    'CPU ms/payment',
    'PG CPU ms/payment',
    'CPU of baseline',
  ];
  const rows = result.targets.map((t) => {
    const o = t.outcome;
    const failed = o.sent - o.completed;
    return [
      t.name,
      String(o.completed),
      perSecond(o).toFixed(0),
      o.p50.toFixed(1),
      o.p99.toFixed(1),
      String(failed),
      baselines.includes(t)
        ? ''
        : `${((perSecond(o) / perSecond(baselineBefore(t).outcome)) * 100).toFixed(0)} %`,
      t.queriesPerPayment.toFixed(1),
      t.cpuMsPerPayment.toFixed(1),
      t.postgresCpuMsPerPayment?.toFixed(1) ?? '',
      baselines.includes(t) || cpuShare(t) === null ? '' : `${(cpuShare(t)! * 100).toFixed(0)} %`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    `(SQL/payment: statements this process sent per payment, the job queue's polling included; ` +
      `CPU ms/payment: this process's CPU per payment, PostgreSQL's not included; PG CPU ms/payment: ` +
      `the bench's PostgreSQL's; CPU of baseline: the baseline's CPU per payment, both together, ` +
      `as a share of this target's)`,
  );

  const ratios = result.targets
    .filter((t) => t.name.startsWith('pay route, sandbox 0 ms') && !t.name.endsWith('warm-up'))
    .map((t) => perSecond(t.outcome) / perSecond(baselineBefore(t).outcome))
    .sort((a, b) => a - b);
  if (ratios.length > 0) {
    const median = ratios[Math.floor(ratios.length / 2)]!;
    const spread = ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ');
    console.log(
      `\nAim: the pay route at 0 ms keeps at least 50 % of the SQL baseline: ` +
        `${(median * 100).toFixed(0)} % (median of ${ratios.length} rounds: ${spread}) ` +
        `${median >= 0.5 ? 'met' : 'NOT MET'}`,
    );
    const shares = result.targets
      .filter((t) => t.name.startsWith('pay route, sandbox 0 ms') && !t.name.endsWith('warm-up'))
      .map(cpuShare)
      .filter((share): share is number => share !== null)
      .sort((a, b) => a - b);
    if (shares.length > 0) {
      console.log(
        `By CPU per payment (this process's and PostgreSQL's, which neighbours on a shared ` +
          `machine distort far less than the rates): the baseline costs ` +
          `${(shares[Math.floor(shares.length / 2)]! * 100).toFixed(0)} % of the pay route ` +
          `(median; rounds: ${shares.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')})`,
      );
    }
  }
  const slow = result.targets.find((t) => t.name.endsWith(' 300 ms'));
  if (slow) {
    console.log(
      `At 300 ms per processor call, ${connections} connections can pay at most about ` +
        `${(connections / 0.3).toFixed(0)} per second (Little's law): ` +
        `${perSecond(slow.outcome).toFixed(0)} per second measured.`,
    );
  }

  const l = result.ledger;
  const agree =
    l.keysChargedTwice === 0 &&
    l.chargesWithoutPayment === 0 &&
    l.paymentsWithoutCharge === 0 &&
    l.charges === l.payments &&
    l.chargedCents === l.paidCents &&
    l.invoicesOff === 0;
  console.log(
    `\nLedger check: the sandbox holds ${l.charges} charges (${l.chargedCents} cents succeeded), ` +
      `Portico ${l.payments} sandbox payments (${l.paidCents} cents succeeded); ` +
      `${l.keysChargedTwice} keys charged twice, ${l.chargesWithoutPayment} charges without a payment, ` +
      `${l.paymentsWithoutCharge} payments without a charge, ${l.unresolved} payments not succeeded, ` +
      `${l.invoicesOff} invoices whose paid amount differs from their payments: ` +
      (agree ? 'they agree, zero double charges' : '!!! THEY DISAGREE !!!'),
  );
  for (const t of result.targets) {
    const o = t.outcome;
    if (o.sent - o.completed === 0) continue;
    console.log(
      `\n  !!! WARNING: ${t.name}: ${o.sent - o.completed} requests did not succeed ` +
        `(${JSON.stringify(o.statuses)}, ${o.errors} connection errors). First answers: ` +
        `${JSON.stringify(o.samples)} !!!`,
    );
  }
  return agree;
}
