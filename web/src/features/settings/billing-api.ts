import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ServiceCategory, TaxRate } from '../invoices/invoices-api';

/** The same keys as the invoice form's pickers, so a change here shows there too. */
const serviceCategoriesKey = ['service-categories'] as const;
const taxRatesKey = ['tax-rates'] as const;

export function useCreateServiceCategory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: { name: string }) =>
      api<{ serviceCategory: ServiceCategory }>('/api/service-categories', {
        method: 'POST',
        body: fields,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceCategoriesKey }),
  });
}

export function useUpdateServiceCategory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: { id: string; name?: string; archived?: boolean }) =>
      api<{ serviceCategory: ServiceCategory }>(`/api/service-categories/${id}`, {
        method: 'PATCH',
        body: changes,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceCategoriesKey }),
  });
}

export function useCreateTaxRate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: { name: string; ratePercent: string }) =>
      api<{ taxRate: TaxRate }>('/api/tax-rates', { method: 'POST', body: fields }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: taxRatesKey }),
  });
}

export function useUpdateTaxRate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: { id: string; name?: string; archived?: boolean }) =>
      api<{ taxRate: TaxRate }>(`/api/tax-rates/${id}`, { method: 'PATCH', body: changes }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: taxRatesKey }),
  });
}

/** When invoice due notices go out; 0 turns a notice off. */
export interface InvoiceReminders {
  dueReminderDaysBefore: number;
  pastDueReminderEveryDays: number;
}

export const invoiceRemindersQueryKey = ['settings', 'invoice-reminders'] as const;

export function useInvoiceReminders() {
  return useQuery({
    queryKey: invoiceRemindersQueryKey,
    queryFn: () => api<{ invoiceReminders: InvoiceReminders }>('/api/settings/invoice-reminders'),
    select: (data) => data.invoiceReminders,
  });
}

export function useSaveInvoiceReminders() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invoiceReminders: InvoiceReminders) =>
      api<{ invoiceReminders: InvoiceReminders }>('/api/settings/invoice-reminders', {
        method: 'PUT',
        body: invoiceReminders,
      }),
    onSuccess: (data) => queryClient.setQueryData(invoiceRemindersQueryKey, data),
  });
}
