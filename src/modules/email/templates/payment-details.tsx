import { Column } from '@react-email/column';
import { Row } from '@react-email/row';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import { formatMoney } from '../../../platform/money.js';
import { formatDate, formatTimestamp } from '../../../shared/dates.js';
import type { Brand } from '../../settings/brand.js';

/**
 * What every payment email says about the payment (Payment Receipt, Payment Failed, Payment
 * Processing, Payment Returned, Payment Made): its number, date, amount, method and the
 * invoices it pays. Money in minor units of `currency`.
 */
export interface PaymentEmailData {
  contactName: string;
  /** The organization that paid: links open the portal acting for it. */
  organizationId: string;
  organizationName: string;
  paymentNumber: string;
  /** When the payment was made: an ISO timestamp, written on the MSP's clock. */
  paidAt: string;
  /**
   * The day a payment staff recorded (a check, a wire) was received (YYYY-MM-DD): its date
   * instead of `paidAt`, when staff typed it in. Null or absent for a portal payment.
   */
  receivedOn?: string | null;
  amountCents: number;
  currency: string;
  /** "Visa •••• 4242", "Bank account •••• 6789". */
  methodLabel: string;
  invoices: { number: string; amountCents: number; balanceCents: number }[];
  /** Why it failed or was returned, in plain words; null otherwise. */
  failureMessage: string | null;
  /**
   * What of the amount no invoice took (a check for more than was owed): kept as credit for
   * later invoices. Shown when more than 0; a portal payment never has any.
   */
  unappliedCents?: number;
}

const cell = { fontSize: 14, color: '#343a40', margin: 0, padding: '3px 8px 3px 0' } as const;

/** The payment's facts, then one row per invoice: what it paid there and what is still owed. */
export function PaymentDetails(props: {
  data: PaymentEmailData;
  brand: Brand;
  /** Whether to show each invoice's remaining balance (not for a failed payment). */
  balances?: boolean;
  /** What the amount column says ("Paid", "Attempted"). */
  amountLabel?: string;
}) {
  const { data, brand } = props;
  const money = (cents: number) => formatMoney(cents, data.currency);
  return (
    <Section style={{ backgroundColor: '#f8f9fa', borderRadius: 6, padding: '12px 16px' }}>
      <Text style={cell}>Payment number: {data.paymentNumber}</Text>
      {/* "Payment": a refund's email lists these beside the refund's own amount. */}
      <Text style={cell}>
        Payment date:{' '}
        {data.receivedOn
          ? formatDate(data.receivedOn, brand.dateFormat)
          : formatTimestamp(data.paidAt, brand, { seconds: false })}
      </Text>
      <Text style={cell}>
        Payment amount: <strong>{money(data.amountCents)}</strong>
      </Text>
      <Text style={cell}>Payment method: {data.methodLabel}</Text>
      {data.invoices.map((invoice) => (
        <Row key={invoice.number}>
          <Column>
            <Text style={cell}>Invoice {invoice.number}</Text>
          </Column>
          <Column>
            <Text style={cell}>
              {props.amountLabel ?? 'Paid'} {money(invoice.amountCents)}
            </Text>
          </Column>
          {props.balances === false ? null : (
            <Column>
              <Text style={cell}>Balance {money(invoice.balanceCents)}</Text>
            </Column>
          )}
        </Row>
      ))}
      {data.unappliedCents ? (
        <Text style={cell}>Kept as credit: {money(data.unappliedCents)}</Text>
      ) : null}
    </Section>
  );
}

export const paymentEmailSample: PaymentEmailData = {
  contactName: 'Demo Owner',
  organizationId: '00000000-0000-0000-0000-000000000000',
  organizationName: 'Demo Company',
  paymentNumber: 'P-000042',
  paidAt: '2026-11-22T15:04:00Z',
  amountCents: 125_000,
  currency: 'USD',
  methodLabel: 'Visa •••• 4242',
  invoices: [
    { number: 'INV-1042', amountCents: 100_000, balanceCents: 0 },
    { number: 'INV-1043', amountCents: 25_000, balanceCents: 50_000 },
  ],
  failureMessage: null,
};
