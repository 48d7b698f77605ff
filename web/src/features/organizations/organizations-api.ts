import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type { organizationBillingAnswer } from '../../../../src/shared/contract/invoices';
import type {
  newOrganizationRequest,
  organizationDetail,
  organizationListPage,
  organizationListQuery,
  organizationNotesAnswer,
  organizationNotesRequest,
  organizationRecord,
} from '../../../../src/shared/contract/organizations';

/** The list's query as the server reads it (defaults applied). */
type OrganizationListQuery = z.output<typeof organizationListQuery>;
export type OrganizationSort = OrganizationListQuery['sort'];
export type OrganizationStatus = OrganizationListQuery['status'];

/** A page of the organization list; `total` counts every match. */
export type OrganizationList = Answer<typeof organizationListPage>;
export type OrganizationListItem = OrganizationList['organizations'][number];

/** What the list page asks for: the list's query. */
export type OrganizationListParams = OrganizationListQuery;

/** The organization form: a name and every part of the address (empty when not known). */
export type AddressFields = Required<z.input<typeof newOrganizationRequest>>;

/**
 * The organization page: the organization (`currency`, ISO 4217, fixed once it has an
 * invoice; `newInvoiceEmails`, whether a new invoice is emailed with its PDF), its contact
 * count and Default Notification Emails.
 */
export type Organization = Answer<typeof organizationDetail>;

/** An organization as saved (the create, edit, archive and restore answers). */
type SavedOrganization = Answer<typeof organizationRecord>;

/** The billing settings of an organization. */
export type OrganizationBilling = Answer<typeof organizationBillingAnswer>['billing'];

/** The notes' limit the server holds them to. */
export { maxNotesLength } from '../../../../src/shared/contract/organizations';

/** Every organization query starts with 'organizations', so one invalidation refreshes all. */
export const organizationKeys = {
  all: ['organizations'] as const,
  list: (params: OrganizationListParams) => ['organizations', 'list', params] as const,
  detail: (id: string) => ['organizations', 'detail', id] as const,
};

export function useOrganizationList(params: OrganizationListParams) {
  return useQuery({
    queryKey: organizationKeys.list(params),
    queryFn: () => api<OrganizationList>('/api/organizations', { query: { ...params } }),
    // Keep the old page on screen while the next one loads, instead of flashing empty.
    placeholderData: keepPreviousData,
  });
}

export function useOrganization(id: string) {
  return useQuery({
    queryKey: organizationKeys.detail(id),
    queryFn: () => api<{ organization: Organization }>(`/api/organizations/${id}`),
    select: (data) => data.organization,
    // A form with no organization chosen yet asks for nothing.
    enabled: id !== '',
  });
}

export function useCreateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: AddressFields) =>
      api<{ organization: SavedOrganization }>('/api/organizations', {
        method: 'POST',
        body: fields,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}

export function useUpdateOrganization(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: AddressFields) =>
      api<{ organization: SavedOrganization }>(`/api/organizations/${id}`, {
        method: 'PATCH',
        body: fields,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}

export function useSaveNotes(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (notes: string) =>
      api<Answer<typeof organizationNotesAnswer>>(`/api/organizations/${id}/notes`, {
        method: 'PUT',
        body: { notes } satisfies z.input<typeof organizationNotesRequest>,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}

export function useSetArchived(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (archived: boolean) =>
      api<{ organization: SavedOrganization }>(
        `/api/organizations/${id}/${archived ? 'archive' : 'restore'}`,
        { method: 'POST' },
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}

export function useSaveBilling(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (billing: OrganizationBilling) =>
      api<Answer<typeof organizationBillingAnswer>>(`/api/organizations/${id}/billing`, {
        method: 'PUT',
        body: billing,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}
