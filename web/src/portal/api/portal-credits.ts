import { useQuery } from '@tanstack/react-query';
import type { Answer } from '../../../../src/shared/contract/common';
import type { portalCreditsAnswer } from '../../../../src/shared/contract/staff-payments';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

export type PortalCredits = Answer<typeof portalCreditsAnswer>;

/** The organization's unapplied credit and the payments it comes from (view_credits). */
export function usePortalCredits() {
  const organizationId = usePortalSession().data?.current?.organizationId ?? '';
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'credits'),
    queryFn: () => portalApi<PortalCredits>('/api/portal/credits'),
    enabled: organizationId !== '',
  });
}
