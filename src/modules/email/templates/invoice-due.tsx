import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import { formatMoney } from '../../../platform/money.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { formatDate } from '../../../shared/dates.js';
import type { Brand } from '../../settings/brand.js';

export interface InvoiceDueData {
  contactName: string;
  organizationName: string;
  invoiceNumber: string;
  dueDate: string;
  /** Days from today to the due date: positive before it, negative past it. */
  daysUntilDue: number;
  balanceCents: number;
  currency: string;
  invoiceUrl: string;
}

function days(n: number): string {
  return `${n} ${n === 1 ? 'day' : 'days'}`;
}

/** "due in 7 days", "due today", "14 days past due". */
export function dueWording(daysUntilDue: number): string {
  if (daysUntilDue > 0) return `due in ${days(daysUntilDue)}`;
  if (daysUntilDue === 0) return 'due today';
  return `${days(-daysUntilDue)} past due`;
}

export const invoiceDueSubject = (data: InvoiceDueData) =>
  `Invoice ${data.invoiceNumber} is ${dueWording(data.daysUntilDue)}`;

const cell = { fontSize: 14, color: '#343a40', margin: 0, padding: '3px 0' } as const;

export function InvoiceDueEmail({ data, brand }: { data: InvoiceDueData; brand: Brand }) {
  const money = (cents: number) => formatMoney(cents, data.currency);
  const wording = dueWording(data.daysUntilDue);
  const dueDate = formatDate(data.dueDate, brand.dateFormat);
  return (
    <BrandedLayout
      brand={brand}
      preview={`Invoice ${data.invoiceNumber}: ${money(data.balanceCents)}, ${wording}`}
      title={data.daysUntilDue < 0 ? 'Invoice Past Due' : 'Invoice Due'}
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        Invoice <strong>{data.invoiceNumber}</strong> for {data.organizationName} is{' '}
        <strong>{wording}</strong>
        {data.daysUntilDue < 0
          ? '. Please pay the balance at your earliest convenience.'
          : ` (due ${dueDate}).`}
      </Paragraph>
      <Section style={{ backgroundColor: '#f8f9fa', borderRadius: 6, padding: '12px 16px' }}>
        <Text style={cell}>Invoice number: {data.invoiceNumber}</Text>
        <Text style={cell}>Due date: {dueDate}</Text>
        <Text style={cell}>
          Balance: <strong>{money(data.balanceCents)}</strong>
        </Text>
      </Section>
      <ActionButton brand={brand} href={data.invoiceUrl}>
        View the invoice in the client portal
      </ActionButton>
      <Text style={{ fontSize: 12, color: '#868e96' }}>
        If you have already paid, thank you, and please disregard this notice.
      </Text>
    </BrandedLayout>
  );
}

export const invoiceDueSample: InvoiceDueData = {
  contactName: 'Leslie Knope',
  organizationName: 'Pawnee Parks Dept.',
  invoiceNumber: 'INV-1031',
  dueDate: '2026-10-31',
  daysUntilDue: -14,
  balanceCents: 120_000,
  currency: 'USD',
  invoiceUrl: 'http://localhost:3000/portal/billing/invoices/00000000-0000-0000-0000-000000000000',
};
