import { Column } from '@react-email/column';
import { Row } from '@react-email/row';
import { Text } from '@react-email/text';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import { formatTimestamp } from '../../../shared/dates.js';
import type { Brand } from '../../settings/brand.js';

export interface EmailFailureSummaryData {
  periodLabel: string;
  failures: {
    organizationName: string;
    templateName: string;
    recipients: string;
    error: string;
    /** When it failed: an ISO timestamp, shown on the MSP's clock in its date format. */
    failedAt: string;
  }[];
  consoleUrl: string;
}

export const emailFailureSummarySubject = (data: EmailFailureSummaryData) =>
  `${data.failures.length} email${data.failures.length === 1 ? '' : 's'} could not be delivered (${data.periodLabel})`;

const cell = { fontSize: 13, color: '#343a40', margin: 0, padding: '4px 8px 4px 0' } as const;

export function EmailFailureSummaryEmail(props: { data: EmailFailureSummaryData; brand: Brand }) {
  const { data, brand } = props;
  return (
    <BrandedLayout
      brand={brand}
      preview={emailFailureSummarySubject(data)}
      title="Email Failure Summary"
    >
      <Paragraph>
        These emails to clients failed for good {endSentence(data.periodLabel)} Check the addresses,
        then resend them from View Email History.
      </Paragraph>
      {data.failures.map((failure, index) => (
        <Row key={index}>
          <Column>
            <Text style={cell}>{formatTimestamp(failure.failedAt, brand, { seconds: false })}</Text>
          </Column>
          <Column>
            <Text style={cell}>
              {failure.organizationName}: {failure.templateName} to {failure.recipients}
            </Text>
          </Column>
          <Column>
            <Text style={{ ...cell, color: '#c92a2a' }}>{failure.error}</Text>
          </Column>
        </Row>
      ))}
      <ActionButton brand={brand} href={data.consoleUrl}>
        Open Portico
      </ActionButton>
    </BrandedLayout>
  );
}

export const emailFailureSummarySample: EmailFailureSummaryData = {
  periodLabel: 'in the last 24 hours',
  failures: [
    {
      organizationName: 'Demo Company',
      templateName: 'Payment Method Expiration Notice',
      recipients: 'demo@example.com',
      error: 'The recipient’s mail server says this mailbox does not exist.',
      failedAt: '2026-11-22T08:02:00Z',
    },
  ],
  consoleUrl: 'http://localhost:3000',
};
