import type { RouteObject } from 'react-router';
import { AutoPayPage } from './pages/autopay-page';
import { ChangePasswordPage } from './pages/change-password-page';
import { CreditsPage } from './pages/credits-page';
import {
  CreateServiceTicketPage,
  OpenServiceTicketsPage,
  PortalTicketPage,
  ServiceHistoryPage,
} from './pages/service-ticket-pages';
import { ScheduledPaymentsPage } from './pages/scheduled-payments-page';
import { ForgotPasswordPage } from './pages/forgot-password-page';
import { PaymentMethodsPage } from './pages/payment-methods-page';
import { PaymentHistoryPage, PaymentReceiptPage } from './pages/payment-history-page';
import { PortalHomePage } from './pages/home-page';
import { InvoiceHistoryPage, InvoicesPage, PortalInvoicePage } from './pages/invoice-pages';
import { PortalNotFoundPage } from './pages/not-found-page';
import { SetPasswordPage } from './pages/set-password-page';
import { PortalSignInPage } from './pages/sign-in-page';
import { PortalLayout } from './portal-layout';
import { RequirePortalAuth, PortalRoot } from './portal-root';

/**
 * The client portal, mounted at /portal. It has its own session, layout and theme; nothing
 * under it runs the staff console's session hooks, and its catch-all keeps unknown /portal
 * addresses inside the portal.
 */
export const portalRoute: RouteObject = {
  path: '/portal',
  element: <PortalRoot />,
  children: [
    { path: 'sign-in', element: <PortalSignInPage /> },
    { path: 'forgot-password', element: <ForgotPasswordPage /> },
    { path: 'set-password', element: <SetPasswordPage key="set" kind="set" /> },
    { path: 'reset-password', element: <SetPasswordPage key="reset" kind="reset" /> },
    {
      element: <RequirePortalAuth />,
      children: [
        {
          element: <PortalLayout />,
          children: [
            { index: true, element: <PortalHomePage /> },
            { path: 'billing/invoices', element: <InvoicesPage /> },
            { path: 'billing/invoices/:invoiceId', element: <PortalInvoicePage /> },
            { path: 'billing/payment-history', element: <PaymentHistoryPage /> },
            { path: 'billing/payment-history/:paymentId', element: <PaymentReceiptPage /> },
            { path: 'billing/scheduled-payments', element: <ScheduledPaymentsPage /> },
            { path: 'billing/credits', element: <CreditsPage /> },
            { path: 'billing/invoice-history', element: <InvoiceHistoryPage /> },
            { path: 'configuration/payment-methods', element: <PaymentMethodsPage /> },
            { path: 'configuration/autopay', element: <AutoPayPage /> },
            { path: 'service/new-ticket', element: <CreateServiceTicketPage /> },
            { path: 'service/open-tickets', element: <OpenServiceTicketsPage /> },
            { path: 'service/history', element: <ServiceHistoryPage /> },
            { path: 'service/tickets/:ticketId', element: <PortalTicketPage /> },
            { path: 'account/change-password', element: <ChangePasswordPage /> },
            { path: '*', element: <PortalNotFoundPage /> },
          ],
        },
      ],
    },
  ],
};
