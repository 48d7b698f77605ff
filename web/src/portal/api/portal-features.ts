import { useQuery } from '@tanstack/react-query';
import type { PortalInvoiceHistory, PortalOpenInvoices } from './portal-invoices';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

/**
 * The portal's feature routes. Each answers what is true for the current organization (today
 * an empty list: these features arrive in later releases), or 403 without the permission.
 * The rows' shapes are not part of the contract yet, so they stay `unknown` here.
 */
export interface PaymentHistoryResponse {
  payments: unknown[];
}
export interface AutoPayResponse {
  enabled: boolean;
}
export interface ServiceTicketsResponse {
  openTickets: unknown[];
  closedTickets: unknown[];
}

export interface PortalRoutes {
  invoices: PortalOpenInvoices;
  'invoice-history': PortalInvoiceHistory;
  'payment-history': PaymentHistoryResponse;
  autopay: AutoPayResponse;
  'service-tickets': ServiceTicketsResponse;
}

export type PortalRouteName = keyof PortalRoutes;

/** GET /api/portal/<name>, cached per current organization. */
export function usePortalData<N extends PortalRouteName>(name: N) {
  const organizationId = usePortalSession().data?.current?.organizationId ?? '';
  return useQuery({
    queryKey: portalKeys.data(organizationId, name),
    queryFn: () => portalApi<PortalRoutes[N]>(`/api/portal/${name}`),
    enabled: organizationId !== '',
  });
}
