import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { z } from 'zod';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  signedOutBody,
  signInBody,
  signInRequest,
} from '../../../../src/shared/contract/staff';
import { fetchSession, sessionQueryKey } from './session';

/** The password step's form: an email and a password. */
export type SignInInput = z.input<typeof signInRequest>;

/** What the password step answers: the user, or which second step is due. */
export type SignInAnswer = Answer<typeof signInBody>;

/** Always asks the server: the cached session is exactly what just became out of date. */
export function refetchSession(queryClient: QueryClient) {
  return queryClient.fetchQuery({ queryKey: sessionQueryKey, queryFn: fetchSession, staleTime: 0 });
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SignInInput) =>
      api<SignInAnswer>('/api/auth/sign-in', {
        method: 'POST',
        body: input,
        ignoreUnauthenticated: true,
      }),
    onSuccess: async () => {
      // Drop anything cached for a previous user, then take the new session and its token.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
      await refetchSession(queryClient);
    },
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<Answer<typeof signedOutBody>>('/api/auth/sign-out', { method: 'POST' }),
    onSettled: async () => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
      await refetchSession(queryClient);
    },
  });
}
