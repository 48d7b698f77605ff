import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken } from '../../api/client';
import type { DateFormat } from '../../../../src/shared/dates';
import { setDateDisplay } from '../../lib/format';
import { localPath } from '../../lib/local-path';

export type StaffRole = 'master_admin' | 'billing' | 'read_only';
export type StaffCapability =
  'read' | 'manage_clients' | 'manage_settings' | 'manage_staff' | 'read_local_mailbox';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  capabilities: StaffCapability[];
}

export interface Session {
  user: SessionUser | null;
  /** The password was right; the TOTP code is still due (the sign-in page asks for it). */
  totpRequired?: boolean;
  /** The password was right; TOTP must be set up before the sign-in counts. */
  totpEnrollmentRequired?: boolean;
  csrfToken: string;
  /** How dates are written, and today's business date: the MSP's, never the browser's. */
  dates: { dateFormat: DateFormat; timeZone: string; today: string };
}

export const roleLabels: Record<StaffRole, string> = {
  master_admin: 'Master Admin',
  billing: 'Billing',
  read_only: 'Read Only',
};

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
