import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  StaffAutopayBody,
  autopayPreview,
  staffAutopay,
} from '../../../../src/shared/contract/autopay';
import type {
  AutopayReportFilters,
  autopayLastRunAnswer,
  autopayReportPage,
  paymentsCalendarAnswer,
  paymentsCalendarDayAnswer,
} from '../../../../src/shared/contract/autopay-report';

export type AutopayReportPage = Answer<typeof autopayReportPage>;
export type AutopayReportRow = AutopayReportPage['organizations'][number];
export type AutopayLastRun = Answer<typeof autopayLastRunAnswer>;
export type PaymentsCalendar = Answer<typeof paymentsCalendarAnswer>;
export type PaymentsCalendarDay = Answer<typeof paymentsCalendarDayAnswer>;
export type StaffAutopay = Answer<typeof staffAutopay>;
export type AutopayPreview = Answer<typeof autopayPreview>;
export type { AutopayReportFilters };

export const autopayKeys = {
  all: ['autopay'] as const,
  organization: (id: string) => ['autopay', 'organization', id] as const,
  report: (filters: AutopayReportFilters) => ['autopay', 'report', filters] as const,
  calendar: (from: string, through: string) => ['autopay', 'calendar', from, through] as const,
  calendarDay: (date: string) => ['autopay', 'calendar-day', date] as const,
};

/** The organization page's AutoPay tab: its settings, rules and who changed what. */
export function useOrganizationAutopay(organizationId: string) {
  return useQuery({
    queryKey: [...autopayKeys.organization(organizationId), 'settings'],
    queryFn: () => api<StaffAutopay>(`/api/organizations/${organizationId}/autopay`),
  });
}

/** What the organization's rules would charge, from today on: the plan the run follows. */
export function useOrganizationAutopayPreview(organizationId: string) {
  return useQuery({
    queryKey: [...autopayKeys.organization(organizationId), 'preview'],
    queryFn: () => api<AutopayPreview>(`/api/organizations/${organizationId}/autopay/preview`),
  });
}

/** Each of its invoices' tries in the last AutoPay run. */
export function useOrganizationLastAutopayRun(organizationId: string) {
  return useQuery({
    queryKey: [...autopayKeys.organization(organizationId), 'last-run'],
    queryFn: () => api<AutopayLastRun>(`/api/organizations/${organizationId}/autopay/last-run`),
  });
}

/** Saves the organization's AutoPay; the tab, the report and the calendar read it again. */
export function useSaveOrganizationAutopay(organizationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StaffAutopayBody) =>
      api<StaffAutopay>(`/api/organizations/${organizationId}/autopay`, { method: 'PUT', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: autopayKeys.all }),
  });
}

/** The AutoPay Configurations report, a page at a time. */
export function useAutopayReport(filters: AutopayReportFilters) {
  return useInfiniteQuery({
    queryKey: autopayKeys.report(filters),
    queryFn: ({ pageParam }) =>
      api<AutopayReportPage>('/api/autopay/report', {
        query: { ...filters, cursor: pageParam, limit: 50 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** The report's CSV export under the same filters. */
export function autopayReportCsvUrl(filters: AutopayReportFilters): string {
  const params = new URLSearchParams();
  if (filters.search) params.set('search', filters.search);
  if (filters.enabled) params.set('enabled', filters.enabled);
  const query = params.toString();
  return `/api/autopay/report/export${query ? `?${query}` : ''}`;
}

/** The calendar's days from `from` through `through`, with their totals. */
export function usePaymentsCalendar(from: string, through: string) {
  return useQuery({
    queryKey: autopayKeys.calendar(from, through),
    queryFn: () => api<PaymentsCalendar>('/api/payments-calendar', { query: { from, through } }),
    placeholderData: keepPreviousData,
  });
}

/** One day's AutoPay charges (a page at a time) and scheduled payments. */
export function usePaymentsCalendarDay(date: string | null) {
  return useInfiniteQuery({
    queryKey: autopayKeys.calendarDay(date ?? ''),
    queryFn: ({ pageParam }) =>
      api<PaymentsCalendarDay>('/api/payments-calendar/day', {
        query: { date, cursor: pageParam, limit: 100 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: date !== null,
  });
}
