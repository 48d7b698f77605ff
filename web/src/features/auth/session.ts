import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  sessionUser,
  staffSessionBody,
  StaffCapability,
} from '../../../../src/shared/contract/staff';
import { setDateDisplay } from '../../lib/format';
import { localPath } from '../../lib/local-path';

export type { StaffCapability, StaffRole } from '../../../../src/shared/contract/staff';

/** The signed-in staff user, with what their role lets them do. */
export type SessionUser = Answer<typeof sessionUser>;

/**
 * The staff session: the user (null when signed out), which second step is due after a right
 * password (`totpRequired`, `totpEnrollmentRequired`), the CSRF token, and how dates are
 * written with today's business date (the MSP's, never the browser's).
 */
export type Session = Answer<typeof staffSessionBody>;

export { staffRoleLabels as roleLabels } from '../../../../src/shared/contract/staff';

export const sessionQueryKey = ['session'] as const;

export async function fetchSession(): Promise<Session> {
  const session = await api<Session>('/api/auth/session');
  setCsrfToken(session.csrfToken);
  // Before any page renders with it: every date on screen is written the MSP's way.
  setDateDisplay(session.dates);
  return session;
}

export function useSession() {
  return useQuery({ queryKey: sessionQueryKey, queryFn: fetchSession, staleTime: Infinity });
}

/** Whether the signed-in staff user may do something; false while signed out. */
export function useCan(capability: StaffCapability): boolean {
  const { data } = useSession();
  return data?.user?.capabilities.includes(capability) ?? false;
}

/** Only same-site paths, so a crafted ?next= cannot send the user elsewhere after sign-in. */
export function safeNextPath(next: string | null): string {
  return localPath(next, { within: '/', fallback: '/organizations', refused: ['/sign-in'] });
}
