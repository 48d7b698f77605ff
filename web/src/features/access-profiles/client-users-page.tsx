import { useState } from 'react';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconInfoCircle, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { DataTable, type DataTableColumn } from 'mantine-datatable';
import { notifyError, notifySuccess } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import {
  permissionLabels,
  revokeAccessLabel,
  revokeAccessValue,
  useAccessProfiles,
  useCreateAccessProfile,
  useUpdateAccessProfile,
  type AccessProfile,
  type PortalPermission,
} from './access-profiles-api';
import { DeleteProfileModal } from './delete-profile-modal';
import { ProfileFormModal } from './profile-form-modal';

interface ProfileRow extends AccessProfile {
  builtIn: boolean;
}

/** Long permission names wrap in the narrow header cells rather than being cut off. */
function WrappingTitle({ children }: { children: string }) {
  return (
    <Text span size="xs" fw={700} style={{ whiteSpace: 'normal', display: 'block' }}>
      {children}
    </Text>
  );
}

const contactsHolding = (n: number) => (n === 1 ? '1 contact' : `${n} contacts`);

export function ClientUsersPage() {
  usePageTitle('Client Users');
  const canEdit = useCan('manage_settings');
  const profiles = useAccessProfiles();
  const createProfile = useCreateAccessProfile();
  const updateProfile = useUpdateAccessProfile();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AccessProfile | null>(null);
  const [deleting, setDeleting] = useState<AccessProfile | null>(null);

  if (profiles.isPending) return <PageLoader label="Loading client access profiles…" />;
  if (profiles.isError) {
    return (
      <PageError
        error={profiles.error}
        title="Could not load client access profiles"
        onRetry={() => void profiles.refetch()}
      />
    );
  }

  const { accessProfiles, permissions, revokedCount } = profiles.data;
  const rows: ProfileRow[] = [
    ...accessProfiles.map((p) => ({ ...p, builtIn: false })),
    // Built in, and not stored as a profile: a relation without one cannot sign in.
    {
      id: revokeAccessValue,
      name: revokeAccessLabel,
      permissions: [],
      contactCount: revokedCount,
      builtIn: true,
    },
  ];

  const togglePermission = (profile: AccessProfile, permission: PortalPermission, on: boolean) => {
    const next = on
      ? [...profile.permissions, permission]
      : profile.permissions.filter((p) => p !== permission);
    updateProfile.mutate(
      { id: profile.id, permissions: permissions.filter((p) => next.includes(p)) },
      {
        onSuccess: () =>
          notifySuccess(
            `${profile.name}: ${permissionLabels[permission]} ${on ? 'on' : 'off'} for ${contactsHolding(profile.contactCount)}`,
          ),
        onError: (error) => notifyError(error, 'Profile not changed'),
      },
    );
  };

  const permissionColumns: DataTableColumn<ProfileRow>[] = permissions.map((permission) => ({
    accessor: permission,
    title: <WrappingTitle>{permissionLabels[permission]}</WrappingTitle>,
    textAlign: 'center',
    width: 86,
    render: (row) => (
      <Group justify="center">
        <Checkbox
          aria-label={`${permissionLabels[permission]}: ${row.name}`}
          checked={row.permissions.includes(permission)}
          disabled={row.builtIn || !canEdit || updateProfile.isPending}
          onChange={(event) => togglePermission(row, permission, event.currentTarget.checked)}
        />
      </Group>
    ),
  }));

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Text size="sm" c="dimmed">
            Configuration
          </Text>
          <Title order={1}>Client Users</Title>
        </div>
        <Button
          leftSection={<IconPlus size={16} />}
          onClick={() => setCreating(true)}
          disabled={!canEdit}
        >
          New Profile
        </Button>
      </Group>

      <Alert variant="light" icon={<IconInfoCircle size={18} />}>
        Each profile is a security level: it decides what a client contact can see and do in the
        portal. Changes apply at once to every contact holding the profile. If a client cannot see
        any open invoices, check their profile.
      </Alert>
      {!canEdit && (
        <ReadOnlyNote>Read only: your role cannot change client access profiles</ReadOnlyNote>
      )}

      <DataTable<ProfileRow>
        withTableBorder
        borderRadius="md"
        striped
        records={rows}
        aria-label="Client access profiles"
        columns={[
          {
            accessor: 'name',
            title: 'Profile',
            width: 150,
            render: (row) =>
              row.builtIn ? (
                <Stack gap={2}>
                  <Group gap={6}>
                    <Text fw={500}>{row.name}</Text>
                    <Badge size="xs" color="gray">
                      Built in
                    </Badge>
                  </Group>
                  <Text size="xs" c="dimmed">
                    No permissions; cannot sign in
                  </Text>
                </Stack>
              ) : (
                <Text fw={500}>{row.name}</Text>
              ),
          },
          ...permissionColumns,
          {
            accessor: 'contactCount',
            title: <WrappingTitle>Contacts</WrappingTitle>,
            width: 80,
            textAlign: 'right',
            render: (row) => row.contactCount,
          },
          {
            accessor: 'actions',
            title: <WrappingTitle>Actions</WrappingTitle>,
            width: 80,
            textAlign: 'right',
            render: (row) =>
              row.builtIn ? null : (
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Tooltip label="Edit">
                    <ActionIcon
                      variant="subtle"
                      onClick={() => setEditing(row)}
                      disabled={!canEdit}
                      aria-label={`Edit ${row.name}`}
                    >
                      <IconPencil size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Delete">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      onClick={() => setDeleting(row)}
                      disabled={!canEdit}
                      aria-label={`Delete ${row.name}`}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              ),
          },
        ]}
      />

      <ProfileFormModal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New Profile"
        submitLabel="Create Profile"
        permissions={permissions}
        onSubmit={async (values) => {
          await createProfile.mutateAsync(values);
          notifySuccess(`${values.name} created`);
        }}
      />
      <ProfileFormModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={`Edit ${editing?.name ?? ''}`}
        submitLabel="Save Profile"
        permissions={permissions}
        initialValues={
          editing ? { name: editing.name, permissions: editing.permissions } : undefined
        }
        onSubmit={async (values) => {
          if (!editing) return;
          await updateProfile.mutateAsync({ id: editing.id, ...values });
          notifySuccess(
            `${values.name} saved: applies to ${contactsHolding(editing.contactCount)} at once`,
          );
        }}
      />
      <DeleteProfileModal
        profile={deleting}
        otherProfiles={accessProfiles.filter((p) => p.id !== deleting?.id)}
        onClose={() => setDeleting(null)}
      />
    </Stack>
  );
}
