import { formatMoney } from '../../../platform/money.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { PaymentDetails, paymentEmailSample, type PaymentEmailData } from './payment-details.js';
import { endSentence } from './sentence.js';

export type PaymentReceiptData = PaymentEmailData;

export const paymentReceiptSubject = (data: PaymentReceiptData, brand: Brand) =>
  `Payment receipt ${data.paymentNumber}: ${formatMoney(data.amountCents, data.currency)} paid to ${brand.mspName}`;

/** Payment Receipt: the payment succeeded (a card at once, a bank debit once it settled). */
export function PaymentReceiptEmail({ data, brand }: { data: PaymentReceiptData; brand: Brand }) {
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentReceiptSubject(data, brand)}
      title={`Payment receipt ${data.paymentNumber}`}
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        Thank you. {brand.mspName} received a payment of{' '}
        <strong>{formatMoney(data.amountCents, data.currency)}</strong> from{' '}
        {endSentence(data.organizationName)} Keep this email as your receipt.
      </Paragraph>
      <PaymentDetails data={data} brand={brand} />
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.paymentHistory, data.organizationId)}
      >
        View Payment History
      </ActionButton>
    </BrandedLayout>
  );
}

export const paymentReceiptSample: PaymentReceiptData = paymentEmailSample;
