import PgBoss from 'pg-boss';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { buildApp, type App } from '../../src/app.js';
import type { AppContext } from '../../src/platform/context.js';
import { seedDemoData, demoStaff } from '../../src/modules/demo/demo-data.js';
import { registerQueues } from '../../src/platform/jobs.js';
import { emailJobs } from '../../src/modules/email/email.jobs.js';
import { statementJobs } from '../../src/modules/statements/statements.jobs.js';
import { createMailTransport } from '../../src/modules/email/mail-transport.js';
import { portalJobs } from '../../src/modules/portal/password-reset-request.js';
import { paymentEmailJobs } from '../../src/modules/payments/payment-receipts.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import type { StaffRole } from '../../src/shared/contract/staff.js';

export interface TestApp {
  app: App;
  context: AppContext;
  database: TestDatabase;
  close: () => Promise<void>;
}

/**
 * The whole web application on a database of its own, with the demo data seeded. With
 * `supervise`, the job queue also runs its maintenance every second (expiring the jobs of
 * workers that died), as a production process does on its own schedule.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { supervise?: boolean } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config: Config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const logger = createLogger('silent');
  const jobs = new PgBoss({
    connectionString: database.connectionString,
    schema: 'pgboss',
    supervise: options.supervise ?? false,
    ...(options.supervise ? { maintenanceIntervalSeconds: 1, monitorStateIntervalSeconds: 1 } : {}),
    schedule: false,
    max: 2,
  });
  // Dropping the database at the end ends the queue's connections; that is not a failure.
  jobs.on('error', () => undefined);
  await jobs.start();
  const context: AppContext = { config, pool: database.pool, jobs, logger };
  // Queues exist (as after npm start) so actions can enqueue; workers are started by the tests
  // that need them (see mail-workers.ts).
  await registerQueues(jobs, [
    ...emailJobs({ ...context, transport: createMailTransport(config, 1) }),
    ...statementJobs(context),
    ...portalJobs(context),
    ...paymentEmailJobs(context),
  ]);
  await seedDemoData({ pool: database.pool, logger });
  const app = await buildApp(context);
  await app.ready();
  return {
    app,
    context,
    database,
    close: async () => {
      await app.close();
      await jobs.stop({ graceful: false, wait: true });
      await database.drop();
    },
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type SessionKind = 'staff' | 'portal';
const sessionKindOf = (url: string): SessionKind =>
  url.startsWith('/api/portal/') ? 'portal' : 'staff';

/**
 * A browser-like API client: keeps cookies and sends the CSRF token on every change. Like the
 * web app (one client for the console, one for the portal), it keeps a token per session: the
 * staff one for staff routes, the portal one for /api/portal/ routes, since a token works only
 * with the session it was given to. It takes the fresh token an answer hands out in
 * X-CSRF-Token when the answer starts or ends that session.
 */
export class ApiClient {
  private cookies = new Map<string, string>();
  private csrfTokens = new Map<SessionKind, string>();

  constructor(
    private readonly app: App,
    /** Where refreshCsrf() takes the token from: the staff session, or the portal's. */
    private readonly sessionUrl = '/api/auth/session',
  ) {}

  async request(
    method: Method,
    url: string,
    body?: unknown,
    /** More request headers (an Idempotency-Key). */
    extraHeaders: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const kind = sessionKindOf(url);
    if (!this.csrfTokens.has(kind) && method !== 'GET') await this.refreshCsrf(kind);
    const response = await this.app.inject({
      method,
      url,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrfTokens.get(kind) ?? '' }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extraHeaders,
      },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.maxAge !== undefined && cookie.maxAge <= 0)) {
        this.cookies.delete(cookie.name);
      } else {
        this.cookies.set(cookie.name, cookie.value);
      }
    }
    const fresh = response.headers['x-csrf-token'];
    if (typeof fresh === 'string') this.csrfTokens.set(kind, fresh);
    return response;
  }

  /** The Cookie header this client sends, for a request made without its CSRF token. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', url, body ?? {}, headers);
  put = (url: string, body?: unknown) => this.request('PUT', url, body ?? {});
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body ?? {});
  delete = (url: string) => this.request('DELETE', url);

  async refreshCsrf(kind: SessionKind = sessionKindOf(this.sessionUrl)): Promise<void> {
    const url = kind === 'portal' ? '/api/portal/session' : '/api/auth/session';
    const response = await this.request('GET', url);
    this.csrfTokens.set(kind, response.json<{ csrfToken: string }>().csrfToken);
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    return this.post('/api/auth/sign-in', { email, password });
  }
}

/** The demo data has one staff user of each role. */
export type DemoRole = StaffRole;

/** An API client signed in as the demo staff user of the given role. */
export async function signedInAs(app: App, role: DemoRole): Promise<ApiClient> {
  const user = demoStaff.find((s) => s.role === role)!;
  const client = new ApiClient(app);
  const response = await client.signIn(user.email, user.password);
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  return client;
}

/** Looks up a demo organization's id by exact name. */
export async function organizationId(testApp: TestApp, name: string): Promise<string> {
  const result = await testApp.database.pool.query('SELECT id FROM organizations WHERE name = $1', [
    name,
  ]);
  return result.rows[0].id;
}

export async function contactId(testApp: TestApp, email: string): Promise<string> {
  const result = await testApp.database.pool.query('SELECT id FROM contacts WHERE email = $1', [
    email,
  ]);
  return result.rows[0].id;
}
