import { useState, type ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Box,
  Button,
  Card,
  Fieldset,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconArrowLeft, IconCircleCheck, IconLock } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { ticketLimits, type TicketPriority } from '../../../../src/shared/contract/tickets';
import { ApiError } from '../../api/client';
import { showApiError } from '../../api/errors';
import { AttachmentPicker } from '../../components/attachment-picker';
import { TicketClassificationFields } from '../../components/ticket-fields';
import {
  TicketPriorityBadge,
  TicketStatusBadge,
  TicketContent,
} from '../../components/ticket-timeline';
import { formatDateTimeMinutes } from '../../lib/format';
import { usePortalSession } from '../api/portal-session';
import {
  portalAttachmentUrl,
  portalTicketPath,
  useAddInformation,
  useCreateTicket,
  usePortalTicket,
  usePortalTickets,
  usePortalTicketTypes,
  type PortalTicketAnswer,
  type PortalTicketState,
  type PortalTicketSummary,
} from '../api/portal-tickets';
import { EmptyState, PortalQueryState } from '../components/portal-query-state';
import { usePortalTitle } from '../use-portal-title';
import { FeaturePage } from './feature-pages';
import { PortalNotFoundPage } from './not-found-page';

const openTicketsPath = '/portal/service/open-tickets';
const historyPath = '/portal/service/history';
const newTicketPath = '/portal/service/new-ticket';

/** The server's refusal of the files (`attachments`, or one file of them), as a sentence. */
function attachmentsError(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.fields.find((f) => f.field.startsWith('attachments'));
  return field ? `Attachments: ${field.message}` : null;
}

/** Staff "viewing as" the contact may look, not post: the portal refuses their changes. */
function useViewer() {
  return usePortalSession().data?.viewer ?? null;
}

function ViewerNote() {
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
      Read only: staff viewing the portal cannot post for the contact.
    </Alert>
  );
}

const emptyTicket = {
  summary: '',
  description: '',
  priority: 'medium' as TicketPriority,
  typeId: '',
  contactPhone: '',
};

/**
 * Service > Create New Service Ticket: summary, description (kept as typed), priority, type,
 * a contact phone and files; "Create Service Ticket" answers with the new ticket's number and
 * a link to its Details, and the server emails the contact a confirmation.
 */
export function CreateServiceTicketPage() {
  const types = usePortalTicketTypes();
  const create = useCreateTicket();
  const viewer = useViewer();
  const [files, setFiles] = useState<File[]>([]);
  const [created, setCreated] = useState<PortalTicketAnswer | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: emptyTicket,
    validate: {
      summary: (value) => (value.trim() === '' ? 'Summary must not be empty' : null),
      description: (value) => (value.trim() === '' ? 'Description is required' : null),
      typeId: (value) => (value === '' ? 'Choose a type' : null),
    },
  });

  const submit = form.onSubmit((values) =>
    create.mutate(
      {
        fields: {
          summary: values.summary,
          description: values.description,
          priority: values.priority,
          typeId: values.typeId,
          contactPhone: values.contactPhone === '' ? undefined : values.contactPhone,
        },
        files,
      },
      {
        onSuccess: (answer) => {
          setCreated(answer);
          form.reset();
          setFiles([]);
        },
        onError: (error) => {
          if (!attachmentsError(error)) showApiError(error, form, 'Ticket not created');
        },
      },
    ),
  );

  return (
    <FeaturePage
      title="Create New Service Ticket"
      intro="Just fill out the form and click “Create Service Ticket”."
    >
      <PortalQueryState query={types} loadingLabel="Loading the form…">
        {({ ticketTypes, attachmentLimits }) => {
          if (created) {
            return (
              <Alert
                color="green"
                variant="light"
                icon={<IconCircleCheck size={18} />}
                role="status"
                title={`Ticket ${created.ticket.number} created`}
              >
                <Stack gap="xs">
                  <Text size="sm">{created.message}</Text>
                  <Group gap="sm">
                    <Button
                      component={Link}
                      to={portalTicketPath(created.ticket.id)}
                      size="compact-sm"
                    >
                      View ticket {created.ticket.number} details
                    </Button>
                    <Button variant="default" size="compact-sm" onClick={() => setCreated(null)}>
                      Create another ticket
                    </Button>
                  </Group>
                </Stack>
              </Alert>
            );
          }
          const typeOptions = ticketTypes.map((type) => ({ value: type.id, label: type.name }));
          return (
            <form onSubmit={submit} noValidate>
              {viewer && <ViewerNote />}
              <Fieldset variant="unstyled" disabled={Boolean(viewer) || create.isPending}>
                <Stack maw={720}>
                  <TextInput
                    label="Summary"
                    description="One line: what do you need help with?"
                    required
                    maxLength={ticketLimits.summary}
                    {...form.getInputProps('summary')}
                  />
                  <Textarea
                    label="Description"
                    description="What happened, what you expected, and anything you already tried"
                    required
                    autosize
                    minRows={5}
                    maxRows={16}
                    maxLength={ticketLimits.description}
                    {...form.getInputProps('description')}
                  />
                  <TicketClassificationFields
                    inputProps={form.getInputProps}
                    typeOptions={typeOptions}
                  />
                  <AttachmentPicker
                    files={files}
                    onChange={setFiles}
                    limits={attachmentLimits}
                    error={attachmentsError(create.error)}
                    disabled={Boolean(viewer) || create.isPending}
                  />
                  <Group>
                    <Button type="submit" loading={create.isPending} disabled={Boolean(viewer)}>
                      Create Service Ticket
                    </Button>
                  </Group>
                </Stack>
              </Fieldset>
            </form>
          );
        }}
      </PortalQueryState>
    </FeaturePage>
  );
}

