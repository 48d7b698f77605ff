import { useQuery } from '@tanstack/react-query';
import type { PortalInvoiceHistory, PortalOpenInvoices } from './portal-invoices';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

/**
 * The portal's routes read through usePortalData. Service tickets answer an empty list for
 * everyone until they arrive in a later release (or 403 without the permission); their rows'
 * shapes are not part of the contract yet, so they stay `unknown` here.
 */
export interface ServiceTicketsResponse {
  openTickets: unknown[];
  closedTickets: unknown[];
}

export interface PortalRoutes {
  invoices: PortalOpenInvoices;
  'invoice-history': PortalInvoiceHistory;
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
