import { Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { notifyError, notifySuccess } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan } from '../auth/session';
import { useSaveSecuritySettings, useSecuritySettings } from './settings-api';

/** Configuration > Security: how staff sign in. */
export function SecurityPage() {
  usePageTitle('Security');
  const canEdit = useCan('manage_settings');
  const security = useSecuritySettings();
  const save = useSaveSecuritySettings();

  return (
    <Stack maw={720}>
      <div>
        <Text size="sm" c="dimmed">
          Configuration
        </Text>
        <Title order={1}>Security</Title>
      </div>
      {!canEdit && (
        <ReadOnlyNote>Read only: your role cannot change the security settings</ReadOnlyNote>
      )}
      {security.isPending ? (
        <PageLoader label="Loading security settings…" />
      ) : security.isError ? (
        <PageError
          error={security.error}
          title="Could not load the security settings"
          onRetry={() => void security.refetch()}
        />
      ) : (
        <Paper withBorder p="lg">
          <Switch
            label="Require two-factor sign-in for all staff"
            description="Staff without it set it up at their next sign-in, and nobody can turn theirs off. Sessions already open stay open."
            checked={security.data.requireStaffTotp}
            disabled={!canEdit || save.isPending}
            onChange={(event) => {
              const requireStaffTotp = event.currentTarget.checked;
              save.mutate(
                { requireStaffTotp },
                {
                  onSuccess: () =>
                    notifySuccess(
                      requireStaffTotp
                        ? 'Two-factor sign-in is now required for all staff'
                        : 'Two-factor sign-in is now optional',
                    ),
                  onError: (error) => notifyError(error, 'Security settings not saved'),
                },
              );
            }}
          />
        </Paper>
      )}
    </Stack>
  );
}
