import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface AuditEvent {
  id: number;
  occurredAt: string;
  actorKind: 'staff' | 'contact' | 'system';
  actorLabel: string;
  entityType: string;
  entityId: string;
  /** The entity's name when the change happened (empty on older events). */
  entityLabel: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export function useOrganizationAudit(organizationId: string) {
  return useInfiniteQuery({
    queryKey: ['organizations', 'audit', organizationId],
    queryFn: ({ pageParam }) =>
      api<AuditPage>(`/api/organizations/${organizationId}/audit`, {
        query: { cursor: pageParam, limit: 25 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
