import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type { autopayRunBody, autopayRunRequest } from '../../../../src/shared/contract/settings';

/**
 * `GET /api/settings/autopay-run`: the daily AutoPay run's time of day on the MSP's clock and
 * the retries of a soft decline (how many more tries, how many days apart).
 */
type AutopayRunAnswer = Answer<typeof autopayRunBody>;
export type AutopayRunSettings = AutopayRunAnswer['autopayRun'];

export const autopayRunQueryKey = ['settings', 'autopay-run'] as const;

export function useAutopayRunSettings() {
  return useQuery({
    queryKey: autopayRunQueryKey,
    queryFn: () => api<AutopayRunAnswer>('/api/settings/autopay-run'),
    select: (data) => data.autopayRun,
  });
}

export function useSaveAutopayRunSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: z.input<typeof autopayRunRequest>) =>
      api<AutopayRunAnswer>('/api/settings/autopay-run', { method: 'PUT', body: changes }),
    onSuccess: (data) => queryClient.setQueryData(autopayRunQueryKey, data),
  });
}
