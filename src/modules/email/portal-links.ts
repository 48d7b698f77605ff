import { portalOrganizationParam } from '../../shared/portal-link-params.js';

/**
 * The client portal pages emails link to, as paths under the portal's address. They mirror
 * web/src/portal/portal-routes.tsx; tests/browser/email-links.test.ts opens every link of every
 * template in a browser, so a page that moves breaks that test rather than the emails.
 */
export const portalPages = {
  home: '',
  invoices: '/billing/invoices',
  paymentHistory: '/billing/payment-history',
  scheduledPayments: '/billing/scheduled-payments',
  invoice: (invoiceId: string) => `/billing/invoices/${encodeURIComponent(invoiceId)}`,
  paymentMethods: '/configuration/payment-methods',
  autopay: '/configuration/autopay',
  /** A service ticket's Details page (open or closed: the page says which). */
  ticket: (ticketId: string) => `/service/tickets/${encodeURIComponent(ticketId)}`,
  setPassword: '/set-password',
  resetPassword: '/reset-password',
} as const;

/**
 * A full link to a portal page: the portal's address (Brand.portalUrl, which settings resolve
 * from Configuration > Branding or PUBLIC_URL) and the page's path from `portalPages`. A link
 * about an organization's data passes `organizationId`, so it opens acting for that
 * organization whichever one the contact last used (decision 21).
 */
export function portalLink(
  brand: { portalUrl: string },
  page: string = portalPages.home,
  organizationId?: string,
): string {
  const link = `${brand.portalUrl.replace(/\/+$/, '')}${page}`;
  return organizationId
    ? `${link}?${portalOrganizationParam}=${encodeURIComponent(organizationId)}`
    : link;
}
