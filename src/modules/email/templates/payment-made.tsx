import { formatMoney } from '../../../platform/money.js';
import type { Brand } from '../../settings/brand.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { PaymentDetails, paymentEmailSample, type PaymentEmailData } from './payment-details.js';

export interface PaymentMadeData extends PaymentEmailData {
  /** Who paid: the contact's name. */
  paidBy: string;
  /** The staff console, at this installation's own address. */
  consoleUrl: string;
}

export const paymentMadeSubject = (data: PaymentMadeData) =>
  `Payment made: ${data.organizationName} paid ${formatMoney(data.amountCents, data.currency)} (${data.paymentNumber})`;

/** Payment Made (internal, to billing staff): a client paid through the portal. */
export function PaymentMadeEmail({ data, brand }: { data: PaymentMadeData; brand: Brand }) {
  return (
    <BrandedLayout brand={brand} preview={paymentMadeSubject(data)} title="Payment made">
      <Paragraph>
        {data.paidBy} of {data.organizationName} paid{' '}
        <strong>{formatMoney(data.amountCents, data.currency)}</strong> with {data.methodLabel}.
      </Paragraph>
      <PaymentDetails data={data} brand={brand} />
      <ActionButton brand={brand} href={data.consoleUrl}>
        Open Portico
      </ActionButton>
    </BrandedLayout>
  );
}

export const paymentMadeSample: PaymentMadeData = {
  ...paymentEmailSample,
  contactName: 'Billing team',
  paidBy: 'Demo Owner',
  consoleUrl: 'http://localhost:3000',
};
