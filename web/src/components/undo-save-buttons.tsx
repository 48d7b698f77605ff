import { Button } from '@mantine/core';
import { IconArrowBackUp, IconDeviceFloppy } from '@tabler/icons-react';

/**
 * The pair every editable form ends with: "Undo Changes" (back to the last saved values) and
 * its Save button ("Save", "Save Branding" …). Both wait for a change; neither is offered to a
 * user who may only read. Place inside the form (Save submits it) and a Group of the caller's.
 */
export function UndoSaveButtons({
  canEdit,
  dirty,
  saving,
  onUndo,
  saveLabel = 'Save',
}: {
  canEdit: boolean;
  dirty: boolean;
  saving: boolean;
  onUndo: () => void;
  saveLabel?: string;
}) {
  return (
    <>
      <Button
        variant="default"
        leftSection={<IconArrowBackUp size={16} />}
        onClick={onUndo}
        disabled={!canEdit || !dirty || saving}
      >
        Undo Changes
      </Button>
      <Button
        type="submit"
        leftSection={<IconDeviceFloppy size={16} />}
        loading={saving}
        disabled={!canEdit || !dirty}
      >
        {saveLabel}
      </Button>
    </>
  );
}
