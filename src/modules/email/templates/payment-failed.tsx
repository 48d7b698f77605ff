import { formatMoney } from '../../../platform/money.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { PaymentDetails, paymentEmailSample, type PaymentEmailData } from './payment-details.js';
import { endSentence } from './sentence.js';

export type PaymentFailedData = PaymentEmailData;

export const paymentFailedSubject = (data: PaymentFailedData) =>
  `Payment ${data.paymentNumber} of ${formatMoney(data.amountCents, data.currency)} did not go through`;

/** Payment Failed: the processor declined the charge; nothing was paid. */
export function PaymentFailedEmail({ data, brand }: { data: PaymentFailedData; brand: Brand }) {
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentFailedSubject(data)}
      title={`Payment ${data.paymentNumber} failed`}
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        A payment of <strong>{formatMoney(data.amountCents, data.currency)}</strong> from{' '}
        {data.organizationName} to {brand.mspName} did not go through.{' '}
        {endSentence(data.failureMessage ?? 'It was declined')} Nothing was charged, and the
        invoices below are still open.
      </Paragraph>
      <PaymentDetails data={data} brand={brand} balances={false} amountLabel="Attempted" />
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.invoices, data.organizationId)}
      >
        Pay with another method
      </ActionButton>
    </BrandedLayout>
  );
}

export const paymentFailedSample: PaymentFailedData = {
  ...paymentEmailSample,
  failureMessage: 'The account has insufficient funds.',
};
