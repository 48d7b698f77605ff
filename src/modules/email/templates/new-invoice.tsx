import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import { formatMoney } from '../../../platform/money.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import { formatDate } from '../../../shared/dates.js';
import type { Brand } from '../../settings/brand.js';

export interface NewInvoiceData {
  contactName: string;
  organizationName: string;
  invoiceNumber: string;
  issueDate: string;
  dueDate: string;
  totalCents: number;
  balanceCents: number;
  currency: string;
  invoiceUrl: string;
}

export const newInvoiceSubject = (data: NewInvoiceData, brand: Brand) =>
  `Invoice ${data.invoiceNumber} from ${brand.mspName}: ${formatMoney(data.balanceCents, data.currency)} due ${formatDate(data.dueDate, brand.dateFormat)}`;

const cell = { fontSize: 14, color: '#343a40', margin: 0, padding: '3px 0' } as const;

export function NewInvoiceEmail({ data, brand }: { data: NewInvoiceData; brand: Brand }) {
  const money = (cents: number) => formatMoney(cents, data.currency);
  const date = (isoDate: string) => formatDate(isoDate, brand.dateFormat);
  return (
    <BrandedLayout
      brand={brand}
      preview={`Invoice ${data.invoiceNumber}: ${money(data.balanceCents)} due ${date(data.dueDate)}`}
      title={`Invoice ${data.invoiceNumber}`}
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        {brand.mspName} has issued invoice <strong>{data.invoiceNumber}</strong> to{' '}
        {endSentence(data.organizationName)} The invoice is attached as a PDF.
      </Paragraph>
      <Section style={{ backgroundColor: '#f8f9fa', borderRadius: 6, padding: '12px 16px' }}>
        <Text style={cell}>Invoice number: {data.invoiceNumber}</Text>
        <Text style={cell}>Issue date: {date(data.issueDate)}</Text>
        <Text style={cell}>
          Amount due: <strong>{money(data.balanceCents)}</strong>
          {data.balanceCents !== data.totalCents ? ` (of ${money(data.totalCents)})` : ''}
        </Text>
        <Text style={cell}>Due date: {date(data.dueDate)}</Text>
      </Section>
      <ActionButton brand={brand} href={data.invoiceUrl}>
        View the invoice in the client portal
      </ActionButton>
    </BrandedLayout>
  );
}

export const newInvoiceSample: NewInvoiceData = {
  contactName: 'Leslie Knope',
  organizationName: 'Pawnee Parks Dept.',
  invoiceNumber: 'INV-1042',
  issueDate: '2026-11-01',
  dueDate: '2026-12-01',
  totalCents: 300_000,
  balanceCents: 300_000,
  currency: 'USD',
  invoiceUrl: 'http://localhost:3000/portal/billing/invoices/00000000-0000-0000-0000-000000000000',
};
