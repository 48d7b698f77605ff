import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  AdditionalInformationFields,
  CreateTicketFields,
  portalTicket,
  portalTicketAnswer,
  portalTicketListPage,
  portalTicketTypeList,
} from '../../../../src/shared/contract/tickets';
import { ticketFormData } from '../../components/attachment-picker';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

export type PortalTicket = Answer<typeof portalTicket>;
export type PortalTicketListPage = Answer<typeof portalTicketListPage>;
export type PortalTicketSummary = PortalTicketListPage['tickets'][number];
export type PortalTicketAnswer = Answer<typeof portalTicketAnswer>;
export type PortalTicketState = 'open' | 'closed';

/** Tickets per "Load more" on Open Service Tickets and Service History. */
export const portalTicketPageSize = 25;

function useOrganizationId(): string {
  return usePortalSession().data?.current?.organizationId ?? '';
}

/** A ticket's Details page: one address for open and closed tickets (emails link to it). */
export const portalTicketPath = (id: string) => `/portal/service/tickets/${encodeURIComponent(id)}`;

/** A ticket file's download address (served as an attachment, never shown inline). */
export const portalAttachmentUrl = (ticketId: string, attachmentId: string) =>
  `/api/portal/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(attachmentId)}`;

/**
 * The ticket types a contact may choose (the archived ones are left out) and the attachment
 * limits the form shows and checks each chosen file against.
 */
export function usePortalTicketTypes() {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'ticket-types'),
    queryFn: () => portalApi<Answer<typeof portalTicketTypeList>>('/api/portal/ticket-types'),
    enabled: organizationId !== '',
    staleTime: 5 * 60_000,
  });
}

/** Open Service Tickets (last update first) or Service History (last closed first). */
export function usePortalTickets(state: PortalTicketState) {
  const organizationId = useOrganizationId();
  return useInfiniteQuery({
    queryKey: portalKeys.data(organizationId, `tickets:${state}`),
    queryFn: ({ pageParam }) =>
      portalApi<PortalTicketListPage>('/api/portal/tickets', {
        query: { state, cursor: pageParam, limit: portalTicketPageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: (data: InfiniteData<PortalTicketListPage>) =>
      data.pages.flatMap((page) => page.tickets),
    enabled: organizationId !== '',
  });
}

export function usePortalTicket(id: string) {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, `ticket:${id}`),
    queryFn: () => portalApi<PortalTicket>(`/api/portal/tickets/${encodeURIComponent(id)}`),
    enabled: organizationId !== '' && id !== '',
  });
}

/** Create Service Ticket: the form's fields and files as one multipart post. */
export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ fields, files }: { fields: CreateTicketFields; files: File[] }) =>
      portalApi<PortalTicketAnswer>('/api/portal/tickets', {
        method: 'POST',
        body: ticketFormData({ ...fields }, files),
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: portalKeys.dataAll }),
  });
}

/** Submit Additional Information: text and files added to an open ticket's timeline. */
export function useAddInformation(ticketId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ fields, files }: { fields: AdditionalInformationFields; files: File[] }) =>
      portalApi<PortalTicketAnswer>(
        `/api/portal/tickets/${encodeURIComponent(ticketId)}/additional-information`,
        { method: 'POST', body: ticketFormData({ ...fields }, files) },
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: portalKeys.dataAll }),
  });
}
