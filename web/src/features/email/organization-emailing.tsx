import { Button, Stack, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { IconMail, IconMailSearch } from '@tabler/icons-react';
import { notifyError, notifySuccess } from '../../api/errors';
import { useCan } from '../auth/session';
import type { Organization } from '../organizations/organizations-api';
import { recipientList, useSendAccountSummary } from './email-api';
import { EmailHistoryModal } from './email-history';

/** The "Emailing" block of Organization Details: Send Account Summary and View Email History. */
export function OrganizationEmailing({ organization }: { organization: Organization }) {
  const canSend = useCan('manage_clients');
  const [historyOpened, historyModal] = useDisclosure(false);
  const sendSummary = useSendAccountSummary(organization.id);
  const recipients = organization.defaultNotificationContacts;
  const emails = recipientList(recipients);

  const unavailableReason = !canSend
    ? 'Your role cannot send email'
    : recipients.length === 0
      ? 'No Default Notification Emails: star a contact first'
      : null;
  const reasonId = `send-account-summary-reason-${organization.id}`;

  const confirmSend = () =>
    modals.openConfirmModal({
      title: 'Send Account Summary?',
      closeButtonProps: { 'aria-label': 'Close' },
      children: <Text size="sm">Send the account summary to: {emails}</Text>,
      labels: { confirm: 'Send', cancel: 'Cancel' },
      onConfirm: () =>
        sendSummary.mutate(undefined, {
          onSuccess: (queued) =>
            notifySuccess(
              queued.duplicate
                ? 'Already queued a moment ago'
                : `Account Summary queued for ${emails}`,
            ),
          // A 409 says the organization has no Default Notification Emails; show it as it is.
          onError: (error) => notifyError(error, 'Account Summary not sent'),
        }),
    });

  return (
    <Stack gap="xs" align="flex-start">
      <Tooltip
        label={unavailableReason}
        disabled={!unavailableReason}
        events={{ hover: true, focus: true, touch: true }}
        withArrow
        multiline
        w={240}
      >
        <Button
          size="xs"
          variant="light"
          leftSection={<IconMail size={16} />}
          loading={sendSummary.isPending}
          // aria-disabled rather than disabled keeps it focusable, so the tooltip can say why.
          data-disabled={unavailableReason ? true : undefined}
          aria-disabled={unavailableReason ? true : undefined}
          aria-describedby={unavailableReason ? reasonId : undefined}
          onClick={(event) => {
            if (unavailableReason) event.preventDefault();
            else confirmSend();
          }}
        >
          Send Account Summary
        </Button>
      </Tooltip>
      {unavailableReason && <VisuallyHidden id={reasonId}>{unavailableReason}</VisuallyHidden>}
      <Button
        size="xs"
        variant="light"
        leftSection={<IconMailSearch size={16} />}
        onClick={historyModal.open}
      >
        View Email History
      </Button>
      <EmailHistoryModal
        opened={historyOpened}
        onClose={historyModal.close}
        title={`Email History — ${organization.name}`}
        scope={{ kind: 'organization', id: organization.id }}
      />
    </Stack>
  );
}
