import { Column } from '@react-email/column';
import { Row } from '@react-email/row';
import { Text } from '@react-email/text';
import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { formatMoney } from '../../../shared/money.js';
import type { Brand } from '../../settings/brand.js';

/**
 * The internal AutoPay Summary, after each daily run: what was charged, what failed (and
 * whether it is tried again or AutoPay gave up on it for this cycle), what was skipped and why,
 * the debits the bank returned since the last summary (tried again or not, and why), and the
 * money per currency. Sent to staff who handle money (Master Admin and Billing).
 */
export interface AutopaySummaryLine {
  organizationName: string;
  invoiceNumber: string;
  amountCents: number;
  currency: string;
  /** Why it failed or was skipped, in words; for a failure, what happens next too. */
  reason: string | null;
}

export interface AutopaySummaryData {
  /** The run's business date, as the MSP writes dates. */
  runDateLabel: string;
  charged: AutopaySummaryLine[];
  failed: AutopaySummaryLine[];
  skipped: AutopaySummaryLine[];
  /**
   * AutoPay debits the bank returned since the last summary (tried on an earlier run, which
   * counted them charged), each with the bank's reason and whether AutoPay tries again.
   */
  returned: AutopaySummaryLine[];
  /** Money charged, one entry per currency. */
  totals: { currency: string; chargedCents: number; failedCents: number }[];
  consoleUrl: string;
}

export const autopaySummarySubject = (data: AutopaySummaryData) =>
  `AutoPay ${data.runDateLabel}: ${data.charged.length} charged, ${data.failed.length} failed, ${data.skipped.length} skipped` +
  (data.returned.length > 0 ? `, ${data.returned.length} returned` : '');

const cell = { fontSize: 13, color: '#343a40', margin: 0, padding: '4px 8px 4px 0' } as const;
const heading = { fontSize: 16, fontWeight: 700, color: '#1a1b1e', margin: '16px 0 4px' } as const;

function Lines(props: { title: string; lines: AutopaySummaryLine[]; tone?: string }) {
  if (props.lines.length === 0) return null;
  return (
    <>
      <Text style={heading}>
        {props.title} ({props.lines.length})
      </Text>
      {props.lines.map((line, index) => (
        <Row key={index}>
          <Column>
            <Text style={cell}>
              {line.organizationName}: {line.invoiceNumber}
            </Text>
          </Column>
          <Column>
            <Text style={cell}>{formatMoney(line.amountCents, line.currency)}</Text>
          </Column>
          {line.reason ? (
            <Column>
              <Text style={{ ...cell, color: props.tone ?? '#343a40' }}>{line.reason}</Text>
            </Column>
          ) : null}
        </Row>
      ))}
    </>
  );
}

export function AutopaySummaryEmail(props: { data: AutopaySummaryData; brand: Brand }) {
  const { data, brand } = props;
  const nothing =
    data.charged.length + data.failed.length + data.skipped.length + data.returned.length === 0;
  return (
    <BrandedLayout brand={brand} preview={autopaySummarySubject(data)} title="AutoPay Summary">
      <Paragraph>
        {nothing
          ? `The AutoPay run of ${data.runDateLabel} had no invoice to charge.`
          : `What the AutoPay run of ${data.runDateLabel} did.`}
      </Paragraph>
      {data.totals.map((total) => (
        <Paragraph key={total.currency}>
          {total.currency}: {formatMoney(total.chargedCents, total.currency)} charged
          {total.failedCents > 0
            ? `, ${formatMoney(total.failedCents, total.currency)} declined`
            : ''}
        </Paragraph>
      ))}
      <Lines title="Charged" lines={data.charged} />
      <Lines title="Failed" lines={data.failed} tone="#c92a2a" />
      <Lines title="Skipped" lines={data.skipped} />
      <Lines title="Returned by the bank" lines={data.returned} tone="#c92a2a" />
      <ActionButton brand={brand} href={data.consoleUrl}>
        Open Portico
      </ActionButton>
    </BrandedLayout>
  );
}

export const autopaySummarySample: AutopaySummaryData = {
  runDateLabel: '2026-11-30',
  charged: [
    {
      organizationName: 'Demo Company',
      invoiceNumber: 'INV-1001',
      amountCents: 12_500,
      currency: 'USD',
      reason: null,
    },
  ],
  failed: [
    {
      organizationName: 'Pawnee Parks Dept.',
      invoiceNumber: 'INV-1002',
      amountCents: 8_000,
      currency: 'USD',
      reason: 'The account has insufficient funds. Will be tried again on 2026-12-03 (try 2).',
    },
  ],
  skipped: [
    {
      organizationName: 'Demo Company',
      invoiceNumber: 'INV-1003',
      amountCents: 4_000,
      currency: 'USD',
      reason: 'A scheduled payment covers this invoice',
    },
  ],
  returned: [
    {
      organizationName: 'Pawnee Parks Dept.',
      invoiceNumber: 'INV-0998',
      amountCents: 6_000,
      currency: 'USD',
      reason:
        'Returned, not tried again: The bank account is closed. The payment method is locked and the client was emailed.',
    },
  ],
  totals: [{ currency: 'USD', chargedCents: 12_500, failedCents: 8_000 }],
  consoleUrl: 'http://localhost:3000',
};
