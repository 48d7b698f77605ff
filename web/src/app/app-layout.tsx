import { AppShell, Badge, Burger, Button, Group, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import {
  IconBuilding,
  IconCalendarDollar,
  IconFileInvoice,
  IconLifebuoy,
  IconLogout,
  IconReceipt,
  IconRepeat,
  IconSettings,
  IconUserCircle,
} from '@tabler/icons-react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { notifyError } from '../api/errors';
import { roleLabels, useCan, useSession, type StaffCapability } from '../features/auth/session';
import { useSignOut } from '../features/auth/use-sign-in';

/** The Configuration pages, in menu order; some only for a role with the capability. */
const configurationPages: {
  to: string;
  label: string;
  capability?: StaffCapability;
}[] = [
  { to: '/configuration/client-users', label: 'Client Users' },
  { to: '/configuration/staff-users', label: 'Staff Users', capability: 'manage_staff' },
  { to: '/configuration/email-templates', label: 'Email Templates' },
  { to: '/configuration/branding', label: 'Branding' },
  { to: '/configuration/billing', label: 'Billing' },
  { to: '/configuration/service-tickets', label: 'Service Tickets' },
  // It stands in for the clients' inboxes, working links included.
  { to: '/configuration/local-mailbox', label: 'Local Mailbox', capability: 'read_local_mailbox' },
  { to: '/configuration/security', label: 'Security', capability: 'manage_settings' },
];

export function AppLayout() {
  const [navbarOpened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const session = useSession().data;
  const user = session?.user;
  const canManageStaff = useCan('manage_staff');
  const canManageSettings = useCan('manage_settings');
  const signOut = useSignOut();

  const canReadLocalMailbox = useCan('read_local_mailbox');
  // The capabilities a Configuration page may need (a missing one reads as not granted).
  const can: Partial<Record<StaffCapability, boolean>> = {
    manage_staff: canManageStaff,
    manage_settings: canManageSettings,
    read_local_mailbox: canReadLocalMailbox,
  };
  const isActive = (prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

  // A plain function, not a component defined here: that would remount the links on every render.
  const pageLink = (to: string, label: string, icon?: ReactNode) => (
    <NavLink
      key={to}
      component={Link}
      to={to}
      label={label}
      leftSection={icon}
      active={isActive(to)}
      onClick={close}
    />
  );

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
        {pageLink('/organizations', 'Organizations', <IconBuilding size={18} />)}
        {pageLink('/invoices', 'Invoices', <IconFileInvoice size={18} />)}
        {pageLink('/transactions', 'Transactions', <IconReceipt size={18} />)}
        {pageLink('/autopay', 'AutoPay Configurations', <IconRepeat size={18} />)}
        {pageLink('/payments-calendar', 'Payments Calendar', <IconCalendarDollar size={18} />)}
        {pageLink('/tickets', 'Tickets', <IconLifebuoy size={18} />)}
        <NavLink
          label="Configuration"
          leftSection={<IconSettings size={18} />}
          defaultOpened
          childrenOffset={28}
        >
          {configurationPages
            .filter((page) => !page.capability || can[page.capability])
            .map((page) => pageLink(page.to, page.label))}
        </NavLink>
        <NavLink
          label="My Account"
          leftSection={<IconUserCircle size={18} />}
          defaultOpened
          childrenOffset={28}
        >
          {pageLink('/account/two-factor', 'Two-factor sign-in')}
        </NavLink>
      </AppShell.Navbar>

      <AppShell.Main>
        {/* A new date format or time zone redraws the page, so every date on it follows. */}
        <Outlet key={`${session?.dates?.dateFormat}|${session?.dates?.timeZone}`} />
      </AppShell.Main>
    </AppShell>
  );
}
