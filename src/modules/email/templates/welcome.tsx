import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import type { Brand } from '../../settings/brand.js';

export interface WelcomeData {
  contactName: string;
  email: string;
  organizationName: string;
  setPasswordUrl: string;
  linkExpiresInDays: number;
}

export const welcomeSubject = (data: WelcomeData, brand: Brand) =>
  `Welcome to the ${brand.mspName} client portal`;

export function WelcomeEmail({ data, brand }: { data: WelcomeData; brand: Brand }) {
  return (
    <BrandedLayout
      brand={brand}
      preview={`Set your password for the ${brand.mspName} client portal`}
      title={`Welcome, ${data.contactName}`}
    >
      <Paragraph>
        {brand.mspName} has opened a client portal account for you at{' '}
        {endSentence(data.organizationName)} There you can see and pay invoices, keep payment
        methods and file service tickets.
      </Paragraph>
      <Paragraph>
        Your username is your full email address: <strong>{data.email}</strong>
      </Paragraph>
      <ActionButton brand={brand} href={data.setPasswordUrl}>
        Set your password
      </ActionButton>
      <Paragraph>
        This link works once and expires in {data.linkExpiresInDays} days. If it has expired, ask
        for a password reset on the sign-in page.
      </Paragraph>
    </BrandedLayout>
  );
}

export const welcomeSample: WelcomeData = {
  contactName: 'Leslie Knope',
  email: 'lknope@pawnee-indiana.gov',
  organizationName: 'Pawnee Parks Dept.',
  setPasswordUrl: 'http://localhost:3000/portal/set-password?token=sample',
  linkExpiresInDays: 7,
};
