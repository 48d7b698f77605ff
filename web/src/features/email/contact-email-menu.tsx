import { useRef, useState, type ReactNode } from 'react';
import { Button, Loader, Menu, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconChevronDown,
  IconKey,
  IconMail,
  IconMailSearch,
  IconReceipt,
  IconUserPlus,
} from '@tabler/icons-react';
import { errorMessage, notifyError, notifySuccess } from '../../api/errors';
import {
  contactEmailLabels,
  contactEmailKinds,
  contactEmailNames,
  useContactEmailOptions,
  useSendContactEmail,
  type ContactEmailKind,
} from './email-api';
import { EmailHistoryModal } from './email-history';

const kindIcons: Record<ContactEmailKind, ReactNode> = {
  welcome: <IconUserPlus size={16} />,
  password_reset: <IconKey size={16} />,
  account_summary: <IconReceipt size={16} />,
};

/**
 * The contact card's "Email" menu. What can be sent depends on the contact's email address
 * and profile here, so the server is asked each time the menu opens.
 */
export function ContactEmailMenu({
  contact,
  organizationId,
  canSend,
}: {
  contact: { id: string; name: string; email: string };
  organizationId: string;
  canSend: boolean;
}) {
  const [opened, setOpened] = useState(false);
  const [historyOpened, historyModal] = useDisclosure(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const options = useContactEmailOptions(contact.id, organizationId, opened);
  const send = useSendContactEmail(contact.id, organizationId);

  /** Why an item cannot be sent now, or null when it can. */
  const reasonFor = (kind: ContactEmailKind): string | null => {
    if (!canSend) return 'Your role cannot send email';
    if (options.isPending) return 'Checking…';
    if (options.isError) return `Could not check: ${errorMessage(options.error)}`;
    return options.data.find((o) => o.kind === kind)?.unavailableReason ?? null;
  };

  const sendEmail = (kind: ContactEmailKind) =>
    send.mutate(kind, {
      onSuccess: (queued) =>
        notifySuccess(
          queued.duplicate
            ? 'Already queued a moment ago'
            : `${contactEmailNames[kind]} queued for ${contact.email}`,
        ),
      onError: (error) => notifyError(error, `${contactEmailNames[kind]} not sent`),
    });

  return (
    <>
      <Menu
        opened={opened}
        onChange={setOpened}
        position="top-start"
        width={320}
        // The card may still be expanding when the menu opens; stay shown while it moves.
        hideDetached={false}
      >
        <Menu.Target>
          <Button
            ref={menuButton}
            variant="default"
            leftSection={<IconMail size={16} />}
            rightSection={send.isPending ? <Loader size={14} /> : <IconChevronDown size={14} />}
          >
            Email
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {contactEmailKinds.map((kind) => {
            const reason = reasonFor(kind);
            const reasonId = `contact-${contact.id}-${kind}-reason`;
            return (
              <Menu.Item
                key={kind}
                leftSection={kindIcons[kind]}
                disabled={reason !== null}
                // The name stays the action alone; the reason is its description.
                aria-label={contactEmailLabels[kind]}
                aria-describedby={reason ? reasonId : undefined}
                onClick={() => sendEmail(kind)}
                // Dimmed, not faded: the reason must stay readable.
                style={reason ? { opacity: 1 } : undefined}
              >
                <Stack gap={2}>
                  <span>{contactEmailLabels[kind]}</span>
                  {reason && (
                    <Text id={reasonId} size="xs" c="gray.7" style={{ whiteSpace: 'normal' }}>
                      {reason}
                    </Text>
                  )}
                </Stack>
              </Menu.Item>
            );
          })}
          <Menu.Divider />
          <Menu.Item leftSection={<IconMailSearch size={16} />} onClick={historyModal.open}>
            View Email History
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <EmailHistoryModal
        opened={historyOpened}
        onClose={historyModal.close}
        title={`Email History — ${contact.name}`}
        scope={{ kind: 'contact', id: contact.id }}
        returnFocusTo={menuButton}
      />
    </>
  );
}
