import { useQuery } from '@tanstack/react-query';
import { ApiError, portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

export type PortalInvoiceStatus = 'open' | 'partially_paid' | 'paid' | 'void' | 'draft';

export interface PortalInvoiceRow {
  id: string;
  number: string;
  serviceCategoryName: string;
  issueDate: string;
  dueDate: string;
  daysOverdue: number;
  totalCents: number;
  balanceCents: number;
  currency: string;
  status: PortalInvoiceStatus;
}

export interface PortalOpenInvoices {
  invoices: PortalInvoiceRow[];
  totals: { balanceCents: number; pastDueCents: number; currency: string };
  oldestOpen: { number: string; dueDate: string } | null;
}

export interface PortalInvoiceHistory {
  invoices: PortalInvoiceRow[];
}

export interface PortalInvoice extends PortalInvoiceRow {
  [key: string]: unknown;
}

function useOrganizationId(): string {
  return usePortalSession().data?.current?.organizationId ?? '';
}

export function usePortalOpenInvoices() {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'invoices'),
    queryFn: () => portalApi<PortalOpenInvoices>('/api/portal/invoices'),
    enabled: organizationId !== '',
  });
}

export function usePortalInvoiceHistory() {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'invoice-history'),
    queryFn: () => portalApi<PortalInvoiceHistory>('/api/portal/invoice-history'),
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
