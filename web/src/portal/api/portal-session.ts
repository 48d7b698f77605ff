import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  changePasswordBody,
  newPasswordBody,
  organizationIdBody,
  passwordResetRequestBody,
  passwordSetBody,
  portalSignInBody,
  portalSessionBody,
  portalSessionWithToken,
} from '../../../../src/shared/contract/portal';
import { setDateDisplay } from '../../lib/format';
import { localPath } from '../../lib/local-path';
import { portalApi, setPortalCsrfToken } from './portal-client';

export type { PortalPermission } from '../../../../src/shared/contract/access-profiles';

/** GET /api/portal/session, as the server declares it, and what the portal adds to it. */
export type PortalSession = Answer<typeof portalSessionWithToken> & {
  /** Client-side only: the contact signed out here, rather than the session ending. */
  signedOut?: boolean;
};
export type PortalBranding = PortalSession['branding'];
export type PortalContact = NonNullable<PortalSession['contact']>;
export type PortalOrganization = PortalSession['organizations'][number];
export type PortalCurrent = NonNullable<PortalSession['current']>;

/** Sign-in and switch-organization answer the session without its token. */
type SessionBody = Answer<typeof portalSessionBody> & { csrfToken?: string };

/** Everything the portal caches lives under 'portal', apart from the staff console's keys. */
export const portalKeys = {
  all: ['portal'] as const,
  session: ['portal', 'session'] as const,
  /** Feature data, per organization: switching companies never shows the other's rows. */
  data: (organizationId: string, name: string) => ['portal', 'data', organizationId, name] as const,
  dataAll: ['portal', 'data'] as const,
};

export async function fetchPortalSession(): Promise<PortalSession> {
  const session = await portalApi<PortalSession>('/api/portal/session');
  setPortalCsrfToken(session.csrfToken);
  setDateDisplay(session.dates);
  return session;
}

export function usePortalSession() {
  return useQuery({
    queryKey: portalKeys.session,
    queryFn: fetchPortalSession,
    staleTime: Infinity,
  });
}

/** The session's branding, with the names people read when the settings leave them blank. */
export function usePortalBranding(): PortalBranding {
  const branding = usePortalSession().data?.branding;
  return {
    mspName: branding?.mspName || 'your service provider',
    logoUrl: branding?.logoUrl ?? '',
    brandColor: branding?.brandColor ?? '',
    supportEmail: branding?.supportEmail ?? '',
    supportPhone: branding?.supportPhone ?? '',
  };
}

/** Always asks the server: the cached session is exactly what just became out of date. */
function refetchPortalSession(queryClient: QueryClient) {
  return queryClient.fetchQuery({
    queryKey: portalKeys.session,
    queryFn: fetchPortalSession,
    staleTime: 0,
  });
}

/** Takes a session body the server answered with, keeping the token it did not repeat. */
function storeSessionBody(queryClient: QueryClient, body: SessionBody) {
  setDateDisplay(body.dates);
  queryClient.setQueryData<PortalSession>(portalKeys.session, (old) => ({
    ...body,
    csrfToken: body.csrfToken ?? old?.csrfToken ?? '',
  }));
  if (body.csrfToken) setPortalCsrfToken(body.csrfToken);
}

export type PortalSignInInput = z.input<typeof portalSignInBody>;

export function usePortalSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: PortalSignInInput) =>
      portalApi<SessionBody>('/api/portal/sign-in', {
        method: 'POST',
        body: input,
        ignoreUnauthenticated: true,
      }),
    onSuccess: async (body) => {
      // Nothing cached for a previous contact may show for this one.
      queryClient.removeQueries({ queryKey: portalKeys.dataAll });
      storeSessionBody(queryClient, body);
      // A fresh session may come with a fresh CSRF token: take it from the server.
      await refetchPortalSession(queryClient).catch(() => undefined);
    },
  });
}

export function usePortalSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => portalApi<unknown>('/api/portal/sign-out', { method: 'POST' }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: portalKeys.dataAll });
      // Signed out on purpose: the guard goes to sign-in without a page to come back to.
      // The sign-out answer carried the token for the signed-out browser (the client took it).
      queryClient.setQueryData<PortalSession>(portalKeys.session, (old) =>
        old ? { ...signedOut(old), signedOut: true } : old,
      );
    },
  });
}

/** The session with the contact gone, the branding and token kept. */
export function signedOut(session: PortalSession): PortalSession {
  return { ...session, contact: null, organizations: [], current: null, viewer: null };
}

export function useSwitchOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (organizationId: string) =>
      portalApi<SessionBody>('/api/portal/switch-organization', {
        method: 'POST',
        body: { organizationId } satisfies z.input<typeof organizationIdBody>,
      }),
    onSuccess: async (body) => {
      storeSessionBody(queryClient, body);
      // Everything shown belongs to the company that was current: fetch it all again.
      await queryClient.invalidateQueries({ queryKey: portalKeys.all });
    },
  });
}

export type NewPasswordInput = z.input<typeof newPasswordBody>;

/** Set a first password (Welcome email link) or a new one (reset email link). */
export function useSetPasswordWithToken(kind: 'set' | 'reset') {
  return useMutation({
    mutationFn: (input: NewPasswordInput) =>
      portalApi<Answer<typeof passwordSetBody>>(
        kind === 'set' ? '/api/portal/set-password' : '/api/portal/reset-password',
        { method: 'POST', body: input, ignoreUnauthenticated: true },
      ),
  });
}

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (email: string) =>
      portalApi<unknown>('/api/portal/request-password-reset', {
        method: 'POST',
        body: { email } satisfies z.input<typeof passwordResetRequestBody>,
        ignoreUnauthenticated: true,
      }),
  });
}

export type ChangePasswordInput = z.input<typeof changePasswordBody>;

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ChangePasswordInput) =>
      portalApi<unknown>('/api/portal/change-password', { method: 'POST', body: input }),
    // The session no longer owes a password change; ask the server rather than assume.
    onSuccess: () => refetchPortalSession(queryClient).catch(() => undefined),
  });
}

/** Only portal paths, so a crafted ?next= cannot send the contact elsewhere after sign-in. */
export function safePortalNext(next: string | null): string {
  return localPath(next, { within: '/portal', fallback: '/portal', refused: ['/portal/sign-in'] });
}
