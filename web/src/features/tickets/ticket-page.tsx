import { useState, type ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconArrowLeft, IconLock, IconLockOpen } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import {
  openTicketStatuses,
  ticketLimits,
  ticketPriorities,
  ticketPriorityLabels,
  ticketStatusLabels,
  type ChangeTicketBody,
  type OpenTicketStatus,
  type TicketPriority,
} from '../../../../src/shared/contract/tickets';
import { ApiError } from '../../api/client';
import { notifySuccess, showApiError } from '../../api/errors';
import { NotFoundPage } from '../../app/not-found-page';
import { AttachmentPicker } from '../../components/attachment-picker';
import { PageError, PageLoader } from '../../components/page-state';
import { ReadOnlyNote } from '../../components/read-only-note';
import {
  TicketPriorityBadge,
  TicketStatusBadge,
  TicketContent,
} from '../../components/ticket-timeline';
import { formatDateTimeMinutes } from '../../lib/format';
import { usePageTitle } from '../../lib/use-page-title';
import { useCan, useSession } from '../auth/session';
import {
  staffAttachmentUrl,
  useAssigneeOptions,
  useAttachmentLimits,
  useChangeTicket,
  useCloseTicket,
  useReopenTicket,
  useReplyToTicket,
  useStaffTicket,
  useTicketTypes,
  type StaffTicket,
} from './tickets-api';

const unassigned = 'unassigned';

/** The server's refusal of the files (`attachments`, or one file of them), as a sentence. */
function attachmentsError(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.fields.find((f) => f.field.startsWith('attachments'));
  return field ? `Attachments: ${field.message}` : null;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {label}
      </Text>
      <div>{children}</div>
    </Stack>
  );
}

/** Status, priority, type and assignee: each change is saved (and audited) as it is chosen. */
function TicketControls({ ticket }: { ticket: StaffTicket }) {
  const change = useChangeTicket(ticket.id);
  const types = useTicketTypes();
  const user = useSession().data?.user ?? null;
  const assigneeOptions = useAssigneeOptions(user, useCan('manage_tickets'), {
    id: ticket.assigneeId,
    name: ticket.assigneeName,
  });
  const typeOptions = (types.data ?? [])
    .filter((type) => type.archivedAt === null || type.id === ticket.typeId)
    .map((type) => ({ value: type.id, label: type.name }));
  if (!typeOptions.some((option) => option.value === ticket.typeId)) {
    typeOptions.unshift({ value: ticket.typeId, label: ticket.typeName });
  }
  const save = (body: ChangeTicketBody) =>
    change.mutate(body, {
      onSuccess: (answer) => notifySuccess(answer.message),
      onError: (error) => showApiError(error, undefined, 'Ticket not changed'),
    });
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
      <Select
        label="Status"
        data={openTicketStatuses.map((value) => ({ value, label: ticketStatusLabels[value] }))}
        value={ticket.status}
        allowDeselect={false}
        disabled={change.isPending}
        onChange={(value) => value && save({ status: value as OpenTicketStatus })}
      />
      <Select
        label="Priority"
        data={ticketPriorities.map((value) => ({ value, label: ticketPriorityLabels[value] }))}
        value={ticket.priority}
        allowDeselect={false}
        disabled={change.isPending}
        onChange={(value) => value && save({ priority: value as TicketPriority })}
      />
      <Select
        label="Type"
        data={typeOptions}
        value={ticket.typeId}
        allowDeselect={false}
        disabled={change.isPending}
        onChange={(value) => value && save({ typeId: value })}
      />
      <Select
        label="Assigned to"
        data={[{ value: unassigned, label: 'Unassigned' }, ...assigneeOptions]}
        value={ticket.assigneeId ?? unassigned}
        allowDeselect={false}
        disabled={change.isPending}
        onChange={(value) => value && save({ assigneeId: value === unassigned ? null : value })}
      />
    </SimpleGrid>
  );
}

