import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type { z } from 'zod';
import type {
  contactCard,
  contactCardRequest,
  contactSearchResults,
  newContactRequest,
  organizationContactsPage,
  organizationContactsQuery,
  defaultNotificationAnswer,
  defaultNotificationRequest,
  viewPortalAnswer,
} from '../../../../src/shared/contract/contacts';
import type { contactLoginHistoryPage } from '../../../../src/shared/contract/portal';

export type ContactSort = z.output<typeof organizationContactsQuery>['sort'];

/** One page of an organization's contacts; `total` counts every match, not just this page. */
export type OrganizationContactsPage = Answer<typeof organizationContactsPage>;
export type OrganizationContact = OrganizationContactsPage['contacts'][number];

/** A contact's card: details and every organization it relates to, with its profile there. */
export type Contact = Answer<typeof contactCard>;
export type ContactRelation = Contact['relations'][number];

/** A contact found by name or email; `isRelated`: already related to the organization asked. */
export type ContactSearchResult = Answer<typeof contactSearchResults>['contacts'][number];

/** The contact card form: details and the profile per organization. */
export type ContactCardInput = Required<z.input<typeof contactCardRequest>>;

/** The Add Contact form. */
export type NewContactInput = Required<z.input<typeof newContactRequest>>;

export const contactKeys = {
  all: ['contacts'] as const,
  detail: (id: string) => ['contacts', 'detail', id] as const,
  search: (q: string, organizationId: string) => ['contacts', 'search', q, organizationId] as const,
  // Under 'organizations', so any organization invalidation refreshes its contact list too.
  ofOrganization: (organizationId: string, params?: { sort: ContactSort; q: string }) =>
    params
      ? (['organizations', 'contacts', organizationId, params] as const)
      : (['organizations', 'contacts', organizationId] as const),
};

/** Contacts per "Load more": a screenful of cards, each a request of a few milliseconds. */
export const contactPageSize = 50;

/**
 * An organization's contacts in the chosen sort, a page at a time (keyset cursors: each
 * cursor carries its sort, so a new sort or search starts again from the first page).
 */
export function useOrganizationContacts(organizationId: string, sort: ContactSort, q: string) {
  return useInfiniteQuery({
    queryKey: contactKeys.ofOrganization(organizationId, { sort, q }),
    queryFn: ({ pageParam }) =>
      api<OrganizationContactsPage>(`/api/organizations/${organizationId}/contacts`, {
        query: { sort, q, cursor: pageParam, limit: contactPageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });
}

export function useContact(contactId: string) {
  return useQuery({
    queryKey: contactKeys.detail(contactId),
    queryFn: () => api<{ contact: Contact }>(`/api/contacts/${contactId}`),
    select: (data) => data.contact,
  });
}

/**
 * Contacts anywhere whose name or email matches, each saying whether it is already related to
 * `organizationId` (asked of the server: that organization's list may be longer than a page).
 */
export function useContactSearch(q: string, organizationId: string) {
  return useQuery({
    queryKey: contactKeys.search(q, organizationId),
    queryFn: () =>
      api<Answer<typeof contactSearchResults>>('/api/contacts', { query: { q, organizationId } }),
    enabled: q.length > 0,
    select: (data) => data.contacts,
  });
}

/** A contact change can show on any organization page and on profile counts: refresh them. */
function useRefreshContacts() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['organizations'] }),
      queryClient.invalidateQueries({ queryKey: contactKeys.all }),
      queryClient.invalidateQueries({ queryKey: ['access-profiles'] }),
    ]);
}

export function useSaveContactCard(contactId: string) {
  const queryClient = useQueryClient();
  const refresh = useRefreshContacts();
  return useMutation({
    mutationFn: (input: ContactCardInput) =>
      api<{ contact: Contact }>(`/api/contacts/${contactId}`, { method: 'PUT', body: input }),
    onSuccess: (data) => {
      queryClient.setQueryData(contactKeys.detail(contactId), data);
      return refresh();
    },
  });
}

export function useCreateContact(organizationId: string) {
  const refresh = useRefreshContacts();
  return useMutation({
    mutationFn: (input: NewContactInput) =>
      api<{ contact: Contact }>(`/api/organizations/${organizationId}/contacts`, {
        method: 'POST',
        body: input,
      }),
    onSuccess: refresh,
  });
}

export function useRelateContact(organizationId: string) {
  const refresh = useRefreshContacts();
  return useMutation({
    mutationFn: ({
      contactId,
      accessProfileId,
    }: {
      contactId: string;
      accessProfileId: string | null;
    }) =>
      api<{ contact: Contact }>(`/api/contacts/${contactId}/relations`, {
        method: 'POST',
        body: { organizationId, accessProfileId },
      }),
    onSuccess: refresh,
  });
}

export function useRemoveRelation(contactId: string) {
  const refresh = useRefreshContacts();
  return useMutation({
    mutationFn: (organizationId: string) =>
      api<void>(`/api/contacts/${contactId}/relations/${organizationId}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
}

export function useSetDefaultNotification(organizationId: string) {
  const queryClient = useQueryClient();
  const refresh = useRefreshContacts();
  return useMutation({
    mutationFn: ({ contactId, isDefault }: { contactId: string; isDefault: boolean }) =>
      api<Answer<typeof defaultNotificationAnswer>>(
        `/api/organizations/${organizationId}/default-notification-contacts/${contactId}`,
        { method: 'PUT', body: { isDefault } satisfies z.input<typeof defaultNotificationRequest> },
      ),
    // Flip the star at once; the refetch afterwards settles the truth either way.
    onMutate: async ({ contactId, isDefault }) => {
      const key = contactKeys.ofOrganization(organizationId);
      await queryClient.cancelQueries({ queryKey: key });
      queryClient.setQueriesData<InfiniteData<OrganizationContactsPage>>(
        { queryKey: key },
        (old) =>
          old && {
            ...old,
            pages: old.pages.map((page) => ({
              ...page,
              contacts: page.contacts.map((c) =>
                c.id === contactId ? { ...c, isDefaultNotification: isDefault } : c,
              ),
            })),
          },
      );
    },
    onSettled: refresh,
  });
}

/** One portal sign-in attempt of a contact. */
export type LoginAttempt = LoginHistoryPage['attempts'][number];

/** Opens a read-only portal session as the contact, for the organization being viewed. */
export function useViewPortalAs(contactId: string) {
  return useMutation({
    mutationFn: (organizationId: string) =>
      api<Answer<typeof viewPortalAnswer>>(`/api/contacts/${contactId}/view-portal`, {
        method: 'POST',
        body: { organizationId },
      }),
  });
}

export function useSetTemporaryPassword(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) =>
      api<void>(`/api/contacts/${contactId}/temporary-password`, {
        method: 'POST',
        body: { password },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactKeys.detail(contactId) }),
  });
}

/** One page of a contact's portal sign-in attempts; `total` counts all of them. */
export type LoginHistoryPage = Answer<typeof contactLoginHistoryPage>;

/** Attempts per "Load more" in the Login history window. */
export const loginHistoryPageSize = 50;

/** The contact's portal sign-in attempts, newest first, a page at a time (keyset cursors). */
export function useLoginHistory(contactId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: [...contactKeys.detail(contactId), 'login-history'] as const,
    queryFn: ({ pageParam }) =>
      api<LoginHistoryPage>(`/api/contacts/${contactId}/login-history`, {
        query: { cursor: pageParam, limit: loginHistoryPageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    // Each opening shows the attempts as they are now.
    staleTime: 0,
  });
}
