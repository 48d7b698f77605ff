import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  accessProfileBody as accessProfileBodySchema,
  accessProfileChangesRequest,
  accessProfileList,
  newAccessProfileRequest,
  PortalPermission,
} from '../../../../src/shared/contract/access-profiles';

export type { PortalPermission } from '../../../../src/shared/contract/access-profiles';

/** Configuration > Client Users: the profiles, every permission, and the Revoke Access count. */
export type AccessProfileList = Answer<typeof accessProfileList>;
/** A profile as listed, with how many contact relations use it. */
export type AccessProfile = AccessProfileList['accessProfiles'][number];

/** The profile form: a name and the permissions it grants. */
export type AccessProfileInput = z.input<typeof newAccessProfileRequest>;

/** A profile as saved (the create and edit answers). */
type SavedAccessProfile = Answer<typeof accessProfileBodySchema>;

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
      api<{ accessProfile: SavedAccessProfile }>('/api/access-profiles', {
        method: 'POST',
        body: input,
      }),
    onSuccess: invalidate,
  });
}

export function useUpdateAccessProfile() {
  const invalidate = useInvalidateAfter();
  return useMutation({
    mutationFn: ({
      id,
      ...changes
    }: z.input<typeof accessProfileChangesRequest> & { id: string }) =>
      api<{ accessProfile: SavedAccessProfile }>(`/api/access-profiles/${id}`, {
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
