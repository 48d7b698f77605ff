import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { fetchSession, sessionQueryKey, type SessionUser } from './session';

export interface SignInInput {
  email: string;
  password: string;
}

/** What the password step answers: the user, or which second step is due. */
export type SignInAnswer =
  { user: SessionUser } | { totpRequired: true } | { totpEnrollmentRequired: true };

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
    mutationFn: () => api<{ signedOut: true }>('/api/auth/sign-out', { method: 'POST' }),
    onSettled: async () => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
      await refetchSession(queryClient);
    },
  });
}
