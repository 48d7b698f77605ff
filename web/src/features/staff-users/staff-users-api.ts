import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { StaffRole } from '../auth/session';

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  disabledAt: string | null;
  createdAt: string;
  /** Two-factor sign-in (TOTP) is on. */
  totpEnabled: boolean;
}

export interface NewStaffUser {
  email: string;
  name: string;
  role: StaffRole;
  password: string;
}

export const minimumPasswordLength = 12;

const staffUserKeys = { all: ['staff-users'] as const };

export function useStaffUsers() {
  return useQuery({
    queryKey: staffUserKeys.all,
    queryFn: () => api<{ staffUsers: StaffUser[] }>('/api/staff-users'),
    select: (data) => data.staffUsers,
  });
}

export function useCreateStaffUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewStaffUser) =>
      api<{ staffUser: StaffUser }>('/api/staff-users', { method: 'POST', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: staffUserKeys.all }),
  });
}

export function useUpdateStaffUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      ...changes
    }: {
      id: string;
      name?: string;
      role?: StaffRole;
      disabled?: boolean;
    }) =>
      api<{ staffUser: StaffUser }>(`/api/staff-users/${id}`, { method: 'PATCH', body: changes }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: staffUserKeys.all }),
  });
}

/** A Master Admin turns a staff user's TOTP off (a lost phone); their sessions end. */
export function useResetStaffTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<{ staffUser: StaffUser }>(`/api/staff-users/${id}/reset-totp`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: staffUserKeys.all }),
  });
}
