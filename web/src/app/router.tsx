import { Navigate, createBrowserRouter } from 'react-router';
import { SignInPage } from '../features/auth/sign-in-page';
import { TwoFactorPage } from '../features/auth/two-factor-page';
import { ClientUsersPage } from '../features/access-profiles/client-users-page';
import { EmailTemplatesPage } from '../features/email/email-templates-page';
import { LocalMailboxPage } from '../features/email/local-mailbox-page';
import { InvoiceDetailsPage } from '../features/invoices/invoice-details-page';
import { EditInvoicePage, NewInvoicePage } from '../features/invoices/invoice-form-page';
import { InvoicesPage } from '../features/invoices/invoices-page';
import { OrganizationDetailsPage } from '../features/organizations/organization-details-page';
import { OrganizationsPage } from '../features/organizations/organizations-page';
import { BillingPage } from '../features/settings/billing-page';
import { BrandingPage } from '../features/settings/branding-page';
import { SecurityPage } from '../features/settings/security-page';
import { StaffUsersPage } from '../features/staff-users/staff-users-page';
import { AppLayout } from './app-layout';
import { NotFoundPage } from './not-found-page';
import { RequireAuth, RequireCapability } from './require-auth';
import { TransactionsPage } from '../features/payments/transactions-page';
import { AutopayReportPage } from '../features/autopay/autopay-report-page';
import { PaymentsCalendarPage } from '../features/autopay/payments-calendar-page';
import { TicketPage } from '../features/tickets/ticket-page';
import { TicketSettingsPage } from '../features/tickets/ticket-settings-page';
import { TicketsPage } from '../features/tickets/tickets-page';

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  // The client portal (/portal) is a page and a bundle of its own: web/src/portal/main.tsx.
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <Navigate to="/organizations" replace /> },
          { path: 'organizations', element: <OrganizationsPage /> },
          { path: 'organizations/:organizationId', element: <OrganizationDetailsPage /> },
          { path: 'invoices', element: <InvoicesPage /> },
          { path: 'transactions', element: <TransactionsPage /> },
          { path: 'autopay', element: <AutopayReportPage /> },
          { path: 'payments-calendar', element: <PaymentsCalendarPage /> },
          { path: 'tickets', element: <TicketsPage /> },
          { path: 'tickets/:ticketId', element: <TicketPage /> },
          {
            path: 'invoices/new',
            element: (
              <RequireCapability capability="manage_clients">
                <NewInvoicePage />
              </RequireCapability>
            ),
          },
          { path: 'invoices/:invoiceId', element: <InvoiceDetailsPage /> },
          {
            path: 'invoices/:invoiceId/edit',
            element: (
              <RequireCapability capability="manage_clients">
                <EditInvoicePage />
              </RequireCapability>
            ),
          },
          { path: 'configuration', element: <Navigate to="/configuration/client-users" replace /> },
          { path: 'configuration/client-users', element: <ClientUsersPage /> },
          {
            path: 'configuration/staff-users',
            element: (
              <RequireCapability capability="manage_staff">
                <StaffUsersPage />
              </RequireCapability>
            ),
          },
          { path: 'configuration/email-templates', element: <EmailTemplatesPage /> },
          { path: 'configuration/branding', element: <BrandingPage /> },
          { path: 'configuration/billing', element: <BillingPage /> },
          { path: 'configuration/service-tickets', element: <TicketSettingsPage /> },
          {
            path: 'configuration/local-mailbox',
            element: (
              <RequireCapability capability="read_local_mailbox">
                <LocalMailboxPage />
              </RequireCapability>
            ),
          },
          {
            path: 'configuration/security',
            element: (
              <RequireCapability capability="manage_settings">
                <SecurityPage />
              </RequireCapability>
            ),
          },
          { path: 'account', element: <Navigate to="/account/two-factor" replace /> },
          { path: 'account/two-factor', element: <TwoFactorPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
