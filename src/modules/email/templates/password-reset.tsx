import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import type { Brand } from '../../settings/brand.js';

export interface PasswordResetData {
  contactName: string;
  email: string;
  resetUrl: string;
  linkExpiresInMinutes: number;
}

export const passwordResetSubject = (_data: PasswordResetData, brand: Brand) =>
  `Reset your ${brand.mspName} portal password`;

export function PasswordResetEmail({ data, brand }: { data: PasswordResetData; brand: Brand }) {
  return (
    <BrandedLayout
      brand={brand}
      preview="A link to choose a new password"
      title="Reset your password"
    >
      <Paragraph>
        Hello {data.contactName}, someone asked to reset the portal password for{' '}
        {endSentence(data.email)} If it was you, choose a new password here:
      </Paragraph>
      <ActionButton brand={brand} href={data.resetUrl}>
        Choose a new password
      </ActionButton>
      <Paragraph>
        The link works once and expires in {data.linkExpiresInMinutes} minutes. If you did not ask
        for it, you can ignore this email: your password stays as it is.
      </Paragraph>
    </BrandedLayout>
  );
}

export const passwordResetSample: PasswordResetData = {
  contactName: 'Leslie Knope',
  email: 'lknope@pawnee-indiana.gov',
  resetUrl: 'http://localhost:3000/portal/reset-password?token=sample',
  linkExpiresInMinutes: 60,
};
