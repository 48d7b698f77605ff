import { useInfiniteQuery, useQuery, type InfiniteData } from '@tanstack/react-query';
import { ApiError, portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  portalInvoiceDetail,
  portalInvoiceRow,
  portalOpenInvoicesPage,
  portalPaidInvoicesPage,
} from '../../../../src/shared/contract/portal-invoices';
import type { InvoiceStatus } from '../../../../src/shared/invoice-status';

export type PortalInvoiceStatus = InvoiceStatus;

export type PortalInvoiceRow = Answer<typeof portalInvoiceRow>;

/**
 * Open invoices: the rows loaded so far (a page at a time), and what every page carries about
 * all of them: how many (`total`), the totals and the oldest.
 */
export type PortalOpenInvoices = Answer<typeof portalOpenInvoicesPage>;

export type PortalInvoiceHistory = Answer<typeof portalPaidInvoicesPage>;

/** Rows per "Load more" on the portal's invoice lists. */
export const portalInvoicePageSize = 100;

/** The pages loaded so far as one list: the first page's summary, every page's rows. */
function joinPages<T extends { invoices: PortalInvoiceRow[]; nextCursor: string | null }>(
  data: InfiniteData<T>,
): T {
  const first = data.pages[0]!;
  return {
    ...first,
    invoices: data.pages.flatMap((page) => page.invoices),
    nextCursor: data.pages[data.pages.length - 1]!.nextCursor,
  };
}

export type PortalInvoice = Answer<typeof portalInvoiceDetail>;

function useOrganizationId(): string {
  return usePortalSession().data?.current?.organizationId ?? '';
}

export function usePortalOpenInvoices() {
  const organizationId = useOrganizationId();
  return useInfiniteQuery({
    queryKey: portalKeys.data(organizationId, 'invoices'),
    queryFn: ({ pageParam }) =>
      portalApi<PortalOpenInvoices>('/api/portal/invoices', {
        query: { cursor: pageParam, limit: portalInvoicePageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: joinPages,
    enabled: organizationId !== '',
  });
}

export function usePortalInvoiceHistory() {
  const organizationId = useOrganizationId();
  return useInfiniteQuery({
    queryKey: portalKeys.data(organizationId, 'invoice-history'),
    queryFn: ({ pageParam }) =>
      portalApi<PortalInvoiceHistory>('/api/portal/invoice-history', {
        query: { cursor: pageParam, limit: portalInvoicePageSize },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: joinPages,
    enabled: organizationId !== '',
  });
}

/** One invoice: its summary (JSON) and the invoice itself as HTML, for the sandboxed frame. */
export function usePortalInvoice(id: string) {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, `invoice:${id}`),
    queryFn: async () => {
      const { invoice } = await portalApi<{ invoice: PortalInvoice }>(
        `/api/portal/invoices/${encodeURIComponent(id)}`,
      );
      const html = await fetchPortalHtml(`/api/portal/invoices/${encodeURIComponent(id)}/html`);
      return { invoice, html };
    },
    enabled: organizationId !== '' && id !== '',
  });
}

async function fetchPortalHtml(path: string): Promise<string> {
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
    (data?.error?.code ?? 'internal') as ApiError['code'],
    data?.error?.message ?? `The server answered ${response.status}.`,
  );
}
