import type { PortalPermission } from './api/portal-session';

export interface PortalNavItem {
  label: string;
  path: string;
  /** null: every contact may open it (My Account). */
  permission: PortalPermission | null;
  /** One line for the home page tile. */
  description: string;
}

export interface PortalNavGroup {
  label: string;
  items: PortalNavItem[];
}

/** The portal's menus, in the words clients know from the portal they used before. */
export const portalNav: PortalNavGroup[] = [
  {
    label: 'Billing',
    items: [
      {
        label: 'Invoices',
        path: '/portal/billing/invoices',
        permission: 'view_invoices',
        description: 'Open invoices',
      },
      {
        label: 'Payment History',
        path: '/portal/billing/payment-history',
        permission: 'view_payment_history',
        description: 'Payments made and the invoices they paid',
      },
      {
        label: 'Scheduled Payments',
        path: '/portal/billing/scheduled-payments',
        permission: 'schedule_payments',
        description: 'Everything scheduled to be paid',
      },
      {
        label: 'Credits',
        path: '/portal/billing/credits',
        permission: 'view_credits',
        description: 'Money paid and not applied to an invoice yet',
      },
      {
        label: 'Invoice History',
        path: '/portal/billing/invoice-history',
        permission: 'view_invoices',
        description: 'Invoices paid in full',
      },
    ],
  },
  {
    label: 'Configuration',
    items: [
      {
        label: 'Payment Methods',
        path: '/portal/configuration/payment-methods',
        permission: 'manage_payment_methods',
        description: 'Cards and bank accounts on file',
      },
      {
        label: 'AutoPay',
        path: '/portal/configuration/autopay',
        permission: 'manage_autopay',
        description: 'Pay invoices automatically',
      },
    ],
  },
  {
    label: 'Service',
    items: [
      {
        label: 'Create New Service Ticket',
        path: '/portal/service/new-ticket',
        permission: 'service_tickets',
        description: 'Ask for help',
      },
      {
        label: 'Open Service Tickets',
        path: '/portal/service/open-tickets',
        permission: 'service_tickets',
        description: 'Tickets still being worked on',
      },
      {
        label: 'Service History',
        path: '/portal/service/history',
        permission: 'service_tickets',
        description: 'Closed tickets and how they were resolved',
      },
    ],
  },
  {
    label: 'My Account',
    items: [
      {
        label: 'Change Password',
        path: '/portal/account/change-password',
        permission: null,
        description: 'Choose a new password',
      },
    ],
  },
];

export const changePasswordPath = '/portal/account/change-password';

/** The menus as this contact may see them: allowed items only, empty groups left out. */
export function allowedNav(permissions: readonly string[]): PortalNavGroup[] {
  return portalNav
    .map((group) => ({
      ...group,
      items: group.items.filter(
        (item) => item.permission === null || permissions.includes(item.permission),
      ),
    }))
    .filter((group) => group.items.length > 0);
}