/** A portal list of tickets: open ones with their last update, closed ones with when. */
function TicketTable({
  tickets,
  state,
}: {
  tickets: PortalTicketSummary[];
  state: PortalTicketState;
}) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table
        striped
        withTableBorder
        aria-label={state === 'open' ? 'Open service tickets' : 'Closed service tickets'}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Number</Table.Th>
            <Table.Th>Summary</Table.Th>
            {state === 'open' && <Table.Th>Status</Table.Th>}
            <Table.Th>Priority</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>{state === 'open' ? 'Last update' : 'Closed'}</Table.Th>
            <Table.Th>Opened by</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tickets.map((ticket) => (
            <Table.Tr key={ticket.id}>
              <Table.Td id={`ticket-number-${ticket.id}`} fw={500} style={{ whiteSpace: 'nowrap' }}>
                {ticket.number}
              </Table.Td>
              <Table.Td style={{ minWidth: 200, overflowWrap: 'anywhere' }}>
                {ticket.summary}
              </Table.Td>
              {state === 'open' && (
                <Table.Td>
                  <TicketStatusBadge status={ticket.status} />
                </Table.Td>
              )}
              <Table.Td>
                <TicketPriorityBadge priority={ticket.priority} />
              </Table.Td>
              <Table.Td>{formatDateTimeMinutes(ticket.createdAt)}</Table.Td>
              <Table.Td>
                {formatDateTimeMinutes(state === 'open' ? ticket.updatedAt : ticket.closedAt)}
              </Table.Td>
              <Table.Td>{ticket.openedByName}</Table.Td>
              <Table.Td style={{ textAlign: 'right' }}>
                <Button
                  component={Link}
                  to={portalTicketPath(ticket.id)}
                  variant="light"
                  size="compact-sm"
                  aria-describedby={`ticket-number-${ticket.id}`}
                >
                  Details
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * The same list on a phone: a card per ticket, so its Details button is on screen without
 * scrolling a wide table sideways.
 */
function TicketCards({
  tickets,
  state,
}: {
  tickets: PortalTicketSummary[];
  state: PortalTicketState;
}) {
  return (
    <Stack
      gap="sm"
      component="ul"
      aria-label={state === 'open' ? 'Open service tickets' : 'Closed service tickets'}
      style={{ listStyle: 'none', padding: 0, margin: 0 }}
    >
      {tickets.map((ticket) => (
        <Card withBorder key={ticket.id} component="li" padding="sm">
          <Stack gap={6}>
            <Group gap="xs">
              <Text fw={600} id={`ticket-card-number-${ticket.id}`}>
                {ticket.number}
              </Text>
              {state === 'open' && <TicketStatusBadge status={ticket.status} />}
              <TicketPriorityBadge priority={ticket.priority} />
            </Group>
            <Text style={{ overflowWrap: 'anywhere' }}>{ticket.summary}</Text>
            <Text size="xs" c="dimmed">
              Opened by {ticket.openedByName}, {formatDateTimeMinutes(ticket.createdAt)}
              {state === 'open'
                ? ` · Last update ${formatDateTimeMinutes(ticket.updatedAt)}`
                : ` · Closed ${formatDateTimeMinutes(ticket.closedAt)}`}
            </Text>
            <Group>
              <Button
                component={Link}
                to={portalTicketPath(ticket.id)}
                variant="light"
                size="compact-sm"
                aria-describedby={`ticket-card-number-${ticket.id}`}
              >
                Details
              </Button>
            </Group>
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}

function TicketListPage({
  state,
  title,
  intro,
  empty,
}: {
  state: PortalTicketState;
  title: string;
  intro: string;
  empty: string;
}) {
  const query = usePortalTickets(state);
  return (
    <FeaturePage title={title} intro={intro}>
      <PortalQueryState query={query} loadingLabel="Loading tickets…">
        {(tickets) =>
          tickets.length === 0 ? (
            <EmptyState>{empty}</EmptyState>
          ) : (
            <Stack>
              <Box visibleFrom="sm">
                <TicketTable tickets={tickets} state={state} />
              </Box>
              <Box hiddenFrom="sm">
                <TicketCards tickets={tickets} state={state} />
              </Box>
              {query.hasNextPage && (
                <Group>
                  <Button
                    variant="default"
                    loading={query.isFetchingNextPage}
                    onClick={() => void query.fetchNextPage()}
                  >
                    Load more
                  </Button>
                  <Text size="sm" c="dimmed" role="status">
                    Showing {tickets.length.toLocaleString('en-US')} tickets
                  </Text>
                </Group>
              )}
            </Stack>
          )
        }
      </PortalQueryState>
    </FeaturePage>
  );
}

/** Service > Open Service Tickets: every ticket not closed yet, last update first. */
export function OpenServiceTicketsPage() {
  return (
    <Stack gap="sm">
      <TicketListPage
        state="open"
        title="Open Service Tickets"
        intro="Tickets still being worked on. Click “Details” to read a ticket or submit additional information."
        empty="There are no open service tickets."
      />
      <Group>
        <Button component={Link} to={newTicketPath} variant="default">
          Create New Service Ticket
        </Button>
      </Group>
    </Stack>
  );
}

/** Service > Service History: closed tickets, last closed first, with their resolution notes. */
export function ServiceHistoryPage() {
  return (
    <TicketListPage
      state="closed"
      title="Service History"
      intro="Closed tickets. Click “Details” to read a ticket and how it was resolved."
      empty="There are no closed service tickets."
    />
  );
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

/** Submit Additional Information: text and files added to the ticket; staff are told. */
function AdditionalInformationForm({ ticketId }: { ticketId: string }) {
  const add = useAddInformation(ticketId);
  const limits = usePortalTicketTypes().data?.attachmentLimits ?? null;
  const viewer = useViewer();
  const [files, setFiles] = useState<File[]>([]);
  const [sent, setSent] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { body: '' },
    validate: {
      body: (value) => (value.trim() === '' ? 'Additional information is required' : null),
    },
  });
  const submit = form.onSubmit((values) =>
    add.mutate(
      { fields: values, files },
      {
        onSuccess: (answer) => {
          setSent(answer.message);
          form.reset();
          setFiles([]);
        },
        onError: (error) => {
          setSent(null);
          if (!attachmentsError(error)) showApiError(error, form, 'Information not sent');
        },
      },
    ),
  );
  return (
    <Card withBorder component="section" aria-labelledby="additional-information">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="additional-information">
            Submit Additional Information
          </Title>
          {viewer && <ViewerNote />}
          {sent && (
            <Alert color="green" variant="light" role="status">
              {sent}
            </Alert>
          )}
          <Fieldset variant="unstyled" disabled={Boolean(viewer) || add.isPending}>
            <Stack>
              <Textarea
                label="Additional information"
                required
                autosize
                minRows={3}
                maxRows={12}
                maxLength={ticketLimits.body}
                {...form.getInputProps('body')}
                onChange={(event) => {
                  setSent(null);
                  form.getInputProps('body').onChange(event);
                }}
              />
              <AttachmentPicker
                files={files}
                onChange={setFiles}
                limits={limits}
                error={attachmentsError(add.error)}
                disabled={Boolean(viewer) || add.isPending}
              />
              <Group>
                <Button type="submit" loading={add.isPending} disabled={Boolean(viewer)}>
                  Submit Additional Information
                </Button>
              </Group>
            </Stack>
          </Fieldset>
        </Stack>
      </form>
    </Card>
  );
}

/**
 * /portal/service/tickets/:ticketId: a ticket's Details: what was asked, its public timeline
 * (replies, additional information, status changes) with the files as download links, and
 * either "Submit Additional Information" (open) or the resolution notes (closed; nothing can
 * be added to a closed ticket).
 */
export function PortalTicketPage() {
  const { ticketId = '' } = useParams();
  const query = usePortalTicket(ticketId);
  const ticket = query.data;
  usePortalTitle(ticket ? `Ticket ${ticket.number}` : 'Service ticket');
  if (
    query.isError &&
    query.error instanceof ApiError &&
    (query.error.status === 404 || query.error.status === 400)
  ) {
    return <PortalNotFoundPage />;
  }
  const closed = ticket?.status === 'closed';
  return (
    <Stack gap="sm">
      <Group>
        <Anchor component={Link} to={closed ? historyPath : openTicketsPath} size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} />
            {closed ? 'Service History' : 'Open Service Tickets'}
          </Group>
        </Anchor>
      </Group>
      <PortalQueryState query={query} loadingLabel="Loading ticket…">
        {(ticket) => (
          <Stack gap="md">
            <Stack gap={4}>
              <Group gap="sm">
                <Text fw={700} c="dimmed">
                  {ticket.number}
                </Text>
                <TicketStatusBadge status={ticket.status} />
                <TicketPriorityBadge priority={ticket.priority} />
              </Group>
              <Title order={1} style={{ overflowWrap: 'anywhere' }}>
                {ticket.summary}
              </Title>
            </Stack>
            <Card withBorder>
              <SimpleGrid cols={{ base: 2, sm: 4 }}>
                <Fact label="Type">{ticket.typeName}</Fact>
                <Fact label="Opened by">{ticket.openedByName}</Fact>
                <Fact label="Created">{formatDateTimeMinutes(ticket.createdAt)}</Fact>
                {ticket.closedAt ? (
                  <Fact label="Closed">{formatDateTimeMinutes(ticket.closedAt)}</Fact>
                ) : (
                  <Fact label="Last update">{formatDateTimeMinutes(ticket.updatedAt)}</Fact>
                )}
                {ticket.contactPhone && <Fact label="Contact phone">{ticket.contactPhone}</Fact>}
              </SimpleGrid>
            </Card>
            <TicketContent
              ticket={ticket}
              closed={closed}
              attachmentHref={(attachment) => portalAttachmentUrl(ticket.id, attachment.id)}
            />
            {closed ? (
              <Text c="dimmed" size="sm">
                This ticket is closed. Additional information cannot be added to a closed ticket;
                create a new service ticket if you need more help.
              </Text>
            ) : (
              <AdditionalInformationForm ticketId={ticket.id} />
            )}
          </Stack>
        )}
      </PortalQueryState>
    </Stack>
  );
}
