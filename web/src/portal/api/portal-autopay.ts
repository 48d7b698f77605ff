import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  PortalAutopayBody,
  autopayPreview,
  portalAutopay,
} from '../../../../src/shared/contract/autopay';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

export type PortalAutopay = Answer<typeof portalAutopay>;
export type AutopayPreview = Answer<typeof autopayPreview>;

function useOrganizationId(): string {
  return usePortalSession().data?.current?.organizationId ?? '';
}

/** Configuration > AutoPay: the organization's AutoPay as this contact may see it. */
export function usePortalAutopay() {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'autopay'),
    queryFn: () => portalApi<PortalAutopay>('/api/portal/autopay'),
    enabled: organizationId !== '',
  });
}

/** What the rules would charge: the plan the run follows, from today on. */
export function usePortalAutopayPreview(enabled: boolean) {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'autopay-preview'),
    queryFn: () => portalApi<AutopayPreview>('/api/portal/autopay/preview'),
    enabled: enabled && organizationId !== '',
  });
}

/** Saves AutoPay Enabled and the whole ordered list of rules; the preview follows. */
export function useSavePortalAutopay() {
  const queryClient = useQueryClient();
  const organizationId = useOrganizationId();
  return useMutation({
    mutationFn: (body: PortalAutopayBody) =>
      portalApi<PortalAutopay>('/api/portal/autopay', { method: 'PUT', body }),
    onSuccess: (saved) => {
      queryClient.setQueryData(portalKeys.data(organizationId, 'autopay'), saved);
      return queryClient.invalidateQueries({
        queryKey: portalKeys.data(organizationId, 'autopay-preview'),
      });
    },
  });
}
