import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, type ApiErrorCode } from '../../api/client';
import type { z } from 'zod';
import type { Answer } from '../../../../src/shared/contract/common';
import type { serviceCategoryBody, taxRateBody } from '../../../../src/shared/contract/catalog';
import type {
  invoiceBody,
  invoiceDetail,
  invoiceImportResult,
  invoiceLine,
  invoiceListPage,
  invoiceListQuery,
  invoiceListRow,
} from '../../../../src/shared/contract/invoices';
import type { accountSummaryPreview } from '../../../../src/shared/contract/statements';
import type { InvoiceStatus } from '../../../../src/shared/invoice-status';

export {
  invoiceTerms,
  termDays,
  type InvoiceTerms,
} from '../../../../src/shared/contract/invoices';
export type { InvoiceState } from '../../../../src/shared/contract/invoices';
export type { InvoiceStatus };

export type InvoiceListItem = Answer<typeof invoiceListRow>;
export type InvoiceLine = Answer<typeof invoiceLine>;
export type Invoice = Answer<typeof invoiceDetail>;
/** What the invoice form sends (POST /api/invoices, PUT /api/invoices/{id}). */
export type InvoiceInput = z.input<typeof invoiceBody>;
export type ImportResult = Answer<typeof invoiceImportResult>;
export type ServiceCategory = Answer<typeof serviceCategoryBody>;
export type TaxRate = Answer<typeof taxRateBody>;
export type AccountSummaryPreview = Answer<typeof accountSummaryPreview>;
export type AgingBuckets = AccountSummaryPreview['statement']['aging'];

/** The list's filters as the page holds them (overdue as a flag), and its page size. */
export type InvoiceListParams = Omit<z.input<typeof invoiceListQuery>, 'overdue'> & {
  overdue?: boolean;
  limit: number;
};

/** Every invoice query starts with 'invoices', so one invalidation refreshes lists and details. */
export const invoiceKeys = {
  all: ['invoices'] as const,
  list: (params: InvoiceListParams) => ['invoices', 'list', params] as const,
  detail: (id: string) => ['invoices', 'detail', id] as const,
  html: (id: string) => ['invoices', 'html', id] as const,
  accountSummary: (organizationId: string) =>
    ['invoices', 'account-summary', organizationId] as const,
};

export function useInvoiceList(params: InvoiceListParams) {
  return useQuery({
    queryKey: invoiceKeys.list(params),
    queryFn: () =>
      api<Answer<typeof invoiceListPage>>('/api/invoices', {
        query: { ...params, overdue: params.overdue ? true : undefined },
      }),
    placeholderData: keepPreviousData,
  });
}

export function useInvoice(id: string) {
  return useQuery({
    queryKey: invoiceKeys.detail(id),
    queryFn: () => api<{ invoice: Invoice }>(`/api/invoices/${id}`),
    select: (data) => data.invoice,
  });
}

/** GET a text body (the invoice as HTML) with the same session and error handling as api(). */
export async function fetchText(path: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'text/html' } });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
  }
  if (response.ok) return response.text();
  const data = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  throw new ApiError(
    response.status,
    (data?.error?.code as ApiErrorCode | undefined) ?? 'internal',
    data?.error?.message ?? `The server answered ${response.status}.`,
  );
}

export function useInvoiceHtml(id: string, version: string) {
  return useQuery({
    // The version (status and balance) makes the preview follow issue, void and payments.
    queryKey: [...invoiceKeys.html(id), version],
    queryFn: () => fetchText(`/api/invoices/${id}/html`),
  });
}

export function useServiceCategories() {
  return useQuery({
    queryKey: ['service-categories'],
    queryFn: () => api<{ serviceCategories: ServiceCategory[] }>('/api/service-categories'),
    select: (data) => [...data.serviceCategories].sort((a, b) => a.position - b.position),
    staleTime: 5 * 60_000,
  });
}

export function useTaxRates() {
  return useQuery({
    queryKey: ['tax-rates'],
    queryFn: () => api<{ taxRates: TaxRate[] }>('/api/tax-rates'),
    select: (data) => data.taxRates,
    staleTime: 5 * 60_000,
  });
}

export function useSaveInvoice(id: string | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: InvoiceInput) =>
      id
        ? api<{ invoice: Invoice }>(`/api/invoices/${id}`, { method: 'PUT', body: input })
        : api<{ invoice: Invoice }>('/api/invoices', { method: 'POST', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

export function useDeleteInvoice(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>(`/api/invoices/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: invoiceKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: invoiceKeys.all });
    },
  });
}

export function useIssueInvoice(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ invoice: Invoice }>(`/api/invoices/${id}/issue`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

export function useVoidInvoice(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) =>
      api<{ invoice: Invoice }>(`/api/invoices/${id}/void`, { method: 'POST', body: { reason } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

export function useImportInvoices() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (csv: string) =>
      api<ImportResult>('/api/invoices/import', { method: 'POST', body: { csv } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

export function useAccountSummaryPreview(organizationId: string, enabled: boolean) {
  return useQuery({
    queryKey: invoiceKeys.accountSummary(organizationId),
    queryFn: () =>
      api<AccountSummaryPreview>(`/api/organizations/${organizationId}/account-summary/preview`),
    enabled,
    staleTime: 0,
  });
}

/** Organizations for a picker: the first matches for what was typed. */
export function useOrganizationOptions(q: string) {
  return useQuery({
    queryKey: ['organizations', 'options', q],
    queryFn: () =>
      api<{ organizations: { id: string; name: string; archivedAt: string | null }[] }>(
        '/api/organizations',
        { query: { q, sort: 'name', direction: 'asc', status: 'active', limit: 20 } },
      ),
    select: (data) => data.organizations,
    placeholderData: keepPreviousData,
  });
}
