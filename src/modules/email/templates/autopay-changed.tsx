import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';

export interface AutopayChangedData {
  contactName: string;
  /** The organization whose AutoPay changed: the link opens the portal acting for it. */
  organizationId: string;
  organizationName: string;
  /** Who changed it: "Dana Lee (portal)", "Sam Admin". */
  changedBy: string;
  /** What changed, one sentence each: "Turned AutoPay on", "Added rule 1: …". */
  changes: string[];
  enabled: boolean;
  /** The rules as they are now, in order, in words: "1. Hosting · On the due date · …". */
  rules: string[];
}

/** The staff copy: the same facts, with a link to the console. */
export interface AutopayChangedStaffData extends AutopayChangedData {
  consoleUrl: string;
}

export const autopayChangedSubject = (data: AutopayChangedData) =>
  `AutoPay changed for ${data.organizationName}`;

function ChangeList({ data }: { data: AutopayChangedData }) {
  return (
    <>
      <Paragraph>
        {data.changedBy} changed AutoPay for {endSentence(data.organizationName)}
      </Paragraph>
      <Paragraph>
        {data.changes.map((change, index) => (
          <span key={index}>
            • {endSentence(change)}
            <br />
          </span>
        ))}
      </Paragraph>
      <Paragraph>
        {data.enabled ? (
          data.rules.length > 0 ? (
            <>
              AutoPay is on. Its rules, in the order they are tried:
              <br />
              {data.rules.map((rule, index) => (
                <span key={index}>
                  {rule}
                  <br />
                </span>
              ))}
            </>
          ) : (
            'AutoPay is on, with no rules: nothing is charged automatically.'
          )
        ) : (
          'AutoPay is off: nothing is charged automatically.'
        )}
      </Paragraph>
    </>
  );
}

/**
 * AutoPay Changed (to the organization's default notification contacts): someone changed the
 * organization's AutoPay; what changed and the rules now, so a change nobody at the client
 * made is noticed.
 */
export function AutopayChangedEmail({ data, brand }: { data: AutopayChangedData; brand: Brand }) {
  return (
    <BrandedLayout brand={brand} preview={autopayChangedSubject(data)} title="AutoPay changed">
      <Paragraph>Hello {data.contactName},</Paragraph>
      <ChangeList data={data} />
      <Paragraph>
        If you did not expect this change, please contact {endSentence(brand.mspName)}
      </Paragraph>
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.autopay, data.organizationId)}
      >
        Review AutoPay
      </ActionButton>
    </BrandedLayout>
  );
}

/** AutoPay Changed (internal, to billing staff): the same, linking to the console. */
export function AutopayChangedStaffEmail({
  data,
  brand,
}: {
  data: AutopayChangedStaffData;
  brand: Brand;
}) {
  return (
    <BrandedLayout brand={brand} preview={autopayChangedSubject(data)} title="AutoPay changed">
      <ChangeList data={data} />
      <ActionButton
        brand={brand}
        href={`${data.consoleUrl.replace(/\/+$/, '')}/organizations/${encodeURIComponent(data.organizationId)}`}
      >
        Open the organization
      </ActionButton>
    </BrandedLayout>
  );
}

export const autopayChangedSample: AutopayChangedData = {
  contactName: 'Demo Owner',
  organizationId: '00000000-0000-0000-0000-000000000000',
  organizationName: 'Demo Company',
  changedBy: 'Demo Owner (portal)',
  changes: ['Turned AutoPay on', 'Added rule 1: Hosting · On the due date · Visa •••• 4242'],
  enabled: true,
  rules: ['1. Hosting · On the due date · Visa •••• 4242'],
};

export const autopayChangedStaffSample: AutopayChangedStaffData = {
  ...autopayChangedSample,
  contactName: 'Billing team',
  consoleUrl: 'http://localhost:3000',
};
