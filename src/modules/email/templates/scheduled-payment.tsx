import { Column } from '@react-email/column';
import { Row } from '@react-email/row';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import { formatMoney } from '../../../platform/money.js';
import { formatDate } from '../../../shared/dates.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';

/**
 * What the scheduled payment emails say (Payment Scheduled, Payment Rescheduled, Payment
 * Cancelled): the date it will be (or would have been) charged, the method and the invoices
 * with their amounts. Money in minor units of `currency`; dates are business dates
 * (YYYY-MM-DD), written in the MSP's date format.
 */
export interface ScheduledPaymentEmailData {
  contactName: string;
  /** The organization that pays: links open the portal acting for it. */
  organizationId: string;
  organizationName: string;
  runOn: string;
  /** The date before a change (Payment Rescheduled); null otherwise. */
  previousRunOn: string | null;
  /** The total before a change (Payment Rescheduled); null otherwise. */
  previousTotalCents?: number | null;
  totalCents: number;
  currency: string;
  methodLabel: string;
  /** Each invoice's amount; `previousAmountCents` what it was before a change, when it changed. */
  invoices: { number: string; amountCents: number; previousAmountCents?: number | null }[];
  /**
   * Who cancelled or changed it, in words ("Ann Perkins", "Our billing team"): the email also
   * goes to notification contacts who did not do it. Null when the daily run ended it.
   */
  changedBy: string | null;
  /** Sentences about what happened beside (an invoice paid meanwhile, nothing left to pay). */
  notes: string[];
}

const cell = { fontSize: 14, color: '#343a40', margin: 0, padding: '3px 8px 3px 0' } as const;

function ScheduledDetails(props: { data: ScheduledPaymentEmailData; brand: Brand }) {
  const { data, brand } = props;
  const money = (cents: number) => formatMoney(cents, data.currency);
  return (
    <Section style={{ backgroundColor: '#f8f9fa', borderRadius: 6, padding: '12px 16px' }}>
      <Text style={cell}>
        Payment date: <strong>{formatDate(data.runOn, brand.dateFormat)}</strong>
      </Text>
      <Text style={cell}>
        Amount: <strong>{money(data.totalCents)}</strong>
      </Text>
      <Text style={cell}>Payment method: {data.methodLabel}</Text>
      {data.invoices.map((invoice) => (
        <Row key={invoice.number}>
          <Column>
            <Text style={cell}>Invoice {invoice.number}</Text>
          </Column>
          <Column>
            <Text style={cell}>
              {money(invoice.amountCents)}
              {invoice.previousAmountCents != null &&
                invoice.previousAmountCents !== invoice.amountCents &&
                ` (was ${money(invoice.previousAmountCents)})`}
            </Text>
          </Column>
        </Row>
      ))}
    </Section>
  );
}

function Notes(props: { notes: string[] }) {
  return (
    <>
      {props.notes.map((note) => (
        <Paragraph key={note}>{note}</Paragraph>
      ))}
    </>
  );
}

function ScheduledPaymentsButton(props: { data: ScheduledPaymentEmailData; brand: Brand }) {
  return (
    <ActionButton
      brand={props.brand}
      href={portalLink(props.brand, portalPages.scheduledPayments, props.data.organizationId)}
    >
      View Scheduled Payments
    </ActionButton>
  );
}

export const paymentScheduledSubject = (data: ScheduledPaymentEmailData, brand: Brand) =>
  `Payment of ${formatMoney(data.totalCents, data.currency)} scheduled for ${formatDate(data.runOn, brand.dateFormat)}`;

export function PaymentScheduledEmail(props: { data: ScheduledPaymentEmailData; brand: Brand }) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentScheduledSubject(data, brand)}
      title="Payment Scheduled"
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        A payment for {data.organizationName} is scheduled. It will be charged on the date below;
        until then you can change its date or amounts, or cancel it, in Scheduled Payments.
      </Paragraph>
      <ScheduledDetails data={data} brand={brand} />
      <Notes notes={data.notes} />
      <ScheduledPaymentsButton data={data} brand={brand} />
    </BrandedLayout>
  );
}

export const paymentRescheduledSubject = (data: ScheduledPaymentEmailData, brand: Brand) =>
  `Scheduled payment changed: ${formatMoney(data.totalCents, data.currency)} on ${formatDate(data.runOn, brand.dateFormat)}`;

