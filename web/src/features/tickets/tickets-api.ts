import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { api, ApiError } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  ChangeTicketBody,
  ChangeTicketTypeBody,
  CloseTicketBody,
  TicketListQuery,
  TicketSettingsRequest,
  staffTicket,
  staffTicketAnswer,
  staffTicketListPage,
  ticketAssigneeList,
  ticketSettingsBody,
  ticketTypeList,
} from '../../../../src/shared/contract/tickets';
import { ticketFormData, type AttachmentLimits } from '../../components/attachment-picker';

export type StaffTicket = Answer<typeof staffTicket>;
export type StaffTicketListPage = Answer<typeof staffTicketListPage>;
export type StaffTicketSummary = StaffTicketListPage['tickets'][number];
export type StaffTicketAnswer = Answer<typeof staffTicketAnswer>;
export type TicketType = Answer<typeof ticketTypeList>['ticketTypes'][number];
/** The queue's filters (the days as a number: the query's input type takes anything). */
export type TicketFilters = Omit<TicketListQuery, 'cursor' | 'limit' | 'olderThanDays'> & {
  olderThanDays?: number;
};

/** Tickets per "Load more" in the queue and on the organization page. */
export const ticketPageSize = 50;

const ticketKeys = {
  all: ['tickets'] as const,
  queue: (filters: TicketFilters) => ['tickets', 'queue', filters] as const,
  organization: (organizationId: string, state: 'open' | 'closed') =>
    ['tickets', 'organization', organizationId, state] as const,
  one: (id: string) => ['tickets', 'one', id] as const,
  types: ['ticket-types'] as const,
  settings: ['settings', 'tickets'] as const,
};

export const ticketPath = (id: string) => `/tickets/${encodeURIComponent(id)}`;

/** A ticket file's download address (served as an attachment, never shown inline). */
export const staffAttachmentUrl = (ticketId: string, attachmentId: string) =>
  `/api/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(attachmentId)}`;

function rowsOf(data: InfiniteData<StaffTicketListPage>): StaffTicketSummary[] {
  return data.pages.flatMap((page) => page.tickets);
}

/**
 * The Tickets queue: open tickets by what needs attention first (priority, status, the oldest
 * update), or closed ones newest first; keyset pages behind "Load more".
 */
export function useTicketQueue(filters: TicketFilters) {
  return useInfiniteQuery({
    queryKey: ticketKeys.queue(filters),
    queryFn: ({ pageParam }) =>
      api<StaffTicketListPage>('/api/tickets', {
        query: { ...filters, cursor: pageParam, limit: ticketPageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: rowsOf,
    placeholderData: keepPreviousData,
  });
}

/** The organization page's Tickets tab: its open or closed tickets. */
export function useOrganizationTickets(organizationId: string, state: 'open' | 'closed') {
  return useInfiniteQuery({
    queryKey: ticketKeys.organization(organizationId, state),
    queryFn: ({ pageParam }) =>
      api<StaffTicketListPage>(`/api/organizations/${encodeURIComponent(organizationId)}/tickets`, {
        query: { state, cursor: pageParam, limit: ticketPageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: rowsOf,
    placeholderData: keepPreviousData,
  });
}

export function useStaffTicket(id: string) {
  return useQuery({
    queryKey: ticketKeys.one(id),
    queryFn: () => api<StaffTicket>(`/api/tickets/${encodeURIComponent(id)}`),
    enabled: id !== '',
  });
}

/** Every ticket type, archived ones too (an old ticket keeps its archived type). */
export function useTicketTypes() {
  return useQuery({
    queryKey: ticketKeys.types,
    queryFn: () => api<Answer<typeof ticketTypeList>>('/api/ticket-types'),
    select: (data) => data.ticketTypes,
    staleTime: 5 * 60_000,
  });
}

/** Configuration > Service Tickets: adds a type at the end of the list. */
export function useCreateTicketType() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string }) =>
      api<{ ticketType: TicketType }>('/api/ticket-types', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ticketKeys.types }),
  });
}

