import type { ReactNode } from 'react';
import { Center } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { PageError, PageLoader } from '../components/page-state';
import { useCan, useSession, type StaffCapability } from '../features/auth/session';
import { NotFoundPage } from './not-found-page';

/** Sends signed-out visitors to /sign-in, remembering where they were going. */
export function RequireAuth() {
  const session = useSession();
  const location = useLocation();

  if (session.isPending) {
    return (
      <Center mih="100vh">
        <PageLoader />
      </Center>
    );
  }
  if (session.isError) {
    return <PageError error={session.error} onRetry={() => void session.refetch()} />;
  }
  if (!session.data.user) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

export function RequireCapability({
  capability,
  children,
}: {
  capability: StaffCapability;
  children: ReactNode;
}) {
  const allowed = useCan(capability);
  if (!allowed) {
    return (
      <NotFoundPage
        title="Not available"
        message="Your role does not give access to this page. A Master Admin can change your role."
      />
    );
  }
  return children;
}
