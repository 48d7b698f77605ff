import { useState, type ReactNode } from 'react';
import {
  MantineProvider,
  PasswordInput,
  Select,
  TextInput,
  Textarea,
  createTheme,
} from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError, setUnauthenticatedHandler } from '../api/client';
import { sessionQueryKey, type Session } from '../features/auth/session';

const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  // System fonts only: the Content-Security-Policy allows no external font hosts.
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  // Inputs keep `required` (announced as required) but show no " *" after the label, so a
  // field's label is exactly its words: "Email", not "Email *", for people and for tests.
  components: {
    TextInput: TextInput.extend({ defaultProps: { withAsterisk: false } }),
    Textarea: Textarea.extend({ defaultProps: { withAsterisk: false } }),
    Select: Select.extend({ defaultProps: { withAsterisk: false } }),
    DateInput: DateInput.extend({ defaultProps: { withAsterisk: false } }),
    PasswordInput: PasswordInput.extend({
      defaultProps: {
        withAsterisk: false,
        // Mantine names the eye button "Toggle password visibility"; a name without the word
        // "password" keeps the field itself the only match for the label "Password".
        visibilityToggleButtonProps: { 'aria-label': 'Show or hide the characters' },
      },
    }),
  },
});

function createQueryClient() {
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not fix itself on retry; a dropped connection might.
        retry: (count, error) =>
          count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
    },
  });
  // Any 401 means the session ended: forget the user, and RequireAuth redirects to sign in.
  setUnauthenticatedHandler(() => {
    queryClient.setQueryData<Session>(sessionQueryKey, (old) =>
      old ? { ...old, user: null } : old,
    );
  });
  return queryClient;
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <Notifications position="top-right" autoClose={5000} />
        <ModalsProvider labels={{ confirm: 'Confirm', cancel: 'Cancel' }}>
          {children}
        </ModalsProvider>
      </MantineProvider>
    </QueryClientProvider>
  );
}
