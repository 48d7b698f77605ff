import { formatMoney } from '../../../platform/money.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { PaymentDetails, paymentEmailSample, type PaymentEmailData } from './payment-details.js';
import { endSentence } from './sentence.js';

export type PaymentReturnedData = PaymentEmailData;

export const paymentReturnedSubject = (data: PaymentReturnedData) =>
  `Payment ${data.paymentNumber} of ${formatMoney(data.amountCents, data.currency)} was returned by the bank`;

/** Payment Returned: a bank debit that was processing came back; the invoices are open again. */
export function PaymentReturnedEmail(props: { data: PaymentReturnedData; brand: Brand }) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentReturnedSubject(data)}
      title={`Payment ${data.paymentNumber} was returned`}
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        The bank returned a payment of{' '}
        <strong>{formatMoney(data.amountCents, data.currency)}</strong> from {data.organizationName}{' '}
        to {brand.mspName}: {endSentence(data.failureMessage ?? 'the bank gave no reason')} The
        invoices below are open again with the balances shown.
      </Paragraph>
      <PaymentDetails data={data} brand={brand} amountLabel="Returned" />
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.invoices, data.organizationId)}
      >
        Pay the open invoices
      </ActionButton>
    </BrandedLayout>
  );
}

export const paymentReturnedSample: PaymentReturnedData = {
  ...paymentEmailSample,
  methodLabel: 'Bank account •••• 6789',
  invoices: [{ number: 'INV-1042', amountCents: 125_000, balanceCents: 125_000 }],
  failureMessage: 'The bank account is closed.',
};
