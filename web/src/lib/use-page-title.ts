import { useEffect } from 'react';

/** Sets the document title, so tabs and screen readers say where the user is. */
export function usePageTitle(title: string | null | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · Portico` : 'Portico';
  }, [title]);
}
