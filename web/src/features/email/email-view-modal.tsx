import { useState, type ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Loader,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
} from '@mantine/core';
import { IconArrowLeft, IconDownload } from '@tabler/icons-react';
import { PageError } from '../../components/page-state';
import { formatBytes, formatDateTime } from '../../lib/format';
import { useEmailDetail, type EmailDetail } from './email-api';
import {
  EmailEventsTimeline,
  EmailPreviewFrame,
  EmailStatusBadge,
  HeadersTable,
  PlainTextBody,
} from './email-parts';

/** Above the history modal it is opened from. */
export const viewModalZIndex = 300;

/** "View": one stored email exactly as it went out, with its headers, attachments and events. */
export function EmailViewModal({
  emailId,
  onClose,
  stackId,
}: {
  emailId: string | null;
  onClose: () => void;
  /** Set when opened from another modal inside a Modal.Stack. */
  stackId?: string;
}) {
  return (
    <Modal
      stackId={stackId}
      opened={emailId !== null}
      onClose={onClose}
      title="View Email"
      size="70rem"
      zIndex={viewModalZIndex}
    >
      {/* Keyed, so each opening starts on the email asked for, not where the last one ended. */}
      {emailId !== null && <EmailView key={emailId} startId={emailId} />}
    </Modal>
  );
}

function EmailView({ startId }: { startId: string }) {
  // Following "Resend of" and "Resent as" links; Back returns along the way.
  const [trail, setTrail] = useState<string[]>([startId]);
  const currentId = trail[trail.length - 1] ?? startId;
  const email = useEmailDetail(currentId);
  const open = (id: string) => setTrail([...trail, id]);

  return (
    <Stack>
      {trail.length > 1 && (
        <Group>
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconArrowLeft size={14} />}
            onClick={() => setTrail(trail.slice(0, -1))}
          >
            Back
          </Button>
        </Group>
      )}
      {email.isPending ? (
        <Group gap="xs" role="status" py="md">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Loading the email…
          </Text>
        </Group>
      ) : email.isError ? (
        <PageError
          error={email.error}
          title="Could not load this email"
          onRetry={() => void email.refetch()}
        />
      ) : (
        <EmailDetails email={email.data} onOpen={open} />
      )}
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

const orNone = (value: string | null | undefined) =>
  value ? (
    value
  ) : (
    <Text span c="dimmed" size="sm">
      None
    </Text>
  );

function EmailDetails({ email, onOpen }: { email: EmailDetail; onOpen: (id: string) => void }) {
  const to = email.headers.To ?? email.recipients.map((r) => r.email).join(', ');
  return (
    <Stack gap="md">
      <Field label="Subject">
        <Text fw={600}>{email.subject}</Text>
      </Field>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
        <Field label="From">{email.from}</Field>
        <Field label="To">{to}</Field>
        <Field label="Reply-To">{orNone(email.replyTo)}</Field>
        <Field label="Status">
          <Group gap="xs">
            <EmailStatusBadge status={email.status} />
            <Text span size="sm" c="dimmed">
              {email.attempts === 1 ? '1 attempt' : `${email.attempts} attempts`}
            </Text>
          </Group>
        </Field>
        <Field label="Template">{email.templateName}</Field>
        <Field label="Triggered by">{email.triggeredBy}</Field>
        <Field label="Created">{formatDateTime(email.createdAt)}</Field>
        <Field label="Sent">{formatDateTime(email.sentAt, 'Not sent')}</Field>
        <Field label="SMTP answer">{orNone(email.smtpResponse)}</Field>
        <Field label="Message-ID">
          {orNone(email.smtpMessageId ?? email.headers['Message-ID'])}
        </Field>
      </SimpleGrid>

      {email.lastError && (
        <Alert color="red" title="Last error" variant="light">
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {email.lastError}
          </Text>
        </Alert>
      )}

      {(email.resentFromId || email.resentAs.length > 0) && (
        <Stack gap={4}>
          {email.resentFromId && (
            <Text size="sm">
              Resend of{' '}
              <Anchor
                component="button"
                type="button"
                size="sm"
                onClick={() => email.resentFromId && onOpen(email.resentFromId)}
              >
                the original email
              </Anchor>
            </Text>
          )}
          {email.resentAs.length > 0 && (
            <Text size="sm">
              Resent as{' '}
              {email.resentAs.map((id, index) => (
                <span key={id}>
                  {index > 0 && ', '}
                  <Anchor component="button" type="button" size="sm" onClick={() => onOpen(id)}>
                    {email.resentAs.length === 1 ? 'a new email' : `resend ${index + 1}`}
                  </Anchor>
                </span>
              ))}
            </Text>
          )}
        </Stack>
      )}

      <Tabs defaultValue="html" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="html">HTML</Tabs.Tab>
          <Tabs.Tab value="text">Text</Tabs.Tab>
          <Tabs.Tab value="headers">Headers</Tabs.Tab>
          <Tabs.Tab value="attachments">Attachments ({email.attachments.length})</Tabs.Tab>
          <Tabs.Tab value="events">Events</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="html" pt="md">
          <EmailPreviewFrame html={email.html} />
        </Tabs.Panel>
        <Tabs.Panel value="text" pt="md">
          <PlainTextBody text={email.text} />
        </Tabs.Panel>
        <Tabs.Panel value="headers" pt="md">
          <HeadersTable
            headers={Object.entries(email.headers).map(([name, value]) => ({ name, value }))}
          />
        </Tabs.Panel>
        <Tabs.Panel value="attachments" pt="md">
          <AttachmentList email={email} />
        </Tabs.Panel>
        <Tabs.Panel value="events" pt="md">
          <EmailEventsTimeline events={email.events} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function AttachmentList({ email }: { email: EmailDetail }) {
  if (email.attachments.length === 0) return <Text c="dimmed">No attachments.</Text>;
  return (
    <Table aria-label="Attachments" verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>File</Table.Th>
          <Table.Th>Type</Table.Th>
          <Table.Th ta="right">Size</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {email.attachments.map((attachment) => (
          <Table.Tr key={attachment.id}>
            <Table.Td>
              <Anchor
                href={`/api/emails/${email.id}/attachments/${attachment.id}`}
                download={attachment.filename}
                size="sm"
              >
                <Group gap={4} wrap="nowrap" component="span">
                  <IconDownload size={14} aria-hidden />
                  {attachment.filename}
                </Group>
              </Anchor>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{attachment.contentType}</Text>
            </Table.Td>
            <Table.Td ta="right">
              <Text size="sm">{formatBytes(attachment.size)}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
