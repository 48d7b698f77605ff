import { formatMoney } from '../../../platform/money.js';
import type { Brand } from '../../settings/brand.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { PaymentDetails, paymentEmailSample, type PaymentEmailData } from './payment-details.js';

export interface PaymentMadeData extends PaymentEmailData {
  /** Who paid: the contact's name; null for a payment staff recorded (a check, a wire). */
  paidBy: string | null;
  /** The staff user who recorded a payment received outside the portal; null otherwise. */
  recordedBy?: string | null;
  /** The staff console, at this installation's own address. */
  consoleUrl: string;
}

export const paymentMadeSubject = (data: PaymentMadeData) =>
  `Payment made: ${data.organizationName} paid ${formatMoney(data.amountCents, data.currency)} (${data.paymentNumber})`;

/**
 * Payment Made (internal, to billing staff): a client paid through the portal, or staff
 * recorded a payment received another way (then it says who, since no contact paid).
 */
export function PaymentMadeEmail({ data, brand }: { data: PaymentMadeData; brand: Brand }) {
  const amount = <strong>{formatMoney(data.amountCents, data.currency)}</strong>;
  return (
    <BrandedLayout brand={brand} preview={paymentMadeSubject(data)} title="Payment made">
      <Paragraph>
        {data.paidBy ? (
          <>
            {data.paidBy} of {data.organizationName} paid {amount} with {data.methodLabel}.
          </>
        ) : data.recordedBy ? (
          <>
            {data.recordedBy} recorded a payment of {amount} from {data.organizationName} by{' '}
            {data.methodLabel}.
          </>
        ) : (
          <>
            {data.organizationName} paid {amount} with {data.methodLabel}.
          </>
        )}
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
