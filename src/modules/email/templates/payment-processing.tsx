import { formatMoney } from '../../../platform/money.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { PaymentDetails, paymentEmailSample, type PaymentEmailData } from './payment-details.js';
import { endSentence } from './sentence.js';

export type PaymentProcessingData = PaymentEmailData;

export const paymentProcessingSubject = (data: PaymentProcessingData) =>
  `Payment ${data.paymentNumber} of ${formatMoney(data.amountCents, data.currency)} is processing`;

/** Payment Processing: a bank (ACH) debit was accepted and settles in a few business days. */
export function PaymentProcessingEmail(props: { data: PaymentProcessingData; brand: Brand }) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentProcessingSubject(data)}
      title={`Payment ${data.paymentNumber} is processing`}
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        {brand.mspName} received a bank payment of{' '}
        <strong>{formatMoney(data.amountCents, data.currency)}</strong> from{' '}
        {endSentence(data.organizationName)} Bank payments take a few business days to settle; the
        invoices below show it paid meanwhile. We will email you a receipt when it settles, or tell
        you if the bank returns it.
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

export const paymentProcessingSample: PaymentProcessingData = {
  ...paymentEmailSample,
  methodLabel: 'Bank account •••• 6789',
};
