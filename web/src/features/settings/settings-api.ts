import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Answer } from '../../../../src/shared/contract/common';
import type {
  brandingBody,
  brandingRequest,
  securityBody,
  securityRequest,
} from '../../../../src/shared/contract/settings';

/** The saved branding, and the portal address emails use while its Portal URL is empty. */
type BrandingAnswer = Answer<typeof brandingBody>;
/**
 * The MSP's branding, worn by every email and the client portal (an empty `portalUrl`: the
 * server's PUBLIC_URL/portal, `defaultPortalUrl`).
 */
export type Branding = BrandingAnswer['branding'];

export const brandingQueryKey = ['settings', 'branding'] as const;

export function useBranding() {
  return useQuery({
    queryKey: brandingQueryKey,
    queryFn: () => api<BrandingAnswer>('/api/settings/branding'),
    select: (data) => data.branding,
  });
}

/** Where emails link while Branding's Portal URL is empty (from the server's PUBLIC_URL). */
export function useDefaultPortalUrl() {
  return useQuery({
    queryKey: brandingQueryKey,
    queryFn: () => api<BrandingAnswer>('/api/settings/branding'),
    select: (data) => data.defaultPortalUrl,
  }).data;
}

export function useSaveBranding() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (branding: z.input<typeof brandingRequest>) =>
      api<BrandingAnswer>('/api/settings/branding', { method: 'PUT', body: branding }),
    onSuccess: (data) => {
      queryClient.setQueryData(brandingQueryKey, data);
      // Template previews wear the current branding.
      return queryClient.invalidateQueries({ queryKey: ['email-templates'] });
    },
  });
}

/** How staff sign in. */
type SecurityAnswer = Answer<typeof securityBody>;
export type SecuritySettings = SecurityAnswer['security'];

export const securityQueryKey = ['settings', 'security'] as const;

export function useSecuritySettings() {
  return useQuery({
    queryKey: securityQueryKey,
    queryFn: () => api<SecurityAnswer>('/api/settings/security'),
    select: (data) => data.security,
  });
}

export function useSaveSecuritySettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (security: z.input<typeof securityRequest>) =>
      api<SecurityAnswer>('/api/settings/security', {
        method: 'PUT',
        body: security,
      }),
    onSuccess: (data) => {
      queryClient.setQueryData(securityQueryKey, data);
      // The Two-factor page says whether TOTP may be turned off.
      return queryClient.invalidateQueries({ queryKey: ['auth', 'totp'] });
    },
  });
}
