import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import { formatMoney } from '../../../shared/money.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';

/**
 * Payment Method Failure: an AutoPay charge met a hard decline (the card was reported lost or
 * stolen, has expired, or the bank account is closed or unknown). AutoPay does not try that
 * method again: it is locked until the client replaces it or staff unlock it.
 */
export interface PaymentMethodFailureData {
  contactName: string;
  /** The organization whose method it is: the link opens the portal acting for it. */
  organizationId: string;
  organizationName: string;
  /** "Visa •••• 0069". */
  methodLabel: string;
  /** What the bank said, in words a client reads. */
  reason: string;
  /** The invoice AutoPay tried to pay and the amount, in minor units of `currency`. */
  invoiceNumber: string;
  amountCents: number;
  currency: string;
}

export const paymentMethodFailureSubject = (data: PaymentMethodFailureData) =>
  `AutoPay could not charge your ${data.methodLabel}`;

export function PaymentMethodFailureEmail(props: { data: PaymentMethodFailureData; brand: Brand }) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentMethodFailureSubject(data)}
      title="Payment Method Failure"
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        AutoPay tried to pay invoice {data.invoiceNumber} (
        {formatMoney(data.amountCents, data.currency)}) for {data.organizationName} with the{' '}
        {data.methodLabel}, and the payment was refused: {endSentence(data.reason)}
      </Paragraph>
      <Paragraph>
        AutoPay will not use this payment method again, and the invoice is still open. Please add a
        new payment method in the client portal and pay the invoice, or choose the new method for
        AutoPay.
      </Paragraph>
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.paymentMethods, data.organizationId)}
      >
        Update Payment Methods
      </ActionButton>
    </BrandedLayout>
  );
}

export const paymentMethodFailureSample: PaymentMethodFailureData = {
  contactName: 'Demo Owner',
  organizationId: '00000000-0000-0000-0000-000000000000',
  organizationName: 'Demo Company',
  methodLabel: 'Visa •••• 0069',
  reason: 'The card has expired.',
  invoiceNumber: 'INV-1001',
  amountCents: 12_500,
  currency: 'USD',
};
