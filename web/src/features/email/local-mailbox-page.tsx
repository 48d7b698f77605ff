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
  Title,
} from '@mantine/core';
import { IconInfoCircle, IconRefresh } from '@tabler/icons-react';
import { DataTable } from 'mantine-datatable';
import { notifyError } from '../../api/errors';
import { PageError, PageLoader } from '../../components/page-state';
import { formatBytes, formatDateTime } from '../../lib/format';
import { usePageTitle } from '../../lib/use-page-title';
import { useLocalMailbox, useLocalMessage, type LocalMailboxItem } from './email-api';
import { EmailPreviewFrame, HeadersTable, PlainTextBody } from './email-parts';

/** What the built-in SMTP server received: the default mode, for trying Portico out. */
export function LocalMailboxPage() {
  usePageTitle('Local Mailbox');
  const mailbox = useLocalMailbox();
  const [viewing, setViewing] = useState<number | null>(null);
  const messages = mailbox.data?.pages.flatMap((page) => page.messages) ?? [];
  const enabled = mailbox.data?.pages[0]?.enabled ?? true;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Text size="sm" c="dimmed">
            Configuration
          </Text>
          <Title order={1}>Local Mailbox</Title>
        </div>
        {enabled && (
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            loading={mailbox.isRefetching && !mailbox.isFetchingNextPage}
            onClick={() => void mailbox.refetch()}
          >
            Refresh
          </Button>
        )}
      </Group>

      {mailbox.isPending ? (
        <PageLoader label="Loading the local mailbox…" />
      ) : mailbox.isError ? (
        <PageError
          error={mailbox.error}
          title="Could not load the local mailbox"
          onRetry={() => void mailbox.refetch()}
        />
      ) : !enabled ? (
        <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} />}>
          Portico sends through your SMTP server (SMTP_URL); there is no local mailbox.
        </Alert>
      ) : (
        <>
          <Text c="dimmed" maw={720}>
            No SMTP server is set, so Portico delivers email to its built-in SMTP server and keeps
            it here instead of sending it to anyone. Newest first. These messages stand in for your
            clients&apos; inboxes and carry their working sign-in links, so only Master Admins can
            open this page.
          </Text>
          <DataTable<LocalMailboxItem>
            withTableBorder
            borderRadius="md"
            striped
            highlightOnHover
            minHeight={messages.length ? undefined : 180}
            records={messages}
            noRecordsText="Nothing received yet"
            aria-label="Received emails"
            onRowClick={({ record }) => setViewing(record.id)}
            columns={[
              {
                accessor: 'receivedAt',
                title: 'Received',
                noWrap: true,
                render: (message) => formatDateTime(message.receivedAt),
              },
              { accessor: 'from', title: 'From' },
              {
                accessor: 'to',
                title: 'To',
                render: (message) => (
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {message.to.join(', ')}
                  </Text>
                ),
              },
              {
                accessor: 'subject',
                title: 'Subject',
                render: (message) => (
                  <Anchor
                    component="button"
                    type="button"
                    size="sm"
                    ta="left"
                    onClick={(event) => {
                      event.stopPropagation();
                      setViewing(message.id);
                    }}
                  >
                    {message.subject || '(no subject)'}
                  </Anchor>
                ),
              },
            ]}
          />
          {mailbox.hasNextPage && (
            <Group>
              <Button
                variant="default"
                loading={mailbox.isFetchingNextPage}
                onClick={() =>
                  mailbox.fetchNextPage().catch((error: unknown) => notifyError(error))
                }
              >
                Load more
              </Button>
            </Group>
          )}
        </>
      )}

      <LocalMessageModal id={viewing} onClose={() => setViewing(null)} />
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

/** "Subject: Hello" as { name: 'Subject', value: 'Hello' }, keeping the name as it was sent. */
function splitHeaderLine(line: string, fallbackName: string) {
  const colon = line.indexOf(':');
  if (colon < 0) return { name: fallbackName, value: line };
  return { name: line.slice(0, colon), value: line.slice(colon + 1).trim() };
}

function LocalMessageModal({ id, onClose }: { id: number | null; onClose: () => void }) {
  const message = useLocalMessage(id);
  return (
    <Modal opened={id !== null} onClose={onClose} title="Received Email" size="70rem">
      {id !== null &&
        (message.isPending ? (
          <Group gap="xs" role="status" py="md">
            <Loader size="sm" />
            <Text size="sm" c="dimmed">
              Loading the message…
            </Text>
          </Group>
        ) : message.isError ? (
          <PageError
            error={message.error}
            title="Could not load this message"
            onRetry={() => void message.refetch()}
          />
        ) : (
          <Stack>
            <Field label="Subject">
              <Text fw={600}>{message.data.subject || '(no subject)'}</Text>
            </Field>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Field label="Received">{formatDateTime(message.data.receivedAt)}</Field>
              <Field label="From">{message.data.envelopeFrom}</Field>
              <Field label="To">{message.data.envelopeTo.join(', ')}</Field>
            </SimpleGrid>
            <Tabs defaultValue="html" keepMounted={false}>
              <Tabs.List>
                <Tabs.Tab value="html">HTML</Tabs.Tab>
                <Tabs.Tab value="text">Text</Tabs.Tab>
                <Tabs.Tab value="headers">Headers</Tabs.Tab>
                <Tabs.Tab value="attachments">
                  Attachments ({message.data.attachments.length})
                </Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="html" pt="md">
                {message.data.html ? (
                  <EmailPreviewFrame html={message.data.html} />
                ) : (
                  <Text c="dimmed">This message has no HTML version.</Text>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="text" pt="md">
                <PlainTextBody text={message.data.text} />
              </Tabs.Panel>
              <Tabs.Panel value="headers" pt="md">
                <HeadersTable
                  headers={message.data.headers.map((h) => splitHeaderLine(h.line, h.name))}
                />
              </Tabs.Panel>
              <Tabs.Panel value="attachments" pt="md">
                {message.data.attachments.length === 0 ? (
                  <Text c="dimmed">No attachments.</Text>
                ) : (
                  <Table aria-label="Attachments" verticalSpacing={6}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>File</Table.Th>
                        <Table.Th>Type</Table.Th>
                        <Table.Th ta="right">Size</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {message.data.attachments.map((attachment, index) => (
                        <Table.Tr key={`${attachment.filename}-${index}`}>
                          <Table.Td>{attachment.filename}</Table.Td>
                          <Table.Td>{attachment.contentType}</Table.Td>
                          <Table.Td ta="right">{formatBytes(attachment.size)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Tabs.Panel>
            </Tabs>
          </Stack>
        ))}
    </Modal>
  );
}
