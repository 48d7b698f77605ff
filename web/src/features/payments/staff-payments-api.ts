import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type { invoiceListPage } from '../../../../src/shared/contract/invoices';
import type {
  ApplyCreditBody,
  ManualPaymentBody,
  RefundBody,
  TransactionFilters,
  applyCreditAnswer,
  organizationPaymentsAnswer,
  refundAnswer,
  staffPaymentAnswer,
  transactionsPage,
} from '../../../../src/shared/contract/staff-payments';

export type OrganizationPayments = Answer<typeof organizationPaymentsAnswer>;
export type TransactionsPage = Answer<typeof transactionsPage>;
export type StaffPayment = TransactionsPage['payments'][number];
export type StaffRefund = OrganizationPayments['refunds'][number];
export type RefundAnswer = Answer<typeof refundAnswer>;
export type { ApplyCreditBody, ManualPaymentBody, RefundBody, TransactionFilters };

/** The organization page's Payments tab: its refunds and unapplied credit. */
export function useOrganizationPayments(organizationId: string) {
  return useQuery({
    queryKey: ['organizations', organizationId, 'payments'],
    queryFn: () => api<OrganizationPayments>(`/api/organizations/${organizationId}/payments`),
  });
}

/** The organization's invoices that still owe something, for allocating money to them. */
export function useOpenInvoices(organizationId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['invoices', 'open-for-payment', organizationId],
    queryFn: () =>
      api<Answer<typeof invoiceListPage>>('/api/invoices', {
        query: { organizationId, limit: 200 },
      }),
    select: (page) =>
      page.invoices.filter((i) => i.status === 'open' || i.status === 'partially_paid'),
    enabled,
    staleTime: 0,
  });
}

/** After money moves: the organization's tabs, the invoice lists and the Transactions list. */
function useMoneyChange<Input, Output>(
  organizationId: string,
  request: (input: Input) => Promise<Output>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['organizations', organizationId] }),
        queryClient.invalidateQueries({ queryKey: ['invoices'] }),
        queryClient.invalidateQueries({ queryKey: ['transactions'] }),
      ]),
  });
}

/**
 * Records a check, wire or cash payment. `requestKey` (web/src/lib/request-key.ts), made once
 * per dialog, goes as the Idempotency-Key: the same dialog sending again records nothing twice.
 */
export function useRecordManualPayment(organizationId: string) {
  return useMoneyChange(
    organizationId,
    ({ requestKey, ...body }: ManualPaymentBody & { requestKey: string }) =>
      api<Answer<typeof staffPaymentAnswer>>(`/api/organizations/${organizationId}/payments`, {
        method: 'POST',
        body,
        headers: { 'idempotency-key': requestKey },
      }),
  );
}

/** Refunds a payment; `requestKey` as for useRecordManualPayment, so a retry refunds once. */
export function useRefundPayment(organizationId: string) {
  return useMoneyChange(
    organizationId,
    ({ paymentId, requestKey, ...body }: RefundBody & { paymentId: string; requestKey: string }) =>
      api<RefundAnswer>(`/api/organizations/${organizationId}/payments/${paymentId}/refunds`, {
        method: 'POST',
        body,
        headers: { 'idempotency-key': requestKey },
      }),
  );
}

export function useRetryRefund(organizationId: string) {
  return useMoneyChange(organizationId, (refundId: string) =>
    api<RefundAnswer>(`/api/organizations/${organizationId}/refunds/${refundId}/retry`, {
      method: 'POST',
    }),
  );
}

export function useApplyCredit(organizationId: string) {
  return useMoneyChange(organizationId, (body: ApplyCreditBody) =>
    api<Answer<typeof applyCreditAnswer>>(`/api/organizations/${organizationId}/credits/apply`, {
      method: 'POST',
      body,
    }),
  );
}

/** The filters as the query string carries them (empty ones left out). */
export function filterQuery(filters: TransactionFilters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
}

/** The Transactions list, a page at a time (keyset cursors). */
export function useTransactions(filters: TransactionFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: ['transactions', filters],
    enabled,
    queryFn: ({ pageParam }) =>
      api<TransactionsPage>('/api/payments', {
        query: { ...filterQuery(filters), limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
      }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** Where the CSV of the filtered list downloads from. */
export function transactionsCsvUrl(filters: TransactionFilters): string {
  const query = new URLSearchParams(filterQuery(filters)).toString();
  return `/api/payments/export${query ? `?${query}` : ''}`;
}
