import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type { PaymentProcessor } from '../../../../src/shared/contract/payment-processor';
import type { OrganizationContactsPage } from '../contacts/contacts-api';
import type { AddMethodBody } from '../../components/payment-method-form';
import type { StripeSetup } from '../../lib/payment-processor/stripe';
import type {
  monthlyProviderFees,
  organizationProviderFees,
  paymentMethodRemovalAnswer,
  paymentSettingsAnswer,
  removedPaymentMethodAnswer,
  staffPaymentMethodAnswer,
  staffPaymentMethodList,
} from '../../../../src/shared/contract/payment-methods';

export type StaffPaymentMethodList = Answer<typeof staffPaymentMethodList>;
export type StaffPaymentMethod = StaffPaymentMethodList['paymentMethods'][number];
export type OrganizationProviderFees = Answer<typeof organizationProviderFees>;
export type MonthlyProviderFees = Answer<typeof monthlyProviderFees>;
type PaymentSettingsAnswer = Answer<typeof paymentSettingsAnswer>;
export type PaymentSettings = PaymentSettingsAnswer['payments'];

const keys = {
  methods: (organizationId: string) => ['organizations', organizationId, 'payment-methods'],
  fees: (organizationId: string) => ['organizations', organizationId, 'provider-fees'],
  monthlyFees: ['provider-fees'] as const,
  settings: ['settings', 'payments'] as const,
};

/**
 * The organization page's Payment Methods: failures, locks and authorizations included; with
 * `showRemoved`, the removed ones too (who removed them and when).
 */
export function useOrganizationPaymentMethods(organizationId: string, showRemoved = false) {
  return useQuery({
    queryKey: [...keys.methods(organizationId), showRemoved ? 'with-removed' : 'on-file'],
    queryFn: () =>
      api<StaffPaymentMethodList>(
        `/api/organizations/${organizationId}/payment-methods${showRemoved ? '?removed=include' : ''}`,
      ),
  });
}

/** A change to one method, then the organization's methods and its audit log read again. */
function useMethodChange<Input, Output>(
  organizationId: string,
  request: (input: Input) => Promise<Output>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['organizations', organizationId] }),
  });
}

export function useUnlockPaymentMethod(organizationId: string) {
  return useMethodChange(organizationId, ({ id, reason }: { id: string; reason: string }) =>
    api<Answer<typeof staffPaymentMethodAnswer>>(
      `/api/organizations/${organizationId}/payment-methods/${id}/unlock`,
      { method: 'POST', body: { reason } },
    ),
  );
}

export function useMakeDefaultPaymentMethod(organizationId: string) {
  return useMethodChange(organizationId, (id: string) =>
    api<Answer<typeof staffPaymentMethodAnswer>>(
      `/api/organizations/${organizationId}/payment-methods/${id}/default`,
      { method: 'POST' },
    ),
  );
}

/** What removing a method will do (its scheduled payments, AutoPay rules), for the confirmation. */
export function fetchPaymentMethodRemoval(organizationId: string, id: string) {
  return api<Answer<typeof paymentMethodRemovalAnswer>>(
    `/api/organizations/${organizationId}/payment-methods/${id}/removal`,
  );
}

export function useRemovePaymentMethod(organizationId: string) {
  return useMethodChange(organizationId, (id: string) =>
    api<Answer<typeof removedPaymentMethodAnswer>>(
      `/api/organizations/${organizationId}/payment-methods/${id}`,
      { method: 'DELETE' },
    ),
  );
}

/** The provider fees one organization's new methods cost the MSP (staff only). */
export function useOrganizationProviderFees(organizationId: string) {
  return useQuery({
    queryKey: keys.fees(organizationId),
    queryFn: () =>
      api<OrganizationProviderFees>(`/api/organizations/${organizationId}/provider-fees`),
  });
}

/** The installation's provider fees by month. */
export function useMonthlyProviderFees() {
  return useQuery({
    queryKey: keys.monthlyFees,
    queryFn: () => api<MonthlyProviderFees>('/api/provider-fees'),
  });
}

/** Configuration > Billing > Payments. */
export function usePaymentSettings() {
  return useQuery({
    queryKey: keys.settings,
    queryFn: () => api<PaymentSettingsAnswer>('/api/settings/payments'),
    select: (data) => data.payments,
  });
}

export function useSavePaymentSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (payments: PaymentSettings) =>
      api<PaymentSettingsAnswer>('/api/settings/payments', { method: 'PUT', body: payments }),
    onSuccess: (data) => queryClient.setQueryData(keys.settings, data),
  });
}

/** Which processor takes card and bank details (staff enter them for a client there too). */
export function usePaymentProcessor() {
  return useQuery({
    queryKey: ['payment-processor'],
    queryFn: () => api<PaymentProcessor>('/api/payment-processor'),
    staleTime: Infinity,
  });
}

/**
 * Staff enter a method for a client (a phone call): the processor's token, with the contact
 * who authorized it. Afterwards the organization's methods, fees and audit log read again.
 */
export function useAddPaymentMethodForClient(organizationId: string) {
  return useMethodChange(organizationId, (body: AddMethodBody) =>
    api<Answer<typeof staffPaymentMethodAnswer>>(
      `/api/organizations/${organizationId}/payment-methods`,
      { method: 'POST', body },
    ),
  );
}

/** A Stripe SetupIntent for the organization (Stripe only); the path stripe.ts names. */
export function useStartStripeSetupForClient(organizationId: string) {
  return useMutation({
    mutationFn: () =>
      api<StripeSetup>(`/api/organizations/${organizationId}/payment-methods/stripe-setup`, {
        method: 'POST',
      }),
  });
}

/** The organization's contacts to choose who authorized a method (the first 200 by name). */
export function useAuthorizingContacts(organizationId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['organizations', organizationId, 'payment-method-contacts'],
    queryFn: () =>
      api<OrganizationContactsPage>(`/api/organizations/${organizationId}/contacts`, {
        query: { sort: 'name', limit: 200 },
      }),
    select: (page) => page.contacts,
    enabled,
  });
}
