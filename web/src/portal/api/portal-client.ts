/**
 * The portal's client: the same wrapper as the staff console's, with its own CSRF token and
 * its own "session ended" handler, so the client portal and the staff console never share
 * session state, even in one browser tab.
 */
import { ApiError, createApiClient } from '../../api/client';

export { ApiError };

const portalClient = createApiClient();

export const setPortalCsrfToken = portalClient.setCsrfToken;
export const setPortalUnauthenticatedHandler = portalClient.setUnauthenticatedHandler;

/** What to do when a portal route says a temporary password must be changed first. */
export function setPortalPasswordChangeHandler(handler: (() => void) | null) {
  portalClient.setErrorObserver(
    handler && ((error) => (isPasswordChangeRequired(error) ? handler() : undefined)),
  );
}

interface PortalRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Query parameters; empty ones are left out (a list's first page has no cursor). */
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Sign-in answers 401 for a wrong password; that is not an ended session. */
  ignoreUnauthenticated?: boolean;
  /** Extra request headers (a payment's Idempotency-Key). */
  headers?: Record<string, string>;
}

export function portalApi<T>(path: string, options: PortalRequestOptions = {}): Promise<T> {
  return portalClient.request<T>(path, options);
}

const passwordChangeRequiredCode = 'password_change_required';

export function isPasswordChangeRequired(error: unknown): boolean {
  return (
    error instanceof ApiError && error.status === 403 && error.code === passwordChangeRequiredCode
  );
}

/** A 403 that means "your access level does not include this", not "change your password". */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && !isPasswordChangeRequired(error);
}
