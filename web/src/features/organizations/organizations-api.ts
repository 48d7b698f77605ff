import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export type OrganizationSort = 'name' | 'createdAt' | 'lastLogin';
export type OrganizationStatus = 'active' | 'archived' | 'all';

export interface OrganizationListItem {
  id: string;
  name: string;
  city: string;
  region: string;
  contactCount: number;
  lastLoginAt: string | null;
  archivedAt: string | null;
  createdAt: string;
}

export interface OrganizationListParams {
  q: string;
  sort: OrganizationSort;
  direction: 'asc' | 'desc';
  status: OrganizationStatus;
  cursor: string | undefined;
  limit: number;
}

export interface OrganizationList {
  organizations: OrganizationListItem[];
  total: number;
  nextCursor: string | null;
}

export interface AddressFields {
  name: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface Organization extends AddressFields {
  id: string;
  notes: string;
  lastLoginAt: string | null;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  contactCount: number;
  defaultNotificationContacts: { id: string; name: string; email: string }[];
  /** ISO 4217 code; fixed once the organization has an invoice. */
  currency: string;
  /** Whether a new invoice is emailed, with its PDF, to the default notification emails. */
  newInvoiceEmails: boolean;
}

export interface OrganizationBilling {
  currency: string;
  newInvoiceEmails: boolean;
}

export const maxNotesLength = 10_000;

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
      api<{ organization: Organization }>('/api/organizations', { method: 'POST', body: fields }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}

export function useUpdateOrganization(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: AddressFields) =>
      api<{ organization: Organization }>(`/api/organizations/${id}`, {
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
      api<{ notes: string }>(`/api/organizations/${id}/notes`, { method: 'PUT', body: { notes } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}

export function useSetArchived(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (archived: boolean) =>
      api<{ organization: Organization }>(
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
      api<{ billing: OrganizationBilling }>(`/api/organizations/${id}/billing`, {
        method: 'PUT',
        body: billing,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: organizationKeys.all }),
  });
}
