import { useEffect } from 'react';
import { usePortalSession } from './api/portal-session';

/** Sets the document title with the MSP's name, so tabs and screen readers say where one is. */
export function usePortalTitle(title: string | null | undefined) {
  const mspName = usePortalSession().data?.branding.mspName || 'Client Portal';
  useEffect(() => {
    document.title = title ? `${title} · ${mspName}` : mspName;
  }, [title, mspName]);
}
