import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { fetchSession, sessionQueryKey, type SessionUser } from './session';

export interface SignInInput {
  email: string;
  password: string;
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SignInInput) =>
      api<{ user: SessionUser }>('/api/auth/sign-in', {
        method: 'POST',
        body: input,
        ignoreUnauthenticated: true,
      }),
    onSuccess: async () => {
      // Drop anything cached for a previous user, then take the new session and its token.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
      await queryClient.fetchQuery({ queryKey: sessionQueryKey, queryFn: fetchSession });
    },
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ signedOut: true }>('/api/auth/sign-out', { method: 'POST' }),
    onSettled: async () => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
      await queryClient.fetchQuery({ queryKey: sessionQueryKey, queryFn: fetchSession });
    },
  });
}
