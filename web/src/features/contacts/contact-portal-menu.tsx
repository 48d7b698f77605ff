import { useRef, useState, type ReactNode } from 'react';
import { Anchor, Button, Loader, Menu, Stack, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconChevronDown,
  IconExternalLink,
  IconHistory,
  IconKey,
  IconWorld,
} from '@tabler/icons-react';
import { notifyError } from '../../api/errors';
import { useViewPortalAs, type Contact } from './contacts-api';
import { LoginHistoryModal } from './login-history-modal';
import { TemporaryPasswordModal } from './temporary-password-modal';

/**
 * A menu item that can be unavailable and still say why: aria-disabled rather than disabled,
 * so it keeps focus and hover and its tooltip can be read (the reason is its description).
 */
function ItemWithReason({
  id,
  label,
  icon,
  reason,
  onClick,
}: {
  id: string;
  label: string;
  icon: ReactNode;
  reason: string | null;
  onClick: () => void;
}) {
  const item = (
    <Menu.Item
      leftSection={icon}
      // Named by the action alone, not by the reason beneath it.
      aria-label={reason ? label : undefined}
      aria-disabled={reason ? true : undefined}
      aria-describedby={reason ? id : undefined}
      data-disabled={reason ? true : undefined}
      closeMenuOnClick={!reason}
      onClick={reason ? undefined : onClick}
      style={reason ? { cursor: 'not-allowed' } : undefined}
    >
      <Stack gap={2}>
        <span>{label}</span>
        {reason && (
          <Text id={id} size="xs" c="gray.7" style={{ whiteSpace: 'normal' }}>
            {reason}
          </Text>
        )}
      </Stack>
    </Menu.Item>
  );
  if (!reason) return item;
  return (
    <Tooltip
      label={reason}
      position="left"
      multiline
      w={260}
      events={{ hover: true, focus: true, touch: true }}
    >
      {item}
    </Tooltip>
  );
}

/**
 * The contact card's "Portal" menu: view the portal as the contact (read-only), set a
 * temporary password, and read the portal login history.
 */
export function ContactPortalMenu({
  contact,
  organizationId,
  canManage,
}: {
  contact: Contact;
  organizationId: string;
  canManage: boolean;
}) {
  const [historyOpened, historyModal] = useDisclosure(false);
  const [passwordOpened, passwordModal] = useDisclosure(false);
  const [opened, setOpened] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const viewPortal = useViewPortalAs(contact.id);

  // The saved card, not unsaved edits: what the server will check.
  const relation = contact.relations.find((r) => r.organizationId === organizationId);
  const viewReason = !relation
    ? `${contact.name} is not a contact of this organization`
    : relation.accessProfileId === null
      ? `${contact.name} has Revoke Access in ${relation.organizationName}, so there is no portal to view`
      : null;
  const passwordReason = canManage ? null : 'Your role cannot set passwords';

  const viewAs = () =>
    viewPortal.mutate(organizationId, {
      onSuccess: ({ url }) => {
        const tab = window.open(url, '_blank');
        // A browser that blocks the new tab still gets a link to follow.
        if (!tab) {
          notifications.show({
            color: 'yellow',
            title: 'The browser blocked the new tab',
            message: (
              <Anchor href={url} target="_blank" rel="noopener">
                Open the portal as {contact.name}
              </Anchor>
            ),
            autoClose: false,
          });
        }
      },
      onError: (error) => notifyError(error, 'Could not open the portal'),
    });

  return (
    <>
      <Menu
        opened={opened}
        onChange={setOpened}
        position="top-start"
        width={320}
        hideDetached={false}
      >
        <Menu.Target>
          <Button
            ref={menuButton}
            variant="default"
            leftSection={<IconWorld size={16} />}
            rightSection={
              viewPortal.isPending ? <Loader size={14} /> : <IconChevronDown size={14} />
            }
          >
            Portal
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <ItemWithReason
            id={`contact-${contact.id}-view-portal-reason`}
            label={`View portal as ${contact.name}`}
            icon={<IconExternalLink size={16} />}
            reason={viewReason}
            onClick={viewAs}
          />
          <ItemWithReason
            id={`contact-${contact.id}-temporary-password-reason`}
            label="Set temporary password"
            icon={<IconKey size={16} />}
            reason={passwordReason}
            onClick={passwordModal.open}
          />
          <Menu.Divider />
          <Menu.Item leftSection={<IconHistory size={16} />} onClick={historyModal.open}>
            Login history
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <TemporaryPasswordModal
        opened={passwordOpened}
        onClose={passwordModal.close}
        contact={contact}
      />
      <LoginHistoryModal opened={historyOpened} onClose={historyModal.close} contact={contact} />
    </>
  );
}
