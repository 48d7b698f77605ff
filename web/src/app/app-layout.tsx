import { AppShell, Badge, Burger, Button, Group, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBuilding,
  IconFileInvoice,
  IconLogout,
  IconSettings,
  IconUserCircle,
} from '@tabler/icons-react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { notifyError } from '../api/errors';
import { roleLabels, useCan, useSession } from '../features/auth/session';
import { useSignOut } from '../features/auth/use-sign-in';

export function AppLayout() {
  const [navbarOpened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const user = useSession().data?.user;
  const canManageStaff = useCan('manage_staff');
  const canManageSettings = useCan('manage_settings');
  const signOut = useSignOut();

  const isActive = (prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'md', collapsed: { mobile: !navbarOpened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navbarOpened}
              onClick={toggle}
              hiddenFrom="md"
              size="sm"
              aria-label={navbarOpened ? 'Close navigation' : 'Open navigation'}
            />
            <Text
              component={Link}
              to="/organizations"
              fw={700}
              size="xl"
              c="blue.8"
              style={{ textDecoration: 'none' }}
            >
              Portico
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {user && (
              <Group gap={6} wrap="nowrap" visibleFrom="xs">
                <Text size="sm" fw={500}>
                  {user.name}
                </Text>
                <Badge variant="light" color="gray">
                  {roleLabels[user.role]}
                </Badge>
              </Group>
            )}
            <Button
              variant="default"
              size="sm"
              leftSection={<IconLogout size={16} />}
              loading={signOut.isPending}
              onClick={() =>
                signOut.mutate(undefined, {
                  onSuccess: () => navigate('/sign-in', { replace: true }),
                  onError: (error) => notifyError(error, 'Could not sign out'),
                })
              }
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <NavLink
          component={Link}
          to="/organizations"
          label="Organizations"
          leftSection={<IconBuilding size={18} />}
          active={isActive('/organizations')}
          onClick={close}
        />
        <NavLink
          component={Link}
          to="/invoices"
          label="Invoices"
          leftSection={<IconFileInvoice size={18} />}
          active={isActive('/invoices')}
          onClick={close}
        />
        <NavLink
          label="Configuration"
          leftSection={<IconSettings size={18} />}
          defaultOpened
          childrenOffset={28}
        >
          <NavLink
            component={Link}
            to="/configuration/client-users"
            label="Client Users"
            active={isActive('/configuration/client-users')}
            onClick={close}
          />
          {canManageStaff && (
            <NavLink
              component={Link}
              to="/configuration/staff-users"
              label="Staff Users"
              active={isActive('/configuration/staff-users')}
              onClick={close}
            />
          )}
          <NavLink
            component={Link}
            to="/configuration/email-templates"
            label="Email Templates"
            active={isActive('/configuration/email-templates')}
            onClick={close}
          />
          <NavLink
            component={Link}
            to="/configuration/branding"
            label="Branding"
            active={isActive('/configuration/branding')}
            onClick={close}
          />
          <NavLink
            component={Link}
            to="/configuration/billing"
            label="Billing"
            active={isActive('/configuration/billing')}
            onClick={close}
          />
          <NavLink
            component={Link}
            to="/configuration/local-mailbox"
            label="Local Mailbox"
            active={isActive('/configuration/local-mailbox')}
            onClick={close}
          />
          {canManageSettings && (
            <NavLink
              component={Link}
              to="/configuration/security"
              label="Security"
              active={isActive('/configuration/security')}
              onClick={close}
            />
          )}
        </NavLink>
        <NavLink
          label="My Account"
          leftSection={<IconUserCircle size={18} />}
          defaultOpened
          childrenOffset={28}
        >
          <NavLink
            component={Link}
            to="/account/two-factor"
            label="Two-factor sign-in"
            active={isActive('/account/two-factor')}
            onClick={close}
          />
        </NavLink>
      </AppShell.Navbar>

      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
