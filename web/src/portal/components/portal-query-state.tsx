import type { ReactNode } from 'react';
import { Alert, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { UseQueryResult } from '@tanstack/react-query';
import { PageError, PageLoader } from '../../components/page-state';
import { isAccessDenied, isPasswordChangeRequired } from '../api/portal-client';
import { usePortalBranding, usePortalSession } from '../api/portal-session';

/** What a contact reads when their access level leaves a page out (e.g. a typed address). */
export function NoAccess() {
  const { mspName } = usePortalBranding();
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} />} my="md">
      <Text size="sm">
        Your access level does not include this page. Ask {mspName} if you need it.
      </Text>
    </Alert>
  );
}

/** Staff viewing as a contact who has a temporary password see why the page stays empty. */
function PasswordChangePending() {
  const session = usePortalSession().data;
  const name = session?.contact?.name ?? 'This contact';
  return (
    <Alert color="yellow" variant="light" my="md">
      <Text size="sm">
        {session?.viewer
          ? `${name} has a temporary password: the portal shows this page once they choose a new one.`
          : 'Choose a new password to continue.'}
      </Text>
    </Alert>
  );
}

/**
 * Loading, "no access", errors, then the data: every feature page shows its route's answer
 * the same way. A 403 is said as an access level, never as an empty list.
 */
export function PortalQueryState<T>({
  query,
  loadingLabel,
  children,
}: {
  query: UseQueryResult<T>;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <PageLoader label={loadingLabel} />;
  if (query.isError) {
    if (isAccessDenied(query.error)) return <NoAccess />;
    if (isPasswordChangeRequired(query.error)) return <PasswordChangePending />;
    return <PageError error={query.error} onRetry={() => void query.refetch()} />;
  }
  return children(query.data);
}

/** An honest empty list: says what is not there, in a sentence. */
export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" py="md">
      {children}
    </Text>
  );
}