/** Close: the resolution notes are required; the client is emailed them. */
function CloseTicketModal({
  ticket,
  opened,
  onClose,
}: {
  ticket: StaffTicket;
  opened: boolean;
  onClose: () => void;
}) {
  const close = useCloseTicket(ticket.id);
  const form = useForm({
    mode: 'controlled',
    initialValues: { resolutionNotes: '' },
    validate: {
      resolutionNotes: (value) => (value.trim() === '' ? 'Resolution notes are required' : null),
    },
  });
  const submit = form.onSubmit((values) =>
    close.mutate(values, {
      onSuccess: (answer) => {
        notifySuccess(answer.message);
        form.reset();
        onClose();
      },
      onError: (error) => showApiError(error, form, 'Ticket not closed'),
    }),
  );
  return (
    <Modal opened={opened} onClose={onClose} title={`Close ticket ${ticket.number}`} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">
            The client reads the resolution notes in Service History and in the email that tells
            them the ticket is closed.
          </Text>
          <Textarea
            label="Resolution notes"
            required
            autosize
            minRows={4}
            maxRows={14}
            maxLength={ticketLimits.resolutionNotes}
            data-autofocus
            {...form.getInputProps('resolutionNotes')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="gray" loading={close.isPending}>
              Close ticket
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

type ReplyKind = 'public' | 'internal';

/**
 * The reply box: a public reply (the client reads it and is emailed it) or an internal note
 * (staff only); the box turns yellow for a note, so nobody sends one thinking it is the other.
 */
function ReplyBox({ ticket }: { ticket: StaffTicket }) {
  const reply = useReplyToTicket(ticket.id);
  const limits = useAttachmentLimits();
  const [kind, setKind] = useState<ReplyKind>('public');
  const [files, setFiles] = useState<File[]>([]);
  const form = useForm({
    mode: 'controlled',
    initialValues: { body: '' },
    validate: { body: (value) => (value.trim() === '' ? 'Write something first' : null) },
  });
  const internal = kind === 'internal';
  const submit = form.onSubmit((values) =>
    reply.mutate(
      { body: values.body, internal, files },
      {
        onSuccess: (answer) => {
          notifySuccess(answer.message);
          form.reset();
          setFiles([]);
        },
        onError: (error) => {
          if (!attachmentsError(error)) showApiError(error, form, 'Not sent');
        },
      },
    ),
  );
  return (
    <Card
      withBorder
      component="section"
      aria-labelledby="ticket-reply"
      bg={internal ? 'yellow.0' : undefined}
      style={internal ? { borderColor: 'var(--mantine-color-yellow-5)' } : undefined}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <Group justify="space-between" wrap="wrap">
            <Title order={2} size="h3" id="ticket-reply">
              Reply
            </Title>
            <SegmentedControl
              aria-label="Kind of reply"
              value={kind}
              onChange={(value) => setKind(value as ReplyKind)}
              data={[
                { value: 'public', label: 'Public reply' },
                { value: 'internal', label: 'Internal note' },
              ]}
            />
          </Group>
          <Text size="sm" c={internal ? 'yellow.9' : 'dimmed'}>
            {internal
              ? 'Only staff read internal notes: the client never sees them, nor any email.'
              : `The client reads this reply in the portal and is emailed it.`}
          </Text>
          <Textarea
            label={internal ? 'Note for staff' : 'Reply to the client'}
            required
            autosize
            minRows={4}
            maxRows={14}
            maxLength={ticketLimits.body}
            {...form.getInputProps('body')}
          />
          <AttachmentPicker
            files={files}
            onChange={setFiles}
            limits={limits}
            error={attachmentsError(reply.error)}
            disabled={reply.isPending}
          />
          <Group>
            <Button
              type="submit"
              color={internal ? 'yellow.8' : undefined}
              loading={reply.isPending}
            >
              {internal ? 'Add internal note' : 'Send public reply'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/**
 * /tickets/:ticketId: a ticket as staff work it: the facts, the description, the whole
 * timeline (internal notes marked), and for a role that may manage tickets the status,
 * priority, type and assignee, the reply box, Close (with resolution notes) and Reopen.
 */
export function TicketPage() {
  const { ticketId = '' } = useParams();
  const query = useStaffTicket(ticketId);
  const canManage = useCan('manage_tickets');
  const reopen = useReopenTicket(ticketId);
  const [closing, setClosing] = useState(false);
  const ticket = query.data;
  usePageTitle(ticket ? `Ticket ${ticket.number}` : 'Ticket');

  if (query.isPending) return <PageLoader label="Loading ticket…" />;
  if (query.isError) {
    if (
      query.error instanceof ApiError &&
      (query.error.status === 404 || query.error.status === 400)
    ) {
      return (
        <NotFoundPage
          title="Ticket not found"
          message="There is no ticket at this address. It may be mistyped."
        />
      );
    }
    return <PageError error={query.error} onRetry={() => void query.refetch()} />;
  }
  const data = query.data;
  const closed = data.status === 'closed';

  return (
    <Stack gap="md">
      <Group>
        <Anchor component={Link} to="/tickets" size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} />
            Tickets
          </Group>
        </Anchor>
      </Group>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={4}>
          <Group gap="sm">
            <Text fw={700} c="dimmed">
              {data.number}
            </Text>
            <TicketStatusBadge status={data.status} />
            <TicketPriorityBadge priority={data.priority} />
          </Group>
          <Title order={1} style={{ overflowWrap: 'anywhere' }}>
            {data.summary}
          </Title>
        </Stack>
        {canManage &&
          (closed ? (
            <Button
              variant="default"
              leftSection={<IconLockOpen size={16} />}
              loading={reopen.isPending}
              onClick={() =>
                reopen.mutate(undefined, {
                  onSuccess: (answer) => notifySuccess(answer.message),
                  onError: (error) => showApiError(error, undefined, 'Ticket not reopened'),
                })
              }
            >
              Reopen ticket
            </Button>
          ) : (
            <Button
              variant="default"
              leftSection={<IconLock size={16} />}
              onClick={() => setClosing(true)}
            >
              Close ticket
            </Button>
          ))}
      </Group>
      {!canManage && <ReadOnlyNote />}
      <Card withBorder>
        <SimpleGrid cols={{ base: 2, sm: 3, md: 4 }}>
          <Fact label="Organization">
            <Anchor component={Link} to={`/organizations/${data.organizationId}`}>
              {data.organizationName}
            </Anchor>
          </Fact>
          <Fact label="Opened by">{data.openedByName}</Fact>
          <Fact label="Created">{formatDateTimeMinutes(data.createdAt)}</Fact>
          {data.closedAt ? (
            <Fact label="Closed">{formatDateTimeMinutes(data.closedAt)}</Fact>
          ) : (
            <Fact label="Last update">{formatDateTimeMinutes(data.updatedAt)}</Fact>
          )}
          <Fact label="Type">{data.typeName}</Fact>
          <Fact label="Assigned to">{data.assigneeName ?? 'Unassigned'}</Fact>
          <Fact label="Contact phone">{data.contactPhone ?? '—'}</Fact>
        </SimpleGrid>
      </Card>
      {canManage && !closed && <TicketControls ticket={data} />}
      <TicketContent
        ticket={data}
        closed={closed}
        attachmentHref={(attachment) => staffAttachmentUrl(data.id, attachment.id)}
      />
      {canManage && !closed && <ReplyBox ticket={data} />}
      {canManage && closed && (
        <Alert color="gray" variant="light">
          This ticket is closed. Reopen it to reply or add a note.
        </Alert>
      )}
      {canManage && (
        <CloseTicketModal ticket={data} opened={closing} onClose={() => setClosing(false)} />
      )}
    </Stack>
  );
}
