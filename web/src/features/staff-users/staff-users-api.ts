import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { z } from 'zod';
import type { Answer } from '../../../../src/shared/contract/common';
import { minimumPasswordLength } from '../../../../src/shared/contract/fields';
import type {
  createdStaffUserBody,
  newStaffUserRequest,
  staffUserBody,
  staffUserChangesRequest,
  staffUserListBody,
  staffUserRecord,
} from '../../../../src/shared/contract/staff';

/** A staff user as listed (never the password hash or the TOTP secret). */
export type StaffUser = Answer<typeof staffUserRecord>;

/** The New Staff User form. */
export type NewStaffUser = z.input<typeof newStaffUserRequest>;

/** Changes to a staff user: only the fields given change. */
type StaffUserChanges = z.input<typeof staffUserChangesRequest>;

export { minimumPasswordLength };

const staffUserKeys = { all: ['staff-users'] as const };

export function useStaffUsers() {
  return useQuery({
    queryKey: staffUserKeys.all,
    queryFn: () => api<Answer<typeof staffUserListBody>>('/api/staff-users'),
    select: (data) => data.staffUsers,
  });
}

export function useCreateStaffUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewStaffUser) =>
      api<Answer<typeof createdStaffUserBody>>('/api/staff-users', { method: 'POST', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: staffUserKeys.all }),
  });
}

export function useUpdateStaffUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: StaffUserChanges & { id: string }) =>
      api<Answer<typeof staffUserBody>>(`/api/staff-users/${id}`, {
        method: 'PATCH',
        body: changes,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: staffUserKeys.all }),
  });
}

/** A Master Admin turns a staff user's TOTP off (a lost phone); their sessions end. */
export function useResetStaffTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<Answer<typeof staffUserBody>>(`/api/staff-users/${id}/reset-totp`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: staffUserKeys.all }),
  });
}
