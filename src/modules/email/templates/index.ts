import { createElement, type ReactElement } from 'react';
import { render, toPlainText } from '@react-email/render';
import type { Brand } from '../../settings/brand.js';
import {
  AccountSummaryEmail,
  accountSummarySample,
  accountSummarySubject,
  type AccountSummaryData,
} from './account-summary.js';
import {
  AutopayChangedEmail,
  AutopayChangedStaffEmail,
  autopayChangedSample,
  autopayChangedStaffSample,
  autopayChangedSubject,
  type AutopayChangedData,
  type AutopayChangedStaffData,
} from './autopay-changed.js';
import {
  AutopaySummaryEmail,
  autopaySummarySample,
  autopaySummarySubject,
  type AutopaySummaryData,
} from './autopay-summary.js';
import {
  PaymentMethodFailureEmail,
  paymentMethodFailureSample,
  paymentMethodFailureSubject,
  type PaymentMethodFailureData,
} from './payment-method-failure.js';
import {
  EmailFailureSummaryEmail,
  emailFailureSummarySample,
  emailFailureSummarySubject,
  type EmailFailureSummaryData,
} from './email-failure-summary.js';
import {
  PasswordResetEmail,
  passwordResetSample,
  passwordResetSubject,
  type PasswordResetData,
} from './password-reset.js';
import {
  PaymentMethodExpirationEmail,
  paymentMethodExpirationSample,
  paymentMethodExpirationSubject,
  type PaymentMethodExpirationData,
} from './payment-method-expiration.js';
import {
  InvoiceDueEmail,
  invoiceDueSample,
  invoiceDueSubject,
  type InvoiceDueData,
} from './invoice-due.js';
import {
  NewInvoiceEmail,
  newInvoiceSample,
  newInvoiceSubject,
  type NewInvoiceData,
} from './new-invoice.js';
import {
  PaymentReceiptEmail,
  paymentReceiptSample,
  paymentReceiptSubject,
  type PaymentReceiptData,
} from './payment-receipt.js';
import {
  PaymentFailedEmail,
  paymentFailedSample,
  paymentFailedSubject,
  type PaymentFailedData,
} from './payment-failed.js';
import {
  PaymentProcessingEmail,
  paymentProcessingSample,
  paymentProcessingSubject,
  type PaymentProcessingData,
} from './payment-processing.js';
import {
  PaymentReturnedEmail,
  paymentReturnedSample,
  paymentReturnedSubject,
  type PaymentReturnedData,
} from './payment-returned.js';
import {
  PaymentMadeEmail,
  paymentMadeSample,
  paymentMadeSubject,
  type PaymentMadeData,
} from './payment-made.js';
import {
  RefundIssuedEmail,
  refundIssuedSample,
  refundIssuedSubject,
  type RefundIssuedData,
} from './refund-issued.js';
import {
  PaymentCancelledEmail,
  PaymentRescheduledEmail,
  PaymentScheduledEmail,
  ScheduledPaymentAdjustedEmail,
  paymentCancelledSubject,
  paymentRescheduledSubject,
  paymentScheduledSubject,
  scheduledPaymentAdjustedSubject,
  scheduledPaymentSample,
  type ScheduledPaymentEmailData,
} from './scheduled-payment.js';
import {
  TicketClosedEmail,
  TicketCreatedEmail,
  TicketStaffNoticeEmail,
  TicketUpdatedEmail,
  ticketClosedSubject,
  ticketCreatedSubject,
  ticketEmailSample,
  ticketStaffNoticeSample,
  ticketStaffNoticeSubject,
  ticketUpdatedSubject,
  type TicketEmailData,
  type TicketStaffNoticeData,
} from './ticket-emails.js';
import { WelcomeEmail, welcomeSample, welcomeSubject, type WelcomeData } from './welcome.js';

interface TemplateDefinition<Data> {
  name: string;
  subject: (data: Data, brand: Brand) => string;
  body: (props: { data: Data; brand: Brand }) => ReactElement;
  sample: Data;
}

function define<Data>(definition: TemplateDefinition<Data>) {
  return definition;
}

