/**
 * The one fetch wrapper for the Portico API: same-origin JSON, cookies, the CSRF header on
 * every state-changing call, and errors turned into ApiError with the server's fields.
 */

import type { ErrorBody, ErrorCode } from '../../../src/shared/contract/common';

/** What went wrong: an error code the server answers with, or `network` when none arrived. */
export type ApiErrorCode = ErrorCode | 'network';

/** A bad field of a 400 and why, as the server's error body names it. */
export type FieldError = ErrorBody['error']['fields'][number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON, or a FormData sent as multipart/form-data (file uploads). */
  body?: unknown;
  query?: Query;
  /** Sign-in answers 401 for a wrong password; that is not an ended session. */
  ignoreUnauthenticated?: boolean;
  /** Extra request headers (a payment's Idempotency-Key). */
  headers?: Record<string, string>;
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function isErrorBody(
  value: unknown,
): value is { error: { code: ApiErrorCode; message: string; fields?: FieldError[] } } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'message' in error;
}

/**
 * A client with its own CSRF token and "session ended" handler. The staff console and the
 * client portal each have one, so the two never share session state, even in one tab.
 */
export function createApiClient() {
  let csrfToken: string | null = null;
  let onUnauthenticated: (() => void) | null = null;
  let onError: ((error: ApiError) => void) | null = null;

  async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
    if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
    // A file upload goes as multipart/form-data, whose boundary the browser writes into the
    // content type itself; it carries the CSRF header like every other change.
    const isForm = typeof FormData !== 'undefined' && options.body instanceof FormData;
    // The server rejects an empty body declared as JSON, so the header goes only with a body.
    if (options.body !== undefined && !isForm) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(withQuery(path, options.query), {
        method,
        headers,
        credentials: 'same-origin',
        body: isForm
          ? (options.body as FormData)
          : options.body === undefined
            ? undefined
            : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
    }

    // An answer that starts or ends the session (sign-in, sign-out) hands out the token for
    // the session that follows: a token works only with the session it was given to.
    const freshToken = response.headers.get('x-csrf-token');
    if (freshToken) csrfToken = freshToken;

    if (response.status === 204) return undefined as T;
    const data: unknown = await response.json().catch(() => null);
    if (response.ok) return data as T;

    if (response.status === 401 && !options.ignoreUnauthenticated) onUnauthenticated?.();
    const error = isErrorBody(data)
      ? new ApiError(response.status, data.error.code, data.error.message, data.error.fields ?? [])
      : new ApiError(response.status, 'internal', `The server answered ${response.status}.`);
    onError?.(error);
    throw error;
  }

  return {
    request,
    /** The session query keeps the token here, so every change can send it. */
    setCsrfToken: (token: string | null) => {
      csrfToken = token;
    },
    /** What to do when the session has ended (go to the sign-in page). */
    setUnauthenticatedHandler: (handler: (() => void) | null) => {
      onUnauthenticated = handler;
    },
    /** Sees every error answer before it is thrown. */
    setErrorObserver: (observer: ((error: ApiError) => void) | null) => {
      onError = observer;
    },
  };
}

const staffClient = createApiClient();

/** The staff console's client. */
export const api = staffClient.request;
export const setCsrfToken = staffClient.setCsrfToken;
export const setUnauthenticatedHandler = staffClient.setUnauthenticatedHandler;
