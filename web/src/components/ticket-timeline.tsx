import { Anchor, Badge, Card, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconDownload, IconLock } from '@tabler/icons-react';
import type { Answer } from '../../../src/shared/contract/common';
import {
  ticketPriorityLabels,
  ticketStatusLabels,
  type ticketAttachment,
  type ticketEntry,
  type TicketPriority,
  type TicketStatus,
} from '../../../src/shared/contract/tickets';
import { formatBytes, formatDateTimeMinutes } from '../lib/format';

/** A file of a ticket, as the answers carry it. */
export type TicketAttachment = Answer<typeof ticketAttachment>;
/** A timeline entry, as the answers carry it (staff's add `internal`). */
export type TicketEntry = Answer<typeof ticketEntry>;

const statusColors: Record<TicketStatus, string> = {
  new: 'blue',
  in_progress: 'cyan',
  waiting_on_client: 'orange',
  resolved: 'teal',
  closed: 'gray',
};

const priorityColors: Record<TicketPriority, string> = {
  low: 'gray',
  medium: 'blue',
  high: 'orange',
  critical: 'red',
};

/** A ticket's status as a badge, for the console and the portal alike. */
export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  return (
    <Badge variant="light" color={statusColors[status]} style={{ minWidth: 'max-content' }}>
      {ticketStatusLabels[status]}
    </Badge>
  );
}

/** A ticket's priority as a badge; Critical stands out. */
export function TicketPriorityBadge({ priority }: { priority: TicketPriority }) {
  return (
    <Badge
      variant={priority === 'critical' ? 'filled' : 'outline'}
      color={priorityColors[priority]}
      style={{ minWidth: 'max-content' }}
    >
      {ticketPriorityLabels[priority]}
    </Badge>
  );
}

/** Text as typed: line breaks and spaces kept, long words wrapped, never read as HTML. */
export function PlainText({ children }: { children: string }) {
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {children}
    </Text>
  );
}

/** Download links for a ticket's files: the file name (any script) and its size. */
export function AttachmentLinks({
  attachments,
  href,
}: {
  attachments: TicketAttachment[];
  href: (attachment: TicketAttachment) => string;
}) {
  if (attachments.length === 0) return null;
  return (
    <Stack gap={2}>
      {attachments.map((attachment) => (
        <Group key={attachment.id} gap={6} wrap="nowrap">
          <IconDownload size={14} aria-hidden />
          <Anchor href={href(attachment)} download={attachment.fileName} size="sm">
            <span style={{ overflowWrap: 'anywhere' }}>{attachment.fileName}</span>
          </Anchor>
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            {formatBytes(attachment.sizeBytes)}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

/** What an entry is, said as its heading: "Ann Perkins replied". */
function entryHeading(entry: TicketEntry, internal: boolean): string {
  if (internal) return `${entry.authorName} added an internal note`;
  switch (entry.kind) {
    case 'created':
      return `${entry.authorName} opened the ticket`;
    case 'public_reply':
      return `${entry.authorName} replied`;
    case 'additional_information':
      return `${entry.authorName} submitted additional information`;
    case 'status_change':
      if (entry.toStatus === 'closed') return `${entry.authorName} closed the ticket`;
      if (entry.fromStatus === 'closed') return `${entry.authorName} reopened the ticket`;
      return entry.fromStatus && entry.toStatus
        ? `${entry.authorName} changed the status from ${ticketStatusLabels[entry.fromStatus]} to ${ticketStatusLabels[entry.toStatus]}`
        : `${entry.authorName} changed the status`;
    case 'internal_note':
      return `${entry.authorName} added an internal note`;
  }
}

const kindBadges: Partial<Record<TicketEntry['kind'], { label: string; color: string }>> = {
  public_reply: { label: 'Public reply', color: 'blue' },
  additional_information: { label: 'Additional information', color: 'grape' },
};

/**
 * A ticket's timeline, oldest first: who did what and when, the text as typed, and the files
 * that came with it. An entry flagged `internal` (staff's internal notes; the portal's answer
 * never holds one) has a yellow background, a lock and an "Internal note" badge, so nobody
 * mistakes it for what the client reads.
 */
export function TicketTimeline({
  entries,
  attachmentHref,
}: {
  entries: (TicketEntry & { internal?: boolean })[];
  attachmentHref: (attachment: TicketAttachment) => string;
}) {
  return (
    <Stack gap="sm" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {entries.map((entry) => {
        const internal = entry.internal === true || entry.kind === 'internal_note';
        const badge = internal ? null : kindBadges[entry.kind];
        return (
          <Paper
            key={entry.id}
            component="li"
            withBorder
            p="sm"
            bg={internal ? 'yellow.0' : entry.kind === 'status_change' ? 'gray.0' : undefined}
            style={internal ? { borderColor: 'var(--mantine-color-yellow-5)' } : undefined}
            aria-label={internal ? 'Internal note' : undefined}
          >
            <Stack gap={6}>
              <Group justify="space-between" gap="xs" wrap="wrap">
                <Group gap="xs" wrap="wrap">
                  {internal && (
                    <Badge color="yellow" variant="filled" leftSection={<IconLock size={12} />}>
                      Internal note
                    </Badge>
                  )}
                  {badge && (
                    <Badge color={badge.color} variant="light">
                      {badge.label}
                    </Badge>
                  )}
                  <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                    {entryHeading(entry, internal)}
                  </Text>
                </Group>
                <Text size="xs" c="dimmed">
                  {formatDateTimeMinutes(entry.createdAt)}
                </Text>
              </Group>
              {entry.body !== null && entry.body !== '' && <PlainText>{entry.body}</PlainText>}
              <AttachmentLinks attachments={entry.attachments} href={attachmentHref} />
            </Stack>
          </Paper>
        );
      })}
    </Stack>
  );
}

/**
 * A ticket's description, its resolution notes once closed, and its timeline: the body of the
 * staff ticket page and of the portal's Details, which differ only in the timeline they are
 * given (staff's holds internal notes) and where the files are downloaded from.
 */
export function TicketContent({
  ticket,
  closed,
  attachmentHref,
}: {
  ticket: {
    description: string;
    resolutionNotes: string | null;
    timeline: (TicketEntry & { internal?: boolean })[];
  };
  closed: boolean;
  attachmentHref: (attachment: TicketAttachment) => string;
}) {
  return (
    <>
      <Stack gap={4} component="section" aria-labelledby="ticket-description">
        <Title order={2} size="h3" id="ticket-description">
          Description
        </Title>
        <PlainText>{ticket.description}</PlainText>
      </Stack>
      {closed && ticket.resolutionNotes !== null && (
        <Card withBorder bg="teal.0" component="section" aria-labelledby="resolution-notes">
          <Stack gap={4}>
            <Title order={2} size="h3" id="resolution-notes">
              Resolution notes
            </Title>
            <PlainText>{ticket.resolutionNotes}</PlainText>
          </Stack>
        </Card>
      )}
      <Stack gap="xs" component="section" aria-labelledby="ticket-timeline">
        <Title order={2} size="h3" id="ticket-timeline">
          Timeline
        </Title>
        <TicketTimeline entries={ticket.timeline} attachmentHref={attachmentHref} />
      </Stack>
    </>
  );
}
