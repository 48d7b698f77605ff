import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export type EmailStatus = 'queued' | 'sending' | 'sent' | 'failed';
export type EmailEventKind =
  'triggered' | 'queued' | 'processing' | 'sent' | 'retry_scheduled' | 'failed' | 'resent';
export type ContactEmailKind = 'welcome' | 'password_reset' | 'account_summary';

export interface EmailRecipient {
  email: string;
  name: string;
  contactId: string | null;
}

export interface EmailEvent {
  kind: EmailEventKind;
  detail: string;
  occurredAt: string;
}

export interface EmailSummary {
  id: string;
  organizationId: string | null;
  template: string;
  templateName: string;
  recipients: EmailRecipient[];
  subject: string;
  status: EmailStatus;
  attempts: number;
  lastError: string | null;
  resentFromId: string | null;
  createdAt: string;
  sentAt: string | null;
  events: EmailEvent[];
}

export interface EmailAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface EmailDetail {
  id: string;
  template: string;
  templateName: string;
  recipients: EmailRecipient[];
  from: string;
  replyTo: string | null;
  subject: string;
  html: string;
  text: string;
  status: EmailStatus;
  attempts: number;
  smtpResponse: string | null;
  smtpMessageId: string | null;
  lastError: string | null;
  resentFromId: string | null;
  triggeredBy: string;
  createdAt: string;
  sentAt: string | null;
  headers: Record<string, string>;
  attachments: EmailAttachment[];
  events: EmailEvent[];
  resentAs: string[];
}

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

interface EmailHistoryPage {
  emails: EmailSummary[];
  nextCursor: string | null;
}

export interface QueuedEmail {
  messageId: string;
  duplicate: boolean;
}

export interface EmailTemplate {
  key: string;
  name: string;
}

export interface TemplatePreview {
  key: string;
  name: string;
  subject: string;
  html: string;
  text: string;
}

export interface LocalMailboxItem {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  messageId: string | null;
  porticoMessageId: string | null;
}

interface LocalMailboxPage {
  enabled: boolean;
  messages: LocalMailboxItem[];
  nextCursor: string | null;
}

export interface LocalMessage {
  id: number;
  receivedAt: string;
  envelopeFrom: string;
  envelopeTo: string[];
  subject: string;
  html: string;
  text: string;
  headers: { name: string; line: string }[];
  attachments: { filename: string; contentType: string; size: number }[];
}

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
    queryFn: () => api<{ email: EmailDetail }>(`/api/emails/${id}`),
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
    queryFn: () => api<{ templates: EmailTemplate[] }>('/api/email-templates'),
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
      api<{ options: { kind: ContactEmailKind; unavailableReason: string | null }[] }>(
        `/api/contacts/${contactId}/email-options`,
        { query: { organizationId } },
      ),
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
    queryFn: () => api<{ message: LocalMessage }>(`/api/local-mailbox/${id}`),
    select: (data) => data.message,
    enabled: id !== null,
    staleTime: Infinity,
  });
}

export const recipientList = (recipients: { email: string }[]) =>
  recipients.map((r) => r.email).join(', ');
