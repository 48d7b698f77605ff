import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type FastifyPluginAsyncZod,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AppError, type FieldError } from '../errors.js';
import type { AppContext } from '../context.js';
import { loggerOptions } from '../logger.js';
import { projectRoot } from '../project-root.js';
import { refuseIllFormedText } from './well-formed-text.js';
import { routeAccessOf, type RouteAccess } from './route-access.js';
import { registerOpenApi } from './openapi.js';
import { errorResponses } from './responses.js';
import {
  cookieSetByReply,
  csrfHmacKey,
  csrfUserInfo,
  requestUserInfo,
  type SessionCookieOf,
} from './session-csrf.js';

const webRoot = path.join(projectRoot, 'web', 'dist');
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What the composition root (src/app.ts) plugs into the web application: the platform knows
 * no module, so the sessions, their cookies and the routes come from there.
 */
export interface AppWiring {
  /** The session cookie a route's requests act for: CSRF tokens are bound to it. */
  sessionCookieOf: SessionCookieOf;
  /** onRequest hooks that resolve the sessions, run in order before the CSRF check. */
  sessionHooks: ((request: FastifyRequest) => Promise<void>)[];
  /** The modules' routes, registered in order after the error handler. */
  routes: FastifyPluginAsyncZod[];
  /** Lets a test read the log lines the application writes. */
  logStream?: NodeJS.WritableStream;
  /**
   * Origins the pages may load scripts and frames from and connect to, beyond their own: a
   * payment processor's browser library (Stripe.js and its Payment Element iframe).
   */
  externalOrigins?: { script?: string[]; frame?: string[]; connect?: string[] };
}

/**
 * The web application without Portico's own logic: plugins, security headers, CSRF, error
 * mapping, the health check and the built web app, with the sessions and routes `wiring` gives.
 */
