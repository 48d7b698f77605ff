import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  ContactEmailKind,
  EmailEventKind,
  EmailStatus,
  contactEmailOptionsBody,
  emailAttachment,
  emailDetailBody,
  emailEvent,
  emailHistoryPage,
  emailRecipient,
  emailSummary,
  emailTemplateListBody,
  emailTemplatePreviewBody,
  localMailboxItem,
  localMailboxPage,
  localMessageBody,
  queuedEmailBody,
} from '../../../../src/shared/contract/email';

export {
  contactEmailKinds,
  type ContactEmailKind,
  type EmailEventKind,
  type EmailStatus,
} from '../../../../src/shared/contract/email';

export type EmailRecipient = Answer<typeof emailRecipient>;
export type EmailEvent = Answer<typeof emailEvent>;
/** A message as the history lists it. */
export type EmailSummary = Answer<typeof emailSummary>;
export type EmailAttachment = Answer<typeof emailAttachment>;
/** One message exactly as stored: content, headers, attachments, events and resends. */
export type EmailDetail = Answer<typeof emailDetailBody>['email'];

/** The filters of an email history list; '' means "any". */
export interface EmailHistoryFilters {
  template: string;
  status: EmailStatus | '';
  from: string;
  to: string;
}

/** Whose history: an organization's, or one contact's. */
export type EmailHistoryScope =
  { kind: 'organization'; id: string } | { kind: 'contact'; id: string };

type EmailHistoryPage = Answer<typeof emailHistoryPage>;

/** An email queued: its message id, and whether it was a double click of one just queued. */
export type QueuedEmail = Answer<typeof queuedEmailBody>;

export type EmailTemplate = Answer<typeof emailTemplateListBody>['templates'][number];

/** A template rendered with its sample data and the MSP's branding. */
export type TemplatePreview = Answer<typeof emailTemplatePreviewBody>;

export type LocalMailboxItem = Answer<typeof localMailboxItem>;
type LocalMailboxPage = Answer<typeof localMailboxPage>;
export type LocalMessage = Answer<typeof localMessageBody>['message'];

export const emailStatusLabels: Record<EmailStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};

export const emailStatusColors: Record<EmailStatus, string> = {
  queued: 'gray',
  sending: 'blue',
  sent: 'green',
  failed: 'red',
};

export const emailEventLabels: Record<EmailEventKind, string> = {
  triggered: 'Triggered',
  queued: 'Queued',
  processing: 'Processing',
  sent: 'Sent',
  retry_scheduled: 'Retry scheduled',
  failed: 'Failed',
  resent: 'Resent',
};

/** The contact card's Email menu, in the words of the old portal. */
export const contactEmailLabels: Record<ContactEmailKind, string> = {
  welcome: 'Send Welcome Email',
  password_reset: 'Send Password Reset',
  account_summary: 'Send Account Summary',
};

/** What the notification calls each email: "Welcome Email queued for …". */
export const contactEmailNames: Record<ContactEmailKind, string> = {
  welcome: 'Welcome Email',
  password_reset: 'Password Reset',
  account_summary: 'Account Summary',
};

/** A message still on its way: lists and views poll until it settles. */
export const inFlight = (status: EmailStatus) => status === 'queued' || status === 'sending';
const pollMs = 2_000;

/** Every email query starts with 'emails', so a send or resend refreshes them all. */
export const emailKeys = {
  all: ['emails'] as const,
  history: (scope: EmailHistoryScope, filters: EmailHistoryFilters) =>
    ['emails', 'history', scope.kind, scope.id, filters] as const,
  detail: (id: string) => ['emails', 'detail', id] as const,
  options: (contactId: string, organizationId: string) =>
    ['emails', 'options', contactId, organizationId] as const,
  templates: ['email-templates'] as const,
  preview: (key: string) => ['email-templates', 'preview', key] as const,
  localMailbox: ['local-mailbox'] as const,
  localMessage: (id: number) => ['local-mailbox', 'message', id] as const,
};