/** Every email Portico sends. The key is stored on each message; the name is what staff read. */
export const emailTemplates = {
  welcome: define<WelcomeData>({
    name: 'Welcome',
    subject: welcomeSubject,
    body: WelcomeEmail,
    sample: welcomeSample,
  }),
  password_reset: define<PasswordResetData>({
    name: 'Password Reset',
    subject: passwordResetSubject,
    body: PasswordResetEmail,
    sample: passwordResetSample,
  }),
  account_summary: define<AccountSummaryData>({
    name: 'Account Summary',
    subject: accountSummarySubject,
    body: AccountSummaryEmail,
    sample: accountSummarySample,
  }),
  new_invoice: define<NewInvoiceData>({
    name: 'New Invoice',
    subject: newInvoiceSubject,
    body: NewInvoiceEmail,
    sample: newInvoiceSample,
  }),
  invoice_due: define<InvoiceDueData>({
    name: 'Invoice Due',
    subject: invoiceDueSubject,
    body: InvoiceDueEmail,
    sample: invoiceDueSample,
  }),
  payment_method_expiration: define<PaymentMethodExpirationData>({
    name: 'Payment Method Expiration Notice',
    subject: paymentMethodExpirationSubject,
    body: PaymentMethodExpirationEmail,
    sample: paymentMethodExpirationSample,
  }),
  payment_receipt: define<PaymentReceiptData>({
    name: 'Payment Receipt',
    subject: paymentReceiptSubject,
    body: PaymentReceiptEmail,
    sample: paymentReceiptSample,
  }),
  payment_failed: define<PaymentFailedData>({
    name: 'Payment Failed',
    subject: paymentFailedSubject,
    body: PaymentFailedEmail,
    sample: paymentFailedSample,
  }),
  payment_processing: define<PaymentProcessingData>({
    name: 'Payment Processing',
    subject: paymentProcessingSubject,
    body: PaymentProcessingEmail,
    sample: paymentProcessingSample,
  }),
  payment_returned: define<PaymentReturnedData>({
    name: 'Payment Returned',
    subject: paymentReturnedSubject,
    body: PaymentReturnedEmail,
    sample: paymentReturnedSample,
  }),
  payment_made: define<PaymentMadeData>({
    name: 'Payment Made',
    subject: paymentMadeSubject,
    body: PaymentMadeEmail,
    sample: paymentMadeSample,
  }),
  payment_scheduled: define<ScheduledPaymentEmailData>({
    name: 'Payment Scheduled',
    subject: paymentScheduledSubject,
    body: PaymentScheduledEmail,
    sample: scheduledPaymentSample,
  }),
  payment_rescheduled: define<ScheduledPaymentEmailData>({
    name: 'Payment Rescheduled',
    subject: paymentRescheduledSubject,
    body: PaymentRescheduledEmail,
    sample: scheduledPaymentSample,
  }),
  payment_cancelled: define<ScheduledPaymentEmailData>({
    name: 'Payment Cancelled',
    subject: paymentCancelledSubject,
    body: PaymentCancelledEmail,
    sample: scheduledPaymentSample,
  }),
  scheduled_payment_adjusted: define<ScheduledPaymentEmailData>({
    name: 'Scheduled Payment Adjusted',
    subject: scheduledPaymentAdjustedSubject,
    body: ScheduledPaymentAdjustedEmail,
    sample: {
      ...scheduledPaymentSample,
      notes: ['Invoice INV-1043 was paid in full meanwhile: it was left out.'],
    },
  }),
  refund_issued: define<RefundIssuedData>({
    name: 'Refund Issued',
    subject: refundIssuedSubject,
    body: RefundIssuedEmail,
    sample: refundIssuedSample,
  }),
  autopay_changed: define<AutopayChangedData>({
    name: 'AutoPay Changed',
    subject: autopayChangedSubject,
    body: AutopayChangedEmail,
    sample: autopayChangedSample,
  }),
  autopay_changed_staff: define<AutopayChangedStaffData>({
    name: 'AutoPay Changed (staff)',
    subject: autopayChangedSubject,
    body: AutopayChangedStaffEmail,
    sample: autopayChangedStaffSample,
  }),
  email_failure_summary: define<EmailFailureSummaryData>({
    name: 'Email Failure Summary',
    subject: emailFailureSummarySubject,
    body: EmailFailureSummaryEmail,
    sample: emailFailureSummarySample,
  }),
  payment_method_failure: define<PaymentMethodFailureData>({
    name: 'Payment Method Failure',
    subject: paymentMethodFailureSubject,
    body: PaymentMethodFailureEmail,
    sample: paymentMethodFailureSample,
  }),
  autopay_summary: define<AutopaySummaryData>({
    name: 'AutoPay Summary',
    subject: autopaySummarySubject,
    body: AutopaySummaryEmail,
    sample: autopaySummarySample,
  }),
  ticket_created: define<TicketEmailData>({
    name: 'Ticket Created',
    subject: ticketCreatedSubject,
    body: TicketCreatedEmail,
    sample: ticketEmailSample,
  }),
  ticket_updated: define<TicketEmailData>({
    name: 'Ticket Updated',
    subject: ticketUpdatedSubject,
    body: TicketUpdatedEmail,
    sample: ticketEmailSample,
  }),
  ticket_closed: define<TicketEmailData>({
    name: 'Ticket Closed',
    subject: ticketClosedSubject,
    body: TicketClosedEmail,
    sample: ticketEmailSample,
  }),
  ticket_staff_notice: define<TicketStaffNoticeData>({
    name: 'Ticket Notice (staff)',
    subject: ticketStaffNoticeSubject,
    body: TicketStaffNoticeEmail,
    sample: ticketStaffNoticeSample,
  }),
};

export type EmailTemplateKey = keyof typeof emailTemplates;
export type TemplateData<Key extends EmailTemplateKey> = (typeof emailTemplates)[Key]['sample'];
export const emailTemplateKeys = Object.keys(emailTemplates) as EmailTemplateKey[];

export function templateName(key: string): string {
  return key in emailTemplates ? emailTemplates[key as EmailTemplateKey].name : key;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export async function renderEmail<Key extends EmailTemplateKey>(
  key: Key,
  data: TemplateData<Key>,
  brand: Brand,
): Promise<RenderedEmail> {
  const template = emailTemplates[key] as unknown as TemplateDefinition<TemplateData<Key>>;
  const element = createElement(template.body, { data, brand });
  const html = await render(element);
  // The text part is read off the rendered HTML: the same words, without rendering twice.
  return { subject: template.subject(data, brand), html, text: toPlainText(html) };
}
