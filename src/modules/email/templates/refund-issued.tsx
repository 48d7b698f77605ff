import { formatMoney } from '../../../platform/money.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { PaymentDetails, paymentEmailSample, type PaymentEmailData } from './payment-details.js';
import { endSentence } from './sentence.js';

/**
 * A refund of a payment, in full or in part. `invoices` are the invoices the refund reopened,
 * each with what it took back there (`amountCents`) and what the invoice owes now; money in
 * minor units of `currency`.
 */
export type RefundIssuedData = PaymentEmailData & {
  /** What this refund returns. */
  refundCents: number;
  /** Everything refunded on the payment so far, this refund included. */
  totalRefundedCents: number;
  /** Why, in the words staff gave ('' when they gave none). */
  reason: string;
};

export const refundIssuedSubject = (data: RefundIssuedData, brand: Brand) =>
  `Refund of ${formatMoney(data.refundCents, data.currency)} on payment ${data.paymentNumber} from ${brand.mspName}`;

/** Refund Issued: staff refunded part or all of a payment; reopened invoices are listed. */
export function RefundIssuedEmail({ data, brand }: { data: RefundIssuedData; brand: Brand }) {
  const money = (cents: number) => formatMoney(cents, data.currency);
  return (
    <BrandedLayout
      brand={brand}
      preview={refundIssuedSubject(data, brand)}
      title={`Refund on payment ${data.paymentNumber}`}
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        {brand.mspName} refunded <strong>{money(data.refundCents)}</strong> of payment{' '}
        {data.paymentNumber} ({money(data.amountCents)} by {data.methodLabel}) to{' '}
        {endSentence(data.organizationName)}
        {data.reason ? ` Reason: ${endSentence(data.reason)}` : ''} In all,{' '}
        {money(data.totalRefundedCents)} of this payment has been refunded. It can take a few
        business days to appear on your statement.
      </Paragraph>
      {data.invoices.length > 0 ? (
        <Paragraph>The invoices below are open again for what was refunded on them.</Paragraph>
      ) : null}
      <PaymentDetails data={data} brand={brand} amountLabel="Refunded" />
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.paymentHistory, data.organizationId)}
      >
        View Payment History
      </ActionButton>
    </BrandedLayout>
  );
}

export const refundIssuedSample: RefundIssuedData = {
  ...paymentEmailSample,
  invoices: [{ number: 'INV-1043', amountCents: 25_000, balanceCents: 75_000 }],
  refundCents: 25_000,
  totalRefundedCents: 25_000,
  reason: 'Duplicate payment',
};
