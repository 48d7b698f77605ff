import { useState } from 'react';
import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { notifySuccess, showApiError } from '../../api/errors';
import {
  revokeAccessLabel,
  revokeAccessValue,
  useDeleteAccessProfile,
  type AccessProfile,
} from './access-profiles-api';

interface DeleteProfileModalProps {
  profile: AccessProfile | null;
  otherProfiles: AccessProfile[];
  onClose: () => void;
}

/** Deleting a profile that contacts hold needs to say where those contacts go. */
export function DeleteProfileModal({ profile, otherProfiles, onClose }: DeleteProfileModalProps) {
  return (
    <Modal opened={profile !== null} onClose={onClose} title={`Delete ${profile?.name ?? ''}?`}>
      {profile && (
        <DeleteProfileForm profile={profile} otherProfiles={otherProfiles} onClose={onClose} />
      )}
    </Modal>
  );
}

function DeleteProfileForm({
  profile,
  otherProfiles,
  onClose,
}: DeleteProfileModalProps & { profile: AccessProfile }) {
  const deleteProfile = useDeleteAccessProfile();
  const [reassignTo, setReassignTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const needsTarget = profile.contactCount > 0;
  const held =
    profile.contactCount === 1 ? '1 contact holds' : `${profile.contactCount} contacts hold`;

  const confirm = () => {
    if (needsTarget && !reassignTo) {
      setError('Choose where its contacts go');
      return;
    }
    deleteProfile.mutate(
      { id: profile.id, reassignTo: needsTarget ? (reassignTo ?? undefined) : undefined },
      {
        onSuccess: () => {
          notifySuccess(`${profile.name} deleted`);
          onClose();
        },
        onError: (failure) =>
          showApiError(failure, {
            getValues: () => ({ reassignTo }),
            setErrors: (errors) => setError(errors.reassignTo ?? null),
          }),
      },
    );
  };

  return (
    <Stack>
      {needsTarget ? (
        <>
          <Text size="sm">
            {held} this profile. Choose the profile they get instead; the change applies at once.
          </Text>
          <Select
            label="Move its contacts to"
            placeholder="Choose a profile"
            required
            data={[
              ...otherProfiles.map((p) => ({ value: p.id, label: p.name })),
              { value: revokeAccessValue, label: revokeAccessLabel },
            ]}
            value={reassignTo}
            onChange={(value) => {
              setReassignTo(value);
              setError(null);
            }}
            error={error}
            allowDeselect={false}
          />
        </>
      ) : (
        <Text size="sm">No contact holds this profile. Deleting it cannot be undone.</Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color="red" onClick={confirm} loading={deleteProfile.isPending}>
          Delete Profile
        </Button>
      </Group>
    </Stack>
  );
}
