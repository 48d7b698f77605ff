import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * CSRF tokens bound to the session they were given to. `@fastify/csrf-protection` keeps its
 * secret in a cookie of its own; with `userInfo`, each token also carries a keyed hash of the
 * session cookie the request's route acts for, so a token (and a secret planted next to it)
 * from one session does not work with another session's cookie. See docs/decisions/0018.
 */

/** The name of the session cookie a matched route acts for (the portal's, or the staff one). */
export type SessionCookieOf = (routeUrl: string | undefined) => string;

/**
 * The HMAC key the token's session part is hashed with. It need not be secret: what a forger
 * lacks is the victim's session cookie (HttpOnly, 256 random bits), not this key; and a fixed
 * key keeps tokens valid across several web processes and restarts.
 */
export const csrfHmacKey = 'portico:csrf:session-binding:v1';

/** What the token is bound to: the route's session cookie and its value ('' without one). */
export function csrfUserInfo(cookieName: string, value: string | undefined): string {
  return `${cookieName}=${value ?? ''}`;
}

/** The session part for a request, by the route it reached (never by how its URL is spelled). */
export function requestUserInfo(request: FastifyRequest, sessionCookieOf: SessionCookieOf) {
  const name = sessionCookieOf(request.routeOptions.url);
  return csrfUserInfo(name, request.cookies[name]);
}

/**
 * The value this reply gives the named cookie: the new value, '' when it clears it, or
 * undefined when it leaves it alone. Read from the Set-Cookie header @fastify/cookie wrote.
 */
export function cookieSetByReply(reply: FastifyReply, name: string): string | undefined {
  const header = reply.getHeader('set-cookie');
  const lines = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  let value: string | undefined;
  for (const line of lines) {
    const pair = line.split(';', 1)[0] ?? '';
    const equals = pair.indexOf('=');
    if (equals > 0 && pair.slice(0, equals).trim() === name) {
      const raw = pair.slice(equals + 1).trim();
      const cleared = /;\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(line);
      value = cleared ? '' : decodeURIComponent(raw);
    }
  }
  return value;
}
