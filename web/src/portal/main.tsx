// The client portal's own page (web/portal/index.html): the server sends it for /portal and
// everything under it, so a client downloads the portal and none of the staff console.
import '@mantine/core/styles.layer.css';
import '@mantine/notifications/styles.layer.css';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider, createBrowserRouter } from 'react-router';
import { BaseProviders, createBaseQueryClient } from '../app/base-providers';
import { portalRoute } from './portal-routes';

const router = createBrowserRouter([portalRoute]);

function PortalApp() {
  // The portal's 401 handling is PortalRoot's: it knows the portal's session.
  const [queryClient] = useState(createBaseQueryClient);
  return (
    <BaseProviders queryClient={queryClient}>
      <RouterProvider router={router} />
    </BaseProviders>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('portal/index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <PortalApp />
  </StrictMode>,
);
