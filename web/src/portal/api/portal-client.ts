/**
 * The portal's own fetch wrapper. It mirrors api/client.ts but keeps its own CSRF token and
 * its own "session ended" handler, so the client portal and the staff console never share
 * session state, even in one browser tab.
 */
import { ApiError, type FieldError } from '../../api/client';

export { ApiError };

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;
let onPasswordChangeRequired: (() => void) | null = null;

/** The portal session query keeps the token here, so every portal POST can send it. */
export function setPortalCsrfToken(token: string | null) {
  csrfToken = token;
}

/** What to do when a portal route answers 401: forget the contact (the guard signs in). */
export function setPortalUnauthenticatedHandler(handler: (() => void) | null) {
  onUnauthenticated = handler;
}

/** What to do when a portal route says a temporary password must be changed first. */
export function setPortalPasswordChangeHandler(handler: (() => void) | null) {
  onPasswordChangeRequired = handler;
}

interface PortalRequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Sign-in answers 401 for a wrong password; that is not an ended session. */
  ignoreUnauthenticated?: boolean;
}

function isErrorBody(
  value: unknown,
): value is { error: { code: string; message: string; fields?: FieldError[] } } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'message' in error;
}

export async function portalApi<T>(path: string, options: PortalRequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  // The server rejects an empty body declared as JSON, so the header goes only with a body.
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
  }

  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (response.ok) return data as T;

  if (response.status === 401 && !options.ignoreUnauthenticated) onUnauthenticated?.();
  if (isErrorBody(data)) {
    if (response.status === 403 && data.error.code === passwordChangeRequiredCode) {
      onPasswordChangeRequired?.();
    }
    throw new ApiError(
      response.status,
      // The portal adds codes of its own (password_change_required) to the shared ones.
      data.error.code as ApiError['code'],
      data.error.message,
      data.error.fields ?? [],
    );
  }
  throw new ApiError(response.status, 'internal', `The server answered ${response.status}.`);
}

const passwordChangeRequiredCode = 'password_change_required';

export function isPasswordChangeRequired(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 403 &&
    (error.code as string) === passwordChangeRequiredCode
  );
}

/** A 403 that means "your access level does not include this", not "change your password". */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && !isPasswordChangeRequired(error);
}
