import { useState, type ReactNode } from 'react';
import { setUnauthenticatedHandler } from '../api/client';
import { sessionQueryKey, type Session } from '../features/auth/session';
import { BaseProviders, createBaseQueryClient } from './base-providers';

function createQueryClient() {
  const queryClient = createBaseQueryClient();
  // Any 401 means the session ended: forget the user, and RequireAuth redirects to sign in.
  setUnauthenticatedHandler(() => {
    queryClient.setQueryData<Session>(sessionQueryKey, (old) =>
      old ? { ...old, user: null } : old,
    );
  });
  return queryClient;
}

/** The staff console's providers: the shared ones, and the staff session's 401 handling. */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return <BaseProviders queryClient={queryClient}>{children}</BaseProviders>;
}
