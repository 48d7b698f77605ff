import { Column } from '@react-email/column';
import { Row } from '@react-email/row';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import { formatMoney } from '../../../platform/money.js';
import type { z } from 'zod';
import {
  agingBucketLabels,
  agingBuckets,
  type accountStatement,
} from '../../../shared/contract/statements.js';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import { formatDate } from '../../../shared/dates.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';

export interface AccountSummaryData {
  contactName: string;
  /** The statement as src/modules/statements builds it (its shape is the API contract's). */
  statement: z.output<typeof accountStatement>;
}

export const accountSummarySubject = (data: AccountSummaryData, brand: Brand) =>
  `Account summary for ${data.statement.organizationName} from ${brand.mspName}`;

const cell = { fontSize: 13, color: '#343a40', margin: 0, padding: '4px 0' } as const;
const headCell = { ...cell, color: '#868e96', fontWeight: 600 } as const;

export function AccountSummaryEmail({ data, brand }: { data: AccountSummaryData; brand: Brand }) {
  const { statement } = data;
  const money = (cents: number) => formatMoney(cents, statement.currency);
  const date = (isoDate: string) => formatDate(isoDate, brand.dateFormat);
  return (
    <BrandedLayout
      brand={brand}
      preview={`Total due ${money(statement.totalDueCents)} as of ${date(statement.asOf)}`}
      title="Account Summary"
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        Here is the account summary for <strong>{statement.organizationName}</strong> as of{' '}
        {endSentence(date(statement.asOf))}
      </Paragraph>
      <Section style={{ backgroundColor: '#f8f9fa', borderRadius: 6, padding: '12px 16px' }}>
        <Text style={{ ...cell, fontSize: 15 }}>
          Total due: <strong>{money(statement.totalDueCents)}</strong>
        </Text>
        <Text style={cell}>Past due: {money(statement.pastDueCents)}</Text>
        {statement.oldestOpenInvoice && (
          <Text style={cell}>
            Oldest open invoice: {statement.oldestOpenInvoice.number}, due{' '}
            {date(statement.oldestOpenInvoice.dueDate)}
            {statement.oldestOpenInvoice.daysPastDue > 0
              ? ` (${statement.oldestOpenInvoice.daysPastDue} days past due)`
              : ''}{' '}
            — {money(statement.oldestOpenInvoice.balanceCents)}
          </Text>
        )}
      </Section>
      <Text style={{ ...headCell, paddingTop: 16 }}>Aging</Text>
      <Row>
        {agingBuckets.map((bucket) => (
          <Column key={bucket}>
            <Text style={headCell}>{agingBucketLabels[bucket]}</Text>
            <Text style={cell}>{money(statement.aging[bucket])}</Text>
          </Column>
        ))}
      </Row>
      <Text style={{ ...headCell, paddingTop: 16 }}>Open invoices</Text>
      {statement.openInvoices.length === 0 ? (
        <Text style={cell}>No open invoices.</Text>
      ) : (
        statement.openInvoices.map((invoice) => (
          <Row key={invoice.number}>
            <Column>
              <Text style={cell}>{invoice.number}</Text>
            </Column>
            <Column>
              <Text style={cell}>Due {date(invoice.dueDate)}</Text>
            </Column>
            <Column>
              <Text style={{ ...cell, textAlign: 'right' }}>{money(invoice.balanceCents)}</Text>
            </Column>
          </Row>
        ))
      )}
      {statement.recentPayments.length > 0 && (
        <>
          <Text style={{ ...headCell, paddingTop: 16 }}>Recent payments</Text>
          {statement.recentPayments.map((payment) => (
            <Row key={`${payment.date}-${payment.reference}`}>
              <Column>
                <Text style={cell}>{date(payment.date)}</Text>
              </Column>
              <Column>
                <Text style={cell}>{payment.reference}</Text>
              </Column>
              <Column>
                <Text style={{ ...cell, textAlign: 'right' }}>{money(payment.amountCents)}</Text>
              </Column>
            </Row>
          ))}
        </>
      )}
      <Text style={{ ...cell, color: '#868e96', paddingTop: 12 }}>
        The statement is attached as a PDF.
      </Text>
      {/* Opens the portal acting for the summary's organization, whichever the contact last used. */}
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.home, statement.organizationId)}
      >
        Open the client portal
      </ActionButton>
    </BrandedLayout>
  );
}

export const accountSummarySample: AccountSummaryData = {
  contactName: 'Leslie Knope',
  statement: {
    organizationId: '00000000-0000-0000-0000-000000000000',
    organizationName: 'Pawnee Parks Dept.',
    address: ['1 Main St', 'Pawnee, IN 47555'],
    asOf: '2026-11-22',
    currency: 'USD',
    totalDueCents: 482_500,
    pastDueCents: 182_500,
    aging: { current: 300_000, days1to30: 120_000, days31to60: 62_500, days61to90: 0, over90: 0 },
    oldestOpenInvoice: {
      number: 'INV-1017',
      issueDate: '2026-09-01',
      dueDate: '2026-10-01',
      totalCents: 125_000,
      balanceCents: 62_500,
      daysPastDue: 52,
    },
    openInvoices: [
      {
        number: 'INV-1042',
        issueDate: '2026-11-01',
        dueDate: '2026-12-01',
        totalCents: 300_000,
        balanceCents: 300_000,
        daysPastDue: 0,
      },
      {
        number: 'INV-1031',
        issueDate: '2026-10-01',
        dueDate: '2026-10-31',
        totalCents: 120_000,
        balanceCents: 120_000,
        daysPastDue: 22,
      },
      {
        number: 'INV-1017',
        issueDate: '2026-09-01',
        dueDate: '2026-10-01',
        totalCents: 125_000,
        balanceCents: 62_500,
        daysPastDue: 52,
      },
    ],
    recentPayments: [{ date: '2026-11-05', amountCents: 62_500, reference: 'PAY-220' }],
  },
};
