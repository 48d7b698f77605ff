import type { ReactNode } from 'react';
import { Badge, Box, Code, Table, Text, Timeline } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCheck,
  IconClock,
  IconLoader2,
  IconMailForward,
  IconPlayerPlay,
  IconRepeat,
} from '@tabler/icons-react';
import { formatDateTimeMinutes } from '../../lib/format';
import {
  emailEventLabels,
  emailStatusColors,
  emailStatusLabels,
  type EmailEvent,
  type EmailEventKind,
  type EmailStatus,
} from './email-api';

export function EmailStatusBadge({ status }: { status: EmailStatus }) {
  return (
    <Badge color={emailStatusColors[status]} variant={status === 'sent' ? 'light' : 'filled'}>
      {emailStatusLabels[status]}
    </Badge>
  );
}

/**
 * An email's HTML exactly as stored, in a sandbox with no permissions at all: no scripts, no
 * forms, no same-origin access, so a message can never act on the console.
 */
export function EmailPreviewFrame({ html, height = 560 }: { html: string; height?: number }) {
  return (
    <Box
      component="iframe"
      sandbox=""
      srcDoc={html}
      title="Email preview"
      style={{
        width: '100%',
        height,
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 'var(--mantine-radius-md)',
        background: 'white',
      }}
    />
  );
}

/** A plain-text body, kept as written (line breaks, long links wrapped). */
export function PlainTextBody({ text }: { text: string }) {
  if (!text) return <Text c="dimmed">This email has no text version.</Text>;
  return (
    <Code
      block
      style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 560, overflow: 'auto' }}
    >
      {text}
    </Code>
  );
}

export function HeadersTable({
  headers,
  label = 'Headers',
}: {
  headers: { name: string; value: string }[];
  label?: string;
}) {
  if (headers.length === 0) return <Text c="dimmed">No headers.</Text>;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table striped aria-label={label} verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={200}>Name</Table.Th>
            <Table.Th>Value</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {headers.map((header, index) => (
            <Table.Tr key={`${header.name}-${index}`}>
              <Table.Td>
                <Text size="sm" fw={500} ff="monospace">
                  {header.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {header.value}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const eventIcons: Record<EmailEventKind, ReactNode> = {
  triggered: <IconPlayerPlay size={12} />,
  queued: <IconClock size={12} />,
  processing: <IconLoader2 size={12} />,
  sent: <IconCheck size={12} />,
  retry_scheduled: <IconRepeat size={12} />,
  failed: <IconAlertTriangle size={12} />,
  resent: <IconMailForward size={12} />,
};

const eventColors: Partial<Record<EmailEventKind, string>> = {
  sent: 'green',
  retry_scheduled: 'orange',
  failed: 'red',
};

/** What happened to one email, oldest first, as the server recorded it. */
export function EmailEventsTimeline({ events }: { events: EmailEvent[] }) {
  if (events.length === 0) return <Text c="dimmed">No events recorded.</Text>;
  return (
    <Timeline active={events.length - 1} bulletSize={22} lineWidth={2} color="blue">
      {events.map((event, index) => (
        <Timeline.Item
          key={`${event.occurredAt}-${index}`}
          bullet={eventIcons[event.kind]}
          color={eventColors[event.kind]}
          title={emailEventLabels[event.kind] ?? event.kind}
        >
          <Text size="xs" c="dimmed">
            {formatDateTimeMinutes(event.occurredAt)}
          </Text>
          {event.detail && (
            <Text
              size="sm"
              c={
                event.kind === 'failed'
                  ? 'red.8'
                  : event.kind === 'retry_scheduled'
                    ? 'orange.9'
                    : undefined
              }
              style={{ overflowWrap: 'anywhere' }}
            >
              {event.detail}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
