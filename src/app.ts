import type { AppContext } from './platform/context.js';
import { buildHttpApp, type App } from './platform/http/app.js';
import {
  actorOf,
  requireStaff,
  staffSessionCookie,
  staffSessionHook,
} from './modules/staff/staff-auth.js';
import { staffRoutes } from './modules/staff/staff.routes.js';
import { organizationRoutes } from './modules/organizations/organizations.routes.js';
import { contactRoutes } from './modules/contacts/contacts.routes.js';
import { organizationContacts, profileHolders } from './modules/contacts/contacts.service.js';
import { accessProfileRoutes } from './modules/access-profiles/access-profiles.routes.js';
import { emailRoutes } from './modules/email/email.routes.js';
import { settingsRoutes } from './modules/settings/settings.routes.js';
import { portalRoutes } from './modules/portal/portal.routes.js';
import { autopayRoutes } from './modules/autopay/autopay.routes.js';
import { autopayRulesNaming, defaultMethodInsteadOf } from './modules/autopay/autopay.service.js';
import { portalSessionCookie, portalSessionHook } from './modules/portal/portal-auth.js';
import { invoiceDocumentRoutes } from './modules/invoices/invoice-document.routes.js';
import { portalDocumentRoutes } from './modules/portal/portal-documents.routes.js';
import { statementRoutes } from './modules/statements/statements.routes.js';
import { sendContactAccountSummary } from './modules/statements/account-summary.js';
import { invoiceRoutes } from './modules/invoices/invoices.routes.js';
import { catalogRoutes } from './modules/invoices/catalog.routes.js';
import { paymentMethodRoutes } from './modules/payments/payment-methods.routes.js';
import { paymentGateway, sandboxGateway } from './payment-gateway.js';
import { sandboxRoutes } from './modules/sandbox-processor/sandbox.routes.js';
import { paymentRoutes } from './modules/payments/payments.routes.js';
import { staffPaymentRoutes } from './modules/payments/staff-payments.routes.js';
import { scheduledPaymentRoutes } from './modules/scheduled-payments/scheduled-payments.routes.js';
import {
  cancelScheduledPaymentsOnMethod,
  scheduledPaymentsOnMethod,
} from './modules/scheduled-payments/scheduled-payments.service.js';
import { ticketRoutes } from './modules/tickets/tickets.routes.js';
import { paymentProcessorRoutes } from './modules/payments/payment-processor.routes.js';
import { applyProcessorUpdate } from './modules/payments/processor-updates.js';
import { stripeBrowserOrigins } from './modules/payments/stripe-gateway.js';
import { autopayReportRoutes } from './modules/autopay/autopay-report.routes.js';
import { autopayRunRoutes } from './modules/autopay/autopay-run.routes.js';

export type { App } from './platform/http/app.js';

/**
 * Portico's web application: the platform's Fastify app (platform/http/app.ts) with every
 * module's sessions and routes plugged in. The composition root for requests, as src/jobs.ts is
 * for background jobs: the platform imports no module, this file wires them.
 * `logStream` lets a test read the log lines the application writes.
 */
export async function buildApp(
  context: AppContext,
  logStream?: NodeJS.WritableStream,
): Promise<App> {
  const sandbox = sandboxGateway(context);
  return buildHttpApp(context, {
    // Portal routes act for the portal session, every other route for the staff one.
    sessionCookieOf: (routeUrl) =>
      routeUrl?.startsWith('/api/portal/') ? portalSessionCookie : staffSessionCookie,
    sessionHooks: [staffSessionHook(context), portalSessionHook(context)],
    routes: [
      staffRoutes(context),
      organizationRoutes(context, { organizationContacts }),
      contactRoutes(context),
      accessProfileRoutes(context, { profileHolders }),
      emailRoutes(context, { sendContactAccountSummary }),
      settingsRoutes(context, { requireStaff, actorOf }),
      portalRoutes(context),
      autopayRoutes(context),
      invoiceDocumentRoutes(context),
      portalDocumentRoutes(context),
      statementRoutes(context),
      invoiceRoutes(context),
      catalogRoutes(context),
      paymentMethodRoutes(context, {
        gateway: paymentGateway(context),
        // Removing a method cancels its scheduled payments and moves AutoPay rules naming it to
        // the default method, on the removal's transaction.
        methodUsers: {
          cancelScheduledPayments: (tx, input) =>
            cancelScheduledPaymentsOnMethod(tx, context, input),
          defaultInAutopayRules: (tx, input) => defaultMethodInsteadOf(tx, context, input),
          scheduledPaymentsOn: scheduledPaymentsOnMethod,
          autopayRulesNaming,
        },
      }),
      paymentRoutes(context, { gateway: paymentGateway(context) }),
      staffPaymentRoutes(context, { gateway: paymentGateway(context) }),
      scheduledPaymentRoutes(context),
      ticketRoutes(context),
      autopayReportRoutes(context),
      autopayRunRoutes(context),
      paymentProcessorRoutes(context, {
        gateway: paymentGateway(context),
        // A Stripe webhook's word on a charge goes the way the pay route's and the job's do;
        // its refunds and disputes become Portico's refunds.
        onChargeUpdate: (update) => applyProcessorUpdate(context, update),
      }),
      // The sandbox processor's own endpoint, served only while it is the processor.
      ...(sandbox ? [sandboxRoutes(sandbox)] : []),
    ],
    ...(logStream ? { logStream } : {}),
    // Stripe's Payment Element runs in the page: its script, iframes and API are let in.
    ...(paymentGateway(context).name === 'stripe' ? { externalOrigins: stripeBrowserOrigins } : {}),
  });
}
