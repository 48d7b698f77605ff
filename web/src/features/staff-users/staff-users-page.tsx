import { Badge, Button, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { IconPlus } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { notifyError, notifySuccess } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { formatDate } from '../../lib/format';
import { usePageTitle } from '../../lib/use-page-title';
import { roleLabels, useSession, type StaffRole } from '../auth/session';
import { NewStaffUserModal, roleOptions } from './new-staff-user-modal';
import {
  useResetStaffTotp,
  useStaffUsers,
  useUpdateStaffUser,
  type StaffUser,
} from './staff-users-api';

export function StaffUsersPage() {
  usePageTitle('Staff Users');
  const currentUserId = useSession().data?.user?.id;
  const staffUsers = useStaffUsers();
  const updateStaffUser = useUpdateStaffUser();
  const resetStaffTotp = useResetStaffTotp();
  const [createOpened, createModal] = useDisclosure(false);

  if (staffUsers.isPending) return <PageLoader label="Loading staff users…" />;
  if (staffUsers.isError) {
    return (
      <PageError
        error={staffUsers.error}
        title="Could not load staff users"
        onRetry={() => void staffUsers.refetch()}
      />
    );
  }

  const changeRole = (user: StaffUser, role: StaffRole) =>
    updateStaffUser.mutate(
      { id: user.id, role },
      {
        onSuccess: () => notifySuccess(`${user.name} is now ${roleLabels[role]}`),
        onError: (error) => notifyError(error, 'Role not changed'),
      },
    );

  const confirmDisable = (user: StaffUser) => {
    const disabling = user.disabledAt === null;
    modals.openConfirmModal({
      title: disabling ? `Disable ${user.name}?` : `Enable ${user.name}?`,
      children: (
        <Text size="sm">
          {disabling
            ? `${user.name} is signed out everywhere and can no longer sign in. Their history stays.`
            : `${user.name} can sign in again with their password.`}
        </Text>
      ),
      labels: { confirm: disabling ? 'Disable' : 'Enable', cancel: 'Cancel' },
      confirmProps: { color: disabling ? 'red' : 'blue' },
      onConfirm: () =>
        updateStaffUser.mutate(
          { id: user.id, disabled: disabling },
          {
            onSuccess: () => notifySuccess(`${user.name} ${disabling ? 'disabled' : 'enabled'}`),
            onError: (error) => notifyError(error),
          },
        ),
    });
  };

  const confirmResetTotp = (user: StaffUser) => {
    const yourself = user.id === currentUserId;
    modals.openConfirmModal({
      title: `Reset two-factor sign-in for ${user.name}?`,
      children: (
        <Text size="sm">
          {yourself
            ? 'Your two-factor sign-in is turned off and you are signed out everywhere, this browser included.'
            : `${user.name}’s two-factor sign-in is turned off and they are signed out everywhere.`}{' '}
          If two-factor sign-in is required, they set it up again at their next sign-in.
        </Text>
      ),
      labels: { confirm: 'Reset two-factor', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        resetStaffTotp.mutate(user.id, {
          onSuccess: () => notifySuccess(`Two-factor sign-in reset for ${user.name}`),
          onError: (error) => notifyError(error, 'Two-factor sign-in not reset'),
        }),
    });
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Text size="sm" c="dimmed">
            Configuration
          </Text>
          <Title order={1}>Staff Users</Title>
        </div>
        <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
          New Staff User
        </Button>
      </Group>

      <DataTable<StaffUser>
        withTableBorder
        borderRadius="md"
        striped
        records={staffUsers.data}
        aria-label="Staff users"
        noRecordsText="No staff users"
        columns={[
          {
            accessor: 'name',
            title: 'Name',
            render: (user) => (
              <Group gap={6}>
                <Text fw={500}>{user.name}</Text>
                {user.id === currentUserId && (
                  <Badge size="xs" variant="light">
                    You
                  </Badge>
                )}
              </Group>
            ),
          },
          { accessor: 'email', title: 'Email' },
          {
            accessor: 'role',
            title: 'Role',
            width: 200,
            render: (user) => (
              <Select
                aria-label={`Role for ${user.name}`}
                data={roleOptions}
                value={user.role}
                allowDeselect={false}
                // Changing your own role could lock you out of this page; another admin must.
                disabled={user.id === currentUserId || updateStaffUser.isPending}
                onChange={(value) => value && changeRole(user, value as StaffRole)}
                size="xs"
              />
            ),
          },
          {
            accessor: 'disabledAt',
            title: 'Status',
            render: (user) =>
              user.disabledAt ? (
                <Badge color="gray">Disabled</Badge>
              ) : (
                <Badge color="green" variant="light">
                  Active
                </Badge>
              ),
          },
          {
            accessor: 'totpEnabled',
            title: '2FA',
            render: (user) =>
              user.totpEnabled ? (
                <Badge color="green" variant="light">
                  On
                </Badge>
              ) : (
                <Badge color="gray" variant="light">
                  Off
                </Badge>
              ),
          },
          { accessor: 'createdAt', title: 'Created', render: (user) => formatDate(user.createdAt) },
          {
            accessor: 'actions',
            title: 'Actions',
            textAlign: 'right',
            render: (user) => (
              <Group gap={4} justify="flex-end" wrap="nowrap">
                <Button
                  size="xs"
                  variant="subtle"
                  color="orange"
                  onClick={() => confirmResetTotp(user)}
                  disabled={!user.totpEnabled || resetStaffTotp.isPending}
                  aria-label={`Reset two-factor for ${user.name}`}
                >
                  Reset 2FA
                </Button>
                <Button
                  size="xs"
                  variant="subtle"
                  color={user.disabledAt ? 'blue' : 'red'}
                  onClick={() => confirmDisable(user)}
                  disabled={user.id === currentUserId}
                  aria-label={`${user.disabledAt ? 'Enable' : 'Disable'} ${user.name}`}
                >
                  {user.disabledAt ? 'Enable' : 'Disable'}
                </Button>
              </Group>
            ),
          },
        ]}
      />

      <NewStaffUserModal opened={createOpened} onClose={createModal.close} />
    </Stack>
  );
}
