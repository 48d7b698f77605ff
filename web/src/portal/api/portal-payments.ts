import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  PayInvoicesBody,
  payInvoicesAnswer,
  paymentHistoryPage,
  paymentReceipt,
} from '../../../../src/shared/contract/payments';
import type { paymentMethodChoices } from '../../../../src/shared/contract/payment-methods';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

export type PayAnswer = Answer<typeof payInvoicesAnswer>;
export type PortalPayment = PayAnswer['payment'];
export type PaymentHistoryPage = Answer<typeof paymentHistoryPage>;
export type PaymentReceipt = Answer<typeof paymentReceipt>['payment'];
export type PaymentChoice = Answer<typeof paymentMethodChoices>['paymentMethods'][number];

/** Payments per "Load more" on Payment History. */
export const paymentHistoryPageSize = 50;

function useOrganizationId(): string {
  return usePortalSession().data?.current?.organizationId ?? '';
}

/** The methods Pay Selected may offer, the default first; the ones it cannot charge say why. */
export function usePaymentChoices(enabled = true) {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'payment-method-choices'),
    queryFn: () =>
      portalApi<Answer<typeof paymentMethodChoices>>('/api/portal/payment-methods/choices'),
    enabled: enabled && organizationId !== '',
  });
}

/**
 * Pays the chosen invoices. Each attempt carries its own Idempotency-Key, made when the
 * confirmation is shown and sent again by a retry of the same confirmation, so a double click
 * or a lost answer is one payment. Afterwards the open invoices, the history and the methods
 * (a failure count, a lock) are read again.
 */
export function usePayInvoices() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, requestKey }: { body: PayInvoicesBody; requestKey: string }) =>
      portalApi<PayAnswer>('/api/portal/payments', {
        method: 'POST',
        body,
        headers: { 'idempotency-key': requestKey },
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: portalKeys.dataAll }),
  });
}

export function usePaymentHistory() {
  const organizationId = useOrganizationId();
  return useInfiniteQuery({
    queryKey: portalKeys.data(organizationId, 'payment-history'),
    queryFn: ({ pageParam }) =>
      portalApi<PaymentHistoryPage>('/api/portal/payment-history', {
        query: { cursor: pageParam, limit: paymentHistoryPageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: (data: InfiniteData<PaymentHistoryPage>) => ({
      ...data.pages[0]!,
      payments: data.pages.flatMap((page) => page.payments),
    }),
    enabled: organizationId !== '',
  });
}

export function usePaymentReceipt(id: string) {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, `payment:${id}`),
    queryFn: () =>
      portalApi<Answer<typeof paymentReceipt>>(`/api/portal/payments/${encodeURIComponent(id)}`),
    enabled: organizationId !== '' && id !== '',
  });
}

export const paymentReceiptPath = (id: string) =>
  `/portal/billing/payment-history/${encodeURIComponent(id)}`;
export const paymentPdfUrl = (id: string) => `/api/portal/payments/${encodeURIComponent(id)}/pdf`;