const historyPath = (scope: EmailHistoryScope) =>
  scope.kind === 'organization'
    ? `/api/organizations/${scope.id}/emails`
    : `/api/contacts/${scope.id}/emails`;

export function useEmailHistory(
  scope: EmailHistoryScope,
  filters: EmailHistoryFilters,
  enabled = true,
) {
  return useInfiniteQuery({
    queryKey: emailKeys.history(scope, filters),
    queryFn: ({ pageParam }) =>
      api<EmailHistoryPage>(historyPath(scope), {
        query: { ...filters, cursor: pageParam, limit: 25 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    staleTime: 0,
    // Delivery takes a second or two: follow messages still on their way until they settle.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.emails.some((e) => inFlight(e.status)))
        ? pollMs
        : false,
  });
}

export function useEmailDetail(id: string | null) {
  return useQuery({
    queryKey: emailKeys.detail(id ?? ''),
    queryFn: () => api<Answer<typeof emailDetailBody>>(`/api/emails/${id}`),
    select: (data) => data.email,
    enabled: id !== null,
    staleTime: 0,
    refetchInterval: (query) => {
      const status = query.state.data?.email.status;
      return status && inFlight(status) ? pollMs : false;
    },
  });
}

export function useEmailTemplates() {
  return useQuery({
    queryKey: emailKeys.templates,
    queryFn: () => api<Answer<typeof emailTemplateListBody>>('/api/email-templates'),
    select: (data) => data.templates,
    staleTime: Infinity,
  });
}

export function useTemplatePreview(key: string | null) {
  return useQuery({
    queryKey: emailKeys.preview(key ?? ''),
    queryFn: () => api<TemplatePreview>(`/api/email-templates/${key}/preview`),
    enabled: key !== null,
  });
}

export function useContactEmailOptions(
  contactId: string,
  organizationId: string,
  enabled: boolean,
) {
  return useQuery({
    queryKey: emailKeys.options(contactId, organizationId),
    queryFn: () =>
      api<Answer<typeof contactEmailOptionsBody>>(`/api/contacts/${contactId}/email-options`, {
        query: { organizationId },
      }),
    select: (data) => data.options,
    enabled,
    // The card may just have changed the email address or profile: ask each time it opens.
    staleTime: 0,
  });
}

function useRefreshEmails() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: emailKeys.all });
}

export function useSendAccountSummary(organizationId: string) {
  const refresh = useRefreshEmails();
  return useMutation({
    mutationFn: () =>
      api<QueuedEmail>(`/api/organizations/${organizationId}/send-account-summary`, {
        method: 'POST',
      }),
    onSuccess: refresh,
  });
}

export function useSendContactEmail(contactId: string, organizationId: string) {
  const refresh = useRefreshEmails();
  return useMutation({
    mutationFn: (kind: ContactEmailKind) =>
      api<QueuedEmail>(`/api/contacts/${contactId}/emails`, {
        method: 'POST',
        body: { organizationId, kind },
      }),
    onSuccess: refresh,
  });
}

export function useResendEmail() {
  const refresh = useRefreshEmails();
  return useMutation({
    mutationFn: (emailId: string) =>
      api<QueuedEmail>(`/api/emails/${emailId}/resend`, { method: 'POST' }),
    onSuccess: refresh,
  });
}

export function useLocalMailbox() {
  return useInfiniteQuery({
    queryKey: emailKeys.localMailbox,
    queryFn: ({ pageParam }) =>
      api<LocalMailboxPage>('/api/local-mailbox', { query: { cursor: pageParam, limit: 25 } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
  });
}

export function useLocalMessage(id: number | null) {
  return useQuery({
    queryKey: emailKeys.localMessage(id ?? 0),
    queryFn: () => api<Answer<typeof localMessageBody>>(`/api/local-mailbox/${id}`),
    select: (data) => data.message,
    enabled: id !== null,
    staleTime: Infinity,
  });
}

export const recipientList = (recipients: { email: string }[]) =>
  recipients.map((r) => r.email).join(', ');
