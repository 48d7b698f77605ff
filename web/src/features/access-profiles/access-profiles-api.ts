import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export type PortalPermission =
  | 'view_invoices'
  | 'pay_invoices'
  | 'view_payment_history'
  | 'manage_payment_methods'
  | 'manage_autopay'
  | 'schedule_payments'
  | 'view_credits'
  | 'service_tickets';

export interface AccessProfile {
  id: string;
  name: string;
  permissions: PortalPermission[];
  contactCount: number;
}

export interface AccessProfileList {
  accessProfiles: AccessProfile[];
  permissions: PortalPermission[];
  /** Contact relations with Revoke Access. */
  revokedCount: number;
}

export interface AccessProfileInput {
  name: string;
  permissions: PortalPermission[];
}

/** The words staff read; the keys are what the API stores. */
export const permissionLabels: Record<PortalPermission, string> = {
  view_invoices: 'View invoices',
  pay_invoices: 'Pay invoices',
  view_payment_history: 'View payment history',
  manage_payment_methods: 'Manage payment methods',
  manage_autopay: 'Manage AutoPay',
  schedule_payments: 'Schedule payments',
  view_credits: 'View credits and unapplied payments',
  service_tickets: 'Service tickets',
};

export const permissionLabel = (permission: string) =>
  permissionLabels[permission as PortalPermission] ?? permission;

/** A relation without a profile: the contact stays, but cannot sign in to the portal. */
export const revokeAccessLabel = 'Revoke Access';

/** Select values are strings, so "no profile" travels through the UI as this value. */
export const revokeAccessValue = 'revoke';

export const toProfileChoice = (accessProfileId: string | null) =>
  accessProfileId ?? revokeAccessValue;
export const fromProfileChoice = (choice: string | null) =>
  !choice || choice === revokeAccessValue ? null : choice;

export const accessProfileKeys = { all: ['access-profiles'] as const };

export function useAccessProfiles() {
  return useQuery({
    queryKey: accessProfileKeys.all,
    queryFn: () => api<AccessProfileList>('/api/access-profiles'),
  });
}

/** Options for a "Profile" select: every profile, then Revoke Access. */
export function useProfileOptions() {
  const profiles = useAccessProfiles();
  const options = [
    ...(profiles.data?.accessProfiles ?? []).map((p) => ({ value: p.id, label: p.name })),
    { value: revokeAccessValue, label: revokeAccessLabel },
  ];
  return { options, isPending: profiles.isPending, error: profiles.error };
}

function useInvalidateAfter() {
  const queryClient = useQueryClient();
  // Profile names and counts show on contact cards and lists too, so refresh those as well.
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: accessProfileKeys.all }),
      queryClient.invalidateQueries({ queryKey: ['organizations'] }),
      queryClient.invalidateQueries({ queryKey: ['contacts'] }),
    ]);
}

export function useCreateAccessProfile() {
  const invalidate = useInvalidateAfter();
  return useMutation({
    mutationFn: (input: AccessProfileInput) =>
      api<{ accessProfile: AccessProfile }>('/api/access-profiles', {
        method: 'POST',
        body: input,
      }),
    onSuccess: invalidate,
  });
}

export function useUpdateAccessProfile() {
  const invalidate = useInvalidateAfter();
  return useMutation({
    mutationFn: ({ id, ...changes }: Partial<AccessProfileInput> & { id: string }) =>
      api<{ accessProfile: AccessProfile }>(`/api/access-profiles/${id}`, {
        method: 'PATCH',
        body: changes,
      }),
    onSuccess: invalidate,
  });
}

export function useDeleteAccessProfile() {
  const invalidate = useInvalidateAfter();
  return useMutation({
    mutationFn: ({ id, reassignTo }: { id: string; reassignTo?: string }) =>
      api<void>(`/api/access-profiles/${id}`, { method: 'DELETE', query: { reassignTo } }),
    onSuccess: invalidate,
  });
}
