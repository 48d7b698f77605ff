import { useEffect, useRef, useState, type RefObject } from 'react';
import { Accordion, Badge, Button, Group, Loader, Modal, Select, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconEye, IconFilterOff, IconMailForward } from '@tabler/icons-react';
import { notifyError, notifySuccess } from '../../api/errors';
import { DateField } from '../../components/date-field';
import { PageError } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import { formatDateTimeMinutes } from '../../lib/format';
import { useCan } from '../auth/session';
import {
  emailStatusLabels,
  recipientList,
  useEmailHistory,
  useEmailTemplates,
  useResendEmail,
  type EmailHistoryFilters,
  type EmailHistoryScope,
  type EmailStatus,
  type EmailSummary,
} from './email-api';
import { EmailEventsTimeline, EmailStatusBadge } from './email-parts';
import { EmailViewModal, viewModalZIndex } from './email-view-modal';

const noFilters: EmailHistoryFilters = { template: '', status: '', from: '', to: '' };

const statusOptions = (Object.keys(emailStatusLabels) as EmailStatus[]).map((status) => ({
  value: status,
  label: emailStatusLabels[status],
}));

/**
 * Puts focus back where it was when `opened` turned true (or on `fallback`), once it turns
 * false again. Stacked modals hand focus to the modal below, not to the button that opened them.
 */
function useRestoreFocus(opened: boolean, fallback?: RefObject<HTMLElement | null>) {
  // undefined until it opens: nothing to give back on the first render.
  const trigger = useRef<HTMLElement | null | undefined>(undefined);
  useEffect(() => {
    if (opened) {
      trigger.current =
        document.activeElement instanceof HTMLElement ? document.activeElement : null;
      return;
    }
    if (trigger.current === undefined) return;
    const target = trigger.current?.isConnected ? trigger.current : fallback?.current;
    trigger.current = undefined;
    if (!target) return;
    // After the focus trap of the modal below has had its turn (it focuses on a zero timeout).
    const timeout = window.setTimeout(() => target.focus({ preventScroll: true }), 30);
    return () => window.clearTimeout(timeout);
  }, [opened, fallback]);
}

/** "Email History", in a modal: for an organization, or filtered to one contact. */
export function EmailHistoryModal({
  opened,
  onClose,
  title,
  scope,
  returnFocusTo,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  scope: EmailHistoryScope;
  /** Where focus goes on close when the control that opened it is gone (a menu item). */
  returnFocusTo?: RefObject<HTMLElement | null>;
}) {
  const narrow = useMediaQuery('(max-width: 48em)');
  useRestoreFocus(opened, returnFocusTo);
  return (
    // A stack, so Escape closes only the top one: View or the Resend question, then the history.
    <Modal.Stack>
      <Modal
        stackId="email-history"
        opened={opened}
        onClose={onClose}
        title={title}
        size="70rem"
        fullScreen={narrow}
      >
        {/* Mounted only while open: every opening starts with fresh filters and a fresh list. */}
        {opened && <EmailHistory scope={scope} />}
      </Modal>
    </Modal.Stack>
  );
}

/** The audit trail of emails, newest first, with each one's events and any errors. */
export function EmailHistory({ scope }: { scope: EmailHistoryScope }) {
  const canSend = useCan('manage_clients');
  const [filters, setFilters] = useState<EmailHistoryFilters>(noFilters);
  const [viewing, setViewing] = useState<string | null>(null);
  const [resending, setResending] = useState<EmailSummary | null>(null);
  const templates = useEmailTemplates();
  useRestoreFocus(viewing !== null);
  useRestoreFocus(resending !== null);

  const badRange = filters.from !== '' && filters.to !== '' && filters.from > filters.to;
  const history = useEmailHistory(scope, filters, !badRange);
  const emails = history.data?.pages.flatMap((page) => page.emails) ?? [];
  const filtered =
    filters.template !== '' || filters.status !== '' || filters.from !== '' || filters.to !== '';
  const setFilter = <K extends keyof EmailHistoryFilters>(key: K, value: EmailHistoryFilters[K]) =>
    setFilters((current) => ({ ...current, [key]: value }));

  return (
    <Stack>
      {!canSend && <ReadOnlyNote>Read only: your role cannot send or resend email</ReadOnlyNote>}

      <Group align="flex-start" gap="md" role="search" aria-label="Filter emails">
        <Select
          label="Template"
          placeholder="All templates"
          data={templates.data?.map((t) => ({ value: t.key, label: t.name })) ?? []}
          value={filters.template || null}
          onChange={(value) => setFilter('template', value ?? '')}
          clearable
          w={{ base: '100%', xs: 220 }}
        />
        <Select
          label="Status"
          placeholder="All statuses"
          data={statusOptions}
          value={filters.status || null}
          onChange={(value) => setFilter('status', (value as EmailStatus | null) ?? '')}
          clearable
          w={{ base: '100%', xs: 160 }}
        />
        {/* The calendars grey out days past the other end (excludeDate, not minDate/maxDate,
            which would silently drop such a typed date: the error below says what is wrong). */}
        <DateField
          label="From"
          value={filters.from}
          excludeDate={(day) => filters.to !== '' && day > filters.to}
          onChange={(next) => setFilter('from', next)}
          clearable
          w={{ base: '100%', xs: 170 }}
        />
        <DateField
          label="To"
          value={filters.to}
          excludeDate={(day) => filters.from !== '' && day < filters.from}
          onChange={(next) => setFilter('to', next)}
          clearable
          error={badRange ? 'Must not be before From' : undefined}
          w={{ base: '100%', xs: 170 }}
        />
        {filtered && (
          <Button
            variant="subtle"
            leftSection={<IconFilterOff size={16} />}
            onClick={() => setFilters(noFilters)}
            mt={25}
          >
            Clear filters
          </Button>
        )}
      </Group>

      {badRange ? (
        <Text c="dimmed">Choose a From date on or before the To date.</Text>
      ) : history.isPending ? (
        <Group gap="xs" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Loading emails…
          </Text>
        </Group>
      ) : history.isError ? (
        <PageError
          error={history.error}
          title="Could not load the email history"
          onRetry={() => void history.refetch()}
        />
      ) : emails.length === 0 ? (
        <Text c="dimmed">{filtered ? 'No emails match these filters.' : 'No emails yet.'}</Text>
      ) : (
        <Accordion variant="separated" chevronPosition="right" multiple>
          {emails.map((email) => (
            <EmailRow
              key={email.id}
              email={email}
              canSend={canSend}
              onView={() => setViewing(email.id)}
              onResend={() => setResending(email)}
            />
          ))}
        </Accordion>
      )}

      {history.hasNextPage && !badRange && (
        <Group>
          <Button
            variant="default"
            loading={history.isFetchingNextPage}
            onClick={() => history.fetchNextPage().catch((error: unknown) => notifyError(error))}
          >
            Load more
          </Button>
        </Group>
      )}

      <EmailViewModal stackId="email-view" emailId={viewing} onClose={() => setViewing(null)} />
      <ResendModal email={resending} onClose={() => setResending(null)} />
    </Stack>
  );
}

