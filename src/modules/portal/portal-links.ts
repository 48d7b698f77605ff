/**
 * The client portal pages emails link to, as paths under the portal's address. They mirror
 * web/src/portal/portal-routes.tsx; tests/browser/email-links.test.ts opens every link of every
 * template in a browser, so a page that moves breaks that test rather than the emails.
 */
export const portalPages = {
  home: '',
  invoice: (invoiceId: string) => `/billing/invoices/${encodeURIComponent(invoiceId)}`,
  paymentMethods: '/configuration/payment-methods',
  setPassword: '/set-password',
  resetPassword: '/reset-password',
} as const;

/**
 * A full link to a portal page: the portal's address (Brand.portalUrl, which settings resolve
 * from Configuration > Branding or PUBLIC_URL) and the page's path from `portalPages`.
 */
export function portalLink(brand: { portalUrl: string }, page: string = portalPages.home): string {
  return `${brand.portalUrl.replace(/\/+$/, '')}${page}`;
}
