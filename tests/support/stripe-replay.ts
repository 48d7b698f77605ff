import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * Stripe's API, replayed: the real `stripe` client runs with an HTTP client whose fetch answers
 * recorded responses (tests/fixtures/stripe/*.json, written from Stripe's documented objects)
 * after checking that each request is the one expected, in order: method, path, the form
 * parameters named and the Idempotency-Key header. Nothing is mocked but the network.
 */

export interface ExpectedRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path, with its query string for a GET (checked by the parameters below). */
  path: string;
  /** Form (POST) or query (GET) parameters the request must carry, in Stripe's bracket form. */
  params?: Record<string, string>;
  /** Parameters the request must not carry. */
  absent?: string[];
  /** The Idempotency-Key header the request must carry. */
  idempotencyKey?: string;
  /**
   * What Stripe answers: a fixture's name (with `replace`: each key's text in it replaced by
   * its value, for ids only known at run time), or the connection failing.
   */
  answer:
    | { status: number; fixture: string; replace?: Record<string, string> }
    | { connectionError: true };
}

export interface SeenRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  idempotencyKey: string | null;
  stripeVersion: string | null;
}

/** A fixture's parsed JSON. */
export function stripeFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/stripe/${name}`, import.meta.url), 'utf8');
}

/** A replaying Stripe HTTP client and what it saw. Throws on any unexpected request. */
export function stripeReplay(expected: ExpectedRequest[]) {
  const queue = [...expected];
  const seen: SeenRequest[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : '';
    const params = new URLSearchParams(method === 'GET' ? url.search : body);
    const request: SeenRequest = {
      method,
      path: url.pathname,
      params,
      idempotencyKey: headers.get('idempotency-key'),
      stripeVersion: headers.get('stripe-version'),
    };
    seen.push(request);
    const next = queue.shift();
    if (!next) throw new Error(`Unexpected Stripe request ${method} ${url.pathname}`);
    const problems: string[] = [];
    if (next.method !== method || next.path !== url.pathname) {
      problems.push(`expected ${next.method} ${next.path}, got ${method} ${url.pathname}`);
    }
    for (const [name, value] of Object.entries(next.params ?? {})) {
      if (params.get(name) !== value) {
        problems.push(`${name}: expected ${value}, got ${params.get(name)}`);
      }
    }
    for (const name of next.absent ?? []) {
      if (params.has(name)) problems.push(`${name} should not be sent`);
    }
    if (next.idempotencyKey !== undefined && request.idempotencyKey !== next.idempotencyKey) {
      problems.push(
        `Idempotency-Key: expected ${next.idempotencyKey}, got ${request.idempotencyKey}`,
      );
    }
    if (!headers.get('authorization')?.startsWith('Bearer sk_test_')) {
      problems.push('no secret key in Authorization');
    }
    if (problems.length > 0) {
      // Stripe's client would read a thrown error as a lost connection: keep the reason.
      mismatches.push(`${method} ${url.pathname}: ${problems.join('; ')}`);
    }
    if ('connectionError' in next.answer) throw new TypeError('fetch failed');
    let text = fixtureText(next.answer.fixture);
    for (const [from, to] of Object.entries(next.answer.replace ?? {})) {
      text = text.replaceAll(from, to);
    }
    return new Response(text, {
      status: next.answer.status,
      headers: {
        'content-type': 'application/json',
        'request-id': `req_replay${seen.length}`,
        ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
      },
    });
  };
  const mismatches: string[] = [];
  return {
    fetchFn,
    httpClient: Stripe.createFetchHttpClient(fetchFn as typeof fetch),
    /** Adds requests expected after those already listed. */
    expectNext: (...more: ExpectedRequest[]) => queue.push(...more),
    /** Forgets what was expected and went wrong so far (one test's failure stays its own). */
    reset: () => {
      queue.length = 0;
      mismatches.length = 0;
    },
    seen,
    /** Requests that differed from what was expected (empty when all matched). */
    mismatches,
    /** Expected requests that were never made. */
    remaining: () => queue.length,
  };
}

/**
 * The same replay behind a real HTTP server on loopback, for a whole Portico started with
 * PAYMENT_GATEWAY=stripe and STRIPE_API_URL=url: Stripe's client talks to it over the network
 * as it would to api.stripe.com. A connection error is a socket closed without an answer.
 */
export async function stripeReplayServer(expected: ExpectedRequest[] = []) {
  const replay = stripeReplay(expected);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      replay
        .fetchFn(`http://127.0.0.1${request.url ?? '/'}`, {
          method: request.method ?? 'GET',
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        })
        .then(async (answer) => {
          response.writeHead(answer.status, Object.fromEntries(answer.headers));
          response.end(await answer.text());
        })
        .catch(() => request.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...replay,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