/** "Resend": the same stored content again, as a new email linked to the original. */
function ResendModal({ email, onClose }: { email: EmailSummary | null; onClose: () => void }) {
  const resend = useResendEmail();
  // Kept through the closing transition, so the text does not vanish as the modal fades.
  const [shown, setShown] = useState(email);
  if (email && email !== shown) setShown(email);

  const confirm = () => {
    if (!email) return;
    resend.mutate(email.id, {
      onSuccess: (queued) => {
        notifySuccess(
          queued.duplicate
            ? 'Already queued a moment ago'
            : `${email.templateName} queued again for ${recipientList(email.recipients)}`,
        );
        onClose();
      },
      onError: (error) => notifyError(error, 'Email not resent'),
    });
  };

  return (
    <Modal
      stackId="email-resend"
      opened={email !== null}
      onClose={onClose}
      title="Resend this email?"
      zIndex={viewModalZIndex + 100}
    >
      <Stack>
        <Text size="sm">
          Send the same {shown?.templateName} again to: {recipientList(shown?.recipients ?? [])}. It
          goes out as a new email, and the original stays in the history.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={confirm} loading={resend.isPending} data-autofocus>
            Resend
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function EmailRow({
  email,
  canSend,
  onView,
  onResend,
}: {
  email: EmailSummary;
  canSend: boolean;
  onView: () => void;
  onResend: () => void;
}) {
  const summaryId = `email-${email.id}-summary`;
  return (
    <Accordion.Item value={email.id}>
      <Group wrap="nowrap" gap="xs" pr="sm" align="center">
        {/* Named by date, template and status only: the subject is free text and could hold
            words like "view" that would blur the names of the buttons beside it. */}
        <Accordion.Control
          aria-label={`${formatDateTimeMinutes(email.createdAt)} ${email.templateName}, ${emailStatusLabels[email.status]}${email.resentFromId ? ', a resent copy' : ''}`}
          aria-describedby={`${summaryId}-subject`}
        >
          <Group justify="space-between" wrap="wrap" gap="xs" id={summaryId}>
            <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
              <Group gap="xs" wrap="wrap">
                <Text size="sm" fw={500} c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {formatDateTimeMinutes(email.createdAt)}
                </Text>
                <Text fw={600}>{email.templateName}</Text>
                <EmailStatusBadge status={email.status} />
                {email.resentFromId && (
                  <Badge variant="outline" color="gray" size="sm">
                    Resent copy
                  </Badge>
                )}
              </Group>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }} id={`${summaryId}-subject`}>
                {email.subject}
              </Text>
              <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                To: {recipientList(email.recipients)}
              </Text>
            </Stack>
          </Group>
        </Accordion.Control>
        <Group gap={4} wrap="nowrap">
          <Button
            size="xs"
            variant="light"
            leftSection={<IconEye size={14} />}
            onClick={onView}
            aria-describedby={summaryId}
          >
            View
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconMailForward size={14} />}
            onClick={onResend}
            disabled={!canSend}
            aria-describedby={summaryId}
          >
            Resend
          </Button>
        </Group>
      </Group>
      <Accordion.Panel>
        <EmailEventsTimeline events={email.events} />
      </Accordion.Panel>
    </Accordion.Item>
  );
}
