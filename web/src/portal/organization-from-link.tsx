import { useEffect, useRef, type ReactNode } from 'react';
import { Button, Stack, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { portalOrganizationParam } from '../../../src/shared/portal-link-params';
import { PageError, PageLoader } from '../components/page-state';
import { ApiError } from './api/portal-client';
import { usePortalBranding, usePortalSession, useSwitchOrganization } from './api/portal-session';
import { usePortalTitle } from './use-portal-title';

/**
 * A page opened from a link about one organization (`?org=<id>`, as emails build them): the
 * portal acts for that organization before the page shows, whichever one the contact last
 * used, through the company switch (which checks access on the server), then drops the
 * parameter from the address bar. Until the switch is done nothing of the other organization
 * shows; a link for an organization the contact cannot open says so. Decision 21.
 */
export function OrganizationFromLink({ children }: { children: ReactNode }) {
  const session = usePortalSession().data;
  const [params, setParams] = useSearchParams();
  const switchOrganization = useSwitchOrganization();
  // The switch asked for, so a re-render (or React's double effects) does not ask again.
  const asked = useRef<string | null>(null);

  const wanted = params.get(portalOrganizationParam);
  const current = session?.current?.organizationId ?? null;
  const granted = Boolean(wanted && session?.organizations.some((o) => o.id === wanted));

  useEffect(() => {
    if (!wanted || !granted) return;
    if (wanted === current) {
      // Acting for it: a reload or a bookmark now follows the company switch like any page.
      setParams(
        (old) => {
          const next = new URLSearchParams(old);
          next.delete(portalOrganizationParam);
          return next;
        },
        { replace: true },
      );
      return;
    }
    if (asked.current === wanted) return;
    asked.current = wanted;
    switchOrganization.mutate(wanted);
  }, [wanted, granted, current, setParams, switchOrganization]);

  if (!wanted || wanted === current) return children;
  // The server answers 404 for an organization the contact lost access to since the session
  // was read: the same as one never granted.
  const notFound =
    switchOrganization.error instanceof ApiError && switchOrganization.error.status === 404;
  if (!granted || notFound) return <NoAccessToOrganization />;
  if (switchOrganization.isError) {
    return (
      <PageError
        error={switchOrganization.error}
        title="Could not switch company"
        onRetry={() => {
          asked.current = null;
          switchOrganization.reset();
        }}
      />
    );
  }
  return <PageLoader label="Switching company…" />;
}

/** A link for an organization the contact has no portal access to: said, never another's page. */
function NoAccessToOrganization() {
  usePortalTitle('No access to this company');
  const { mspName } = usePortalBranding();
  return (
    <Stack align="flex-start" py="xl">
      <Title order={1}>No access to this company</Title>
      <Text c="dimmed">
        The link you followed is for a company your portal sign-in does not give access to. Ask{' '}
        {mspName} for access if you need it.
      </Text>
      <Button component={Link} to="/portal" variant="light">
        Go to the portal home
      </Button>
    </Stack>
  );
}
