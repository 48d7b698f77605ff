import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type { organizationAuditPage } from '../../../../src/shared/contract/organizations';

/** A page of an organization's audit log, newest first. */
type AuditPage = Answer<typeof organizationAuditPage>;

/**
 * One audit event. `before` and `after` hold the changed fields (changedFields on the server),
 * or null; the contract leaves their shape open, as every entity audits its own fields.
 */
export type AuditEvent = Omit<AuditPage['events'][number], 'before' | 'after'> & {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

export function useOrganizationAudit(organizationId: string) {
  return useInfiniteQuery({
    queryKey: ['organizations', 'audit', organizationId],
    queryFn: ({ pageParam }) =>
      api<Omit<AuditPage, 'events'> & { events: AuditEvent[] }>(
        `/api/organizations/${organizationId}/audit`,
        {
          query: { cursor: pageParam, limit: 25 },
        },
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
