import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Answer } from '../../../../src/shared/contract/common';
import type { paymentMethodChoices } from '../../../../src/shared/contract/payment-methods';
import type {
  ChangeScheduledPaymentBody,
  SchedulePaymentBody,
  scheduledPaymentAnswer,
  scheduledPaymentList,
} from '../../../../src/shared/contract/scheduled-payments';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

export type ScheduledAnswer = Answer<typeof scheduledPaymentAnswer>;
export type PortalScheduledPayment = ScheduledAnswer['scheduledPayment'];

/**
 * Whether a field a payment's refusal names has a box of its own in Pay Selected and in Change
 * (the date, an invoice's amount), where its reason is shown instead of in the alert.
 */
export function paymentFieldHasBox(field: string): boolean {
  return field === 'runOn' || /^allocations\.\d+\.amountCents$/.test(field);
}

/**
 * Billing > Scheduled Payments: the organization's scheduled payments, soonest first. `enabled`
 * false (a contact whose profile may not see them) asks nothing.
 */
export function useScheduledPayments(enabled = true) {
  const organizationId = usePortalSession().data?.current?.organizationId ?? '';
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'scheduled-payments'),
    queryFn: () => portalApi<Answer<typeof scheduledPaymentList>>('/api/portal/scheduled-payments'),
    enabled: enabled && organizationId !== '',
  });
}

/**
 * The saved methods a payment may be scheduled with, for a contact who may schedule payments
 * but not pay now (Pay Selected's own list is for those who may pay).
 */
export function useScheduleMethodChoices(enabled = true) {
  const organizationId = usePortalSession().data?.current?.organizationId ?? '';
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'schedule-method-choices'),
    queryFn: () =>
      portalApi<Answer<typeof paymentMethodChoices>>(
        '/api/portal/scheduled-payments/payment-method-choices',
      ),
    enabled: enabled && organizationId !== '',
  });
}

/**
 * Schedules, changes or cancels a scheduled payment; afterwards every portal list is read again
 * (the invoices a scheduled payment covers, the scheduled list).
 */
function useScheduledMutation<Input>(request: (input: Input) => Promise<ScheduledAnswer>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSettled: () => queryClient.invalidateQueries({ queryKey: portalKeys.dataAll }),
  });
}

/** Pay Selected with a future date: POST /api/portal/scheduled-payments. */
export function useSchedulePayment() {
  return useScheduledMutation((body: SchedulePaymentBody) =>
    portalApi<ScheduledAnswer>('/api/portal/scheduled-payments', { method: 'POST', body }),
  );
}

export function useChangeScheduledPayment() {
  return useScheduledMutation(({ id, body }: { id: string; body: ChangeScheduledPaymentBody }) =>
    portalApi<ScheduledAnswer>(`/api/portal/scheduled-payments/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
    }),
  );
}

export function useCancelScheduledPayment() {
  return useScheduledMutation((id: string) =>
    portalApi<ScheduledAnswer>(`/api/portal/scheduled-payments/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
    }),
  );
}