export async function buildHttpApp(context: AppContext, wiring: AppWiring) {
  const { sessionCookieOf, logStream } = wiring;
  const app = Fastify({
    logger: {
      ...loggerOptions(context.config.LOG_LEVEL),
      ...(logStream ? { stream: logStream } : {}),
    },
    trustProxy: context.config.TRUST_PROXY,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Every route as registered, so tests can cover each one (a new route is covered at once).
  const routeTable: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routeTable.push({
        method,
        url: route.url,
        schema: route.schema ?? {},
        // Read when asked: a plugin's own onRoute hook, which runs after this one, may declare
        // its routes public (openapi.ts).
        get access() {
          return routeAccessOf(route);
        },
      });
    }
  });
  app.decorate('routeTable', routeTable);

  // Helmet's middleware is built once here: the Fastify plugin built it again for every
  // request, parsing the CSP directives each time, a cost every answer paid.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // The MSP's logo may live on its own site (branding settings), shown in email previews.
        imgSrc: ["'self'", 'data:', 'https:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'", ...(wiring.externalOrigins?.script ?? [])],
        frameSrc: ["'self'", ...(wiring.externalOrigins?.frame ?? [])],
        connectSrc: ["'self'", ...(wiring.externalOrigins?.connect ?? [])],
        // Plain HTTP on a LAN address must keep working; HTTPS is the proxy's business.
        upgradeInsecureRequests: null,
      },
    },
    // Sent below, and only over HTTPS: over plain HTTP it would pin browsers to an HTTPS this
    // installation may not serve (a LAN address).
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    // Helmet 8 sets its headers synchronously and throws instead of passing an error on.
    securityHeaders(request.raw, reply.raw, () => done());
  });
  await app.register(cookie);
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'portico_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' },
    // Each token is bound to the session cookie of the route it is sent to (session-csrf.ts).
    getUserInfo: (request) => requestUserInfo(request, sessionCookieOf),
    csrfOpts: { hmacKey: csrfHmacKey },
    getToken: (request) => {
      const header = request.headers['x-csrf-token'];
      return typeof header === 'string' ? header : undefined;
    },
  });
  await app.register(rateLimit, { global: false });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // request.protocol is https for a TLS socket, or (with TRUST_PROXY) per X-Forwarded-Proto.
    if (request.protocol === 'https') {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    done();
  });
  // API answers carry one person's data (or say who is signed in): no cache keeps a copy.
  // Answers that say how to cache themselves (the web app's files, documents) keep theirs.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  for (const hook of wiring.sessionHooks) app.addHook('onRequest', hook);
  // Every state-changing call carries the CSRF token, sign-in included. Decided on the route
  // the request reached, so no spelling of its URL (percent-encoded, absolute-form) skips it;
  // a request that reaches no route changes nothing and gets its 404.
  app.addHook('onRequest', (request, reply, done) => {
    if (safeMethods.has(request.method) || request.routeOptions.url === undefined) return done();
    // A public route that acts for no cookie session (a processor's webhook, proved by its
    // signature; the sandbox processor's tokenization, which reads no cookie and answers only
    // its caller): a CSRF token would protect nothing there.
    const { access, csrf } = request.routeOptions.config;
    if (access === 'public' && csrf === false) return done();
    app.csrfProtection(request, reply, done);
  });
  /** A CSRF token for this request's session, for the session answers to hand out. */
  app.decorateReply('csrfToken', function (this: FastifyReply) {
    return this.generateCsrf({ userInfo: requestUserInfo(this.request, sessionCookieOf) });
  });
  // An answer that starts or ends the route's session (sign-in, sign-out) also carries a token
  // for the session that follows, in X-CSRF-Token, so the browser's next change is accepted.
  app.addHook('onSend', (request, reply, payload, done) => {
    const name = sessionCookieOf(request.routeOptions.url);
    const value = cookieSetByReply(reply, name);
    if (value !== undefined && request.cookies.portico_csrf) {
      reply.header(
        'x-csrf-token',
        reply.generateCsrf({ userInfo: csrfUserInfo(name, value || undefined) }),
      );
    }
    done(null, payload);
  });

  // Before any route's schema: text UTF-8 cannot carry is refused here, once, for every route.
  app.addHook('preValidation', refuseIllFormedText);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send(errorBody(error.code, error.message, error.fields));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields: FieldError[] = error.validation.map((issue) => ({
        field:
          issue.instancePath.replace(/^\//, '').replaceAll('/', '.') ||
          error.validationContext ||
          'request',
        message: issue.message ?? 'is invalid',
      }));
      const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      return reply.status(400).send(errorBody('validation', `Invalid request. ${summary}`, fields));
    }
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return reply
        .status(403)
        .send(
          errorBody('forbidden', 'Missing or invalid CSRF token. Reload the page and try again.'),
        );
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply
        .status(429)
        .send(errorBody('rate_limited', 'Too many attempts. Wait a few minutes and try again.'));
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody('validation', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send(errorBody('internal', `Something went wrong. Reference: ${request.id}`));
  });

  // Before the routes: the OpenAPI document is collected from each route as it is added.
  await registerOpenApi(app);
  for (const routes of wiring.routes) await app.register(routes);

  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: { response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } },
    },
    async () => {
      await context.pool.query('SELECT 1');
      return { ok: true as const };
    },
  );

  if (existsSync(webRoot)) {
    // wildcard: files are looked up per request, so a rebuilt console is served without a restart.
    await app.register(fastifyStatic, { root: webRoot, wildcard: true });
  }
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.method !== 'GET' || !existsSync(webRoot)) {
      return reply
        .status(404)
        .send(
          errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
        );
    }
    // Client-side routes: the single-page app decides what to show. The portal is a page of
    // its own (web/portal/index.html), so a client downloads the portal and never the console.
    const pathname = request.url.split('?')[0]!;
    const portal = pathname === '/portal' || pathname.startsWith('/portal/');
    return reply.sendFile(portal ? 'portal/index.html' : 'index.html');
  });

  return app;
}

export type App = Awaited<ReturnType<typeof buildHttpApp>>;

/** A route as Fastify registered it: method, URL pattern (`:id` placeholders) and schemas. */
export interface RegisteredRoute {
  method: string;
  url: string;
  schema: { body?: unknown; querystring?: unknown; params?: unknown };
  /** Who may call it (route-access.ts); null: the route declares no policy. */
  access: RouteAccess | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * false: no CSRF check, for a public route that acts for no session cookie (the Stripe
     * webhook, whose requests carry a signature; the sandbox processor's tokenization).
     * Ignored on any other route.
     */
    csrf?: false;
  }
  interface FastifyReply {
    /** A CSRF token bound to the session of the route this reply answers. */
    csrfToken(): string;
  }
  interface FastifyInstance {
    /** Every registered route, in registration order. */
    routeTable: readonly RegisteredRoute[];
  }
}

function errorBody(code: string, message: string, fields: FieldError[] = []) {
  return { error: { code, message, fields } };
}
