import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  businessDatesBody,
  businessDatesRequest,
  invoiceRemindersBody,
  invoiceRemindersRequest,
} from '../../../../src/shared/contract/settings';
import { sessionQueryKey } from '../auth/session';
import type {
  newServiceCategoryRequest,
  newTaxRateRequest,
  serviceCategoryAnswer,
  serviceCategoryChangesRequest,
  taxRateAnswer,
  taxRateChangesRequest,
} from '../../../../src/shared/contract/catalog';

/** The same keys as the invoice form's pickers, so a change here shows there too. */
const serviceCategoriesKey = ['service-categories'] as const;
const taxRatesKey = ['tax-rates'] as const;

export function useCreateServiceCategory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: z.input<typeof newServiceCategoryRequest>) =>
      api<Answer<typeof serviceCategoryAnswer>>('/api/service-categories', {
        method: 'POST',
        body: fields,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceCategoriesKey }),
  });
}

export function useUpdateServiceCategory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      ...changes
    }: { id: string } & z.input<typeof serviceCategoryChangesRequest>) =>
      api<Answer<typeof serviceCategoryAnswer>>(`/api/service-categories/${id}`, {
        method: 'PATCH',
        body: changes,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceCategoriesKey }),
  });
}

export function useCreateTaxRate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: z.input<typeof newTaxRateRequest>) =>
      api<Answer<typeof taxRateAnswer>>('/api/tax-rates', { method: 'POST', body: fields }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: taxRatesKey }),
  });
}

export function useUpdateTaxRate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: { id: string } & z.input<typeof taxRateChangesRequest>) =>
      api<Answer<typeof taxRateAnswer>>(`/api/tax-rates/${id}`, { method: 'PATCH', body: changes }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: taxRatesKey }),
  });
}

/** `GET /api/settings/invoice-reminders`: when invoice due notices go out; 0 turns a notice off. */
type InvoiceRemindersAnswer = Answer<typeof invoiceRemindersBody>;
export type InvoiceReminders = InvoiceRemindersAnswer['invoiceReminders'];

export const invoiceRemindersQueryKey = ['settings', 'invoice-reminders'] as const;

export function useInvoiceReminders() {
  return useQuery({
    queryKey: invoiceRemindersQueryKey,
    queryFn: () => api<InvoiceRemindersAnswer>('/api/settings/invoice-reminders'),
    select: (data) => data.invoiceReminders,
  });
}

export function useSaveInvoiceReminders() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invoiceReminders: z.input<typeof invoiceRemindersRequest>) =>
      api<InvoiceRemindersAnswer>('/api/settings/invoice-reminders', {
        method: 'PUT',
        body: invoiceReminders,
      }),
    onSuccess: (data) => queryClient.setQueryData(invoiceRemindersQueryKey, data),
  });
}

/**
 * `GET /api/settings/business-dates`: the MSP's time zone (which decides what "today" is) and
 * the one date format every surface uses. `today` is the server's answer: the console never
 * works it out itself.
 */
type BusinessDatesAnswer = Answer<typeof businessDatesBody>;
export type BusinessDates = BusinessDatesAnswer['businessDates'];
/** What Save Dates sends. */
export type BusinessDatesChanges = z.input<typeof businessDatesRequest>;

export const businessDatesQueryKey = ['settings', 'business-dates'] as const;

/** Asked afresh each time a page needs it: a console left open overnight must not keep yesterday. */
export function useBusinessDates() {
  return useQuery({
    queryKey: businessDatesQueryKey,
    queryFn: () => api<BusinessDatesAnswer>('/api/settings/business-dates'),
    select: (data) => data.businessDates,
    staleTime: 0,
  });
}

export function useSaveBusinessDates() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: BusinessDatesChanges) =>
      api<BusinessDatesAnswer>('/api/settings/business-dates', {
        method: 'PUT',
        body: changes,
      }),
    onSuccess: async (data) => {
      queryClient.setQueryData(businessDatesQueryKey, data);
      // Every date on screen follows the new format: the session carries it to each page.
      await queryClient.invalidateQueries({ queryKey: sessionQueryKey });
    },
  });
}
