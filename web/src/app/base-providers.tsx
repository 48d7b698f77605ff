import type { ReactNode } from 'react';
import {
  Drawer,
  MantineProvider,
  Modal,
  PasswordInput,
  Select,
  TextInput,
  Textarea,
  createTheme,
} from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from '../api/client';

/**
 * What the console and the portal share: Mantine with one theme, notifications, modals and a
 * TanStack Query client. Each page (web/index.html, web/portal/index.html) is its own bundle
 * and wraps its router in these; what only one of them needs stays in its own entry.
 */
export const baseTheme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  // People who ask their system for less motion get menus, modals and cards without
  // transitions; the browser tests ask for it too, so no click lands on a moving target.
  respectReducedMotion: true,
  // System fonts only: the Content-Security-Policy allows no external font hosts.
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  // Inputs keep `required` (announced as required) but show no " *" after the label, so a
  // field's label is exactly its words: "Email", not "Email *", for people and for tests.
  components: {
    // Mantine's close button (an X) has no name of its own: a screen reader would read
    // "button". Every dialog and drawer names it.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    TextInput: TextInput.extend({ defaultProps: { withAsterisk: false } }),
    Textarea: Textarea.extend({ defaultProps: { withAsterisk: false } }),
    Select: Select.extend({ defaultProps: { withAsterisk: false } }),
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

/** A query client with the app's defaults: 30 s fresh, retries only what may fix itself. */
export function createBaseQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not fix itself on retry; a dropped connection might.
        retry: (count, error) =>
          count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
    },
  });
}

export function BaseProviders({
  queryClient,
  children,
}: {
  queryClient: QueryClient;
  children: ReactNode;
}) {
  return (
    <QueryClientProvider client={queryClient}>
      <MantineProvider theme={baseTheme} defaultColorScheme="light">
        <Notifications position="top-right" autoClose={5000} />
        <ModalsProvider labels={{ confirm: 'Confirm', cancel: 'Cancel' }}>
          {children}
        </ModalsProvider>
      </MantineProvider>
    </QueryClientProvider>
  );
}
