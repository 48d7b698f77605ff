import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

// With the u flag, a surrogate class matches only a surrogate without its partner: a pair is
// one code point (an emoji, say) and does not match.
const loneSurrogate = /[\ud800-\udfff]/u;

export const illFormedTextMessage =
  'contains a character that is not valid text (a lone UTF-16 surrogate)';

/**
 * The path (dot-separated, array indexes as numbers, as validation errors name fields) of the
 * first string or object key in a parsed JSON value that holds a lone UTF-16 surrogate, or
 * null when there is none. JSON may carry one as a "\ud800" escape; UTF-8, PostgreSQL text and
 * jsonb cannot hold it.
 */
export function findIllFormedText(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return loneSurrogate.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findIllFormedText(item, [...path, String(index)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (loneSurrogate.test(key)) return [...path, key];
      const found = findIllFormedText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * A preValidation hook for every route: refuses a body, query string or path parameter holding
 * a lone surrogate with 400 naming the field, before the route's schema or use case sees it.
 * One place for every route, so a new route cannot forget it (a single text field that lets one
 * through would fail later, on the insert or on the audit row's JSON, as a 500).
 */
export async function refuseIllFormedText(request: FastifyRequest): Promise<void> {
  const parts: [value: unknown, whole: string][] = [
    [request.body, 'body'],
    [request.query, 'query'],
    [request.params, 'params'],
  ];
  for (const [value, whole] of parts) {
    const path = findIllFormedText(value);
    if (path) throw AppError.validation(path.join('.') || whole, illFormedTextMessage);
  }
}
