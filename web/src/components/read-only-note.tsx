import { Alert } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';

/** Says why the controls are disabled, instead of leaving staff to guess. */
export function ReadOnlyNote({ children = 'Read only: your role cannot make changes' }) {
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} />} py="xs">
      {children}
    </Alert>
  );
}
