import { AppShell, Box, Burger, Button, Group, NavLink, Select, Stack, Text } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { IconBuildingSkyscraper, IconLogout } from '@tabler/icons-react';
import { Link, Outlet, useLocation } from 'react-router';
import { notifyError } from '../api/errors';
import {
  usePortalBranding,
  usePortalSession,
  usePortalSignOut,
  useSwitchOrganization,
} from './api/portal-session';
import { BrandMark } from './components/brand-mark';
import { SupportFooter } from './components/support-footer';
import { OrganizationFromLink } from './organization-from-link';
import { allowedNav, changePasswordPath, portalNav } from './portal-nav';

/** The signed-in portal: the MSP's header, the menus this contact may use, and support. */
export function PortalLayout() {
  const [navbarOpened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();
  const session = usePortalSession().data;
  const { mspName } = usePortalBranding();
  const signOut = usePortalSignOut();
  const switchOrganization = useSwitchOrganization();

  const contact = session?.contact;
  const current = session?.current;
  const viewer = session?.viewer ?? null;
  const organizations = session?.organizations ?? [];
  // Until a temporary password is replaced, Change Password is the only place to go.
  const mustChangePassword = Boolean(contact?.mustChangePassword) && !viewer;
  const nav = mustChangePassword
    ? portalNav.filter((group) => group.label === 'My Account')
    : allowedNav(current?.permissions ?? []);

  const isActive = (path: string) => pathname === path || pathname.startsWith(`${path}/`);

  // On success the guard sees the contact gone and shows sign-in.
  const onSignOut = () =>
    signOut.mutate(undefined, { onError: (error) => notifyError(error, 'Could not sign out') });

  const onSwitch = (organizationId: string | null) => {
    if (!organizationId || organizationId === current?.organizationId) return;
    switchOrganization.mutate(organizationId, {
      onError: (error) => notifyError(error, 'Could not switch company'),
    });
  };

  // The banner takes two lines on a phone.
  const narrow = useMediaQuery('(max-width: 47.99em)');
  const bannerHeight = viewer ? (narrow ? 60 : 44) : 0;

  const showCompanySwitch = organizations.length > 1 && !mustChangePassword;
  // One switch only, in the header, or atop the menu on a phone where the header has no room.
  const companySwitch = (
    <Select
      // Named, not labelled on screen: the header has no room for a label above it.
      aria-label="Company"
      leftSection={<IconBuildingSkyscraper size={16} />}
      data={organizations.map((o) => ({ value: o.id, label: o.name }))}
      value={current?.organizationId ?? null}
      onChange={onSwitch}
      allowDeselect={false}
      disabled={switchOrganization.isPending}
      w={narrow ? '100%' : 240}
      size="sm"
    />
  );

  return (
    <AppShell
      header={{ height: 64 + bannerHeight }}
      navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
      padding="lg"
    >
      <AppShell.Header>
        {viewer && contact && (
          <Box
            bg="yellow.2"
            h={bannerHeight}
            px="md"
            style={{ display: 'flex', alignItems: 'center' }}
          >
            <Text size={narrow ? 'xs' : 'sm'} fw={600} c="dark.8" lineClamp={3}>
              {`You are viewing the portal as ${contact.name} (read-only). Staff: ${viewer.staffName}`}
            </Text>
          </Box>
        )}
        <Group h={64} px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger
              opened={navbarOpened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navbarOpened ? 'Close navigation' : 'Open navigation'}
            />
            <Box
              component={Link}
              to="/portal"
              aria-label={`${mspName} home`}
              style={{ textDecoration: 'none', minWidth: 0 }}
            >
              <BrandMark />
            </Box>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {showCompanySwitch && !narrow && companySwitch}
            {contact && (
              <Text size="sm" fw={500} visibleFrom="md">
                {contact.name}
              </Text>
            )}
            <Button
              variant="default"
              size="sm"
              leftSection={<IconLogout size={16} />}
              loading={signOut.isPending}
              onClick={onSignOut}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Portal navigation">
        <Stack gap="md">
          {showCompanySwitch && narrow && companySwitch}
          {nav.map((group) => {
            const headingId = `portal-nav-${group.label.toLowerCase().replace(/\s+/g, '-')}`;
            return (
              <div key={group.label} role="group" aria-labelledby={headingId}>
                <Text id={headingId} size="xs" fw={700} tt="uppercase" c="dimmed" px="sm" pb={4}>
                  {group.label}
                </Text>
                {group.items.map((item) => (
                  <NavLink
                    key={item.path}
                    component={Link}
                    to={item.path}
                    label={item.label}
                    active={isActive(item.path)}
                    aria-current={isActive(item.path) ? 'page' : undefined}
                    onClick={close}
                  />
                ))}
              </div>
            );
          })}
        </Stack>
      </AppShell.Navbar>

      <AppShell.Main>
        <Stack
          mih="calc(100vh - var(--app-shell-header-height, 0px) - 2 * var(--mantine-spacing-lg))"
          justify="space-between"
          gap="xl"
        >
          <Box>
            {current || pathname === changePasswordPath ? (
              <OrganizationFromLink>
                <Outlet />
              </OrganizationFromLink>
            ) : (
              <Text c="dimmed" py="xl">
                You have no company to act for in this portal. Ask {mspName} for access.
              </Text>
            )}
          </Box>
          <SupportFooter />
        </Stack>
      </AppShell.Main>
    </AppShell>
  );
}