/** Renames, archives or restores a type, or moves it to `position` (1 = first). */
export function useChangeTicketType() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string } & ChangeTicketTypeBody) =>
      api<{ ticketType: TicketType }>(`/api/ticket-types/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        body,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ticketKeys.types }),
  });
}

/**
 * The attachment limits of Configuration > Service Tickets, so a file they refuse is named
 * before it is sent. A role that may not read the settings gets null, and the server's refusal.
 */
export function useAttachmentLimits(): AttachmentLimits | null {
  const query = useQuery({
    queryKey: ticketKeys.settings,
    queryFn: () => api<Answer<typeof ticketSettingsBody>>('/api/settings/tickets'),
    staleTime: 5 * 60_000,
    retry: (count, error) => !(error instanceof ApiError) && count < 2,
  });
  return query.data?.tickets ?? null;
}

/** After a change: the ticket page shows the answer, and every list reads again. */
function useTicketChange<Input>(id: string, request: (input: Input) => Promise<StaffTicketAnswer>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: (answer) => {
      queryClient.setQueryData(ticketKeys.one(id), answer.ticket);
      return queryClient.invalidateQueries({ queryKey: ['tickets'], refetchType: 'active' });
    },
  });
}

/**
 * Staff open a ticket for an organization (optionally for one of its contacts, who is then
 * emailed), with files: the same fields as the portal's Create New Service Ticket.
 */
export function useCreateStaffTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      fields,
      files,
    }: {
      fields: Record<string, string | undefined>;
      files: File[];
    }) =>
      api<StaffTicketAnswer>('/api/tickets', {
        method: 'POST',
        body: ticketFormData(fields, files),
      }),
    onSuccess: (answer) => {
      queryClient.setQueryData(ticketKeys.one(answer.ticket.id), answer.ticket);
      return queryClient.invalidateQueries({ queryKey: ['tickets'], refetchType: 'active' });
    },
  });
}

/** Status, priority, type or assignee (null unassigns). */
export function useChangeTicket(id: string) {
  return useTicketChange(id, (body: ChangeTicketBody) =>
    api<StaffTicketAnswer>(`/api/tickets/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  );
}

/** A public reply (emailed to the client) or an internal note (staff only), with files. */
export function useReplyToTicket(id: string) {
  return useTicketChange(
    id,
    ({ body, internal, files }: { body: string; internal: boolean; files: File[] }) =>
      api<StaffTicketAnswer>(`/api/tickets/${encodeURIComponent(id)}/replies`, {
        method: 'POST',
        body: ticketFormData({ body, internal: internal ? 'true' : 'false' }, files),
      }),
  );
}

export function useCloseTicket(id: string) {
  return useTicketChange(id, (body: CloseTicketBody) =>
    api<StaffTicketAnswer>(`/api/tickets/${encodeURIComponent(id)}/close`, {
      method: 'POST',
      body,
    }),
  );
}

export function useReopenTicket(id: string) {
  return useTicketChange(id, () =>
    api<StaffTicketAnswer>(`/api/tickets/${encodeURIComponent(id)}/reopen`, { method: 'POST' }),
  );
}

export { ticketKeys };

/**
 * Who a ticket may be assigned to: the signed-in user, the current assignee, and, for a role
 * that may change tickets (Master Admin, Billing), every active Master Admin and Billing user
 * (GET /api/ticket-assignees: ids and names only). A role that may not (Read Only) sees itself
 * and the current assignee.
 */
export function useAssigneeOptions(
  me: { id: string; name: string } | null,
  canAssign: boolean,
  current?: { id: string | null; name: string | null },
): { value: string; label: string }[] {
  const staff = useQuery({
    queryKey: ['ticket-assignees'],
    queryFn: () => api<Answer<typeof ticketAssigneeList>>('/api/ticket-assignees'),
    select: (data) => data.assignees,
    enabled: canAssign,
  });
  const options = new Map<string, string>();
  if (me) options.set(me.id, `${me.name} (me)`);
  if (current?.id && current.name && !options.has(current.id))
    options.set(current.id, current.name);
  for (const user of staff.data ?? []) {
    if (!options.has(user.id)) options.set(user.id, user.name);
  }
  return [...options].map(([value, label]) => ({ value, label }));
}

export type TicketSettings = Answer<typeof ticketSettingsBody>['tickets'];

/** Configuration > Service Tickets: the notice address and the attachment limits. */
export function useTicketSettings() {
  return useQuery({
    queryKey: ticketKeys.settings,
    queryFn: () => api<Answer<typeof ticketSettingsBody>>('/api/settings/tickets'),
    select: (data) => data.tickets,
  });
}

export function useSaveTicketSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TicketSettingsRequest) =>
      api<Answer<typeof ticketSettingsBody>>('/api/settings/tickets', { method: 'PUT', body }),
    onSuccess: (answer) => queryClient.setQueryData(ticketKeys.settings, answer),
  });
}
