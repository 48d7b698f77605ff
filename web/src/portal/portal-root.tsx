import { useEffect, useMemo } from 'react';
import { Center, MantineProvider } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, Outlet, useLocation } from 'react-router';
import { PageError, PageLoader } from '../components/page-state';
import {
  setPortalPasswordChangeHandler,
  setPortalUnauthenticatedHandler,
} from './api/portal-client';
import { portalKeys, signedOut, usePortalSession, type PortalSession } from './api/portal-session';
import { changePasswordPath } from './portal-nav';
import { portalTheme } from './portal-theme';

/**
 * Every /portal page sits under this: the portal's own session (never the staff one), the
 * MSP's branding as the theme, and what to do when the server says the session ended.
 */
export function PortalRoot() {
  const queryClient = useQueryClient();
  const session = usePortalSession();
  const brandColor = session.data?.branding.brandColor;
  const theme = useMemo(() => portalTheme(brandColor), [brandColor]);

  useEffect(() => {
    const update = (change: (old: PortalSession) => PortalSession) =>
      queryClient.setQueryData<PortalSession>(portalKeys.session, (old) =>
        old ? change(old) : old,
      );
    // Any 401 means the portal session ended: forget the contact, and the guard signs in.
    setPortalUnauthenticatedHandler(() => {
      queryClient.removeQueries({ queryKey: portalKeys.dataAll });
      update(signedOut);
    });
    // A temporary password is in force: the guard sends the contact to Change Password.
    setPortalPasswordChangeHandler(() =>
      update((old) =>
        old.contact && !old.contact.mustChangePassword
          ? { ...old, contact: { ...old.contact, mustChangePassword: true } }
          : old,
      ),
    );
    return () => {
      setPortalUnauthenticatedHandler(null);
      setPortalPasswordChangeHandler(null);
    };
  }, [queryClient]);

  return (
    // A provider of its own, so the portal's CSS variables (the MSP's colour) apply while it
    // is shown; it inherits the console theme's fonts, radius and input defaults.
    <MantineProvider theme={theme} defaultColorScheme="light">
      {session.isPending ? (
        <Center mih="100vh">
          <PageLoader />
        </Center>
      ) : session.isError ? (
        <Center mih="100vh" p="md">
          <PageError error={session.error} onRetry={() => void session.refetch()} />
        </Center>
      ) : (
        <Outlet />
      )}
    </MantineProvider>
  );
}

/** Sends signed-out visitors to sign in, and a contact with a temporary password to change it. */
export function RequirePortalAuth() {
  const { data: session } = usePortalSession();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;

  if (!session?.contact) {
    // After "Sign out" the next person starts at home, not on the last page shown.
    if (session?.signedOut) return <Navigate to="/portal/sign-in" replace />;
    return <Navigate to={`/portal/sign-in?next=${encodeURIComponent(here)}`} replace />;
  }
  // Staff viewing as the contact cannot change the password, so they are not sent there.
  if (
    session.contact.mustChangePassword &&
    !session.viewer &&
    location.pathname !== changePasswordPath
  ) {
    const next = location.pathname === '/portal' ? '' : `?next=${encodeURIComponent(here)}`;
    return <Navigate to={`${changePasswordPath}${next}`} replace />;
  }
  return <Outlet />;
}