/** "Acme: it moves from 15 Dec to 20 Dec, and its amount from $380.00 to $430.00." */
function rescheduledChanges(data: ScheduledPaymentEmailData, brand: Brand): string {
  const date = (value: string) => formatDate(value, brand.dateFormat);
  const money = (cents: number) => formatMoney(cents, data.currency);
  const moved = data.previousRunOn !== null && data.previousRunOn !== data.runOn;
  const previousTotal = data.previousTotalCents ?? null;
  const resized = previousTotal !== null && previousTotal !== data.totalCents;
  const changes = [
    moved ? `it moves from ${date(data.previousRunOn!)} to ${date(data.runOn)}` : null,
    resized ? `its amount changes from ${money(previousTotal)} to ${money(data.totalCents)}` : null,
  ].filter((change): change is string => change !== null);
  if (changes.length === 0) {
    return `${endSentence(data.organizationName)} This is what will be charged:`;
  }
  return `${data.organizationName}: ${changes.join(', and ')}.`;
}

export function PaymentRescheduledEmail(props: { data: ScheduledPaymentEmailData; brand: Brand }) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentRescheduledSubject(data, brand)}
      title="Payment Rescheduled"
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        {data.changedBy ? `${data.changedBy} changed` : 'You changed'} a scheduled payment for{' '}
        {rescheduledChanges(data, brand)}
      </Paragraph>
      <ScheduledDetails data={data} brand={brand} />
      <Notes notes={data.notes} />
      <ScheduledPaymentsButton data={data} brand={brand} />
    </BrandedLayout>
  );
}

export const paymentCancelledSubject = (data: ScheduledPaymentEmailData, brand: Brand) =>
  `Scheduled payment cancelled: ${formatMoney(data.totalCents, data.currency)} on ${formatDate(data.runOn, brand.dateFormat)}`;

export function PaymentCancelledEmail(props: { data: ScheduledPaymentEmailData; brand: Brand }) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={paymentCancelledSubject(data, brand)}
      title="Payment Cancelled"
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      {data.notes.length > 0 ? (
        // The run ended it (nothing left to pay, or it could not be charged): nobody cancelled
        // it, and its invoices may well be paid; the notes say what happened.
        <Paragraph>
          The payment for {data.organizationName} scheduled for{' '}
          {formatDate(data.runOn, brand.dateFormat)} was not charged.
        </Paragraph>
      ) : (
        <Paragraph>
          {data.changedBy ? `${data.changedBy} cancelled` : 'A scheduled payment was cancelled'}
          {data.changedBy ? ' a scheduled payment' : ''} for {endSentence(data.organizationName)}{' '}
          Nothing will be charged for it; the invoices stay open until they are paid.
        </Paragraph>
      )}
      <ScheduledDetails data={data} brand={brand} />
      <Notes notes={data.notes} />
      <ScheduledPaymentsButton data={data} brand={brand} />
    </BrandedLayout>
  );
}

export const scheduledPaymentAdjustedSubject = (data: ScheduledPaymentEmailData, brand: Brand) =>
  `Scheduled payment of ${formatDate(data.runOn, brand.dateFormat)}: invoices paid meanwhile`;

/**
 * Sent when the daily job ran a scheduled payment and an invoice had been paid in the meantime:
 * it was left out, or its amount lowered to what was still owed. The receipt follows separately.
 */
export function ScheduledPaymentAdjustedEmail(props: {
  data: ScheduledPaymentEmailData;
  brand: Brand;
}) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={scheduledPaymentAdjustedSubject(data, brand)}
      title="Scheduled Payment Adjusted"
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        The payment for {data.organizationName} scheduled for{' '}
        {formatDate(data.runOn, brand.dateFormat)} ran today. Some of it had been paid in the
        meantime, so less was charged than scheduled:
      </Paragraph>
      <Notes notes={data.notes} />
      <ScheduledDetails data={data} brand={brand} />
      <ScheduledPaymentsButton data={data} brand={brand} />
    </BrandedLayout>
  );
}

export const scheduledPaymentSample: ScheduledPaymentEmailData = {
  contactName: 'Demo Owner',
  organizationId: '00000000-0000-0000-0000-000000000000',
  organizationName: 'Demo Company',
  runOn: '2026-12-15',
  previousRunOn: '2026-12-10',
  totalCents: 125_000,
  currency: 'USD',
  methodLabel: 'Visa •••• 4242',
  invoices: [
    { number: 'INV-1042', amountCents: 100_000 },
    { number: 'INV-1043', amountCents: 25_000 },
  ],
  changedBy: null,
  notes: [],
};
