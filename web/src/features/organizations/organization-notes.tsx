import { useState } from 'react';
import { Button, Group, Text, Textarea } from '@mantine/core';
import { showApiError, notifySuccess } from '../../api/errors';
import { formatCount } from '../../lib/format';
import { maxNotesLength, useSaveNotes } from './organizations-api';

/**
 * Internal notes for the team. The text is kept here while editing, so a background refetch
 * of the organization never overwrites what the user is typing.
 */
export function OrganizationNotes({
  organizationId,
  savedNotes,
  canEdit,
}: {
  organizationId: string;
  savedNotes: string;
  canEdit: boolean;
}) {
  const [notes, setNotes] = useState(savedNotes);
  const [lastSaved, setLastSaved] = useState(savedNotes);
  const [error, setError] = useState<string | null>(null);
  const saveNotes = useSaveNotes(organizationId);
  const changed = notes !== lastSaved;
  const tooLong = notes.length > maxNotesLength;

  const save = () => {
    setError(null);
    saveNotes.mutate(notes, {
      onSuccess: (result) => {
        setLastSaved(result.notes);
        notifySuccess('Organization Notes saved');
      },
      onError: (failure) =>
        showApiError(failure, {
          getValues: () => ({ notes }),
          setErrors: (errors) => setError(errors.notes ?? null),
        }),
    });
  };

  return (
    <div>
      <Textarea
        label="Organization Notes"
        description="Internal: never shown to clients"
        placeholder={canEdit ? 'Anything your team should know about this organization' : undefined}
        value={notes}
        onChange={(event) => setNotes(event.currentTarget.value)}
        readOnly={!canEdit}
        autosize
        minRows={4}
        maxRows={14}
        maxLength={maxNotesLength}
        error={
          error ??
          (tooLong ? `Notes can be at most ${formatCount(maxNotesLength)} characters` : null)
        }
      />
      <Group justify="space-between" mt="xs">
        <Text id="organization-notes-count" size="xs" c={tooLong ? 'red' : 'dimmed'}>
          {formatCount(notes.length)} / {formatCount(maxNotesLength)} characters
        </Text>
        <Group gap="xs">
          {changed && canEdit && (
            <Text size="xs" c="dimmed">
              Unsaved changes
            </Text>
          )}
          <Button
            size="sm"
            onClick={save}
            loading={saveNotes.isPending}
            disabled={!canEdit || !changed || tooLong}
          >
            Save Notes
          </Button>
        </Group>
      </Group>
    </div>
  );
}
