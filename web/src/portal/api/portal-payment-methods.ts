import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  addPaymentMethodBody,
  editPaymentMethodBody,
  portalPaymentMethodAnswer,
  paymentMethodRemovalAnswer,
  portalPaymentMethodList,
  removedPaymentMethodAnswer,
} from '../../../../src/shared/contract/payment-methods';
import type { PaymentProcessor } from '../../../../src/shared/contract/payment-processor';
import type { StripeSetup } from '../../lib/payment-processor/stripe';
import { portalApi } from './portal-client';
import { portalKeys, usePortalSession } from './portal-session';

export type PaymentMethodList = Answer<typeof portalPaymentMethodList>;
export type PortalPaymentMethod = PaymentMethodList['paymentMethods'][number];
export type AddPaymentMethodBody = z.input<typeof addPaymentMethodBody>;
export type EditPaymentMethodBody = z.input<typeof editPaymentMethodBody>;
export type RemovedPaymentMethod = Answer<typeof removedPaymentMethodAnswer>;

function useOrganizationId(): string {
  return usePortalSession().data?.current?.organizationId ?? '';
}

/** Configuration > Payment Methods: the methods on file and what the Add forms need. */
export function usePaymentMethods() {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'payment-methods'),
    queryFn: () => portalApi<PaymentMethodList>('/api/portal/payment-methods'),
    enabled: organizationId !== '',
  });
}

/**
 * Every change reads the portal's data again: the list, Pay Selected's choices (its default,
 * a lock lifted by an edit) and anything else that names a method.
 */
function useMethodMutation<Input, Output>(request: (input: Input) => Promise<Output>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: portalKeys.dataAll }),
  });
}

export function useAddPaymentMethod() {
  return useMethodMutation((body: AddPaymentMethodBody) =>
    portalApi<Answer<typeof portalPaymentMethodAnswer>>('/api/portal/payment-methods', {
      method: 'POST',
      body,
    }),
  );
}

export function useEditPaymentMethod() {
  return useMethodMutation(({ id, ...changes }: EditPaymentMethodBody & { id: string }) =>
    portalApi<Answer<typeof portalPaymentMethodAnswer>>(`/api/portal/payment-methods/${id}`, {
      method: 'PATCH',
      body: changes,
    }),
  );
}

export function useMakeDefaultPaymentMethod() {
  return useMethodMutation((id: string) =>
    portalApi<Answer<typeof portalPaymentMethodAnswer>>(
      `/api/portal/payment-methods/${id}/default`,
      { method: 'POST' },
    ),
  );
}

/** What removing a method will do (its scheduled payments, AutoPay rules), for the confirmation. */
export function fetchPaymentMethodRemoval(id: string) {
  return portalApi<Answer<typeof paymentMethodRemovalAnswer>>(
    `/api/portal/payment-methods/${id}/removal`,
  );
}

export function useRemovePaymentMethod() {
  return useMethodMutation((id: string) =>
    portalApi<RemovedPaymentMethod>(`/api/portal/payment-methods/${id}`, { method: 'DELETE' }),
  );
}

/** Which processor takes the card or bank details (the sandbox's endpoint, or Stripe's). */
export function usePaymentProcessor() {
  const organizationId = useOrganizationId();
  return useQuery({
    queryKey: portalKeys.data(organizationId, 'payment-processor'),
    queryFn: () => portalApi<PaymentProcessor>('/api/portal/payment-processor'),
    enabled: organizationId !== '',
    staleTime: Infinity,
  });
}

/** Starts a Stripe SetupIntent for this organization (Stripe only), for the Payment Element. */
export function useStartStripeSetup() {
  return useMutation({
    // The path as stripe.ts names it; that module is not imported here, so the sandbox's
    // pages never load Stripe.js.
    mutationFn: () =>
      portalApi<StripeSetup>('/api/portal/payment-methods/stripe-setup', { method: 'POST' }),
  });
}
