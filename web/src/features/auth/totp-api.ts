import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  disableTotpRequest,
  signedInBody,
  totpCodeRequest,
  totpDisabledBody,
  totpEnrollmentBody,
  totpStatusBody,
} from '../../../../src/shared/contract/staff';
import { sessionQueryKey } from './session';
import { refetchSession } from './use-sign-in';

/** A new TOTP secret, not in force until a code from it is confirmed. */
export type TotpEnrollment = Answer<typeof totpEnrollmentBody>;

/** Whether TOTP is on; `required`: the Security settings require it of all staff. */
export type TotpStatus = Answer<typeof totpStatusBody>['totp'];

export const totpStatusQueryKey = ['auth', 'totp'] as const;

/** Six digits, whatever spaces the app shows them with: the server's own rule. */
export { normalizeTotpCode, totpCodePattern } from '../../../../src/shared/contract/staff';

/** How a TOTP code is sent (the sign-in step and the enrolment confirmation). */
type TotpCodeRequest = z.input<typeof totpCodeRequest>;

export function useTotpStatus() {
  return useQuery({
    queryKey: totpStatusQueryKey,
    queryFn: () => api<Answer<typeof totpStatusBody>>('/api/auth/totp'),
    select: (data) => data.totp,
  });
}

/** The second sign-in step: the code of a session whose password was right. */
export function useVerifyTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) =>
      api<Answer<typeof signedInBody>>('/api/auth/sign-in/totp', {
        method: 'POST',
        body: { code } satisfies TotpCodeRequest,
        // A wrong code answers 401; that is not an ended session.
        ignoreUnauthenticated: true,
      }),
    onSuccess: async () => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
      await refetchSession(queryClient);
    },
    // A pending session that waited too long has ended: the page goes back to the password.
    onError: () => refetchSession(queryClient),
  });
}

export function useStartTotpEnrollment() {
  return useMutation({
    mutationFn: () => api<TotpEnrollment>('/api/auth/totp/enroll', { method: 'POST' }),
  });
}

/** Turns TOTP on; for a sign-in that had to set it up first, this completes the sign-in. */
export function useConfirmTotpEnrollment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) =>
      api<Answer<typeof signedInBody>>('/api/auth/totp/confirm', {
        method: 'POST',
        body: { code } satisfies TotpCodeRequest,
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: totpStatusQueryKey });
      await queryClient.invalidateQueries({ queryKey: ['staff-users'] });
      await refetchSession(queryClient);
    },
  });
}

export function useDisableTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (proof: z.input<typeof disableTotpRequest>) =>
      api<Answer<typeof totpDisabledBody>>('/api/auth/totp', { method: 'DELETE', body: proof }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: totpStatusQueryKey });
      await queryClient.invalidateQueries({ queryKey: ['staff-users'] });
    },
  });
}
